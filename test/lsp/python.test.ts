import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CodeAction } from 'vscode-languageserver-protocol';
import { TestClient } from './client';

const MODULE = [
  'import pytorch_lightning as pl',
  '',
  '',
  'class Model(pl.LightningModule):',
  '    def validation_epoch_end(self, outputs):',
  '        pass',
  '',
  '',
  'trainer = pl.Trainer(gpus=2, weights_summary=None)',
].join('\n');

describe('language server: Lightning migration in Python files (the bundled tree-sitter)', () => {
  const client = new TestClient();
  before(() => client.initialize());
  after(async () => assert.equal(await client.shutdown(), 0, client.stderr));

  it('publishes the removed 1.x APIs with codes, the Deprecated tag and fixes', async () => {
    const uri = 'file:///work/project/train.py';
    const pending = client.diagnostics(uri, (d) => d.length > 0);
    await client.open(uri, MODULE, 'python');
    const diagnostics = await pending;
    assert.deepEqual(
      diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.code}`),
      ['4:8 FT301', '8:21 FT305', '8:29 FT305'],
    );
    assert.ok(diagnostics.every((d) => d.tags?.includes(2)));
    assert.match(diagnostics[0].message, /Lightning 2\.x stops with an error here/);
    const { result } = await client.request<CodeAction[]>(
      'textDocument/codeAction',
      { textDocument: { uri }, range: diagnostics[1].range, context: { diagnostics: [diagnostics[1]], only: ['quickfix'] } },
      3000,
    );
    assert.equal(result[0].title, 'Use accelerator="gpu", devices=2');
  });

  it('Python files that do not use Lightning stay silent', async () => {
    const uri = 'file:///work/project/util.py';
    const pending = client.diagnostics(uri);
    await client.open(uri, 'import torch\n\ndef validation_epoch_end(outputs):\n    pass\n', 'python');
    assert.deepEqual(await pending, []);
  });
});

describe('language server: Lightning migration of a whole workspace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftw-ws-'));
  mkdirSync(join(dir, 'models'));
  writeFileSync(join(dir, 'models', 'a.py'), 'import pytorch_lightning as pl\n\ntrainer = pl.Trainer(gpus=1)\n');
  writeFileSync(join(dir, 'b.py'), 'import torch\n');
  mkdirSync(join(dir, '.venv'));
  writeFileSync(join(dir, '.venv', 'c.py'), 'import pytorch_lightning as pl\npl.Trainer(gpus=1)\n');
  const client = new TestClient();
  before(() => client.initialize(`file://${dir}`));
  after(async () => assert.equal(await client.shutdown(), 0, client.stderr));

  it('returns one edit, annotated for a preview, with every safe fix; virtual environments are skipped', async () => {
    const { result } = await client.request<{
      edit: {
        documentChanges: Array<{ textDocument: { uri: string }; edits: Array<{ newText: string; annotationId: string }> }>;
        changeAnnotations: Record<string, { needsConfirmation: boolean }>;
      };
      files: number;
      fixes: number;
    }>('finetune/migrateWorkspace', null, 5000);
    assert.equal(result.files, 1);
    assert.equal(result.fixes, 1);
    assert.equal(result.edit.documentChanges[0].textDocument.uri, `file://${join(dir, 'models', 'a.py')}`);
    assert.deepEqual(
      result.edit.documentChanges[0].edits.map((e) => [e.newText, e.annotationId]),
      [['accelerator="gpu", devices=1', 'lightning-migration']],
    );
    assert.equal(result.edit.changeAnnotations['lightning-migration'].needsConfirmation, true);
  });
});
