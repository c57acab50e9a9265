import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parsePins, PIN_FILES } from './core/common/versions';
import { readTextFile } from './workspaceFiles';

/**
 * Reads the version pins of each folder and its immediate subfolders (a repo often keeps its training code in
 * one, e.g. `train/requirements.txt`). Later files win, and a folder's own files win over its subfolders'.
 */
export function readWorkspacePins(roots: string[]): Map<string, { version: string; file: string }> {
  const pins = new Map<string, { version: string; file: string }>();
  for (const root of roots) {
    const folders = [root, ...subfolders(root)];
    for (const folder of folders.reverse()) {
      let names: string[];
      try {
        names = readdirSync(folder)
          .filter((n) => PIN_FILES.test(n))
          .sort();
      } catch {
        continue;
      }
      for (const name of names) {
        const file = join(folder, name);
        const text = readTextFile(file, 512 * 1024);
        if (text === undefined) continue; // missing, unreadable, not a regular file or too large: no pins from it
        const label = folder === root ? name : `${folder.slice(root.length + 1)}/${name}`;
        for (const [pkg, version] of parsePins(name, text)) pins.set(pkg, { version, file: label });
      }
    }
  }
  return pins;
}

function subfolders(root: string): string[] {
  try {
    return readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules' && !/^(venv|env|site-packages)$/.test(e.name))
      .map((e) => join(root, e.name));
  } catch {
    return [];
  }
}
