/**
 * The web worker's files (server/src/web/clientFiles.ts): what an analysis misses is asked of the client in one
 * request after the turn, kept (a missing file as missing: asked once), forgotten when it changes; what it reads is
 * what the desktop reads from the disk (server/src/workspaceFiles.ts). The client is the web client's own answer
 * (client/src/web/readFiles.ts) over this machine's disk, as the web test runs it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { answerReadFiles } from '../../client/src/web/readFiles';
import type { ReadFilesParams } from '../../server/src/protocol';
import { pathOfUri, uriOfPath } from '../../server/src/core/config';
import { ClientFiles } from '../../server/src/web/clientFiles';
import { diskFiles, readTextFile } from '../../server/src/workspaceFiles';
import { DISK_FS } from '../web/diskFs';

/** A ClientFiles over the disk, with what it asked, learned and logged. */
function over(answer: (params: ReadFilesParams) => Promise<unknown> = (p) => answerReadFiles(DISK_FS, (u) => u, p)) {
  const asked: ReadFilesParams[] = [];
  const pending: Array<Promise<unknown>> = [];
  const seen = { learned: 0, logs: [] as string[] };
  const files = new ClientFiles({
    ask: (params) => {
      asked.push(params);
      const answered = answer(params);
      pending.push(answered.catch(() => undefined));
      return answered;
    },
    uriOf: (path) => uriOfPath(path, ['file:///']),
    learned: () => seen.learned++,
    log: (m) => seen.logs.push(m),
  });
  /** The end of the turn: the misses asked for, and the answers kept. */
  const turn = async () => {
    await new Promise((r) => setTimeout(r, 0));
    await Promise.all(pending);
    await new Promise((r) => setTimeout(r, 0));
  };
  return { files, asked, seen, turn };
}

const uri = (path: string) => pathToFileURL(path).toString();

