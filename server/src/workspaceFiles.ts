import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Folders that never hold a project's own configs: dependencies, virtual environments, caches, VCS data. */
const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '.venv', 'venv', 'env', '.env', '.tox', '.nox', '__pycache__', '.mypy_cache', '.pytest_cache', '.ruff_cache', 'site-packages', '.cache', 'wandb', 'outputs', 'lightning_logs']);
const CONFIG_EXT = /\.(ya?ml|json|jsonc)$/i;
const MAX_FILES = 20000;

export interface FileArg {
  path: string;
  /** Given by name on the command line (reported even when unreadable), or found while walking a folder. */
  explicit: boolean;
}

/** Expands folders into the config-like files below them, in a stable order. */
export function expandPaths(paths: string[], extensions: RegExp = CONFIG_EXT): FileArg[] {
  const out: FileArg[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      out.push({ path: p, explicit: true });
      continue;
    }
    if (st.isDirectory()) walk(p, extensions, out);
    else out.push({ path: p, explicit: true });
  }
  return out;
}

function walk(dir: string, extensions: RegExp, out: FileArg[]): void {
  const stack = [dir];
  while (stack.length && out.length < MAX_FILES) {
    const current = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
    for (const e of entries) {
      const full = join(current, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.endsWith('.egg-info')) stack.push(full);
      } else if (e.isFile() && extensions.test(e.name)) out.push({ path: full, explicit: false });
    }
  }
  out.sort((a, b) => (a.explicit === b.explicit ? 0 : a.explicit ? -1 : 1));
}

export type ReadResult =
  | { ok: true; text: string; invalidUtf8At: number | null; invalidUtf8Char: number | null }
  | { ok: false; reason: string };

/** Reads a file as the training tools would (UTF-8); binary files are recognised and skipped. */
export function readConfigFile(path: string): ReadResult {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : `cannot read (${code ?? String(e)})` };
  }
  if (bytes.subarray(0, 8192).includes(0)) return { ok: false, reason: 'binary file (contains NUL bytes), skipped' };
  let invalidUtf8At: number | null = null;
  let invalidUtf8Char: number | null = null;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    invalidUtf8At = firstInvalidUtf8(bytes);
    invalidUtf8Char = new TextDecoder('utf-8').decode(bytes.subarray(0, invalidUtf8At)).length;
  }
  const text = new TextDecoder('utf-8').decode(bytes);
  return { ok: true, text, invalidUtf8At, invalidUtf8Char };
}

/** Byte offset of the first malformed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : (b & 0xe0) === 0xc0 ? 2 : (b & 0xf0) === 0xe0 ? 3 : (b & 0xf8) === 0xf0 ? 4 : 0;
    if (!len || i + len > bytes.length) return i;
    for (let k = 1; k < len; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += len;
  }
  return i;
}

/** A file the rules read beside a config (a DeepSpeed JSON, a sibling module): its text, or undefined when it is
 *  missing, unreadable or larger than `maxBytes` (a config is a few KiB). */
export function readTextFile(path: string, maxBytes = 1024 * 1024): string | undefined {
  try {
    return statSync(path).size > maxBytes ? undefined : readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
