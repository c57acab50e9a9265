import assert from 'node:assert/strict';
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
    assert.deepEqual(diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.code}`), ['4:8 FT301', '8:21 FT305', '8:29 FT305']);
    assert.ok(diagnostics.every((d) => d.tags?.includes(2)));
    assert.match(diagnostics[0]!.message, /Lightning 2\.x stops with an error here/);
    const { result } = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[1]!.range, context: { diagnostics: [diagnostics[1]!], only: ['quickfix'] } }, 3000);
    assert.equal(result[0]!.title, 'Use accelerator="gpu", devices=2');
  });

  it('Python files that do not use Lightning stay silent', async () => {
    const uri = 'file:///work/project/util.py';
    const pending = client.diagnostics(uri);
    await client.open(uri, 'import torch\n\ndef validation_epoch_end(outputs):\n    pass\n', 'python');
    assert.deepEqual(await pending, []);
  });
});
