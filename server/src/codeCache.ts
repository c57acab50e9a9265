import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as vm from 'node:vm';

/**
 * A V8 code cache for the server's own bundles (dist/server-main.js and dist/validators/*.js), written by the process
 * that uses it.
 *
 * Much of a fresh server's time to its first diagnostics is V8 compiling functions the first time they run: the
 * 0.9 MB Axolotl validator's one big function, the YAML parser, our rules. `Script#createCachedData()` called after
 * they ran serializes their bytecode too (https://nodejs.org/api/vm.html#scriptcreatecacheddata: "functions [...]
 * compiled when they are invoked the first time [...] the code cache serializes the metadata that V8 currently knows
 * about the Script"), so the next fresh process skips those compilations. A code cache is only valid for the V8 that
 * made it (VS Code's Electron is not the system's Node), so it is never shipped: each runtime writes its own, keyed
 * by `process.versions.v8`, the architecture and the SHA-256 of the file's text, as v8-compile-cache and VS Code
 * itself do. V8 checks the data again (version, flags, source) and rejects what does not fit
 * (`script.cachedDataRejected`); then the file is compiled as usual and the cache written anew.
 *
 * Where: `$FTW_CODE_CACHE_DIR`, else the user's cache folder (`$XDG_CACHE_HOME` or ~/.cache, %LOCALAPPDATA% on
 * Windows, ~/Library/Caches on macOS) under finetune-workbench/v8. `FTW_CODE_CACHE=0` turns it off. Nothing here may
 * stop the server: an unreadable or unwritable folder means compiling as before.
 */
export class CodeCache {
  private readonly scripts: Array<{ script: vm.Script; file: string; fresh: boolean }> = [];
  private saved = false;
  /** Per loaded file: 'hit' (compiled from the cache), 'miss' (no cache yet) or 'rejected' (V8 refused it). */
  readonly loads: Array<{ file: string; status: 'hit' | 'miss' | 'rejected' }> = [];

  constructor(readonly dir: string) {}

  /** `require(filename)` for a CommonJS file, compiled with this cache. */
  require(filename: string): unknown {
    const source = readFileSync(filename, 'utf8');
    const file = join(this.dir, cacheName(filename, source));
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(file);
    } catch {
      cachedData = undefined;
    }
    // No dynamic-import callback: V8 loses it on a script made from a code cache, so the files loaded here must not
    // use `import()` (client/build.mjs has esbuild turn it into require).
    const script = new vm.Script(Module.wrap(source), { filename, cachedData });
    const status = !cachedData ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';
    this.loads.push({ file: filename, status });
    this.scripts.push({ script, file, fresh: status !== 'hit' });
    const mod = new Module(filename, module);
    mod.filename = filename;
    mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(filename));
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => void;
    wrapper.call(mod.exports, mod.exports, createRequire(filename), mod, filename, dirname(filename));
    mod.loaded = true;
    return mod.exports;
  }

  /**
   * Writes the cache of every file loaded without one, once per process (after the first diagnostics, when the
   * functions that produce them have been compiled). Older caches of the same files (another version of the
   * extension or of V8) are removed. Returns what was written.
   */
  save(): { files: number; bytes: number; ms: number } {
    const t0 = performance.now();
    let files = 0;
    let bytes = 0;
    if (this.saved) return { files, bytes, ms: 0 };
    this.saved = true;
    try {
      mkdirSync(this.dir, { recursive: true });
      const existing = readdirSync(this.dir);
      for (const { script, file, fresh } of this.scripts) {
        if (!fresh) continue;
        const data = script.createCachedData();
        const name = basename(file);
        const stem = name.slice(0, -CACHE_SUFFIX_LENGTH);
        for (const old of existing) {
          if (old !== name && old.length === name.length && old.startsWith(stem) && CACHE_SUFFIX.test(old)) rmSync(join(this.dir, old), { force: true });
        }
        // Another server may write the same file at the same time: write aside, then rename (atomic on one disk).
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, data);
        renameSync(tmp, file);
        files++;
        bytes += data.length;
      }
    } catch {
      // A read-only or full disk: the next process compiles as this one did.
    }
    return { files, bytes, ms: performance.now() - t0 };
  }
}

const CACHE_SUFFIX = /-[0-9a-f]{16}\.v8cache$/;
const CACHE_SUFFIX_LENGTH = '-0123456789abcdef.v8cache'.length;

/** `<file name>-<16 hex of sha256(v8 version, arch, file name, text)>.v8cache` */
function cacheName(filename: string, source: string): string {
  const hash = createHash('sha256').update(`${process.versions.v8}\0${process.arch}\0${filename}\0`).update(source).digest('hex').slice(0, 16);
  return `${basename(filename, '.js')}-${hash}.v8cache`;
}

/** The folder for the cache, or undefined when it is turned off (FTW_CODE_CACHE=0). */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  if (env.FTW_CODE_CACHE === '0') return undefined;
  if (env.FTW_CODE_CACHE_DIR) return env.FTW_CODE_CACHE_DIR;
  const base =
    platform === 'win32'
      ? (env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'))
      : platform === 'darwin'
        ? join(homedir(), 'Library', 'Caches')
        : (env.XDG_CACHE_HOME ?? join(homedir(), '.cache'));
  return join(base, 'finetune-workbench', 'v8');
}

const KEY = Symbol.for('finetune-workbench.codeCache');

/** The process's cache, set by dist/server.js (server/src/boot.ts) before it loads the server. */
export function activeCodeCache(): CodeCache | undefined {
  return (globalThis as { [KEY]?: CodeCache })[KEY];
}

export function setActiveCodeCache(cache: CodeCache | undefined): void {
  (globalThis as { [KEY]?: CodeCache })[KEY] = cache;
}

/** `require(filename)` through the process's code cache when there is one. */
export function requireCompiled(filename: string): unknown {
  const cache = activeCodeCache();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module path known only at run time
  return cache ? cache.require(filename) : require(filename);
}
