import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FileAccess } from './core/common/host';
import { decodeText, readRegularFile, type DecodedText, type Encoding, type Unread } from './fileText';

/** Folders that never hold a project's own configs: dependencies, virtual environments, caches, VCS data. */
const SKIP_DIRS = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  '.venv',
  'venv',
  'env',
  '.env',
  '.tox',
  '.nox',
  '__pycache__',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  'site-packages',
  '.cache',
  'wandb',
  'outputs',
  'lightning_logs',
]);
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

/** Larger files are not read at all (a config is a few KiB; validation stops at finetune.validation.maxFileSizeKB). */
export const READ_LIMIT = 16 * 1024 * 1024;

export type ReadResult =
  | { ok: true; text: string; invalidUtf8At: number | null; invalidUtf8Char: number | null; encoding: Encoding; bytes: Buffer; decoded: DecodedText }
  | { ok: false; reason: string; unread: Unread | 'binary' };

/** Reads a file as the training tools would: a regular file, UTF-8 (or UTF-16 with its mark); binary files are skipped. */
export function readConfigFile(path: string, maxBytes = READ_LIMIT): ReadResult {
  const file = readRegularFile(path, maxBytes);
  if (!file.ok) return file;
  const decoded = decodeText(file.bytes);
  if (!decoded) return { ok: false, reason: 'binary file (contains NUL bytes), skipped', unread: 'binary' };
  return {
    ok: true,
    text: decoded.text,
    invalidUtf8At: decoded.invalidUtf8At,
    invalidUtf8Char: decoded.invalidUtf8Char,
    encoding: decoded.encoding,
    bytes: file.bytes,
    decoded,
  };
}

/** A file the rules read beside a config (a DeepSpeed JSON, a sibling module): its text (binary data decoded as it
 *  comes: its own parse fails), or undefined when it is missing, not a regular file or larger than `maxBytes`. */
export function readTextFile(path: string, maxBytes = 1024 * 1024): string | undefined {
  const file = readRegularFile(path, maxBytes);
  return file.ok ? textOfBytes(file.bytes) : undefined;
}

/** The text of a file the rules read (readTextFile's decoding; the web worker decodes what the client sent with it). */
export function textOfBytes(bytes: Uint8Array): string {
  return decodeText(bytes)?.text ?? new TextDecoder('utf-8').decode(bytes);
}

/** The disk as the rules see it: the text of a file, and why a path that exists was not read. */
export function diskFiles(maxBytes = 1024 * 1024): Required<FileAccess> {
  return {
    read: (path) => readTextFile(path, maxBytes),
    problem: (path) => {
      const file = readRegularFile(path, maxBytes);
      if (file.ok) return undefined;
      return file.unread === 'special'
        ? { kind: 'notAFile', reason: file.reason }
        : file.unread === 'tooLarge'
          ? { kind: 'tooLarge', reason: file.reason }
          : undefined;
    },
    list: (dir) => {
      try {
        return readdirSync(dir, { withFileTypes: true })
          .filter((e) => e.isFile() || e.isDirectory())
          .map((e) => ({ name: e.name, dir: e.isDirectory() }));
      } catch {
        return undefined;
      }
    },
  };
}
