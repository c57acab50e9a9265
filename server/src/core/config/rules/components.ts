import { hasOwn, own } from '../own';
import { closest } from '../suggest';
import type { Finding, Rule } from './types';

interface ComponentArg {
  type: string;
  default?: unknown;
  required?: boolean;
  byRecipe?: boolean;
  description?: string;
}

export interface ComponentInfo {
  args: Record<string, ComponentArg>;
  kwargs: boolean;
}

const MAX_DEPTH = 12;

const MODEL_BUILDER = /^torchtune\.models\.(\w+)\.([a-z0-9_]+)$/;

/**
 * `torchtune.models.<family>.<builder>`: the table holds every lowercase name each `torchtune/models/<family>/
 * __init__.py` exports (checked at pytorch/torchtune bd2a0fc7, v0.6.x; torchtune is winding down), so any other
 * is a builder torchtune does not have: config.instantiate stops with "Error loading" before anything runs.
 */
function unknownModelBuilder(component: string, table: Record<string, ComponentInfo>, path: Array<string | number>): Finding | null {
  const m = MODEL_BUILDER.exec(component);
  if (!m) return null;
  const builders = Object.keys(table).filter((k) => MODEL_BUILDER.test(k));
  const family = builders.filter((k) => k.startsWith(`torchtune.models.${m[1]}.`));
  const near = closest(component, family.length ? family : builders, 3);
  return {
    code: 'FT103',
    path,
    on: 'value',
    severity: 'error',
    message: `'${component}' is not a builder torchtune has${family.length ? '' : ` (there is no 'torchtune.models.${m[1]}')`}: torchtune stops with "Error loading" when it instantiates the config.${near.length ? ` Did you mean '${near[0]}'?` : ''}`,
    fixes: near.map((n, i) => ({ title: `Change to '${n}'`, preferred: i === 0 && near.length === 1, edits: [{ kind: 'set' as const, path, text: n }] })),
  };
}

/** Arguments the recipes pass themselves (config.instantiate(cfg.lr_scheduler, optimizer, num_training_steps=...)). */
const FILLED_BY_RECIPE = new Set(['optimizer', 'num_training_steps', 'tokenizer', 'params', 'model', 'last_epoch']);

// torchtune instantiates `_component_` with the other keys as keyword arguments (config.instantiate): an
// argument the callable does not take raises "TypeError: ... got an unexpected keyword argument", and a missing
// required one "missing ... required positional argument", both before training starts.
export const componentsRule: Rule = {
  codes: ['FT101', 'FT103', 'FT105'],
  formats: ['torchtune'],
  check({ value, schema }) {
    const table = (schema?.['x-ftw-components'] ?? {}) as Record<string, ComponentInfo>;
    const out: Finding[] = [];
    const stack: Array<[unknown, Array<string | number>]> = [[value, []]];
    while (stack.length) {
      const [node, path] = stack.pop()!;
      if (path.length > MAX_DEPTH || typeof node !== 'object' || node === null) continue;
      if (Array.isArray(node)) {
        node.forEach((item, i) => stack.push([item, [...path, i]]));
        continue;
      }
      const map = node as Record<string, unknown>;
      for (const [k, v] of Object.entries(map)) stack.push([v, [...path, k]]);
      const component = own(map, '_component_');
      const info = typeof component === 'string' ? own(table, component) : undefined;
      if (typeof component === 'string' && !info) {
        const unknown = unknownModelBuilder(component, table, [...path, '_component_']);
        if (unknown) out.push(unknown);
      }
      if (typeof component !== 'string' || !info) continue;
      const name = component.split('.').pop();
      for (const key of Object.keys(map)) {
        if (key === '_component_' || hasOwn(info.args, key) || info.kwargs) continue;
        const suggestion = closest(
          key,
          Object.keys(info.args).filter((a) => !info.args[a].byRecipe && !hasOwn(map, a)),
          1,
        )[0];
        out.push({
          code: 'FT101',
          path: [...path, key],
          severity: 'error',
          message: `Unknown argument '${key}' of ${name}(): torchtune passes it as a keyword argument and stops with "unexpected keyword argument".${suggestion ? ` Did you mean '${suggestion}'?` : ''}`,
          fixes: suggestion
            ? [{ title: `Change '${key}' to '${suggestion}'`, preferred: true, edits: [{ kind: 'renameKey', path: [...path, key], to: suggestion }] }]
            : [],
        });
      }
      const missing = Object.entries(info.args)
        .filter(([a, arg]) => arg.required && !arg.byRecipe && !FILLED_BY_RECIPE.has(a) && !hasOwn(map, a))
        .map(([a]) => a);
      if (missing.length) {
        out.push({
          code: 'FT105',
          path: [...path, '_component_'],
          on: 'value',
          severity: 'error',
          message: `${name}() needs ${missing.map((m) => `'${m}'`).join(', ')}: torchtune stops with "missing required argument" without ${missing.length === 1 ? 'it' : 'them'}.`,
        });
      }
    }
    return out;
  },
};
