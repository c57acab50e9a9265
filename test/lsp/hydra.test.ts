import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, CompletionList, Hover } from 'vscode-languageserver-protocol';
import { TestClient } from './client';

// A Hydra project on disk: the server reads the config-group files and the user's module from the workspace.
const dir = mkdtempSync(join(tmpdir(), 'ftw-hydra-'));
mkdirSync(join(dir, 'conf', 'optimizer'), { recursive: true });
mkdirSync(join(dir, 'src', 'models'), { recursive: true });
writeFileSync(join(dir, 'conf', 'optimizer', 'adamw.yaml'), '_target_: torch.optim.AdamW\n_partial_: true\nlr: 1e-4\n');
writeFileSync(join(dir, 'src', 'models', 'net.py'), 'class Net:\n    def __init__(self, hidden=64, dropout=0.0):\n        pass\n');

const CONFIG = [
  'defaults:',
  '  - _self_',
  '  - optimizer: adamw',
  '  - scheduler: cosine',
  'trainer:',
  '  _target_: lightning.pytorch.Trainer',
  '  gpus: 2',
  '  max_epochs: ${epochs}',
  'model:',
  '  _target_: src.models.net.Net',
  '  dropuot: 0.1',
].join('\n');

describe('language server: Hydra configs', () => {
  const client = new TestClient();
  const uri = `file://${join(dir, 'conf', 'config.yaml')}`;

  before(() => client.initialize(`file://${dir}`));
  after(async () => assert.equal(await client.shutdown(), 0, client.stderr));

  it('didOpen: the format is hydra; a missing group file, a removed Trainer argument and a user-class typo', async () => {
    const pending = client.diagnostics(uri);
    await client.open(uri, CONFIG);
    const diagnostics = await pending;
    assert.equal(client.formats.get(uri)?.format, 'hydra');
    assert.deepEqual(
      diagnostics.map((d) => [d.range.start.line, d.range.start.character, d.range.end.character, d.code, d.severity]),
      [
        [3, 15, 21, 'FT210', 1],
        [6, 2, 6, 'FT305', 1],
        [10, 2, 9, 'FT101', 1],
      ],
    );
    assert.match(diagnostics[0].message, /Config group 'scheduler' has no option 'cosine': scheduler\/cosine\.yaml does not exist/);
    assert.match(diagnostics[2].message, /Unknown argument 'dropuot' of Net\.__init__ \(models\/net\.py\).*Did you mean 'dropout'\?/);
  });

  it('the gpus quick fix writes accelerator and devices', async () => {
    const diagnostics = client.published.get(uri)!;
    const gpus = diagnostics.find((d) => d.code === 'FT305')!;
    const { result: actions } = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: gpus.range,
      context: { diagnostics: [gpus], only: ['quickfix'] },
    });
    assert.equal(actions[0].title, 'Use accelerator: gpu and devices: 2');
    const fixed = TextDocument.applyEdits(TextDocument.create(uri, 'yaml', 1, CONFIG), actions[0].edit!.changes![uri]);
    assert.match(fixed, /\n {2}accelerator: gpu\n {2}devices: 2\n/);
  });

  it('completion inside the Trainer block offers its arguments; hover explains one', async () => {
    const { result } = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: { line: 7, character: 2 } });
    const labels = result.items.map((i) => i.label);
    assert.ok(labels.includes('accumulate_grad_batches') && labels.includes('_partial_'), labels.slice(0, 10).join(','));
    const { result: hover } = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 7, character: 4 } });
    assert.match((hover.contents as { value: string }).value, /^\*\*max_epochs\*\*/);
  });
});
