/**
 * The runs measure.py makes on a GPU (issue 13): models built from catalog dimensions with random weights, a few
 * real optimizer steps each, chosen to separate the estimator's terms (sequence length, micro batch, checkpointing,
 * full vs LoRA, foreach vs fused AdamW, sdpa vs eager, packed vs padded batches, AMP vs bf16 weights), 0.5B to 8B,
 * with an 8B full fine-tune that must run out of memory on an 80 GB card. Ordered small to large so that a run cut
 * short by the time limit still has the cheap rows.
 *
 *   npm run --silent compile && node out/test/gpu/setups.js > test/gpu/setups.json
 *
 * The JSON is committed (the GPU machine has Python, not Node); test/unit/gpuSetups.test.ts checks it is current.
 */
import { catalogModel } from '../../server/src/core/vram/models';
import type { ModelDims } from '../../server/src/core/vram/modelTypes';
import { resolveSetup, type TrainingSetupInput } from '../../server/src/core/vram/setup';

export interface GpuRun {
  id: string;
  /** What this run isolates, in words. */
  purpose: string;
  setup: Omit<TrainingSetupInput, 'model'> & { model: ModelDims & { name: string } };
}

/** A Llama-shaped model with a catalog model's dimensions (measure.py builds it with LlamaConfig). */
function llamaShaped(id: string): ModelDims & { name: string } {
  const m = catalogModel(id);
  if (!m) throw new Error(`${id} is not in the catalog`);
  const { parameters: _published, ...dims } = m.dims;
  // Built as a Llama, the count is the Llama layout's (no biases): let resolveSetup compute it from the dims.
  return { name: `llama-shaped ${id.split('/').pop()}`, ...dims, mlp: 'gated', architecture: 'decoder' } as ModelDims & { name: string };
}

const SMALL = llamaShaped('Qwen/Qwen2.5-0.5B');
const MID = llamaShaped('Qwen/Qwen2.5-1.5B');
const LARGE = llamaShaped('meta-llama/Llama-3.2-3B');
const EIGHT = llamaShaped('meta-llama/Meta-Llama-3-8B');

const base = { precision: 'bf16-true', attention: 'sdpa', optimizer: 'adamw', packed: true } as const;
const lora = { method: 'lora', lora: { rank: 16, alpha: 32, targets: 'all-linear' } } as const;

const RUNS: Array<Omit<GpuRun, 'id'>> = [];
const add = (purpose: string, setup: GpuRun['setup']) => RUNS.push({ purpose, setup });

for (const model of [SMALL, MID]) {
  for (const seq of [512, 2048, 8192])
    add('sequence length (LoRA, checkpointing)', { model, ...base, ...lora, microBatchSize: 1, sequenceLength: seq, gradientCheckpointing: true });
  for (const seq of [512, 2048])
    add('sequence length without checkpointing', { model, ...base, ...lora, microBatchSize: 1, sequenceLength: seq, gradientCheckpointing: false });
}
for (const mbs of [2, 4, 8])
  add('micro batch (LoRA, checkpointing)', { model: MID, ...base, ...lora, microBatchSize: mbs, sequenceLength: 2048, gradientCheckpointing: true });
for (const model of [SMALL, MID]) {
  for (const gc of [true, false]) {
    add('full fine-tune, foreach AdamW', { model, ...base, method: 'full', microBatchSize: 2, sequenceLength: 2048, gradientCheckpointing: gc });
    add('full fine-tune, fused AdamW', {
      model,
      ...base,
      method: 'full',
      optimizer: 'adamw-fused',
      microBatchSize: 2,
      sequenceLength: 2048,
      gradientCheckpointing: gc,
    });
  }
}
add('AMP: fp32 weights under bf16 autocast (full)', {
  model: SMALL,
  ...base,
  method: 'full',
  precision: 'bf16-mixed',
  microBatchSize: 2,
  sequenceLength: 2048,
  gradientCheckpointing: true,
});
add('AMP: fp32 frozen base under bf16 autocast (LoRA)', {
  model: SMALL,
  ...base,
  ...lora,
  precision: 'bf16-mixed',
  microBatchSize: 2,
  sequenceLength: 2048,
  gradientCheckpointing: true,
});
for (const seq of [1024, 2048])
  add('eager attention', { model: MID, ...base, ...lora, attention: 'eager', microBatchSize: 1, sequenceLength: seq, gradientCheckpointing: false });
add('padded batches (LoRA)', { model: MID, ...base, ...lora, packed: false, microBatchSize: 4, sequenceLength: 2048, gradientCheckpointing: true });
add('padded batches (full)', { model: SMALL, ...base, method: 'full', packed: false, microBatchSize: 4, sequenceLength: 2048, gradientCheckpointing: true });
add('padded batches, no checkpointing', { model: MID, ...base, ...lora, packed: false, microBatchSize: 2, sequenceLength: 2048, gradientCheckpointing: false });
// Evaluation between steps with a larger eval batch (HF's per_device_eval_batch_size defaults to 8): its logits.
add('evaluation: eval batch 8 after training at micro batch 1 (LoRA, checkpointing)', {
  model: MID,
  ...base,
  ...lora,
  microBatchSize: 1,
  evalMicroBatchSize: 8,
  sequenceLength: 2048,
  gradientCheckpointing: true,
});
add('evaluation: eval batch 4, padded (LoRA, checkpointing)', {
  model: SMALL,
  ...base,
  ...lora,
  packed: false,
  microBatchSize: 1,
  evalMicroBatchSize: 4,
  sequenceLength: 2048,
  gradientCheckpointing: true,
});
add('3B LoRA, long sequences', { model: LARGE, ...base, ...lora, microBatchSize: 2, sequenceLength: 4096, gradientCheckpointing: true });
add('3B LoRA, padded', { model: LARGE, ...base, ...lora, packed: false, microBatchSize: 2, sequenceLength: 4096, gradientCheckpointing: true });
add('3B full fine-tune', { model: LARGE, ...base, method: 'full', microBatchSize: 1, sequenceLength: 2048, gradientCheckpointing: true });
add('8B LoRA', { model: EIGHT, ...base, ...lora, microBatchSize: 2, sequenceLength: 2048, gradientCheckpointing: true });
add('8B LoRA, 8k tokens', { model: EIGHT, ...base, ...lora, microBatchSize: 1, sequenceLength: 8192, gradientCheckpointing: true });
add('8B full fine-tune (out of memory on 80 GB: weights, gradients, AdamW states and the foreach step exceed it)', {
  model: EIGHT,
  ...base,
  method: 'full',
  microBatchSize: 1,
  sequenceLength: 1024,
  gradientCheckpointing: true,
});

export function gpuRuns(): GpuRun[] {
  return RUNS.map((r, i) => {
    resolveSetup(r.setup); // every run is a valid TrainingSetup
    return { id: `run${String(i + 1).padStart(2, '0')}`, ...r };
  });
}

if (require.main === module) process.stdout.write(`${JSON.stringify(gpuRuns(), null, 1)}\n`);
