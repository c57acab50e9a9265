import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { CodeAction, CodeLens } from 'vscode-languageserver-protocol';
import { TestClient } from './client';
import { LORA_1B } from './fixtures';
import type { ConfigEntry, LaunchInfoResult } from '../../server/src/protocol';

const CONFIG = LORA_1B;

const OOM = 'CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 11.76 GiB total capacity; 9.10 GiB already allocated)';

describe('Launching: launchInfo, listConfigs, no launch lens, FT403 after a CUDA OOM', () => {
  const root = mkdtempSync(join(tmpdir(), 'ftw-launch-'));
  mkdirSync(join(root, 'configs'));
  writeFileSync(join(root, 'configs', 'lora.yml'), CONFIG);
  writeFileSync(
    join(root, 'broken.yml'),
    'base_model: NousResearch/Llama-3.2-1B\nadapter: qlora\nload_in_4bit: maybe\nmicro_batch_size: 2\ndatasets:\n  - path: x\n    type: alpaca\n',
  );
  writeFileSync(join(root, 'ds_config.json'), '{"zero_optimization": {"stage": 2}, "train_micro_batch_size_per_gpu": 2}');
  writeFileSync(join(root, 'compose.yml'), 'services:\n  web:\n    image: nginx\n');
  writeFileSync(join(root, 'train.py'), 'print("hi")\n');
  const rootUri = pathToFileURL(root).toString();
  const uri = pathToFileURL(join(root, 'configs', 'lora.yml')).toString();
  const client = new TestClient();

  before(async () => {
    await client.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: 'project' }],
      capabilities: { workspace: { configuration: true } },
      initializationOptions: { clientCommands: ['finetune.launch', 'finetune.showVramBreakdown'] },
    });
    await client.connection.sendNotification('initialized', {});
  });
  after(async () => assert.equal(await client.shutdown(), 0, client.stderr));

  it('listConfigs finds the training configs of the workspace, not the DeepSpeed JSON nor other YAML', async () => {
    const { result } = await client.request<ConfigEntry[]>('finetune/listConfigs', {}, 5000);
    assert.deepEqual(result.map((c) => [c.relativePath, c.format, c.label]).sort(), [
      ['broken.yml', 'axolotl', 'Axolotl'],
      ['configs/lora.yml', 'axolotl', 'Axolotl'],
    ]);
    assert.equal(result.find((c) => c.relativePath === 'configs/lora.yml')!.uri, uri);
  });

  it('launchInfo of a file that is not open: format, problems, the VRAM estimate and the loaded config', async () => {
    const { result } = await client.request<LaunchInfoResult>('finetune/launchInfo', { uri }, 5000);
    assert.equal(result.format, 'axolotl');
    assert.equal(result.launchable, true);
    assert.deepEqual(result.problems, { errors: 0, warnings: 0 });
    assert.ok(result.vram && result.vram.estimateGiB > 1, JSON.stringify(result.vram));
    assert.equal(result.vram.fits, undefined, 'no GPU known: no verdict');
    assert.equal(result.value!['output_dir'], './out');
  });

  it('launchInfo counts the errors that would stop the run, and refuses non-training files', async () => {
    const { result: broken } = await client.request<LaunchInfoResult>('finetune/launchInfo', { uri: pathToFileURL(join(root, 'broken.yml')).toString() }, 5000);
    assert.ok(broken.problems.errors >= 1, JSON.stringify(broken.problems));
    assert.ok(broken.problems.firstError);
    const { result: ds } = await client.request<LaunchInfoResult>('finetune/launchInfo', { uri: pathToFileURL(join(root, 'ds_config.json')).toString() }, 5000);
    assert.deepEqual([ds.format, ds.launchable], ['deepspeed', false]);
    assert.match(ds.reason!, /DeepSpeed files are not launched on their own/);
    const { result: py } = await client.request<LaunchInfoResult>('finetune/launchInfo', { uri: pathToFileURL(join(root, 'train.py')).toString() }, 5000);
    assert.deepEqual([py.format, py.launchable], ['python', true]);
  });

  it('an open config gets the VRAM lens alone, even for a client with a launch command; other YAML gets none', async () => {
    const pending = client.diagnostics(uri);
    await client.open(uri, CONFIG);
    await pending;
    const { result } = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    // A launch beside the memory figure was clicked by mistake: VS Code has it in the editor title bar instead.
    assert.deepEqual(
      result.map((l) => [l.command!.command, l.range.start]),
      [['finetune.showVramBreakdown', { line: 0, character: 0 }]],
    );
    assert.match(result[0].command!.title, /^\$\(chip\) VRAM ≈/);
    const compose = pathToFileURL(join(root, 'compose.yml')).toString();
    await client.open(compose, 'services:\n  web:\n    image: nginx\n');
    const { result: none } = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: compose } });
    assert.deepEqual(none, []);
  });

  it('a CUDA OOM of the last run becomes FT403 on micro_batch_size, with the VRAM fixes as quick fixes', async () => {
    const pending = client.diagnostics(uri, (d) => d.some((x) => x.code === 'FT403'));
    await client.connection.sendNotification('finetune/jobOutcome', { uri, oom: { message: OOM, triedGiB: 2, totalGiB: 11.76 } });
    const d = (await pending).find((x) => x.code === 'FT403')!;
    assert.deepEqual(d.range, { start: { line: 6, character: 0 }, end: { line: 6, character: 16 } });
    assert.equal(d.severity, 2);
    assert.ok(d.message.startsWith(`CUDA out of memory in the last run (${OOM}).`), d.message);
    const { result } = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: d.range,
      context: { diagnostics: [d], only: ['quickfix'] },
    });
    const titles = result.map((a) => a.title);
    assert.ok(
      titles.some((t) => /^Turn on gradient checkpointing \(≈ \d+\.\d GiB \(up to \d+\.\d\)\)/.test(t)),
      titles.join('\n'),
    );
    assert.ok(
      titles.some((t) => /^Micro batch 1 with twice the gradient accumulation/.test(t)),
      titles.join('\n'),
    );
    const checkpointing = result.find((a) => a.title.startsWith('Turn on gradient checkpointing'))!;
    assert.deepEqual(
      checkpointing.edit!.changes![uri].map((e) => e.newText),
      ['\ngradient_checkpointing: true\n'],
    );
  });

  it('a new run ({clear: true}) removes FT403', async () => {
    const pending = client.diagnostics(uri, (d) => !d.some((x) => x.code === 'FT403'));
    await client.connection.sendNotification('finetune/jobOutcome', { uri, clear: true });
    await pending;
  });
});
