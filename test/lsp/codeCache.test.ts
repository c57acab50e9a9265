// dist/server.js compiles the server and the schema validators through a V8 code cache it writes after the first
// diagnostics (server/src/codeCache.ts): a later server must start from it and answer exactly as the first one did.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { createProtocolConnection, IPCMessageReader, IPCMessageWriter, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { REPO, TestClient } from './client';

const temps: string[] = [];
/** A new folder under the system's temporary folder, removed after the tests. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ftw-lsp-code-cache-'));
  temps.push(dir);
  return dir;
}
after(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

const CONFIG = [
  'base_model: NousResearch/Llama-3.2-1B',
  'adapter: qlora',
  'load_in_4bit: true',
  'micro_batch_size: 2',
  'lora_dropuot: 0.05',
  'warmup_steps: 0.1',
].join('\n');
const uri = 'file:///work/project/qlora.yml';
/** Python goes through web-tree-sitter, which loads its WASM with what was an `import()` (client/build.mjs). */
const PYTHON = ['import pytorch_lightning as pl', '', '', 'trainer = pl.Trainer(gpus=2)'].join('\n');
const pyUri = 'file:///work/project/train.py';

/** A fresh server on `env`: its diagnostics for CONFIG and, after it had time to write its cache, its log. */
async function openOnce(env: NodeJS.ProcessEnv, command?: string[]): Promise<{ diagnostics: Diagnostic[]; python: Diagnostic[]; log: string }> {
  const client = new TestClient(command, env);
  try {
    await client.initialize();
    const pending = client.diagnostics(uri);
    await client.open(uri, CONFIG);
    const diagnostics = await pending;
    for (let waited = 0; waited < 5000 && !client.logs.some((l) => l.includes('code cache')); waited += 50) await new Promise((r) => setTimeout(r, 50));
    const pendingPython = client.diagnostics(pyUri, (d) => d.length > 0);
    await client.open(pyUri, PYTHON, 'python');
    return { diagnostics, python: await pendingPython, log: client.logs.find((l) => l.includes('code cache')) ?? '' };
  } finally {
    assert.equal(await client.shutdown(), 0, client.stderr);
  }
}

describe('dist/server.js and its code cache', () => {
  it('the first server writes the cache after its first diagnostics; the next one loads every file from it and says the same', async () => {
    const dir = join(tempDir(), 'v8');
    const first = await openOnce({ FTW_CODE_CACHE_DIR: dir });
    assert.match(first.log, /server-main\.js miss/);
    assert.match(first.log, /axolotl\.js miss/);
    assert.match(first.log, /wrote \d+ files/);
    const written = readdirSync(dir);
    assert.ok(
      written.some((f) => /^server-main-[0-9a-f]{16}\.v8cache$/.test(f)),
      written.join(', '),
    );
    assert.ok(
      written.some((f) => /^axolotl-[0-9a-f]{16}\.v8cache$/.test(f)),
      written.join(', '),
    );

    const later = await openOnce({ FTW_CODE_CACHE_DIR: dir });
    assert.match(later.log, /server-main\.js hit/);
    assert.match(later.log, /axolotl\.js hit/);
    assert.doesNotMatch(later.log, / miss| rejected/);
    assert.match(later.log, /wrote 0 files/);
    assert.deepEqual(later.diagnostics, first.diagnostics);
    assert.deepEqual(
      later.python.map((d) => d.code),
      ['FT305'],
    );
    assert.deepEqual(later.python, first.python);
    // A required key missing, the unknown key, warmup_steps of the wrong type.
    assert.deepEqual(
      first.diagnostics.map((d) => d.code),
      ['FT105', 'FT101', 'FT102'],
    );
  });

  it('FTW_CODE_CACHE=0: no cache, same diagnostics', async () => {
    const dir = join(tempDir(), 'v8');
    const off = await openOnce({ FTW_CODE_CACHE: '0', FTW_CODE_CACHE_DIR: dir });
    assert.equal(off.log, '');
    assert.throws(() => readdirSync(dir), /ENOENT/);
    const on = await openOnce({ FTW_CODE_CACHE_DIR: dir });
    assert.deepEqual(on.diagnostics, off.diagnostics);
  });

  it('`ftw lsp --stdio` runs the same loader: it writes and then uses the cache too', async () => {
    const dir = join(tempDir(), 'v8');
    const ftw = [process.execPath, join(REPO, 'bin', 'ftw'), 'lsp', '--stdio'];
    const first = await openOnce({ FTW_CODE_CACHE_DIR: dir }, ftw);
    assert.match(first.log, /server-main\.js miss/);
    const later = await openOnce({ FTW_CODE_CACHE_DIR: dir }, ftw);
    assert.match(later.log, /server-main\.js hit/);
    assert.deepEqual(later.diagnostics, first.diagnostics);
    assert.deepEqual(later.python, first.python);
  });

  it('over IPC, as the VS Code client forks it (TransportKind.ipc), the loader starts the server and it answers', { timeout: 30_000 }, async () => {
    const dir = join(tempDir(), 'v8');
    for (const expected of ['miss', 'hit']) {
      const child = fork(join(REPO, 'dist', 'server.js'), ['--node-ipc'], {
        env: { ...process.env, FTW_CODE_CACHE_DIR: dir, FTW_NVIDIA_SMI: '/bin/false' },
        silent: true,
      });
      const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
      const logs: string[] = [];
      connection.onNotification('window/logMessage', (p: { message: string }) => logs.push(p.message));
      connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
      const published = new Promise<PublishDiagnosticsParams>((resolve) => connection.onNotification('textDocument/publishDiagnostics', resolve));
      connection.listen();
      try {
        await connection.sendRequest('initialize', {
          processId: process.pid,
          rootUri: 'file:///work/project',
          capabilities: { workspace: { configuration: true } },
        });
        await connection.sendNotification('initialized', {});
        await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: CONFIG } });
        const p = await published;
        assert.deepEqual(
          p.diagnostics.map((d) => d.code),
          ['FT105', 'FT101', 'FT102'],
        );
        for (let waited = 0; waited < 5000 && !logs.some((l) => l.includes('code cache')); waited += 50) await new Promise((r) => setTimeout(r, 50));
        assert.match(logs.find((l) => l.includes('code cache')) ?? '', new RegExp(`server-main\\.js ${expected}`));
        await connection.sendRequest('shutdown');
        await connection.sendNotification('exit');
      } finally {
        connection.dispose();
        child.kill();
      }
    }
  });
});
