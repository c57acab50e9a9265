/**
 * FSDP with frozen units and reentrant checkpointing keeps every layer's input gradient to the end of backward
 * (docs/vram.md §4.8, terms.ts retainedInputGradients). The model below is deep and narrow so that this phase
 * (recomputed layer + kept gradients) outgrows the loss's buffers, which is what happens with Llama-2-70B.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../server/src/core/config/parse';
import type { FormatId } from '../../server/src/core/common/formats';
import type { AdaptedSetup, NoSetup } from '../../server/src/core/vram/adapterTypes';
import { setupFromConfig } from '../../server/src/core/vram/adapters';
import { estimate, type Estimate } from '../../server/src/core/vram/estimate';
import { resolveSetup, SetupError, type TrainingSetupInput } from '../../server/src/core/vram/setup';

const DEEP = {
  hiddenSize: 64,
  layers: 40,
  attentionHeads: 4,
  kvHeads: 4,
  headDim: 16,
  intermediateSize: 128,
  vocabSize: 300,
  tiedEmbeddings: false,
  mlp: 'gated' as const,
};
const TOKENS = 2 * 128;
const LABEL = 'layer input gradients FSDP keeps';

function est(input: Partial<TrainingSetupInput>): Estimate {
  return estimate(
    resolveSetup({
      model: DEEP,
      method: 'lora',
      lora: { rank: 8, targets: ['q_proj', 'v_proj'] },
      precision: 'bf16-true',
      microBatchSize: 2,
      sequenceLength: 128,
      gradientCheckpointing: true,
      gpus: 2,
      sharding: 'fsdp',
      ...input,
    }),
  );
}

function line(e: Estimate, label: string): number {
  return e.lines.filter((l) => l.label.startsWith(label)).reduce((s, l) => s + l.bytes, 0);
}

describe('FSDP input gradients kept under reentrant checkpointing', () => {
  it('counts (layers − 1) × tokens × hidden × residual bytes for LoRA and QLoRA', () => {
    assert.equal(line(est({}), LABEL), 39 * TOKENS * 64 * 2);
    assert.equal(line(est({ method: 'qlora', quantization: 'nf4' }), LABEL), 39 * TOKENS * 64 * 2);
  });

  it('is absent where the code does not keep them', () => {
    assert.equal(line(est({ checkpointing: 'non-reentrant' }), LABEL), 0, 'non-reentrant checkpointing');
    assert.equal(line(est({ gradientCheckpointing: false }), LABEL), 0, 'no checkpointing');
    assert.equal(line(est({ sharding: 'ddp' }), LABEL), 0, 'DDP');
    assert.equal(line(est({ sharding: 'zero3' }), LABEL), 0, 'ZeRO-3');
    assert.equal(line(est({ gpus: 1, sharding: 'none' }), LABEL), 0, 'one GPU');
    assert.equal(line(est({ method: 'full', lora: undefined }), LABEL), 0, 'full fine-tune: every unit has a trainable flat parameter');
  });

  it('peaks at the end of backward with the recomputed layer, when that outgrows the logits', () => {
    const reentrant = est({});
    const plain = est({ checkpointing: 'non-reentrant' });
    const kept = line(reentrant, LABEL);
    const working = line(reentrant, 'one layer recomputed in backward');
    const logits = line(reentrant, 'logits and cross-entropy buffers');
    assert.ok(working + kept > logits && working < logits, 'the test model puts the two phases on either side');
    // Without the kept gradients the loss's buffers are the larger phase (the recomputed layer is left out); with
    // them, the backward's end is (the logits are left out).
    assert.equal(reentrant.allocatedBytes - plain.allocatedBytes, working + kept - logits);
  });

  it('reads the checkpointing kind from the setup and refuses others', () => {
    assert.equal(resolveSetup({ model: DEEP }).checkpointing, 'reentrant');
    assert.equal(resolveSetup({ model: DEEP, checkpointing: 'non-reentrant' }).checkpointing, 'non-reentrant');
    assert.throws(
      () => resolveSetup({ model: DEEP, checkpointing: 'selective' }),
      (e: unknown) => e instanceof SetupError && e.path === 'checkpointing',
    );
  });
});

function adapt(format: FormatId, text: string): AdaptedSetup {
  const parsed = parseConfig(text, 'yaml');
  const r: AdaptedSetup | NoSetup = setupFromConfig({ format, value: parsed.value as Record<string, unknown>, path: '/w/train.yml', roots: ['/w'] });
  assert.ok(!('reason' in r), `expected a setup, got: ${'reason' in r ? r.reason : ''}`);
  return r;
}

describe('adapters: reentrant or not', () => {
  it('HF-style configs say use_reentrant: false in gradient_checkpointing_kwargs', () => {
    const off = adapt('trl', 'model_name_or_path: m/x\ngradient_checkpointing: true\ngradient_checkpointing_kwargs:\n  use_reentrant: false');
    assert.equal(off.setup.checkpointing, 'non-reentrant');
    assert.deepEqual(off.sources.checkpointing, ['gradient_checkpointing_kwargs', 'use_reentrant']);
    assert.equal(adapt('trl', 'model_name_or_path: m/x\ngradient_checkpointing: true').setup.checkpointing, undefined);
    assert.equal(
      adapt('axolotl', 'base_model: m/x\ngradient_checkpointing: true\ngradient_checkpointing_kwargs:\n  use_reentrant: false').setup.checkpointing,
      'non-reentrant',
    );
    assert.equal(
      adapt('axolotl', 'base_model: m/x\ngradient_checkpointing: true\ngradient_checkpointing_kwargs:\n  use_reentrant: true').setup.checkpointing,
      undefined,
    );
  });
  it("LLaMA-Factory's use_reentrant_gc: false", () => {
    assert.equal(
      adapt('llamafactory', 'model_name_or_path: m/x\ndataset: d\nfinetuning_type: lora\nuse_reentrant_gc: false').setup.checkpointing,
      'non-reentrant',
    );
  });
  it('torchtune checkpoints without reentrancy', () => {
    const r = adapt(
      'torchtune',
      'model:\n  _component_: torchtune.models.llama3_1.lora_llama3_1_8b\nenable_activation_checkpointing: true\nbatch_size: 2\noptimizer:\n  _component_: torch.optim.AdamW\n  lr: 3e-4',
    );
    assert.equal(r.setup.checkpointing, 'non-reentrant');
  });
});
