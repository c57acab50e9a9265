import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, CompletionList, Hover, DocumentSymbol } from 'vscode-languageserver-protocol';
import { TestClient } from './client';

const AXOLOTL = [
  'base_model: NousResearch/Llama-3.2-1B',
  'adapter: qlora',
  'load_in_4bit: true',
  'datasets:',
  '  - path: mhenrichsen/alpaca_2k_test',
  '    type: alpaca',
  'micro_batch_size: 2',
  'gradient_accumulation_steps: 4',
  'learning_rate: 0.0002',
  'lora_dropuot: 0.05',
].join('\n');

describe('language server over stdio', () => {
  const client = new TestClient();
  const uri = 'file:///work/project/qlora.yml';

  before(async () => {
    const init = (await client.initialize()) as { capabilities: Record<string, unknown> };
    assert.ok(init.capabilities['hoverProvider']);
    assert.ok(init.capabilities['completionProvider']);
    assert.ok(init.capabilities['codeActionProvider']);
    assert.ok(init.capabilities['documentSymbolProvider']);
  });

  after(async () => {
    assert.equal(await client.shutdown(), 0, client.stderr);
  });

  it('didOpen publishes the diagnostics, and tells the client the format', async () => {
    const pending = client.diagnostics(uri);
    await client.open(uri, AXOLOTL);
    const diagnostics = await pending;
    assert.deepEqual(
      diagnostics.map((d) => [d.range.start.line, d.code, d.message]),
      [[9, 'FT101', "Unknown key 'lora_dropuot': Axolotl ignores it silently. Did you mean 'lora_dropout'?"]],
    );
    assert.equal(client.formats.get(uri)?.format, 'axolotl');
  });

  it('codeAction offers the did-you-mean fix, and applying it clears the diagnostic', async () => {
    const diagnostics = client.published.get(uri)!;
    const { result: actions } = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostics[0].range,
      context: { diagnostics, only: ['quickfix'] },
    });
    assert.equal(actions[0].title, "Change 'lora_dropuot' to 'lora_dropout'");
    const doc = TextDocument.create(uri, 'yaml', 1, AXOLOTL);
    const fixed = TextDocument.applyEdits(doc, actions[0].edit!.changes![uri]);
    assert.ok(fixed.endsWith('lora_dropout: 0.05'));
    const pending = client.diagnostics(uri, (d) => d.length === 0);
    await client.change(uri, 2, fixed);
    assert.deepEqual(await pending, []);
  });

  it('a fix that would make the file worse is a quick fix the user chooses, never preferred nor in fix-all', async () => {
    const other = 'file:///work/project/unsafe.yml';
    const text = AXOLOTL.replace('lora_dropuot: 0.05', 'lora_dropuot: high');
    const pending = client.diagnostics(other);
    await client.open(other, text);
    const diagnostics = await pending;
    const ask = (only: string[]) =>
      client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: other }, range: diagnostics[0].range, context: { diagnostics, only } });
    const { result: quick } = await ask(['quickfix']);
    assert.deepEqual(
      quick.map((a) => [a.title, a.isPreferred]),
      [["Change 'lora_dropuot' to 'lora_dropout'", false]],
    );
    const { result: all } = await ask(['source.fixAll']);
    assert.deepEqual(all, []);
  });

  it('didChange publishes updated diagnostics', async () => {
    const pending = client.diagnostics(uri, (d) => d.length === 1);
    await client.change(uri, 3, `${AXOLOTL.replace('lora_dropuot', 'lora_dropout')}\nwarmup_steps: 0.1`);
    const [d] = await pending;
    assert.equal(d.code, 'FT102');
    assert.equal(d.range.start.line, 10);
  });

  it('completion offers keys with documentation', async () => {
    const text = `${AXOLOTL}\nsequence_l`;
    await client.change(uri, 4, text);
    const { result } = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: { line: 10, character: 10 } });
    const item = result.items.find((i) => i.label === 'sequence_len');
    assert.ok(item);
    assert.match(item.detail!, /integer/);
  });

  it('hover explains a key', async () => {
    const { result } = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 3 } });
    assert.match((result.contents as { value: string }).value, /^\*\*adapter\*\*/);
  });

  it('document symbols outline the config', async () => {
    const { result } = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.equal(result[0].name, 'base_model');
  });

  it('settings are pulled again when they change: disabling validation clears the problems', async () => {
    await client.change(uri, 5, `${AXOLOTL}\nwarmup_steps: 0.1`);
    await client.diagnostics(uri, (d) => d.length === 2);
    client.settings = { ...client.settings, validation: { ...client.settings.validation, enable: false } };
    const pending = client.diagnostics(uri, (d) => d.length === 0);
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await pending;
    client.settings = { ...client.settings, validation: { ...client.settings.validation, enable: true } };
    const back = client.diagnostics(uri, (d) => d.length === 2);
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await back;
  });

  it('a format chosen by the user overrides detection', async () => {
    const pending = client.diagnostics(uri, (d) => d.length === 0);
    await client.connection.sendNotification('finetune/setFormatOverride', { uri, format: 'none' });
    await pending;
    assert.equal(client.formats.get(uri)?.format, 'none');
    const back = client.diagnostics(uri, (d) => d.length === 2);
    await client.connection.sendNotification('finetune/setFormatOverride', { uri, format: null });
    await back;
  });

  it('didClose clears the diagnostics', async () => {
    const pending = client.diagnostics(uri, (d) => d.length === 0);
    await client.close(uri);
    await pending;
  });

  it('files that are not configs get no diagnostics', async () => {
    const other = 'file:///work/project/.github/workflows/ci.yml';
    const pending = client.diagnostics(other);
    await client.open(other, 'on: [push\njobs:\n  test: {runs-on: ubuntu-latest');
    assert.deepEqual(await pending, []);
    await client.close(other);
  });

  it('debounces: with a delay, a burst of edits is validated once, on the last version', async () => {
    client.settings = { ...client.settings, validation: { ...client.settings.validation, delay: 150 } };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const u = 'file:///work/project/burst.yml';
    const first = client.diagnostics(u);
    await client.open(u, AXOLOTL);
    await first;
    const before = client.publishCount.get(u)!;
    const last = client.diagnostics(u, (d) => d.some((x) => x.message.includes("'lora_dropu5'")));
    for (let v = 2; v <= 6; v++) await client.change(u, v, AXOLOTL.replace('lora_dropuot', `lora_dropu${v - 1}`));
    await last;
    assert.equal(client.publishCount.get(u)! - before, 1);
    client.settings = { ...client.settings, validation: { ...client.settings.validation, delay: 0 } };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await client.close(u);
  });
});
