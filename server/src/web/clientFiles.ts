/**
 * The files a config names, in the web worker: there is no disk, so the client reads them (`finetune/readFiles`,
 * answered by client/src/web/readFiles.ts with `vscode.workspace.fs`). The core reads synchronously (FileAccess), so
 * a path this cache does not have is a miss: the read gives undefined, as for a missing file, and the path is asked
 * for after the analysis, with every other path missed in the same turn (500 to a request). When an answer brings
 * anything (a text, a listing, a size), `learned` runs and the server analyses the open documents again; a path the
 * client says is missing is kept as missing, so each path is asked for once until it is forgotten (the file changed
 * on disk, or an editor opened or closed it). docs/architecture.md, "The web build".
 */
import { resolve } from '../core/common/paths';
import type { FileAccess } from '../core/common/host';
import { formatBytes } from '../fileText';
import type { ReadFileAnswer, ReadFilesParams } from '../protocol';
import { textOfBytes } from '../workspaceFiles';

/** The desktop's cap on the files the rules read (workspaceFiles.ts, diskFiles): larger files are not sent. */
export const CLIENT_READ_LIMIT = 1024 * 1024;

/** Paths per request at most (a tree's Python files can be thousands): more go in further requests. */
export const BATCH = 500;

/** `vscode.FileType` bits (https://code.visualstudio.com/api/references/vscode-api#FileType). */
const FILE = 1;
const FOLDER = 2;

/** What is kept of a file: its text and size, the size of one too large to send, a path that is not a file, or null (missing). */
type KeptFile = { text: string; bytes: number } | { size: number } | { notAFile: true } | null;
/** A folder's entries (name, FileType bits), or null when it cannot be listed. */
type KeptListing = Array<[string, number]> | null;

export interface ClientFilesHost {
  /** Sends `finetune/readFiles`; resolves to the client's answers. */
  ask(params: ReadFilesParams): Promise<unknown>;
  /** The URI of a path, or undefined when no workspace folder or open document says which (then it is missing). */
  uriOf(path: string): string | undefined;
  /** An answer brought something the analyses did not have. */
  learned(): void;
  log(message: string): void;
}

export class ClientFiles {
  private readonly files = new Map<string, KeptFile>();
  private readonly listings = new Map<string, KeptListing>();
  /** Keys ('f' or 'l', then the path) missed and not asked for yet. */
  private readonly missed = new Set<string>();
  /** Keys asked for, with the ticket of their request: an answer is kept only if the key was not forgotten meanwhile. */
  private readonly asking = new Map<string, number>();
  private tickets = 0;
  /** The request for this turn's misses, about to go; and every flush (requests and answers) not finished yet. */
  private scheduled: Promise<void> | undefined;
  private readonly flushes = new Set<Promise<void>>();
  /** Requests sent so far. */
  requests = 0;

  constructor(
    private readonly host: ClientFilesHost,
    private readonly maxBytes = CLIENT_READ_LIMIT,
  ) {}

  /** The text of a file of at most `maxBytes`; undefined when it is missing, too large, or not known yet (a miss). */
  read(path: string, maxBytes = this.maxBytes): string | undefined {
    const kept = this.file(path);
    return kept && 'text' in kept && kept.bytes <= maxBytes ? kept.text : undefined;
  }

  /** Why a path that exists was not read (FileAccess.problem, with the desktop's reasons). */
  problem(path: string, maxBytes = this.maxBytes): ReturnType<Required<FileAccess>['problem']> {
    const kept = this.file(path);
    if (!kept) return undefined;
    if ('notAFile' in kept) return { kind: 'notAFile', reason: 'not a regular file, not read' };
    const size = 'size' in kept ? kept.size : kept.bytes;
    return size > maxBytes ? { kind: 'tooLarge', reason: `larger than ${formatBytes(maxBytes)} (${formatBytes(size)}), not read` } : undefined;
  }

  /** A folder's files and folders, not following links (as the desktop's `list`); undefined when unknown yet or unlistable. */
  list(dir: string): Array<{ name: string; dir: boolean }> | undefined {
    return this.entries(dir)
      ?.filter(([, type]) => type === FILE || type === FOLDER)
      .map(([name, type]) => ({ name, dir: type === FOLDER }));
  }

  /** Every entry of a folder with its FileType bits (links and others too: the pins are read through links). */
  entries(dir: string): Array<[string, number]> | undefined {
    const key = resolve(dir);
    if (!this.listings.has(key)) {
      this.miss(`l${key}`);
      return undefined;
    }
    return this.listings.get(key) ?? undefined;
  }

  /** The core's view of the files. */
  access(): Required<FileAccess> {
    return { read: (path) => this.read(path), problem: (path) => this.problem(path), list: (dir) => this.list(dir) };
  }

