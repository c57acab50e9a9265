import type { FileAccess } from '../rules/types';
import { DOTTED_PATH } from './callables';
import { defaultsEntries, groupFiles } from './defaults';

const MAX_WALK = 2000;
const TARGET_LINE = /^[ \t]*(?:-[ \t]+)?_target_[ \t]*:[ \t]*['"]?[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+['"]?[ \t]*$/m;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether some mapping in the value has a `_target_` naming a dotted import path (hydra.utils.instantiate's key). */
export function hasTarget(value: unknown): boolean {
  const stack: unknown[] = [value];
  for (let seen = 0; stack.length && seen < MAX_WALK; seen++) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...(node as unknown[]));
    else if (isObject(node)) {
      const target = node['_target_'];
      if (typeof target === 'string' && DOTTED_PATH.test(target.trim())) return true;
      stack.push(...Object.values(node));
    }
  }
  return false;
}

/**
 * Hydra or OmegaConf YAML: a `_target_` block, or a `defaults:` list (Hydra's composition) at least one of whose
 * group entries is a file in a config-group folder next to it. A `defaults:` key alone is not enough: Jekyll, GitHub
 * workflows and others use that name too.
 */
export function detectHydra(value: unknown, path: string, files?: FileAccess, unloaded?: { text: string }): string | null {
  if (/\.jsonc?$/i.test(path)) return null;
  // While a block is being typed it does not load: its `_target_` line still says what the file is.
  if (unloaded && TARGET_LINE.test(unloaded.text.slice(0, 65536))) return 'It has `_target_` blocks, as hydra.utils.instantiate reads them.';
  if (!isObject(value)) return null;
  if (hasTarget(value)) return 'It has `_target_` blocks, as hydra.utils.instantiate reads them.';
  const entries = defaultsEntries(value['defaults']);
  if (!entries || !files) return null;
  const dir = path.slice(0, path.lastIndexOf('/') + 1);
  for (const entry of entries) {
    for (const file of groupFiles(dir, entry)) {
      if (files.read(file) !== undefined) return `Its \`defaults:\` list names ${file.slice(dir.length)}, a config next to it, as Hydra composes them.`;
    }
  }
  return null;
}
