import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parsePins, PIN_FILES } from './core/common/versions';
import { readTextFile } from './workspaceFiles';

/** Where the pins are read from: every entry of a folder (`dir`: a folder itself, not a link to one), and a file's text. */
export interface PinFiles {
  entries(folder: string): Array<{ name: string; dir: boolean }> | undefined;
  read(path: string): string | undefined;
}

/** Pin files larger than this are not read. */
export const PIN_FILE_LIMIT = 512 * 1024;

/** The disk (the desktop server and the CLI). */
const DISK_PINS: PinFiles = {
  entries: (folder) => {
    try {
      return readdirSync(folder, { withFileTypes: true }).map((e) => ({ name: e.name, dir: e.isDirectory() }));
    } catch {
      return undefined;
    }
  },
  read: (path) => readTextFile(path, PIN_FILE_LIMIT),
};

/**
 * Reads the version pins of each folder and its immediate subfolders (a repo often keeps its training code in
 * one, e.g. `train/requirements.txt`). Later files win, and a folder's own files win over its subfolders'.
 */
export function readWorkspacePins(roots: string[], files: PinFiles = DISK_PINS): Map<string, { version: string; file: string }> {
  const pins = new Map<string, { version: string; file: string }>();
  for (const root of roots) {
    const folders = [root, ...subfolders(root, files)];
    for (const folder of folders.reverse()) {
      const entries = files.entries(folder);
      if (!entries) continue;
      const names = entries
        .map((e) => e.name)
        .filter((n) => PIN_FILES.test(n))
        .sort();
      for (const name of names) {
        const file = join(folder, name);
        const text = files.read(file);
        if (text === undefined) continue; // missing, unreadable, not a regular file or too large: no pins from it
        const label = folder === root ? name : `${folder.slice(root.length + 1)}/${name}`;
        for (const [pkg, version] of parsePins(name, text)) pins.set(pkg, { version, file: label });
      }
    }
  }
  return pins;
}

function subfolders(root: string, files: PinFiles): string[] {
  return (files.entries(root) ?? [])
    .filter((e) => e.dir && !e.name.startsWith('.') && e.name !== 'node_modules' && !/^(venv|env|site-packages)$/.test(e.name))
    .map((e) => join(root, e.name));
}
