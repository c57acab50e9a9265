import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CodeAction, CodeLens, Hover, InlayHint } from 'vscode-languageserver-protocol';
import { REPO, TestClient } from './client';
import { LORA_1B } from './fixtures';

const CONFIG = LORA_1B;

/** A stand-in for nvidia-smi on a machine with one RTX 3060: the server asks it once at start. */
function fakeSmi(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ftw-smi-'));
  const bin = join(dir, 'nvidia-smi');
  writeFileSync(bin, '#!/bin/sh\necho "NVIDIA GeForce RTX 3060, 12288, 8.6"\n');
  chmodSync(bin, 0o755);
  return bin;
}

describe('VRAM hints over stdio, with the GPU nvidia-smi reports', () => {
  const client = new TestClient(undefined, { FTW_NVIDIA_SMI: fakeSmi() });
  const uri = 'file:///work/project/lora.yml';

  before(async () => {
    const init = (await client.initialize()) as { capabilities: Record<string, unknown> };
    assert.ok(init.capabilities['codeLensProvider']);
    assert.ok(init.capabilities['inlayHintProvider']);
  });
  after(async () => assert.equal(await client.shutdown(), 0, client.stderr));

  it("a config too large for this machine's RTX 3060 gets FT401 on its model, once the GPU is known", async () => {
    const pending = client.diagnostics(uri, (d) => d.some((x) => x.code === 'FT401'));
    await client.open(uri, CONFIG);
    const d = (await pending).find((x) => x.code === 'FT401')!;
    assert.deepEqual(d.range, { start: { line: 0, character: 12 }, end: { line: 0, character: 37 } });
    assert.match(
      d.message,
      /^Needs ≈ \d+\.\d GiB \(up to \d+\.\d\) .*more than the RTX 3060 \(12\.0 GiB\) offers.* What would fit: gradient checkpointing \+ micro batch 1 \(2× the accumulation\) on the RTX 3060: /,
    );
  });

  it('the code lens on line 0 says the estimate and the verdict, and opens the breakdown', async () => {
    const { result } = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.equal(result.length, 1);
    assert.deepEqual(result[0].range.start, { line: 0, character: 0 });
    assert.match(result[0].command!.title, /^VRAM ≈ \d+\.\d GiB \(up to \d+\.\d\) · RTX 3060 ✗$/);
    assert.deepEqual([result[0].command!.command, result[0].command!.arguments], ['finetune.showVramBreakdown', [uri]]);
    const { result: breakdown } = await client.request<{ markdown: string }>('finetune/vramBreakdown', { uri });
    assert.match(breakdown.markdown, /^# VRAM estimate\n\n\*\*VRAM ≈ /);
    assert.match(
      breakdown.markdown,
      /## What would make it fit the RTX 3060\n\n- \*\*Change the config\*\*: gradient checkpointing \+ micro batch 1 \(2× the accumulation\) on the RTX 3060: ≈ /,
    );
    assert.match(breakdown.markdown, /## One change at a time\n\n(- .*\n)*- ✗ Turn on gradient checkpointing \(≈ \d+\.\d GiB \(up to \d+\.\d\)\)/);
  });

  it('inlay hints after the micro batch and the sequence length', async () => {
    const { result } = await client.request<InlayHint[]>('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 14, character: 0 } },
    });
    assert.deepEqual(
      result.map((h) => [h.position.line, h.position.character]),
      [
        [6, 19],
        [5, 18],
      ],
    );
    assert.match(result[0].label as string, /^≈ \d+\.\d GiB \(up to \d+\.\d\) ✗$/);
  });

  it('hover on the micro batch: the schema description, then what the key costs and the breakdown', async () => {
    const { result } = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 6, character: 3 } });
    const md = (result.contents as { value: string }).value;
    assert.match(md, /^\*\*micro_batch_size\*\*/);
    assert.match(md, /\n\n---\n\n\*\*VRAM\*\* — the micro batch: \+\d+\.\d\d GiB against micro batch 1/);
  });

  it("the quick fixes: the plan's answer as one edit, then single changes; none preferred (each trades speed or data)", async () => {
    const d = client.published.get(uri)!.find((x) => x.code === 'FT401')!;
    const { result } = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: d.range,
      context: { diagnostics: [d], only: ['quickfix'] },
    });
    const titles = result.map((a) => a.title);
    assert.match(titles[0], /^Make it fit: gradient checkpointing \+ micro batch 1 \(2× the accumulation\) on the RTX 3060: ≈ \d+\.\d GiB \(up to \d+\.\d\)$/);
    assert.ok(
      result.every((a) => !a.isPreferred),
      'fix-all applies none of them',
    );
    assert.ok(
      titles.some((t) => /^Turn on gradient checkpointing \(≈ \d+\.\d GiB \(up to \d+\.\d\)\) — not enough alone$/.test(t)),
      titles.join('\n'),
    );
    assert.ok(
      titles.some((t) => /^Micro batch 1 with twice the gradient accumulation/.test(t)),
      titles.join('\n'),
    );
    const edit = result[0].edit!.changes![uri];
    assert.deepEqual(edit.map((e) => e.newText).sort(), ['\ngradient_checkpointing: true\n', '1', '4']);
    const cleared = client.diagnostics(uri, (x) => !x.some((y) => y.code === 'FT401'));
    await client.change(
      uri,
      2,
      `${CONFIG.replace('micro_batch_size: 2', 'micro_batch_size: 1').replace('gradient_accumulation_steps: 2', 'gradient_accumulation_steps: 4')}\ngradient_checkpointing: true\n`,
    );
    await cleared;
  });

  it('finetune.gpus wins over nvidia-smi, and the lens can be turned off', async () => {
    client.settings = { ...client.settings, gpus: ['A100 80GB'], vram: { codeLens: false, inlayHints: true } };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await client.diagnostics(uri, (d) => !d.some((x) => x.code === 'FT401'));
    const { result } = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.deepEqual(result, []);
    const { result: hints } = await client.request<InlayHint[]>('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } },
    });
    assert.match(hints[0].label as string, /✓$/);
  });
});

describe('VRAM hints over stdio, without a GPU', () => {
  const client = new TestClient();
  const uri = 'file:///work/project/lora.yml';
  before(() => client.initialize());
  after(async () => assert.equal(await client.shutdown(), 0, client.stderr));

  it('the lens shows the representative GPUs, and nothing is reported', async () => {
    const pending = client.diagnostics(uri);
    await client.open(uri, CONFIG);
    assert.deepEqual(
      (await pending).filter((x) => /^FT4/.test(String(x.code))),
      [],
    );
    const { result } = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.match(result[0].command!.title, /^VRAM ≈ \d+\.\d GiB \(up to \d+\.\d\) · RTX 3060 12GB ✗ · RTX 3090 24GB [✓⚠✗] · A100 80GB ✓$/);
  });

  it('a Python file or a plain YAML file has no lens', async () => {
    const other = 'file:///work/project/compose.yml';
    await client.open(other, 'services:\n  web:\n    image: nginx\n');
    const { result } = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: other } });
    assert.deepEqual(result, []);
  });
});

void REPO;
