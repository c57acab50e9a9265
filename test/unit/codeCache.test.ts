// The V8 code cache the server writes for its own bundles (server/src/codeCache.ts). A code cache only means
// something to a new process, so every load here runs in a fresh `node`.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { codeCacheDir } from '../../server/src/codeCache';

const temps: string[] = [];
/** A new folder under the system's temporary folder, removed after the tests. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ftw-code-cache-'));
  temps.push(dir);
  return dir;
}
after(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

const CODE_CACHE_JS = join(__dirname, '..', '..', 'server', 'src', 'codeCache.js');

/** In a new process: load `module` through a CodeCache on `dir`, call its `run()`, save; returns what happened. */
function loadInFreshProcess(dir: string, module: string): { result: unknown; loads: Array<{ status: string }>; saved: { files: number; bytes: number } } {
  const script = `
    const { CodeCache } = require(${JSON.stringify(CODE_CACHE_JS)});
    const cache = new CodeCache(${JSON.stringify(dir)});
    const result = cache.require(${JSON.stringify(module)}).run();
    const saved = cache.save();
    process.stdout.write(JSON.stringify({ result, loads: cache.loads, saved }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as ReturnType<typeof loadInFreshProcess>;
}

function moduleFile(root: string, name: string, body: string): string {
  const file = join(root, name);
  writeFileSync(file, `const path = require('node:path');\nexports.run = () => ({ dir: path.basename(__dirname), ${body} });\n`);
  return file;
}

describe('The server’s V8 code cache', () => {
  it('a first process writes the cache, a later one compiles from it and runs the same code', () => {
    const root = tempDir();
    const dir = join(root, 'cache');
    const mod = moduleFile(root, 'bundle.js', "answer: [1, 2, 3].map((n) => n * 14).join(',')");
    const first = loadInFreshProcess(dir, mod);
    assert.deepEqual(
      first.loads.map((l) => l.status),
      ['miss'],
    );
    assert.equal(first.saved.files, 1);
    assert.ok(first.saved.bytes > 0);
    const files = readdirSync(dir);
    assert.equal(files.length, 1);
    assert.match(files[0], /^bundle-[0-9a-f]{16}\.v8cache$/);
    const later = loadInFreshProcess(dir, mod);
    assert.deepEqual(
      later.loads.map((l) => l.status),
      ['hit'],
    );
    assert.equal(later.saved.files, 0, 'nothing is written when the cache was used');
    assert.deepEqual(later.result, first.result);
    assert.deepEqual(first.result, { dir: root.split(/[\\/]/).pop(), answer: '14,28,42' }, '__dirname and require work as under Node');
  });

  it('a changed file gets a new cache and the old one is removed; a sibling file’s cache stays', () => {
    const root = tempDir();
    const dir = join(root, 'cache');
    loadInFreshProcess(dir, moduleFile(root, 'llamafactory-v1.js', 'v: 1'));
    loadInFreshProcess(dir, moduleFile(root, 'llamafactory.js', 'v: 1'));
    const before = readdirSync(dir).sort();
    assert.equal(before.length, 2);
    const changed = loadInFreshProcess(dir, moduleFile(root, 'llamafactory.js', 'v: 2'));
    assert.deepEqual(
      changed.loads.map((l) => l.status),
      ['miss'],
    );
    assert.deepEqual(changed.result, { dir: root.split(/[\\/]/).pop(), v: 2 });
    const after = readdirSync(dir).sort();
    assert.equal(after.length, 2);
    assert.ok(after.includes(before.find((f) => f.startsWith('llamafactory-v1-'))!), 'llamafactory-v1 is another file, not an old llamafactory');
    assert.ok(!after.includes(before.find((f) => /^llamafactory-[0-9a-f]{16}\./.test(f))!));
  });

  it('a cache V8 refuses (damaged) is reported as rejected, the file runs as usual, and the cache is written anew', () => {
    const root = tempDir();
    const dir = join(root, 'cache');
    const mod = moduleFile(root, 'bundle.js', 'ok: true');
    loadInFreshProcess(dir, mod);
    const [name] = readdirSync(dir);
    const good = readFileSync(join(dir, name));
    writeFileSync(join(dir, name), Buffer.alloc(good.length, 7));
    const damaged = loadInFreshProcess(dir, mod);
    assert.deepEqual(
      damaged.loads.map((l) => l.status),
      ['rejected'],
    );
    assert.deepEqual(damaged.result, { dir: root.split(/[\\/]/).pop(), ok: true });
    assert.equal(damaged.saved.files, 1);
    assert.deepEqual(
      loadInFreshProcess(dir, mod).loads.map((l) => l.status),
      ['hit'],
    );
  });

  it('a folder that cannot be written costs the cache, never the load', { skip: process.getuid?.() === 0 ? 'root writes anywhere' : false }, () => {
    const root = tempDir();
    const dir = join(root, 'cache');
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    const r = loadInFreshProcess(dir, moduleFile(root, 'bundle.js', 'ok: true'));
    assert.deepEqual(r.saved.files, 0);
    assert.deepEqual(r.result, { dir: root.split(/[\\/]/).pop(), ok: true });
  });

  it('a path under a regular file as the folder costs the cache, never the load', () => {
    const root = tempDir();
    writeFileSync(join(root, 'file'), '');
    const r = loadInFreshProcess(join(root, 'file', 'cache'), moduleFile(root, 'bundle.js', 'ok: true'));
    assert.deepEqual(
      r.loads.map((l) => l.status),
      ['miss'],
    );
    assert.deepEqual(r.saved.files, 0);
    assert.deepEqual(r.result, { dir: root.split(/[\\/]/).pop(), ok: true });
  });

  it('where the cache lives: the setting, then each platform’s user cache folder; FTW_CODE_CACHE=0 turns it off', () => {
    const home = homedir();
    const rows: Array<[NodeJS.ProcessEnv, NodeJS.Platform, string | undefined]> = [
      [{ FTW_CODE_CACHE: '0', FTW_CODE_CACHE_DIR: '/x' }, 'linux', undefined],
      [{ FTW_CODE_CACHE_DIR: '/x' }, 'linux', '/x'],
      [{ XDG_CACHE_HOME: '/c' }, 'linux', join('/c', 'finetune-workbench', 'v8')],
      [{}, 'linux', join(home, '.cache', 'finetune-workbench', 'v8')],
      [{}, 'darwin', join(home, 'Library', 'Caches', 'finetune-workbench', 'v8')],
      [{ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', join('C:\\Users\\u\\AppData\\Local', 'finetune-workbench', 'v8')],
    ];
    for (const [env, platform, expected] of rows) assert.equal(codeCacheDir(env, platform), expected, JSON.stringify({ env, platform }));
  });
});
