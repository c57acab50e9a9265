/**
 * A stand-in for `vscode.workspace.fs` over this machine's disk (file: URIs), for the web client's answer to
 * `finetune/readFiles` (client/src/web/readFiles.ts) outside VS Code: what stat, readFile and readDirectory give, with
 * FileType bits 1 file, 2 folder, 64 symbolic link, 0 anything else (a FIFO, a device), as VS Code's disk provider does.
 */
import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReadOnlyFs } from '../../client/src/web/readFiles';

function typeOf(path: string): number {
  const st = statSync(path);
  return (st.isFile() ? 1 : st.isDirectory() ? 2 : 0) | (lstatSync(path).isSymbolicLink() ? 64 : 0);
}

export const DISK_FS: ReadOnlyFs<string> = {
  stat: async (uri) => ({ type: typeOf(fileURLToPath(uri)), size: statSync(fileURLToPath(uri)).size }),
  readFile: async (uri) => readFileSync(fileURLToPath(uri)),
  readDirectory: async (uri) => {
    const dir = fileURLToPath(uri);
    return readdirSync(dir).map((name): [string, number] => {
      try {
        return [name, typeOf(join(dir, name))];
      } catch {
        return [name, 64]; // a dangling link
      }
    });
  },
};