describe('the web worker’s files, read by the client', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftw-client-files-'));
  mkdirSync(join(dir, 'ds'));
  writeFileSync(join(dir, 'ds', 'zero3.json'), '{ "zero_optimization": { "stage": 3 } }\n');
  writeFileSync(join(dir, 'requirements.txt'), 'trl==0.19.1\n');
  // UTF-16 with its byte order mark: decoded as the desktop decodes it.
  writeFileSync(join(dir, 'utf16.json'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"a": "ü"}', 'utf16le')]));
  writeFileSync(join(dir, 'big.json'), 'x'.repeat(1024 * 1024 + 1));
  writeFileSync(join(dir, 'pins-size.txt'), `# ${'x'.repeat(600 * 1024)}\n`);
  symlinkSync(join(dir, 'requirements.txt'), join(dir, 'linked.txt'));
  const disk = diskFiles();

  it('a miss is undefined, asked for after the turn in one request, then read as the desktop reads the disk', async () => {
    const { files, asked, seen, turn } = over();
    const paths = ['ds/zero3.json', 'utf16.json', 'requirements.txt'].map((p) => join(dir, p));
    for (const p of paths) assert.equal(files.read(p), undefined, `${p} before the answer`);
    assert.equal(files.list(dir), undefined);
    assert.equal(asked.length, 0, 'nothing asked during the analysis');
    await turn();
    assert.equal(asked.length, 1, 'one request for the turn’s misses');
    assert.deepEqual(asked[0].items, [...paths.map((p) => ({ uri: uri(p), list: false })), { uri: uri(dir), list: true }]);
    assert.equal(asked[0].maxBytes, 1024 * 1024);
    assert.equal(seen.learned, 1);
    for (const p of paths) assert.equal(files.read(p), readTextFile(p), p);
    assert.equal(files.read(join(dir, 'utf16.json')), '{"a": "ü"}');
    const sorted = (l: Array<{ name: string; dir: boolean }> | undefined) => [...(l ?? [])].sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(sorted(files.list(dir)), sorted(disk.list(dir)), 'the listing the desktop gives (a link is neither file nor folder)');
    assert.ok(
      files.entries(dir)?.some(([name, type]) => name === 'linked.txt' && type === (1 | 64)),
      'entries keep links (pins are read through them)',
    );
    await turn();
    assert.equal(asked.length, 1, 'nothing asked again');
  });

  it('settled(): nothing to wait for until a miss; then resolves once the answer is kept, a client that fails too', async () => {
    const { files } = over();
    assert.equal(files.settled(), undefined, 'nothing missed');
    const path = join(dir, 'ds', 'zero3.json');
    assert.equal(files.read(path), undefined);
    const answered = files.settled();
    assert.ok(answered, 'a miss: something to wait for');
    await answered;
    assert.equal(files.read(path), readTextFile(path), 'kept when settled() resolves');
    assert.equal(files.settled(), undefined, 'nothing left to wait for');

    const failing = over(() => Promise.reject(new Error('no client')));
    assert.equal(failing.files.read(path), undefined);
    await failing.files.settled();
    assert.equal(failing.files.read(path), undefined, 'taken as missing');
    assert.equal(failing.files.settled(), undefined);
    assert.equal(failing.seen.logs.length, 1, failing.seen.logs.join('\n'));
  });

  it('a missing file is asked for once and kept as missing: no second request, nothing learned', async () => {
    const { files, asked, seen, turn } = over();
    const missing = join(dir, 'nowhere.json');
    assert.equal(files.read(missing), undefined);
    assert.equal(files.list(join(dir, 'no-folder')), undefined);
    assert.equal(files.list(join(dir, 'requirements.txt')), undefined, 'a file listed as a folder');
    await turn();
    assert.equal(asked.length, 1);
    assert.equal(seen.learned, 0, 'missing paths change no analysis');
    for (let i = 0; i < 3; i++) {
      assert.equal(files.read(missing), undefined);
      assert.equal(files.problem(missing), disk.problem(missing));
      assert.equal(files.list(join(dir, 'no-folder')), undefined);
      await turn();
    }
    assert.equal(asked.length, 1, 'never asked again');
  });

  it('over the cap: not sent, the desktop’s "too large" reason; the pins’ smaller cap from the kept size', async () => {
    const { files, asked, turn } = over();
    const big = join(dir, 'big.json');
    const pins = join(dir, 'pins-size.txt');
    files.read(big);
    files.read(pins);
    await turn();
    assert.deepEqual((await answerReadFiles(DISK_FS, (u) => u, asked[0]))[0], { size: 1024 * 1024 + 1 }, 'only the size is sent');
    assert.equal(files.read(big), undefined);
    assert.deepEqual(files.problem(big), disk.problem(big));
    assert.equal(files.problem(big)?.kind, 'tooLarge');
    assert.equal(files.read(pins), readTextFile(pins));
    assert.equal(files.read(pins, 512 * 1024), undefined, 'larger than the pins’ 512 KiB');
    assert.equal(files.read(pins, 512 * 1024), readTextFile(pins, 512 * 1024));
  });

  it('a FIFO is not a file: not read, and said so (the desktop names the kind)', async () => {
    const fifo = join(dir, 'ds.fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
    const { files, turn } = over();
    files.read(fifo);
    await turn();
    assert.equal(files.read(fifo), undefined);
    assert.equal(files.problem(fifo)?.kind, 'notAFile');
    assert.equal(disk.problem(fifo)?.kind, 'notAFile');
  });

  it('forgotten when it changes: asked again, the new text; an answer that arrives after the change is not kept', async () => {
    const file = join(dir, 'changing.json');
    writeFileSync(file, '{"v": 1}');
    const { files, asked, turn } = over();
    files.read(file);
    await turn();
    assert.equal(files.read(file), '{"v": 1}');
    writeFileSync(file, '{"v": 2}');
    assert.equal(files.forget([file], false), true);
    assert.equal(files.read(file), undefined);
    await turn();
    assert.equal(files.read(file), '{"v": 2}');
    assert.equal(asked.length, 2);
    // Forgotten while its request is out: that answer is dropped, and the next read asks again.
    writeFileSync(file, '{"v": 3}');
    files.forget([file], false);
    files.read(file);
    await new Promise((r) => setTimeout(r, 0));
    writeFileSync(file, '{"v": 4}');
    files.forget([file], false);
    await turn();
    assert.equal(files.read(file), undefined, 'the answer to the forgotten request is not kept');
    await turn();
    assert.equal(files.read(file), '{"v": 4}');
    // A file created or deleted: with `folders`, its folder's listing is asked again too.
    files.list(dir);
    await turn();
    assert.ok(files.list(dir)?.some((e) => e.name === 'changing.json'));
    writeFileSync(join(dir, 'created.json'), '{}');
    assert.equal(files.forget([join(dir, 'created.json')], true), true);
    assert.equal(files.list(dir), undefined);
    await turn();
    assert.ok(files.list(dir)?.some((e) => e.name === 'created.json'));
    assert.equal(files.forget([join(dir, 'never-read.json')], false), false, 'nothing to forget');
  });

  it('a client that fails or answers nonsense: every path missing, said in the log, never asked again', async () => {
    const cases: Array<[() => Promise<unknown>, RegExp | null]> = [
      [() => Promise.reject(new Error('no workspace')), /did not read 2 file\(s\): no workspace/],
      [async () => null, /answered null, not 2 answer\(s\)/],
      [async () => [{ base64: 'e30=' }], /not 2 answer\(s\)/],
      // The right count, each malformed: each is missing.
      [async () => [{ base64: 7 }, { entries: 'x' }], null],
    ];
    for (const [answer, logged] of cases) {
      const { files, asked, seen, turn } = over(answer);
      files.read(join(dir, 'ds', 'zero3.json'));
      files.list(dir);
      await turn();
      assert.equal(files.read(join(dir, 'ds', 'zero3.json')), undefined);
      assert.equal(files.list(dir), undefined);
      await turn();
      assert.equal(asked.length, 1, 'asked once');
      assert.equal(seen.learned, 0);
      if (logged) assert.match(seen.logs.join('\n'), logged);
      else assert.deepEqual(seen.logs, []);
    }
  });

  it('many misses in one turn: requests of at most 500 paths; the client answers every item, in order', async () => {
    const { files, asked, turn } = over();
    const paths = Array.from({ length: 1200 }, (_, i) => join(dir, 'many', `m${i}.py`));
    for (const p of paths) files.read(p);
    files.read(join(dir, 'requirements.txt'));
    await turn();
    assert.deepEqual(
      asked.map((a) => a.items.length),
      [500, 500, 201],
    );
    assert.equal(files.read(join(dir, 'requirements.txt')), 'trl==0.19.1\n', 'the last batch’s answer kept');
    // The client reads 5,000 at most: an existing file past them is answered null, and every item has its answer.
    const items = Array.from({ length: 4999 }, (_, i) => ({ uri: uri(join(dir, 'many', `x${i}`)), list: false }));
    items.push({ uri: uri(join(dir, 'requirements.txt')), list: false }, { uri: uri(join(dir, 'requirements.txt')), list: false });
    const answers = await answerReadFiles(DISK_FS, (u) => u, { items, maxBytes: 1024 });
    assert.equal(answers.length, 5001);
    assert.deepEqual(answers[4999], { base64: Buffer.from('trl==0.19.1\n').toString('base64') });
    assert.equal(answers[5000], null);
    for (const p of paths) files.read(p);
    await turn();
    assert.equal(asked.length, 3, 'missing files not asked again');
  });

  it('the URI of a path: the file system of a workspace folder or an open document', () => {
    // pathOfUri: a non-file URI's path without its authority (github.dev: vscode-vfs://github/owner/repo/x is /owner/repo/x)
    const bases = ['vscode-vfs://github/owner/repo', 'file:///home/me/project'];
    assert.equal(pathOfUri('vscode-vfs://github/owner/repo/ds/zero3.json'), '/owner/repo/ds/zero3.json');
    assert.equal(uriOfPath('/owner/repo/ds/zero3.json', bases), 'vscode-vfs://github/owner/repo/ds/zero3.json');
    assert.equal(uriOfPath('/owner/repo/configs/../ds/zero3.json', bases), 'vscode-vfs://github/owner/repo/ds/zero3.json');
    assert.equal(uriOfPath('/home/me/project/ds config.json', bases), 'file:///home/me/project/ds%20config.json', 'file: paths are encoded');
    assert.equal(uriOfPath('/home/me/project', bases), 'file:///home/me/project');
    // A path under no base goes to the first: a browser's workspace is one file system.
    assert.equal(uriOfPath('/owner/x.json', ['vscode-vfs://github/owner/repo']), 'vscode-vfs://github/owner/x.json');
    assert.equal(uriOfPath('/notes/a.json', ['memfs:/notes/b.yml']), 'memfs:/notes/a.json', 'a scheme without authority');
    assert.equal(uriOfPath('/x.json', []), undefined);
    // Round trip through pathOfUri, as the worker asks for what a config names.
    for (const uri of ['vscode-vfs://github/owner/repo/train/requirements.txt', 'vscode-remote://host:8080/w/ds.json', 'file:///home/me/project/a%20b.yml'])
      assert.equal(uriOfPath(pathOfUri(uri), [uri.replace(/\/[^/]*$/, '')]), uri);
  });
});
