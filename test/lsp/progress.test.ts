import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CancellationTokenSource } from 'vscode-languageserver-protocol/node';
import { TestClient } from './client';

// LSP work-done progress from the built server over stdio: the first schema load (a token the server creates), the
// workspace Lightning migration (on the client's token, cancellable through $/cancelRequest) and listing the configs
// of a large tree (server-created, only above 200 files). Each sequence must be begin, reports whose percentages
// never go back, end.

const LIGHTNING_1X = [
  'import pytorch_lightning as pl',
  '',
  '',
  'class Model(pl.LightningModule):',
  '    def validation_epoch_end(self, outputs):',
  '        pass',
  '',
  '',
  'trainer = pl.Trainer(gpus=2)',
  '',
].join('\n');
const AXOLOTL =
  'base_model: NousResearch/Llama-3.2-1B\nadapter: lora\nlora_r: 8\nmicro_batch_size: 2\nsequence_len: 1024\ndatasets:\n  - path: tatsu-lab/alpaca\n    type: alpaca\n';

type Value = TestClient['progress'][number]['value'];

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ftw-progress-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

async function until(probe: () => boolean, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const valuesOf = (client: TestClient, token: string | number): Value[] => client.progress.filter((p) => p.token === token).map((p) => p.value);
const tokenTitled = (client: TestClient, title: string) => client.progress.find((p) => p.value.kind === 'begin' && p.value.title === title)?.token;

/** begin, then reports with non-decreasing percentages in 0..100, then end, and nothing else. */
function assertSequence(values: Value[], title: string, cancellable: boolean): Value[] {
  assert.ok(values.length >= 2, JSON.stringify(values));
  assert.deepEqual(
    { kind: values[0].kind, title: values[0].title, cancellable: values[0].cancellable, percentage: values[0].percentage },
    { kind: 'begin', title, cancellable, percentage: 0 },
  );
  assert.equal(values[values.length - 1].kind, 'end');
  const reports = values.slice(1, -1);
  assert.ok(
    reports.every((r) => r.kind === 'report'),
    JSON.stringify(values.map((v) => v.kind)),
  );
  const percents = reports.map((r) => r.percentage!);
  assert.ok(
    percents.every((p, i) => Number.isInteger(p) && p >= 0 && p <= 100 && (i === 0 || p > percents[i - 1])),
    `percentages: ${percents.join(', ')}`,
  );
  return reports;
}

describe('work-done progress: the first schema load', () => {
  const client = new TestClient();
  after(async () => assert.equal(await client.shutdown(), 0, client.stderr));

  it('a client with window.workDoneProgress sees the schemas load: create, begin, one report per schema, end', async () => {
    await client.initialize('file:///work/project', { workDoneProgress: true });
    await until(
      () => client.progress.some((p) => p.value.kind === 'end'),
      10_000,
      () => JSON.stringify(client.progress),
    );
    const token = tokenTitled(client, 'Fine-Tune: loading config schemas');
    assert.ok(token !== undefined && client.createdProgress.includes(token), `created: ${JSON.stringify(client.createdProgress)}`);
    const reports = assertSequence(valuesOf(client, token), 'Fine-Tune: loading config schemas', false);
    assert.equal(reports[reports.length - 1].percentage, 100);
    const named = reports.map((r) => r.message).filter(Boolean);
    for (const id of ['axolotl', 'deepspeed', 'trl']) assert.ok(named.includes(id), `no report names ${id}: ${JSON.stringify(named)}`);
  });
});

describe('work-done progress: no capability, no progress', () => {
  const dir = workspace({ 'train.py': LIGHTNING_1X, ...Object.fromEntries(Array.from({ length: 210 }, (_, i) => [`configs/c${i}.yml`, AXOLOTL])) });
  const client = new TestClient();
  before(() => client.initialize(pathToFileURL(dir).toString()));
  after(async () => assert.equal(await client.shutdown(), 0, client.stderr));

  it('a client without window.workDoneProgress is never asked to create a token, and gets no $/progress', async () => {
    const { result } = await client.request<unknown[]>('finetune/listConfigs', {}, 20_000);
    assert.equal(result.length, 210);
    assert.deepEqual(client.createdProgress, []);
    assert.deepEqual(client.progress, []);
  });
});

describe('work-done progress: migrating the workspace Lightning code', () => {
  const small: Record<string, string> = { 'models/a.py': LIGHTNING_1X, 'models/b.py': LIGHTNING_1X, 'train.py': LIGHTNING_1X };
  for (let i = 0; i < 37; i++) small[`util/u${i}.py`] = `def f${i}():\n    return ${i}\n`;
  const dir = workspace(small);
  const client = new TestClient();
  before(() => client.initialize(pathToFileURL(dir).toString(), { workDoneProgress: true }));
  after(async () => assert.equal(await client.shutdown(), 0, client.stderr));

  it("on the client's token: begin (cancellable), a report per percent naming the file, end; then the edit", async () => {
    client.watchProgress('migrate-1');
    const { result } = await client.request<{ files: number; fixes: number; cancelled?: boolean }>(
      'finetune/migrateWorkspace',
      { workDoneToken: 'migrate-1' },
      20_000,
    );
    assert.deepEqual({ files: result.files, cancelled: result.cancelled }, { files: 3, cancelled: undefined });
    assert.ok(result.fixes >= 3, JSON.stringify(result));
    const reports = assertSequence(valuesOf(client, 'migrate-1'), 'Migrating Lightning code', true);
    // 40 files: 40 distinct percentages (0, 2, 5, ... 97), each naming a file relative to the folder.
    assert.equal(reports.length, 40);
    assert.ok(
      reports.every((r) => /^(models\/[ab]|train|util\/u\d+)\.py$/.test(r.message ?? '')),
      JSON.stringify(reports.map((r) => r.message)),
    );
    assert.ok(!client.createdProgress.includes('migrate-1'), 'a client token is not created by the server');
  });

  it('$/cancelRequest after the first report stops it: the result says cancelled, the progress still ends', async () => {
    const big = workspace(Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`pkg/m${i}.py`, LIGHTNING_1X])));
    const other = new TestClient();
    try {
      await other.initialize(pathToFileURL(big).toString(), { workDoneProgress: true });
      other.watchProgress('migrate-2');
      const source = new CancellationTokenSource();
      const pending = other.connection.sendRequest<{ files: number; cancelled?: boolean }>(
        'finetune/migrateWorkspace',
        { workDoneToken: 'migrate-2' },
        source.token,
      );
      await until(
        () => valuesOf(other, 'migrate-2').some((v) => v.kind === 'report'),
        20_000,
        () => JSON.stringify(valuesOf(other, 'migrate-2')),
      );
      source.cancel();
      const result = await pending;
      assert.equal(result.cancelled, true);
      assert.ok(result.files < 400, `it went on after the cancel: ${result.files} files`);
      await until(
        () => valuesOf(other, 'migrate-2').some((v) => v.kind === 'end'),
        5000,
        () => 'no end after the cancel',
      );
      const reports = assertSequence(valuesOf(other, 'migrate-2'), 'Migrating Lightning code', true);
      assert.ok(reports[reports.length - 1].percentage! < 100, `it reached 100% despite the cancel`);
    } finally {
      assert.equal(await other.shutdown(), 0, other.stderr);
    }
  });
});

