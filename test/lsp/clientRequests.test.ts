import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ResponseError } from 'vscode-languageserver-protocol';
import { TestClient } from './client';
import { LORA_1B } from './fixtures';
import { ensemble, GEN_FORMATS, newConfig } from '../../server/src/core/generate';
import { planLaunch } from '../../server/src/core/jobs/command';
import type { EnsembleAnswer, LaunchPlanResult, NewConfigAnswer, NewConfigChoices, VramBreakdownResult } from '../../server/src/protocol';

/**
 * The wizard's engine, ensembles, launch plans and the VRAM breakdown as requests and as workspace/executeCommand
 * commands (issue 17), against the built server over stdio. Each answer is compared with the core called directly:
 * the protocol carries the engine's result, not a second implementation of it.
 */
describe('The client asks: wizard, ensemble, launch plan and breakdown requests over stdio', () => {
  const root = mkdtempSync(join(tmpdir(), 'ftw-asks-'));
  writeFileSync(join(root, 'lora.yml'), LORA_1B);
  writeFileSync(join(root, 'ds_config.json'), '{"zero_optimization": {"stage": 2}, "train_micro_batch_size_per_gpu": 2}');
  // A Hugging Face cache with one model folder: the wizard lists it (and never the network).
  const hub = mkdtempSync(join(tmpdir(), 'ftw-hub-'));
  mkdirSync(join(hub, 'models--acme--cached-7b'));
  const rootUri = pathToFileURL(root).toString();
  const lora = pathToFileURL(join(root, 'lora.yml')).toString();
  const client = new TestClient(undefined, { HF_HUB_CACHE: hub });
  Object.assign(client.settings, {
    gpus: ['RTX 3060 12GB'],
    models: [{ id: 'acme/tiny-lm', parameters: 120e6, hiddenSize: 768, layers: 12, attentionHeads: 12, intermediateSize: 3072, vocabSize: 32000 }],
  });

  /** The error a request is refused with: code and message. */
  async function refusal(method: string, params: unknown): Promise<{ code: number; message: string }> {
    try {
      await client.request(method, params, 5000);
    } catch (e) {
      assert.ok(e instanceof ResponseError, String(e));
      return { code: e.code, message: e.message };
    }
    assert.fail(`${method} answered ${JSON.stringify(params)}`);
  }

  let capabilities: Record<string, unknown> = {};
  before(async () => {
    const init = (await client.initialize(rootUri)) as { capabilities: Record<string, unknown> };
    capabilities = init.capabilities;
  });
  after(async () => assert.equal(await client.shutdown(), 0, client.stderr));

  it('declares the commands in executeCommandProvider', () => {
    assert.deepEqual(capabilities['executeCommandProvider'], {
      commands: ['ftw.newConfigChoices', 'ftw.newConfig', 'ftw.ensemble', 'ftw.vramBreakdown', 'ftw.launchInfo', 'ftw.launchPlan', 'ftw.listConfigs'],
    });
  });

  it('newConfigChoices: approaches, methods, formats, the support matrix, models by source, GPUs from the setting first', async () => {
    const { result } = await client.request<NewConfigChoices>('finetune/newConfigChoices', { uri: rootUri }, 5000);
    assert.deepEqual(
      result.approaches.map((a) => a.id),
      ['classifier', 'prompt-template'],
    );
    assert.deepEqual(
      result.methods.map((m) => m.id),
      ['full', 'freeze', 'lora', 'qlora', 'adapter', 'prefix', 'distillation'],
    );
    assert.deepEqual(
      result.formats.map((f) => f.id),
      [...GEN_FORMATS],
    );
    assert.equal(result.support['prompt-template']['qlora']['axolotl'].supported, true);
    assert.equal(result.support['prompt-template']['qlora']['script'].supported, false);
    assert.ok(result.support['prompt-template']['qlora']['script'].why.length > 10);
    assert.deepEqual(result.models.slice(0, 2), [
      { id: 'acme/tiny-lm', parameters: 120e6, source: 'setting' },
      { id: 'acme/cached-7b', source: 'cache' },
    ]);
    const llama = result.models.find((m) => m.id === 'meta-llama/Llama-3.2-1B')!;
    assert.equal(llama.source, 'catalog');
    assert.ok(llama.aliases?.includes('NousResearch/Llama-3.2-1B'));
    assert.ok(
      result.models.some((m) => m.encoder && /bert/i.test(m.id)),
      'encoders are marked for the classifier',
    );
    assert.deepEqual(result.gpus[0], {
      name: 'GeForce RTX 3060 12GB',
      shortName: 'RTX 3060 12GB',
      usable: result.gpus[0].usable,
      computeCapability: 8.6,
      fromSetting: true,
      gpu: 'GeForce RTX 3060 12GB',
    });
    assert.match(result.gpus[0].usable, /^\d+\.\d GiB$/);
    assert.ok(result.gpus.filter((g) => !g.fromSetting).some((g) => g.shortName === 'RTX 3090 24GB'));
  });

  it('newConfig: the same config the core writes, with the summary the wizard shows', async () => {
    const params = { approach: 'prompt-template', method: 'lora', model: 'NousResearch/Llama-3.2-1B', gpu: 'RTX 3090', format: 'axolotl' };
    const { result } = await client.request<NewConfigAnswer>('finetune/newConfig', params, 10000);
    const direct = newConfig({ approach: 'prompt-template', method: 'lora', model: 'NousResearch/Llama-3.2-1B', gpu: 'RTX 3090', format: 'axolotl' });
    assert.ok(result.ok && direct.ok);
    assert.equal(result.text, direct.config.text);
    assert.equal(result.suggestedFileName, direct.config.suggestedFileName);
    assert.match(result.summary, /^≈ \d+\.\d GiB .*of 24\.0 GiB on the RTX 3090 24GB$/);
  });

  it("newConfig with saveAs: a script's YAML goes beside it, and the run is named after the file", async () => {
    const saveAs = join(root, 'sentiment.py');
    const { result } = await client.request<NewConfigAnswer>(
      'finetune/newConfig',
      { approach: 'classifier', method: 'lora', model: 'google-bert/bert-base-uncased', gpu: 'T4', format: 'script', saveAs, workspaceFolder: root },
      10000,
    );
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.configPath, join(root, 'sentiment.yaml'));
    assert.ok(result.script && result.script.includes('sentiment.yaml'), 'the script reads its YAML by name');
    const direct = newConfig({
      approach: 'classifier',
      method: 'lora',
      model: 'google-bert/bert-base-uncased',
      gpu: 'T4',
      format: 'script',
      runName: 'sentiment',
      fileRef: 'sentiment.yaml',
    });
    assert.ok(direct.ok);
    assert.equal(result.text, direct.config.text);
  });

  it('newConfig that does not fit: the failure with the remedies the wizard turns into buttons', async () => {
    const { result } = await client.request<NewConfigAnswer>(
      'finetune/newConfig',
      { approach: 'prompt-template', method: 'full', model: 'meta-llama/Llama-2-70b-hf', gpu: 'T4', format: 'axolotl' },
      10000,
    );
    assert.ok(!result.ok);
    assert.equal(result.kind, 'does-not-fit');
    assert.ok(result.suggestions.length > 0);
    assert.ok(result.remedies.length > 0, JSON.stringify(result));
    for (const r of result.remedies) assert.ok(['method', 'model', 'gpu'].includes(r.kind));
  });

  it('newConfig refuses bad parameters with InvalidParams naming the field', async () => {
    const base = { approach: 'prompt-template', method: 'lora', model: 'NousResearch/Llama-3.2-1B', gpu: 'RTX 3090', format: 'axolotl' };
    assert.deepEqual(await refusal('finetune/newConfig', null), { code: -32602, message: 'finetune/newConfig: the parameters must be an object' });
    assert.deepEqual(await refusal('finetune/newConfig', { ...base, model: undefined }), {
      code: -32602,
      message: 'finetune/newConfig: `model` must be a non-empty string',
    });
    assert.deepEqual(await refusal('finetune/newConfig', { ...base, method: 'lorax' }), {
      code: -32602,
      message: 'finetune/newConfig: `method` must be one of full, freeze, lora, qlora, adapter, prefix, distillation (got "lorax")',
    });
    const gpu = await refusal('finetune/newConfig', { ...base, gpu: 'Voodoo 5 5500' });
    assert.equal(gpu.code, -32602);
    assert.match(gpu.message, /^finetune\/newConfig: `gpu`: 'Voodoo 5 5500' is not a GPU the catalog knows/);
    assert.match((await refusal('finetune/newConfig', { ...base, gpu: { name: 'Mine' } })).message, /a GPU of your own needs a name and memoryMiB > 0/);
  });

  it('ensemble: the variants and tasks the core writes, judged on the GPU of finetune.gpus', async () => {
    const { result } = await client.request<EnsembleAnswer>('finetune/ensemble', { uri: lora, buckets: [512, 1024, 2048] }, 10000);
    assert.ok(result.ok, JSON.stringify(result));
    const direct = ensemble(LORA_1B, 'axolotl', join(root, 'lora.yml'), [512, 1024, 2048], { gpu: 'RTX 3060 12GB', outDir: root, workspace: join(root, '..') });
    assert.equal(result.format, 'axolotl');
    assert.deepEqual(
      result.variants.map((v) => [v.name, v.sequenceLength, v.path, v.text]),
      direct.variants.map((v) => [v.name, v.sequenceLength, v.path, v.text]),
    );
    assert.deepEqual(result.tasks, direct.tasks);
    assert.equal(result.gpu, 'RTX 3060 12GB (12.0 GiB)');
    for (const v of result.variants) assert.match(v.vram, /^≈ \d+\.\d GiB .*(✓|⚠|✗ does not fit)$/);
    assert.ok(!existsSync(join(root, 'lora.short.yml')), 'the server writes nothing: the client does');
  });

  it('ensemble: a config it cannot split is { ok: false } with the reason; malformed parameters are InvalidParams', async () => {
    const { result: tooShort } = await client.request<EnsembleAnswer>('finetune/ensemble', { uri: lora, buckets: [8] }, 5000);
    assert.deepEqual(tooShort, { ok: false, message: 'Bucket 8 is not a sequence length (a whole number of tokens, at least 16).' });
    const ds = pathToFileURL(join(root, 'ds_config.json')).toString();
    const { result: deepspeed } = await client.request<EnsembleAnswer>('finetune/ensemble', { uri: ds, buckets: [512] }, 5000);
    assert.deepEqual(deepspeed, {
      ok: false,
      message: 'The ensemble writer handles axolotl, llamafactory, trl, torchtune, hf-args configs; this one is deepspeed.',
    });
    assert.deepEqual(await refusal('finetune/ensemble', { uri: lora, buckets: '512,1024' }), {
      code: -32602,
      message: 'finetune/ensemble: `buckets` must be a list of sequence lengths in tokens, e.g. [512, 1024, 2048]',
    });
    assert.deepEqual(await refusal('finetune/ensemble', { uri: 'untitled:Untitled-1', buckets: [512] }), {
      code: -32602,
      message: 'finetune/ensemble: `uri` must be a file: URI',
    });
    assert.deepEqual(await refusal('finetune/ensemble', { uri: pathToFileURL(join(root, 'missing.yml')).toString(), buckets: [512] }), {
      code: -32602,
      message: 'finetune/ensemble: missing.yml is neither open nor a readable file in the workspace',
    });
  });

  it('launchPlan: the command line the core plans; a launch it refuses is { ok: false }; malformed requests are InvalidParams', async () => {
    const request = { file: join(root, 'lora.yml'), format: 'axolotl', launcher: 'torchrun', gpus: 2, cwd: root, python: '/usr/bin/python3' };
    const { result } = await client.request<LaunchPlanResult>('finetune/launchPlan', request, 5000);
    assert.deepEqual(result, { ok: true, plan: planLaunch({ ...request, format: 'axolotl', launcher: 'torchrun' }, existsSync) });
    const { result: nodes } = await client.request<LaunchPlanResult>('finetune/launchPlan', { ...request, launcher: 'local', nodes: 2 }, 5000);
    assert.deepEqual(nodes, {
      ok: false,
      message: '2 nodes need a cluster launcher (slurm or skypilot): the local launcher starts processes on this machine only',
    });
    const { result: zero } = await client.request<LaunchPlanResult>('finetune/launchPlan', { ...request, gpus: 0 }, 5000);
    assert.ok(!zero.ok && / must be a whole number ≥ 1, not 0$/.test(zero.message), JSON.stringify(zero));
    assert.deepEqual(await refusal('finetune/launchPlan', { ...request, launcher: 'mpirun' }), {
      code: -32602,
      message: 'finetune/launchPlan: `launcher` must be one of local, torchrun, accelerate, deepspeed, slurm, skypilot',
    });
    assert.deepEqual(await refusal('finetune/launchPlan', { ...request, file: 'lora.yml' }), {
      code: -32602,
      message: 'finetune/launchPlan: `file` must be the absolute path of the config or script',
    });
    assert.deepEqual(await refusal('finetune/launchPlan', { ...request, args: ['--x', 3] }), {
      code: -32602,
      message: 'finetune/launchPlan: `args` must be a list of strings',
    });
  });

  it('workspace/executeCommand answers what the requests answer', async () => {
    // The breakdown is of an open document (its code lens opens it).
    const shown = client.diagnostics(lora);
    await client.open(lora, LORA_1B);
    await shown;
    const exec = async <R>(command: string, ...args: unknown[]) =>
      (await client.request<R>('workspace/executeCommand', { command, arguments: args }, 10000)).result;
    const { result: breakdown } = await client.request<VramBreakdownResult>('finetune/vramBreakdown', { uri: lora }, 5000);
    assert.match(breakdown.markdown, /^# VRAM estimate\n\n\*\*VRAM ≈ /);
    assert.deepEqual(await exec('ftw.vramBreakdown', { uri: lora }), breakdown);
    const params = { approach: 'prompt-template', method: 'qlora', model: 'NousResearch/Llama-3.2-1B', gpu: 'RTX 3060 12GB', format: 'llamafactory' };
    assert.deepEqual(await exec('ftw.newConfig', params), (await client.request('finetune/newConfig', params, 10000)).result);
    assert.deepEqual(await exec('ftw.newConfigChoices'), (await client.request('finetune/newConfigChoices', null, 5000)).result);
    const info = await exec<{ format: string; launchable: boolean }>('ftw.launchInfo', { uri: lora });
    assert.deepEqual([info.format, info.launchable], ['axolotl', true]);
    const configs = await exec<Array<{ relativePath: string }>>('ftw.listConfigs');
    assert.deepEqual(
      configs.map((c) => c.relativePath),
      ['lora.yml'],
    );
  });

  it('hostile parameters: every command answers, or refuses with InvalidParams; never an internal error', async () => {
    const deep: Record<string, unknown> = {};
    let at = deep;
    for (let i = 0; i < 2000; i++) at = (at['x'] = {}) as Record<string, unknown>;
    const hostile: unknown[] = [
      null,
      42,
      'x',
      [],
      {},
      { uri: 5 },
      { uri: 'file:///etc/passwd', buckets: [512] },
      deep,
      { approach: {}, method: [], model: 1, gpu: null, format: 'axolotl' },
      { uri: lora, buckets: Array.from({ length: 5000 }, (_, i) => 16 + i) },
      { file: '/x', cwd: '/', format: 'axolotl', launcher: 'local', env: { A: 1 } },
      { gpu: { name: 'x', memoryMiB: -1 } },
    ];
    for (const command of [
      'ftw.newConfigChoices',
      'ftw.newConfig',
      'ftw.ensemble',
      'ftw.vramBreakdown',
      'ftw.launchInfo',
      'ftw.launchPlan',
      'ftw.listConfigs',
    ]) {
      for (const arg of hostile) {
        try {
          await client.request('workspace/executeCommand', { command, arguments: [arg] }, 10000);
        } catch (e) {
          assert.ok(e instanceof ResponseError, `${command}: ${String(e)}`);
          assert.equal(e.code, -32602, `${command} ${JSON.stringify(arg)?.slice(0, 80)}: ${e.message}`);
          assert.ok(e.message.length > 20, e.message);
        }
      }
    }
    const { result } = await client.request<EnsembleAnswer>('finetune/ensemble', { uri: lora, buckets: Array.from({ length: 65 }, (_, i) => 16 + i) }, 5000);
    assert.deepEqual(result, { ok: false, message: 'At most 64 buckets (got 65): one variant of the config is written per bucket.' });
    assert.ok(client.alive, 'the server is still running');
  });

  it('workspace/executeCommand refuses unknown commands, extra arguments and bad parameters, and the server stays up', async () => {
    assert.deepEqual(await refusal('workspace/executeCommand', { command: 'ftw.format', arguments: [] }), {
      code: -32602,
      message:
        "Unknown command 'ftw.format': the server runs ftw.newConfigChoices, ftw.newConfig, ftw.ensemble, ftw.vramBreakdown, ftw.launchInfo, ftw.launchPlan, ftw.listConfigs",
    });
    assert.deepEqual(await refusal('workspace/executeCommand', { command: 'ftw.vramBreakdown', arguments: [{ uri: lora }, 2] }), {
      code: -32602,
      message: "ftw.vramBreakdown takes one argument (the finetune/vramBreakdown request's parameters), not 2",
    });
    assert.deepEqual(await refusal('workspace/executeCommand', { command: 'ftw.vramBreakdown', arguments: [] }), {
      code: -32602,
      message: 'finetune/vramBreakdown: `uri` must be a document URI (a string)',
    });
    assert.deepEqual(await refusal('workspace/executeCommand', { command: 'ftw.launchInfo', arguments: [42] }), {
      code: -32602,
      message: 'finetune/launchInfo: `uri` must be a document URI (a string)',
    });
    const { result } = await client.request<VramBreakdownResult>('finetune/vramBreakdown', { uri: lora }, 5000);
    assert.match(result.markdown, /^# VRAM estimate/);
  });
});
