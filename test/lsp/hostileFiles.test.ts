import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { TestClient } from './client';
import { LORA_1B } from './fixtures';
import type { LaunchInfoResult } from '../../server/src/protocol';
import { mergeBomb, unclosedBraces } from '../unit/hostileTexts';

// The server over stdio with files that are not files, paths outside the workspace, and clients that support less
// than VS Code. Each answer must come within the 2 s (a hang guard, not a benchmark).
const root = mkdtempSync(join(tmpdir(), 'ftw-hostile-lsp-'));
const ws = join(root, 'workspace');
const outside = join(root, 'outside');
mkdirSync(ws);
mkdirSync(outside);
writeFileSync(join(outside, 'secret.yml'), `${LORA_1B}\nwandb_api_key: s3cret\n`);
symlinkSync(join(outside, 'secret.yml'), join(ws, 'link-to-secret.yml'));
symlinkSync('/dev/zero', join(ws, 'zero.json'));
for (const fifo of ['ds.json', 'sib.py', 'fifo.yml']) assert.equal(spawnSync('mkfifo', [join(ws, fifo)]).status, 0);
const uri = (name: string) => pathToFileURL(join(ws, name)).toString();

describe("the server and files that are not files, or not the workspace's", () => {
  const client = new TestClient();
  before(() => client.initialize(pathToFileURL(ws).toString()));
  after(async () => assert.equal(await client.shutdown(), 0, client.stderr));

  async function opened(name: string, text: string, languageId = 'yaml'): Promise<Diagnostic[]> {
    const pending = client.diagnostics(uri(name), () => true, 10_000);
    await client.open(uri(name), text, languageId);
    return pending;
  }

  it('a config naming a FIFO or a symlink to /dev/zero as its DeepSpeed file: FT210, at once', async () => {
    const fifo = await opened('train.yml', `${LORA_1B}\ndeepspeed: ds.json`);
    assert.deepEqual(
      fifo.filter((d) => d.code === 'FT210').map((d) => [d.range.start.line, d.severity, d.message]),
      [[14, 1, "'ds.json' is not a regular file (a FIFO): the run blocks or fails when it opens it. It was not read."]],
    );
    const zero = await opened('zero.yml', `${LORA_1B}\ndeepspeed: zero.json`);
    assert.deepEqual(
      zero.filter((d) => d.code === 'FT210').map((d) => d.message),
      ["'zero.json' is not a regular file (a character device): the run blocks or fails when it opens it. It was not read."],
    );
  });

  it('a Python module importing its FIFO sibling is checked without reading it', async () => {
    const d = await opened(
      'model.py',
      'import pytorch_lightning as pl\nfrom sib import Base\n\n\nclass M(Base):\n    pass\n\n\ntrainer = pl.Trainer(gpus=1)\n',
      'python',
    );
    assert.deepEqual(
      d.map((x) => x.code),
      ['FT305'],
    );
  });

  it('a 1 MB tokenizer vocab.json whose tokens include config keys: no diagnostics (its speed: hostileBench)', async () => {
    const vocab: Record<string, number> = { stage: 0, template: 1, cutoff_len: 2, constructor: 3 };
    for (let i = 0, size = 60; size < 1_000_000; i++) {
      const token = `\u0120tok${i.toString(36)}`;
      vocab[token] = 4 + i;
      size += token.length + String(4 + i).length + 4;
    }
    const text = JSON.stringify(vocab);
    assert.ok(text.length > 900_000 && text.length < 1024 * 1024, String(text.length));
    const pending = client.diagnostics(uri('vocab.json'), () => true, 10_000);
    await client.open(uri('vocab.json'), text, 'json');
    assert.deepEqual(await pending, []);
  });

  it('launchInfo of a FIFO, or of /dev/zero through a symlink: answered, not launchable, and why', async () => {
    for (const [name, reason] of [
      ['fifo.yml', 'the file cannot be read: not a regular file (a FIFO), not read'],
      ['zero.json', 'it is not open and not inside a workspace folder'],
    ]) {
      const { result } = await client.request<LaunchInfoResult>('finetune/launchInfo', { uri: uri(name) }, 10_000);
      assert.deepEqual([result.launchable, result.reason, result.value], [false, reason, undefined]);
    }
  });

  it('launchInfo answers only for open documents and workspace files: not outside, not through a symlink out', async () => {
    for (const target of [pathToFileURL(join(outside, 'secret.yml')).toString(), uri('link-to-secret.yml'), 'file:///etc/passwd', 'untitled:/etc/passwd']) {
      const { result } = await client.request<LaunchInfoResult>('finetune/launchInfo', { uri: target }, 10_000);
      assert.deepEqual(
        [result.format, result.launchable, result.reason, result.value],
        ['none', false, 'it is not open and not inside a workspace folder', undefined],
        target,
      );
    }
  });

  it('a fix that would create a file outside the workspace is not offered; inside it is', async () => {
    const d = await opened('escape.yml', `${LORA_1B}\ndeepspeed: ../../../../../../etc/cron.d/x.json`);
    const ft210 = d.find((x) => x.code === 'FT210')!;
    assert.equal(ft210.data, undefined, 'no fix travels with it');
    const { result } = await client.request<CodeAction[]>(
      'textDocument/codeAction',
      { textDocument: { uri: uri('escape.yml') }, range: ft210.range, context: { diagnostics: [ft210], only: ['quickfix'] } },
      10_000,
    );
    assert.deepEqual(result, []);
    const inside = (await opened('inside.yml', `${LORA_1B}\ndeepspeed: configs/ds.json`)).find((x) => x.code === 'FT210')!;
    const { result: offered } = await client.request<CodeAction[]>(
      'textDocument/codeAction',
      { textDocument: { uri: uri('inside.yml') }, range: inside.range, context: { diagnostics: [inside], only: ['quickfix'] } },
      10_000,
    );
    assert.deepEqual(
      offered.map((a) => [a.title, (a.edit!.documentChanges![0] as { uri: string }).uri]),
      [["Create 'configs/ds.json' from a ZeRO-2 template", uri('configs/ds.json')]],
    );
  });

  it('fix-all reaches its fixed point in one action: pl.Trainer(gpus=2, accelerator="ddp")', async () => {
    const text = 'import pytorch_lightning as pl\n\ntrainer = pl.Trainer(gpus=2, accelerator="ddp")\n';
    await opened('fixall.py', text, 'python');
    const { result } = await client.request<CodeAction[]>(
      'textDocument/codeAction',
      {
        textDocument: { uri: uri('fixall.py') },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        context: { diagnostics: [], only: ['source.fixAll'] },
      },
      10_000,
    );
    assert.equal(result.length, 1);
    const edits = result[0].edit!.changes![uri('fixall.py')];
    assert.equal(
      TextDocument.applyEdits(TextDocument.create('x', 'python', 0, text), edits),
      'import pytorch_lightning as pl\n\ntrainer = pl.Trainer(accelerator="gpu", devices=2, strategy="ddp")\n',
    );
  });
});

