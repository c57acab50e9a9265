/**
 * The web client's answer to `finetune/readFiles`: the language server in the web worker has no disk and asks for
 * the files a config names (a `deepspeed:` JSON, version pins, the workspace's Python). Read with
 * `vscode.workspace.fs` (any scheme: github.dev's vscode-vfs://, a local folder opened in vscode.dev), with the
 * desktop reader's limit: a file over `maxBytes` is not read, only its size is sent. Passed the file system and the
 * URI parser, so that the web test answers the worker with this same function over a disk.
 */
import type { ReadFileAnswer, ReadFilesParams } from '../../../server/src/protocol';

/** The part of `vscode.workspace.fs` used here (https://code.visualstudio.com/api/references/vscode-api#FileSystem). */
export interface ReadOnlyFs<U> {
  stat(uri: U): Thenable<{ type: number; size: number }>;
  readFile(uri: U): Thenable<Uint8Array>;
  readDirectory(uri: U): Thenable<Array<[string, number]>>;
}

/** At most this many paths are read per request (the server sends 500 at most); any further ones are answered null. */
export const MAX_ITEMS = 5000;

/** `vscode.FileType` bits. */
const FILE = 1;
const FOLDER = 2;

export async function answerReadFiles<U>(fs: ReadOnlyFs<U>, parse: (uri: string) => U, params: unknown): Promise<ReadFileAnswer[]> {
  const p = params as Partial<ReadFilesParams> | null;
  if (!p || !Array.isArray(p.items) || typeof p.maxBytes !== 'number') return [];
  const maxBytes = p.maxBytes;
  return Promise.all(p.items.map((item, i) => (i < MAX_ITEMS ? answerOne(fs, parse, item, maxBytes) : Promise.resolve(null))));
}

async function answerOne<U>(fs: ReadOnlyFs<U>, parse: (uri: string) => U, item: unknown, maxBytes: number): Promise<ReadFileAnswer> {
  const { uri, list } = (item ?? {}) as { uri?: unknown; list?: unknown };
  if (typeof uri !== 'string') return null;
  try {
    const u = parse(uri);
    const stat = await fs.stat(u);
    if (list === true) return stat.type & FOLDER ? { entries: await fs.readDirectory(u) } : null;
    if (stat.type & FOLDER) return null;
    if (!(stat.type & FILE)) return { notAFile: true };
    if (stat.size > maxBytes) return { size: stat.size };
    const bytes = await fs.readFile(u);
    return bytes.length > maxBytes ? { size: bytes.length } : { base64: toBase64(bytes) };
  } catch {
    // Missing (FileSystemError.FileNotFound), no permission, a URI the file system does not know.
    return null;
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
