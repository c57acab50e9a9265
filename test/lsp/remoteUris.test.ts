import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { TestClient } from './client';
import { LORA_1B } from './fixtures';

// Documents of a browser's workspace have URIs with an authority: vscode-remote://host:port/… (code-server, a browser
// on a remote folder), vscode-vfs://github/owner/repo/… (github.dev). Nothing of them is on this disk: a config
// finds the DeepSpeed file it names among the open documents, relative to its own URI, as it does with file: URIs.
const DS_JSON = JSON.stringify({ train_micro_batch_size_per_gpu: 'auto', zero_optimization: { stage: 2 } }, null, 2);
const ROOTS = ['vscode-remote://127.0.0.1:8080/home/me/project', 'vscode-vfs://github/owner/repo'];

describe('a config and the DeepSpeed file it names, both open, with non-file URIs', () => {
  const client = new TestClient();
  before(() => client.initialize(ROOTS[0]));
  after(async () => assert.equal(await client.shutdown(), 0, client.stderr));

  async function opened(uri: string, text: string, languageId: string): Promise<Diagnostic[]> {
    const pending = client.diagnostics(uri, () => true, 10_000);
    await client.open(uri, text, languageId);
    return pending;
  }

  for (const root of ROOTS) {
    it(`${root}: '../deepspeed/ds.json' is the open document, not FT210`, async () => {
      await opened(`${root}/deepspeed/ds.json`, DS_JSON, 'json');
      const linked = await opened(`${root}/configs/train.yml`, `${LORA_1B}\ndeepspeed: ../deepspeed/ds.json\n`, 'yaml');
      assert.deepEqual(
        linked.filter((d) => d.code === 'FT210').map((d) => d.message),
        [],
      );
      // And a name that no open document has is still reported.
      const missing = await opened(`${root}/configs/other.yml`, `${LORA_1B}\ndeepspeed: ../deepspeed/nope.json\n`, 'yaml');
      assert.deepEqual(
        missing.filter((d) => d.code === 'FT210').map((d) => d.message),
        ["'../deepspeed/nope.json' was not found next to this config or in the workspace: the run stops when it opens it (after the model has downloaded)."],
      );
    });
  }

  it(`${ROOTS[0]} (the workspace folder): the quick fix creates the missing file beside the config, on the same remote`, async () => {
    const missing = (await opened(`${ROOTS[0]}/configs/create.yml`, `${LORA_1B}\ndeepspeed: ../deepspeed/new.json\n`, 'yaml')).find((d) => d.code === 'FT210');
    assert.ok(missing, 'FT210 for the missing file');
    const { result } = await client.request<CodeAction[]>(
      'textDocument/codeAction',
      { textDocument: { uri: `${ROOTS[0]}/configs/create.yml` }, range: missing.range, context: { diagnostics: [missing], only: ['quickfix'] } },
      10_000,
    );
    assert.deepEqual(
      result.map((a) => [a.title, (a.edit!.documentChanges![0] as { uri: string }).uri]),
      [["Create '../deepspeed/new.json' from a ZeRO-2 template", `${ROOTS[0]}/deepspeed/new.json`]],
    );
  });
});