  /**
   * Forgets what was read of these paths (a file changed on disk, an editor opened or closed it), and with `folders`
   * the listings of their folders too (a file may have been created or deleted): the next analysis asks again. True
   * when something was forgotten.
   */
  forget(paths: string[], folders: boolean): boolean {
    let forgot = false;
    for (const path of paths) {
      const key = resolve(path);
      for (const k of [`f${key}`, `l${key}`, ...(folders ? [`l${resolve(key, '..')}`] : [])]) {
        const map = k[0] === 'f' ? this.files : this.listings;
        forgot = map.delete(k.slice(1)) || forgot;
        forgot = this.asking.delete(k) || forgot;
      }
    }
    return forgot;
  }

  private file(path: string): KeptFile | undefined {
    const key = resolve(path);
    if (!this.files.has(key)) {
      this.miss(`f${key}`);
      return undefined;
    }
    return this.files.get(key);
  }

  private miss(key: string): void {
    if (this.asking.has(key)) return;
    this.missed.add(key);
    // After the analysis that missed it (the core reads synchronously): one request for the turn's misses.
    if (this.scheduled) return;
    const flush = new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => this.flush());
    this.scheduled = flush;
    this.flushes.add(flush);
    const done = () => void this.flushes.delete(flush);
    flush.then(done, done);
  }

  /**
   * Resolves when every path missed so far has been answered (or the client failed to answer); undefined when
   * nothing is missed or asked for. The server waits on it before it shows a first check, so that a file on its way
   * does not show as "not found" for a moment.
   */
  settled(): Promise<void> | undefined {
    if (!this.flushes.size) return undefined;
    return Promise.all([...this.flushes]).then(
      () => undefined,
      () => undefined,
    );
  }

  private async flush(): Promise<void> {
    this.scheduled = undefined;
    const keys: string[] = [];
    const items: ReadFilesParams['items'] = [];
    const ticket = ++this.tickets;
    for (const key of this.missed) {
      const uri = this.host.uriOf(key.slice(1));
      if (uri === undefined) this.keep(key, null);
      else {
        keys.push(key);
        items.push({ uri, list: key[0] === 'l' });
        this.asking.set(key, ticket);
      }
    }
    this.missed.clear();
    const batches: Array<Promise<boolean>> = [];
    for (let i = 0; i < items.length; i += BATCH) batches.push(this.send(keys.slice(i, i + BATCH), items.slice(i, i + BATCH), ticket));
    if ((await Promise.all(batches)).some(Boolean)) this.host.learned();
  }

  /** One request; true when its answers brought something. */
  private async send(keys: string[], items: ReadFilesParams['items'], ticket: number): Promise<boolean> {
    this.requests++;
    let answers: unknown;
    try {
      answers = await this.host.ask({ items, maxBytes: this.maxBytes });
    } catch (e) {
      this.host.log(`Fine-Tune Workbench: the client did not read ${items.length} file(s): ${e instanceof Error ? e.message : String(e)}`);
    }
    if (answers !== undefined && (!Array.isArray(answers) || answers.length !== items.length)) {
      this.host.log(
        `Fine-Tune Workbench: finetune/readFiles answered ${JSON.stringify(answers)?.slice(0, 80)}, not ${items.length} answer(s): taken as missing`,
      );
    }
    const list = Array.isArray(answers) && answers.length === items.length ? (answers as unknown[]) : [];
    let learned = false;
    keys.forEach((key, i) => {
      if (this.asking.get(key) !== ticket) return; // forgotten meanwhile: asked again at the next miss
      this.asking.delete(key);
      learned = this.keep(key, list[i]) || learned;
    });
    return learned;
  }

  /** Keeps an answer, checked (anything malformed is missing). True when it is something (not missing). */
  private keep(key: string, answer: unknown): boolean {
    const path = key.slice(1);
    const a = typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>) : undefined;
    if (key[0] === 'l') {
      const entries = Array.isArray(a?.entries)
        ? (a.entries as unknown[]).filter(
            (e): e is [string, number] => Array.isArray(e) && typeof e[0] === 'string' && e[0] !== '' && !e[0].includes('/') && Number.isInteger(e[1]),
          )
        : null;
      this.listings.set(path, entries);
      return entries !== null;
    }
    this.files.set(path, keptFile(a as ReadFileAnswer | undefined, this.maxBytes));
    return this.files.get(path) !== null;
  }
}

function keptFile(a: ReadFileAnswer | undefined, maxBytes: number): KeptFile {
  if (!a) return null;
  if ('base64' in a && typeof a.base64 === 'string') {
    let bytes: Uint8Array;
    try {
      bytes = Uint8Array.from(atob(a.base64), (c) => c.charCodeAt(0));
    } catch {
      return null;
    }
    return bytes.length > maxBytes ? { size: bytes.length } : { text: textOfBytes(bytes), bytes: bytes.length };
  }
  if ('size' in a && typeof a.size === 'number' && a.size > maxBytes) return { size: a.size };
  if ('notAFile' in a && a.notAFile === true) return { notAFile: true };
  return null;
}