describe('work-done progress: listing the configs of a large tree', () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 240; i++) files[`runs/r${i}/lora.yml`] = AXOLOTL;
  files['ds.json'] = '{"zero_optimization": {"stage": 2}}';
  const large = workspace(files);
  const client = new TestClient();
  before(async () => {
    await client.initialize(pathToFileURL(large).toString(), { workDoneProgress: true });
    await until(
      () => client.progress.some((p) => p.value.kind === 'end'),
      10_000,
      () => 'the schema load did not end',
    );
  });
  after(async () => assert.equal(await client.shutdown(), 0, client.stderr));

  it('more than 200 files: a server-created, cancellable progress from begin to end, and every config found', async () => {
    const { result } = await client.request<Array<{ relativePath: string }>>('finetune/listConfigs', {}, 30_000);
    assert.equal(result.length, 240);
    const token = tokenTitled(client, 'Looking for training configs');
    assert.ok(token !== undefined && client.createdProgress.includes(token), JSON.stringify(client.createdProgress));
    await until(
      () => valuesOf(client, token).some((v) => v.kind === 'end'),
      5000,
      () => 'no end',
    );
    const reports = assertSequence(valuesOf(client, token), 'Looking for training configs', true);
    assert.ok(reports.length >= 90, `${reports.length} reports for 241 files`);
    assert.match(reports[1].message ?? '', /^(runs\/r\d+\/lora\.yml|ds\.json)$/);
  });

  it('200 files or fewer: no progress at all', async () => {
    const smallTree = workspace(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`c${i}.yml`, AXOLOTL])));
    const other = new TestClient();
    try {
      await other.initialize(pathToFileURL(smallTree).toString(), { workDoneProgress: true });
      await until(
        () => other.progress.some((p) => p.value.kind === 'end'),
        10_000,
        () => 'the schema load did not end',
      );
      const before = other.createdProgress.length;
      const { result } = await other.request<unknown[]>('finetune/listConfigs', {}, 10_000);
      assert.equal(result.length, 20);
      assert.equal(other.createdProgress.length, before);
      assert.equal(tokenTitled(other, 'Looking for training configs'), undefined);
    } finally {
      assert.equal(await other.shutdown(), 0, other.stderr);
    }
  });
});
