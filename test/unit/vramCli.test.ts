import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseNvidiaSmi } from '../../server/src/localGpus';
import { FTW, workspace } from './helpers';

/** Runs bin/ftw with no GPU on the PATH (nvidia-smi replaced by a program that fails), unless `smi` says otherwise. */
function ftw(args: string[], cwd: string, smi = '/bin/false') {
  const r = spawnSync(process.execPath, [FTW, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FTW_NVIDIA_SMI: smi, HF_HOME: join(cwd, '.hf') },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SETUP_7B_QLORA = { model: 'meta-llama/Llama-2-7b-hf', method: 'qlora', microBatchSize: 1, sequenceLength: 2048, gradientCheckpointing: true };
const AXOLOTL_70B = [
  'base_model: meta-llama/Llama-2-70b-hf',
  'adapter: lora',
  'sequence_len: 2048',
  'micro_batch_size: 1',
  'learning_rate: 0.0002',
  'bf16: true',
  'datasets:',
  '  - path: tatsu-lab/alpaca',
  '    type: alpaca',
  'output_dir: ./out',
  '',
].join('\n');

describe('ftw vram', () => {
  it('--json prints exactly the fields of DESIGN §6.2, with the resolved setup and the named GPUs', () => {
    const dir = workspace({ 'setup.json': JSON.stringify(SETUP_7B_QLORA) });
    const r = ftw(['vram', 'setup.json', '--json', '--gpu', 'RTX 3090', '--gpu', 'T4'], dir);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(out), ['setup', 'allocatedBytes', 'peakBytes', 'peakUpperBytes', 'contextBytes', 'components', 'gpus']);
    assert.deepEqual(out.setup, {
      model: 'meta-llama/Llama-2-7b-hf',
      method: 'qlora',
      quantization: 'nf4',
      doubleQuant: false,
      precision: 'bf16-mixed',
      optimizer: 'adamw',
      microBatchSize: 1,
      sequenceLength: 2048,
      gradientCheckpointing: true,
      checkpointing: 'reentrant',
      packed: false,
      loss: 'full',
      attention: 'sdpa',
      gpus: 1,
      sharding: 'none',
      offload: 'none',
      lora: { rank: 8, alpha: 16, targets: ['q_proj', 'v_proj'], trainEmbeddings: false },
    });
    const c = out.components as Record<string, number>;
    assert.deepEqual(Object.keys(c), ['weights', 'gradients', 'optimizer', 'activations', 'logits', 'other']);
    for (const v of [out.allocatedBytes, out.peakBytes, out.peakUpperBytes, out.contextBytes, ...Object.values(c)]) assert.ok(Number.isInteger(v), String(v));
    assert.equal(
      Object.values(c).reduce((a, b) => a + b, 0),
      out.peakBytes,
    );
    assert.ok((out.peakBytes as number) > (out.allocatedBytes as number));
    assert.ok((out.peakUpperBytes as number) > (out.peakBytes as number));
    assert.deepEqual(out.gpus, [
      { name: 'GeForce RTX 3090 24GB', usableBytes: 24_576 * 2 ** 20 - 2 ** 30, fits: true, verdict: 'fits' },
      { name: 'Tesla T4 16GB', usableBytes: 15_360 * 2 ** 20 - 2 ** 30, fits: true, verdict: 'fits' },
    ]);
  });

  it('three verdicts: fits (the bound fits), tight (only the estimate: still fits, exit 0), no (exit 1)', () => {
    const dir = workspace({
      'setup.json': JSON.stringify({
        model: 'meta-llama/Llama-2-7b-hf',
        method: 'lora',
        precision: 'bf16-true',
        microBatchSize: 2,
        sequenceLength: 1024,
        gradientCheckpointing: true,
      }),
    });
    const json = (gpu: string) => ftw(['vram', 'setup.json', '--json', '--gpu', gpu], dir);
    const out = JSON.parse(json('A100 80GB').stdout) as { peakBytes: number; peakUpperBytes: number; contextBytes: number };
    const need = out.peakBytes + out.contextBytes;
    const upper = out.peakUpperBytes + out.contextBytes;
    // A GPU between the estimate and the bound is "tight": fits stays true, exit 0.
    const smi = join(dir, 'nvidia-smi');
    writeFileSync(smi, `#!/bin/sh\necho "NVIDIA Test GPU, ${Math.ceil((need + upper) / 2 / 2 ** 20)}, 8.0"\n`);
    chmodSync(smi, 0o755);
    const tight = ftw(['vram', 'setup.json', '--json'], dir, smi);
    assert.equal(tight.status, 0, tight.stderr);
    assert.deepEqual(
      (JSON.parse(tight.stdout) as { gpus: Array<{ fits: boolean; verdict: string }> }).gpus.map((g) => [g.fits, g.verdict]),
      [[true, 'tight']],
    );
    const text = ftw(['vram', 'setup.json', '--gpu', 'RTX 3060 12GB'], dir);
    assert.equal(text.status, 1);
    assert.match(text.stdout, /\n {2}up to \(nine runs in ten stay under\) +\d+\.\d\d GiB\n/);
    assert.match(text.stdout, /✗ does not fit +GeForce RTX 3060 12GB/);
    assert.match(
      text.stdout,
      /What would make it fit the RTX 3060 12GB:\n {2}Change the config: gradient checkpointing|What would make it fit the RTX 3060 12GB:\n {2}Change the config: /,
    );
  });

  it('GPU names are matched loosely (case, spaces, dashes, an optional size)', () => {
    const dir = workspace({ 'setup.json': JSON.stringify(SETUP_7B_QLORA) });
    const names = ['RTX 3060 12GB', 'rtx3090', 'A100 40GB', 'A100-80GB', 'H100 80GB', 'A10G', 'L4', 'T4'];
    const r = ftw(['vram', 'setup.json', '--json', ...names.flatMap((n) => ['--gpu', n])], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      (JSON.parse(r.stdout) as { gpus: Array<{ name: string }> }).gpus.map((g) => g.name),
      ['GeForce RTX 3060 12GB', 'GeForce RTX 3090 24GB', 'A100 40GB', 'A100 80GB', 'H100 80GB', 'A10G 24GB', 'L4 24GB', 'Tesla T4 16GB'],
    );
  });

  it('a config: the table, the fixes and what would work; exit 1 when a named GPU is too small', () => {
    const dir = workspace({ 'train.yml': AXOLOTL_70B });
    const r = ftw(['vram', 'train.yml', '--gpu', 'RTX 3060 12GB'], dir);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^train\.yml: meta-llama\/Llama-2-70b-hf \(68\.98 B params\) · lora r=8 · bf16-true/);
    assert.match(r.stdout, /\n {2}model weights +\d+\.\d\d GiB {3}68\.98 B params × 2 bytes\n/);
    assert.match(r.stdout, /✗ does not fit +GeForce RTX 3060 12GB \(12\.0 GiB total\)/);
    assert.match(r.stdout, /What would make it fit the RTX 3060 12GB:\nNo change to the config makes it fit one RTX 3060 12GB: even with /);
    assert.match(
      r.stdout,
      /\n {2}Offload to the CPU: .* on the RTX 3060 12GB with FSDP and CPU offload \(≈ \d+ GiB of CPU RAM\): ≈ \d+\.\d GiB \(up to \d+\.\d\)\n/,
    );
    assert.match(r.stdout, /\n {2}A rented GPU: .* on one /);
  });

  it('without --gpu and without nvidia-smi, a representative set, said so; exit 0', () => {
    const dir = workspace({ 'setup.json': JSON.stringify(SETUP_7B_QLORA) });
    const r = ftw(['vram', 'setup.json'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /✓ fits +GeForce RTX 3060 12GB/);
    assert.match(r.stdout, /\(GPUs: a representative set; name yours with --gpu "RTX 3090"\)/);
  });

  it("this machine's GPUs come from nvidia-smi when no --gpu is given", () => {
    const dir = workspace({ 'setup.json': JSON.stringify(SETUP_7B_QLORA) });
    const smi = join(dir, 'nvidia-smi');
    writeFileSync(smi, '#!/bin/sh\necho "NVIDIA GeForce RTX 4090, 24564, 8.9"\necho "NVIDIA GeForce RTX 4090, 24564, 8.9"\n');
    chmodSync(smi, 0o755);
    const r = ftw(['vram', 'setup.json', '--json'], dir, smi);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { gpus: unknown }).gpus, [
      { name: 'GeForce RTX 4090', usableBytes: 24564 * 2 ** 20 - 2 ** 30, fits: true, verdict: 'fits' },
    ]);
  });

  it('--gpus N is the launcher GPU count: ZeRO-3 divides the model states', () => {
    const dir = workspace({
      'setup.json': JSON.stringify({ model: 'meta-llama/Llama-2-7b-hf', method: 'full', sharding: 'zero3', gradientCheckpointing: true }),
    });
    const one = JSON.parse(ftw(['vram', 'setup.json', '--json'], dir).stdout) as { peakBytes: number };
    const eight = JSON.parse(ftw(['vram', 'setup.json', '--json', '--gpus', '8'], dir).stdout) as { peakBytes: number; setup: { gpus: number } };
    assert.equal(eight.setup.gpus, 8);
    assert.ok(eight.peakBytes < one.peakBytes / 3, `${eight.peakBytes} vs ${one.peakBytes}`);
  });

  it('bad input: a clear message and exit 2, never a stack trace', () => {
    const dir = workspace({
      'bad-field.json': JSON.stringify({ model: 'meta-llama/Llama-2-7b-hf', microBatchSize: 0 }),
      'bad-enum.json': JSON.stringify({ model: 'meta-llama/Llama-2-7b-hf', optimizer: 'adam' }),
      'unknown.json': JSON.stringify({ model: 'my-org/secret-model' }),
      'broken.json': '{"model": ',
      'nothing.yml': 'services:\n  web:\n    image: nginx\n',
      'ds.json': '{"zero_optimization": {"stage": 3}, "train_micro_batch_size_per_gpu": 1}',
      'nomodel.yml':
        'adapter: lora\nlora_r: 8\nsequence_len: 1024\nmicro_batch_size: 2\ngradient_accumulation_steps: 4\nlearning_rate: 0.0002\ndatasets:\n  - path: a\n    type: alpaca\n',
    });
    const cases: Array<[string[], RegExp]> = [
      [['vram', 'bad-field.json'], /^ftw: bad-field\.json: microBatchSize: must be an integer ≥ 1, got 0\n$/],
      [['vram', 'bad-enum.json'], /^ftw: bad-enum\.json: optimizer: must be one of "adamw", "adamw-fused", "adamw-8bit", .*got "adam"\n$/],
      [['vram', 'unknown.json'], /^ftw: unknown\.json: the model 'my-org\/secret-model' is not in the built-in catalog or the local Hugging Face cache\./],
      [['vram', 'broken.json'], /^ftw: broken\.json: not valid JSON: /],
      [['vram', 'nothing.yml'], /^ftw: nothing\.yml: neither a training config nor a TrainingSetup JSON/],
      [['vram', 'ds.json'], /^ftw: ds\.json: no estimate for this DeepSpeed file: /],
      [['vram', 'missing.yml'], /^ftw: missing\.yml: /],
      [['vram', 'unknown.json', '--gpu', 'GTX 9999'], /^ftw: unknown GPU 'GTX 9999'; known: /],
      [['vram'], /^ftw: vram needs exactly one CONFIG or SETUP\.json/],
      [['vram', 'unknown.json', '--gpus', 'two'], /^ftw: --gpus must be a whole number ≥ 1, not 'two'/],
    ];
    for (const [args, message] of cases) {
      const r = ftw(args, dir);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'stack trace');
    }
    const noModel = ftw(['vram', 'nomodel.yml'], dir);
    assert.equal(noModel.status, 2);
    assert.match(noModel.stderr, /^ftw: nomodel\.yml: no estimate for this Axolotl file: /);
  });

  it('a model from the local Hugging Face cache (config.json + model.safetensors.index.json), never the network', () => {
    const snap = '.hf/hub/models--my-org--tiny-llama/snapshots/abc123';
    const dir = workspace({
      [`${snap}/config.json`]: JSON.stringify({
        model_type: 'llama',
        hidden_size: 1024,
        num_hidden_layers: 8,
        num_attention_heads: 8,
        num_key_value_heads: 4,
        intermediate_size: 2816,
        vocab_size: 32000,
        hidden_act: 'silu',
        tie_word_embeddings: false,
        torch_dtype: 'bfloat16',
      }),
      [`${snap}/model.safetensors.index.json`]: JSON.stringify({ metadata: { total_size: 2 * 200_000_000 }, weight_map: {} }),
      'setup.json': JSON.stringify({ model: 'my-org/tiny-llama', method: 'full', precision: 'bf16-true' }),
    });
    const r = ftw(['vram', 'setup.json'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /my-org\/tiny-llama \(0\.20 B params\) · full · bf16-true/);
    assert.match(r.stdout, /model weights +0\.37 GiB {3}0\.20 B params × 2 bytes/);
  });

  it('ftw check --gpu reports FT401 on the model of a config that does not fit', () => {
    const dir = workspace({ 'train.yml': AXOLOTL_70B });
    const r = ftw(['check', 'train.yml', '--gpu', 'RTX 3060 12GB', '--format', 'json'], dir);
    const problems = JSON.parse(r.stdout) as Array<{ code: string; range: { start: { line: number; character: number } }; severity: string; fixable: boolean }>;
    const p = problems.find((x) => x.code === 'FT401')!;
    assert.ok(p, r.stdout);
    // Not fixable by `ftw fix`: no single change fits, and changing the method is the user's decision.
    assert.deepEqual([p.range.start, p.severity, p.fixable], [{ line: 0, character: 12 }, 'warning', false]);
    assert.equal(ftw(['check', 'train.yml', '--format', 'json'], dir).stdout.includes('FT401'), false, 'no --gpu, no VRAM warning');
  });
});

describe('nvidia-smi output', () => {
  it('one entry per kind of GPU, vendor prefix dropped, compute capability kept', () => {
    assert.deepEqual(parseNvidiaSmi('NVIDIA A100-SXM4-80GB, 81920, 8.0\nNVIDIA A100-SXM4-80GB, 81920, 8.0\nTesla T4, 15360, 7.5\n\ngarbage line\n'), [
      { name: 'A100-SXM4-80GB', aliases: [], computeCapability: 8.0, memoryGiB: 80, smiMiB: 81920 },
      { name: 'Tesla T4', aliases: [], computeCapability: 7.5, memoryGiB: 15, smiMiB: 15360 },
    ]);
  });
  it('an old driver without compute_cap: taken from the catalog', () => {
    assert.equal(parseNvidiaSmi('NVIDIA GeForce RTX 3090, 24576, [N/A]')[0].computeCapability, 8.6);
  });
});