describe('a client without workspace folders (or configuration) support', () => {
  it('starts without an error and validates', async () => {
    const client = new TestClient();
    const messages: Array<{ type: number; message: string }> = [];
    client.connection.onNotification('window/logMessage', (p: { type: number; message: string }) => messages.push(p));
    client.connection.onNotification('window/showMessage', (p: { type: number; message: string }) => messages.push(p));
    const init = await client.connection.sendRequest<{ capabilities: { workspace?: unknown } }>('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
    });
    assert.equal(init.capabilities.workspace, undefined, 'no folder events promised to a client that has no folders');
    await client.connection.sendNotification('initialized', {});
    const pending = client.diagnostics('file:///tmp/qlora.yml', (d) => d.length > 0, 10_000);
    await client.open('file:///tmp/qlora.yml', `${LORA_1B}\nlora_dropuot: 0.1`);
    assert.deepEqual(
      (await pending).map((d) => d.code),
      ['FT101'],
    );
    assert.deepEqual(
      messages.filter((m) => m.type === 1),
      [],
    );
    assert.equal(await client.shutdown(), 0, client.stderr);
  });
});

describe('the pathological files of issue 12, over stdio: a clear message within 2 s, and every request answered', () => {
  const client = new TestClient();
  before(() => client.initialize(pathToFileURL(ws).toString()));
  after(async () => assert.equal(await client.shutdown(), 0, client.stderr));

  const bigJson = `{"zero_optimization": {"stage": 2}, "train_micro_batch_size_per_gpu": 2, "_comment": "${'x'.repeat(1_000_000)}", "steps_per_print": 10}`;
  const cases: Array<[string, string, string[]]> = [
    [
      'merge.yml',
      `# ftw: format=axolotl\nbase_model: NousResearch/Llama-3.2-1B\n${mergeBomb()}`,
      [
        '3:18 FT004 YAML aliases and merge keys (<<) here expand to more than 100,000 nodes (an "alias bomb"). PyYAML would expand all of them and may hang; the file was not validated.',
      ],
    ],
    [
      'braces.yml',
      unclosedBraces(38),
      [
        `1:0 FT001 Syntax error: this '{' is never closed: everything after it is read as part of it (PyYAML: "expected ',' or '}'"). What follows it nests more than 64 levels deep, so it was not read further.`,
      ],
    ],
    ['ds_config.json', bigJson, []],
  ];
  for (const [name, text, expected] of cases) {
    it(`${name} (${Math.round(text.length / 1024)} KiB)`, async () => {
      const target = uri(name);
      const pending = client.diagnostics(target, () => true, 10_000);
      await client.open(target, text, name.endsWith('.json') ? 'json' : 'yaml');
      const d = await pending;
      assert.deepEqual(
        d.map((x) => `${x.range.start.line}:${x.range.start.character} ${x.code} ${x.message}`),
        expected,
      );
      const last = TextDocument.create(target, 'yaml', 1, text).positionAt(text.length - 5);
      for (const position of [{ line: 0, character: 1 }, last]) {
        const textDocument = { uri: target };
        await client.request('textDocument/hover', { textDocument, position }, 10_000);
        await client.request('textDocument/completion', { textDocument, position }, 10_000);
        await client.request(
          'textDocument/codeAction',
          { textDocument, range: { start: position, end: position }, context: { diagnostics: d, only: ['source.fixAll'] } },
          10_000,
        );
      }
      for (const method of ['textDocument/documentSymbol', 'textDocument/codeLens']) await client.request(method, { textDocument: { uri: target } }, 10_000);
      await client.request('finetune/launchInfo', { uri: target }, 10_000);
      await client.close(target);
    });
  }
});

