import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { TestClient } from './client';

// Hostile input: each file gets a clear diagnostic or silence; the server never crashes, and every request is
// answered within 1 s (a hang guard, not a benchmark: the figures are in docs/benchmarks.md).
const bigYaml = ['base_model: x', 'learning_rate: 0.1', ...Array.from({ length: 90000 }, (_, i) => `key_${i}: value number ${i} with some text`)].join('\n');
const bomb = [
  'base_model: x',
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`),
].join('\n');

const CASES: Array<{ name: string; file: string; text: string; expect: (d: Diagnostic[]) => void }> = [
  { name: 'empty file', file: 'empty.yml', text: '', expect: (d) => assert.deepEqual(d, []) },
  { name: 'empty file declared as Axolotl', file: 'declared.yml', text: '# ftw: format=axolotl\n', expect: (d) => assert.equal(d[0].code, 'FT105') },
  { name: 'binary junk', file: 'junk.yml', text: '\u0000\u0001\u0002\u0003\uFFFD\uFFFD\u0007: : :\n\t- x\u0000', expect: (d) => assert.deepEqual(d, []) },
  {
    name: 'invalid UTF-8 as the editor decodes it',
    file: 'utf.yml',
    text: 'base_model: caf\uFFFD\nmicro_batch_size: 1\nlearning_rate: 1.0e-4',
    expect: (d) => assert.ok(d.every((x) => x.code !== 'FT001')),
  },
  {
    name: 'a 5 MB YAML config',
    file: 'big.yml',
    text: bigYaml,
    expect: (d) =>
      assert.deepEqual(
        d.map((x) => x.code),
        ['FT003'],
      ),
  },
  {
    name: '10,000 levels of nesting',
    file: 'deep.yml',
    text: `base_model: x\nnested: ${'['.repeat(10000)}${']'.repeat(10000)}`,
    expect: (d) =>
      assert.deepEqual(
        d.map((x) => x.code),
        ['FT003'],
      ),
  },
  {
    name: '10,000 levels of block nesting',
    file: 'deepblock.yml',
    text: `# ftw: format=axolotl\n${Array.from({ length: 10000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')}`,
    expect: (d) => assert.equal(d[0].code, 'FT003'),
  },
  {
    name: 'a list where a mapping is expected',
    file: 'list.yml',
    text: '# ftw: format=axolotl\n- base_model: x\n- learning_rate: 1',
    expect: (d) =>
      assert.deepEqual(
        d.map((x) => x.code),
        ['FT102'],
      ),
  },
  {
    name: 'anchors and aliases',
    file: 'anchors.yml',
    text: 'base_model: NousResearch/Llama-2-7b-hf\nlearning_rate: 0.1\nmicro_batch_size: &mbs 2\neval_batch_size: *mbs\ndatasets: &ds\n  - path: a\n    type: alpaca\ntest_datasets: *ds',
    expect: (d) => assert.deepEqual(d, []),
  },
  {
    name: 'an alias bomb',
    file: 'bomb.yml',
    text: bomb,
    expect: (d) =>
      assert.deepEqual(
        d.map((x) => x.code),
        ['FT004'],
      ),
  },
  { name: 'an unterminated JSON file', file: 'ds_config.json', text: '{"zero_optimization": {"stage": 3', expect: (d) => assert.equal(d[0].code, 'FT001') },
];

describe('hostile input over stdio', () => {
  const client = new TestClient();
  before(() => client.initialize());
  after(async () => assert.equal(await client.shutdown(), 0, client.stderr));

  for (const c of CASES) {
    it(c.name, async () => {
      const uri = `file:///work/project/${c.file}`;
      const pending = client.diagnostics(uri);
      await client.open(uri, c.text, c.file.endsWith('.json') ? 'json' : 'yaml');
      c.expect(await pending);
      const position = { line: 1, character: 2 };
      await client.request('textDocument/hover', { textDocument: { uri }, position });
      await client.request('textDocument/completion', { textDocument: { uri }, position });
      await client.request('textDocument/documentSymbol', { textDocument: { uri } });
      await client.request('textDocument/codeAction', { textDocument: { uri }, range: { start: position, end: position }, context: { diagnostics: [] } });
      await client.close(uri);
      assert.ok(client.alive, 'the server is still running');
    });
  }

  it('requests for documents the server never saw are answered, not failed', async () => {
    const { result } = await client.request<unknown>('textDocument/hover', {
      textDocument: { uri: 'file:///nowhere.yml' },
      position: { line: 0, character: 0 },
    });
    assert.equal(result, null);
  });
});