describe('diagnostics after incremental edits equal those of a fresh open', () => {
  const client = new TestClient();
  before(() => client.initialize(pathToFileURL(ws).toString()));
  after(async () => assert.equal(await client.shutdown(), 0, client.stderr));

  it('an edit that joins a CR and an LF into one line break (old Mac line ends, then a newline typed after one)', async () => {
    const target = uri('cr.yml');
    const text = `${LORA_1B.replace('lora_r: 8\n', 'lora_r: 8\r')}\nlora_dropuot: 0.1`;
    const first = client.diagnostics(target, (d) => d.length > 0, 10_000);
    await client.open(target, text);
    await first;
    const at = TextDocument.create(target, 'yaml', 1, text).positionAt(text.indexOf('\r') + 1);
    const edited = client.diagnostics(target, () => true, 10_000);
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: target, version: 2 },
      contentChanges: [{ range: { start: at, end: at }, text: '\n' }],
    });
    const afterEdit = await edited;
    await client.close(target);
    const fresh = client.diagnostics(target, (d) => d.length > 0, 10_000);
    await client.open(target, text.replace('\r', '\r\n'), 'yaml', 3);
    assert.deepEqual(
      afterEdit.map((d) => [d.range.start.line, d.code]),
      [[14, 'FT101']],
    );
    assert.deepEqual(afterEdit, await fresh);
  });
});
