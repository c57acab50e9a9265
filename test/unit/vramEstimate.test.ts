/**
 * The VRAM estimator term by term (docs/vram.md). Expected values are written out as arithmetic on small explicit
 * model dimensions, so each one can be checked by hand against the formulas in docs/vram.md.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findGpu, type GpuInfo } from '../../server/src/core/gpus/catalog';
import { estimate, GiB, loraParameters, MiB, reservedOn, type Estimate, type EstimateOptions } from '../../server/src/core/vram/estimate';
import { dimsFromHfConfig, parametersFromDims, resolveModel, UnknownModelError } from '../../server/src/core/vram/models';
import { resolveSetup, SetupError, type TrainingSetupInput } from '../../server/src/core/vram/setup';

/**
 * A tiny Llama-shaped model. Its parts, by the formulas of models.ts / estimate.ts:
 *   embedding  1000 × 64                         =  64,000
 *   LM head    1000 × 64 (untied)                =  64,000
 *   attention  per layer 4 × 64 × 64             =  16,384   (q, k, v, o; 4 heads × 16 = 64)
 *   MLP        per layer 3 × 64 × 128            =  24,576   (gate, up, down)
 *   linear     2 layers × (16,384 + 24,576)      =  81,920
 *   norms      2 layers × 2 × 64 + 64 (final)    =     320
 *   total      64,000 + 64,000 + 81,920 + 320    = 210,240
 */
const TINY = {
  hiddenSize: 64,
  layers: 2,
  attentionHeads: 4,
  kvHeads: 4,
  headDim: 16,
  intermediateSize: 128,
  vocabSize: 1000,
  tiedEmbeddings: false,
  mlp: 'gated' as const,
};
const P = 210_240;
const LINEAR = 81_920;
const UNQUANTIZED = 64_000 + 64_000 + 320; // embedding + head + norms = 128,320
/** Bytes kept per token per layer for the gated MLP in 16-bit: 24h + 4·kv·hd + 8·I = 1536 + 256 + 1024. */
const GATED_TOKEN_LAYER = 24 * 64 + 4 * 4 * 16 + 8 * 128; // 2,816
const TOKENS = 1 * 128;
/** The final norm keeps an fp32 copy of its input: tokens × hidden × 4. */
const FINAL_NORM = TOKENS * 64 * 4; // 32,768

/** Llama-2-7B as in the catalog (research §3.1). */
const LLAMA2_7B = {
  hiddenSize: 4096,
  layers: 32,
  attentionHeads: 32,
  kvHeads: 32,
  headDim: 128,
  intermediateSize: 11008,
  vocabSize: 32000,
  tiedEmbeddings: false,
  mlp: 'gated' as const,
};

function est(input: Partial<TrainingSetupInput>, options: EstimateOptions = {}): Estimate {
  return estimate(resolveSetup({ model: TINY, microBatchSize: 1, sequenceLength: 128, precision: 'bf16-true', ...input }), options);
}

/** Bytes of the breakdown lines whose label starts with `label` (0 when there is none). */
function line(e: Estimate, label: string): number {
  return e.lines.filter((l) => l.label.startsWith(label)).reduce((s, l) => s + l.bytes, 0);
}

function near(actual: number, expected: number, what = ''): void {
  assert.ok(Math.abs(actual - expected) <= Math.max(1e-6, Math.abs(expected) * 1e-12), `${what} expected ${expected}, got ${actual}`);
}

function setupError(raw: unknown): { message: string; path: string } {
  try {
    resolveSetup(raw);
  } catch (e) {
    assert.ok(e instanceof SetupError, `expected a SetupError, got ${String(e)}`);
    return { message: e.message, path: e.path };
  }
  assert.fail('resolveSetup did not throw');
}

function gpu(name: string): GpuInfo {
  const g = findGpu(name);
  assert.ok(g, `GPU ${name} in the catalog`);
  return g;
}

describe('vram: model dimensions', () => {
  it('parametersFromDims of the tiny model', () => assert.equal(parametersFromDims(TINY), P));
  it('parametersFromDims of Llama-2-7B is exactly 6,738,415,616 (research §3.1)', () => {
    // 2 × 32000 × 4096 (embedding + head) + 32 × (4·4096² + 3·4096·11008 + 2·4096) + 4096
    const expected = 2 * 32000 * 4096 + 32 * (4 * 4096 * 4096 + 3 * 4096 * 11008 + 2 * 4096) + 4096;
    assert.equal(expected, 6_738_415_616);
    assert.equal(parametersFromDims(LLAMA2_7B), 6_738_415_616);
  });
  it('a tiny model given by its dimensions resolves with the computed parameter count', () => {
    const m = resolveModel(TINY);
    assert.equal(m.origin, 'explicit');
    assert.equal(m.name, 'custom model');
    assert.equal(m.dims.parameters, P);
  });
});

describe('vram: weights', () => {
  it('fp32: 4 bytes per parameter', () => assert.equal(est({ precision: 'fp32' }).components.weights, P * 4));
  it('bf16-true: 2 bytes per parameter', () => assert.equal(est({ precision: 'bf16-true' }).components.weights, P * 2));
  it('fp16-true: 2 bytes per parameter', () => assert.equal(est({ precision: 'fp16-true' }).components.weights, P * 2));
  it("bf16-mixed: fp32 weights (4 bytes) and autocast's cached 16-bit copies of every linear and the LM head", () => {
    const e = est({ precision: 'bf16-mixed' });
    assert.equal(e.components.weights, P * 4);
    assert.equal(line(e, 'autocast 16-bit weight copies'), (LINEAR + 64_000) * 2); // 291,840
  });
  it("a frozen fp32 base (LoRA under bf16-mixed) is not cached: every layer's copy is kept for backward, one layer's with checkpointing", () => {
    assert.equal(line(est({ method: 'lora', precision: 'bf16-mixed' }), 'autocast 16-bit weight copies'), (LINEAR + 64_000) * 2);
    assert.equal(
      line(est({ method: 'lora', precision: 'bf16-mixed', gradientCheckpointing: true }), 'autocast 16-bit weight copies'),
      (LINEAR / 2 + 64_000) * 2,
    ); // 145,920
  });
  it('FSDP and DeepSpeed gather 16-bit weights: no autocast copies', () => {
    assert.equal(line(est({ precision: 'bf16-mixed', gpus: 2, sharding: 'fsdp' }), 'autocast'), 0);
    assert.equal(line(est({ precision: 'bf16-mixed', gpus: 2, sharding: 'zero2' }), 'autocast'), 0);
  });
  it('bf16-true has no autocast copies', () => assert.equal(line(est({}), 'autocast'), 0));
  it('Llama-2-7B in bf16: 6,738,415,616 × 2 bytes', () => {
    const e = estimate(resolveSetup({ model: 'meta-llama/Llama-2-7b-hf', precision: 'bf16-true' }));
    assert.equal(e.components.weights, 6_738_415_616 * 2);
  });

  it('NF4 without double quantization: 4.5 bits per linear weight, embeddings/head/norms in 16-bit, LoRA adapters', () => {
    const e = est({ method: 'qlora', quantization: 'nf4', doubleQuant: false });
    assert.equal(line(e, 'NF4 linear weights'), (LINEAR * 4.5) / 8); // 46,080
    assert.equal(line(e, 'unquantized embeddings'), UNQUANTIZED * 2); // 256,640
    // LoRA q_proj + v_proj, r 8: 2 layers × 2 modules × 8 × (64 + 64) = 4,096 params × 2 bytes
    assert.equal(line(e, 'LoRA adapters'), 4096 * 2);
    assert.equal(e.components.weights, (LINEAR * 4.5) / 8 + UNQUANTIZED * 2 + 4096 * 2); // 310,912
  });
  it('NF4 with double quantization: 4.127 bits per linear weight', () => {
    const e = est({ method: 'qlora', quantization: 'nf4', doubleQuant: true });
    near(line(e, 'NF4 linear weights'), (LINEAR * 4.127) / 8); // 42,260.48
    near(e.components.weights, (LINEAR * 4.127) / 8 + UNQUANTIZED * 2 + 4096 * 2);
  });
  it('k-bit training under bf16-mixed upcasts the unquantized parts to fp32 (research §1.10)', () => {
    const e = est({ method: 'qlora', precision: 'bf16-mixed' });
    assert.equal(line(e, 'unquantized embeddings'), UNQUANTIZED * 4); // 513,280
    assert.equal(line(e, 'LoRA adapters'), 4096 * 4); // fp32 adapters
    // quantized layers dequantize themselves; only the fp32 LM head is cast (and kept for backward)
    assert.equal(line(e, 'autocast'), 64_000 * 2);
  });
  it('k-bit training under bf16-mixed runs the residual stream and the MLP outputs in fp32', () => {
    const mixed = est({ method: 'qlora', precision: 'bf16-mixed', gradientCheckpointing: true });
    const pure = est({ method: 'qlora', precision: 'bf16-true', gradientCheckpointing: true });
    assert.equal(line(mixed, 'layer checkpoints'), TOKENS * 2 * 64 * 4);
    assert.equal(line(pure, 'layer checkpoints'), TOKENS * 2 * 64 * 2);
    // + 6·I per token per layer: gate, up and the activation output in fp32; LoRA inputs (q, v: (64 + 8) each) in fp32 vs bf16
    assert.equal(line(mixed, 'one layer recomputed') - line(pure, 'one layer recomputed'), TOKENS * (6 * 128 + 2 * 72 * 4 - 2 * 72 * 2));
  });
  it('int8 (LLM.int8): 8 bits + one fp32 scale per row of hidden inputs', () => {
    const e = est({ method: 'lora', quantization: 'int8' });
    assert.equal(line(e, 'INT8 linear weights'), (LINEAR * (8 + 32 / 64)) / 8); // 87,040
  });
  it('fp4 is stored like NF4', () => {
    assert.equal(line(est({ method: 'qlora', quantization: 'fp4' }), 'FP4 linear weights'), (LINEAR * 4.5) / 8);
  });
  it('the dequantized copy of the largest linear, forward and backward', () => {
    // largest linear = max(64 × 128, 64 × 4 × 16) = 8,192 params; 2 copies × 2 bytes
    assert.equal(line(est({ method: 'qlora' }), 'dequantized weight'), 2 * 8192 * 2);
  });
});

describe('vram: trainable parameters', () => {
  it('LoRA q_proj + v_proj, r 8, on Llama-2-7B: exactly 4,194,304 (research §5.2)', () => {
    const e = estimate(resolveSetup({ model: 'meta-llama/Llama-2-7b-hf', method: 'lora' }));
    const expected = 32 * 2 * 8 * (4096 + 4096); // layers × modules × r × (in + out)
    assert.equal(expected, 4_194_304);
    assert.equal(e.trainableParameters, expected);
    assert.equal(e.totalParameters, 6_738_415_616);
  });
  it('LoRA all-linear, r 8, on Llama-2-7B: 19,988,480 (what PEFT prints)', () => {
    const d = resolveModel('meta-llama/Llama-2-7b-hf').dims;
    // per layer: 4 attention projections × 8 × (4096 + 4096) + 3 MLP projections × 8 × (4096 + 11008)
    const expected = 32 * (4 * 8 * (4096 + 4096) + 3 * 8 * (4096 + 11008));
    assert.equal(expected, 19_988_480);
    assert.equal(loraParameters(d, 8, 'all-linear').params, expected);
  });
  it('LoRA all-linear on the tiny model', () => {
    // per layer: 4 × 8 × (64 + 64) + 2 × 8 × (64 + 128) + 8 × (128 + 64) = 4,096 + 3,072 + 1,536
    const expected = 2 * (4 * 8 * 128 + 2 * 8 * 192 + 8 * 192);
    assert.equal(est({ method: 'lora', lora: { targets: 'all-linear' } }).trainableParameters, expected); // 17,408
  });
  it('LoRA on a plain-MLP model: all-linear means q, k, v, o, fc1, fc2', () => {
    const d = { ...resolveModel({ ...TINY, mlp: 'plain' }).dims };
    // per layer: 4 × 16 × (64 + 64) + 16 × (64 + 128) + 16 × (128 + 64)
    assert.equal(loraParameters(d, 16, 'all-linear').params, 2 * (4 * 16 * 128 + 2 * 16 * 192));
  });
  it('LoRA on lm_head: r × (hidden + vocab); unknown module names are reported', () => {
    const d = resolveModel(TINY).dims;
    const r = loraParameters(d, 4, ['lm_head', 'not_a_module']);
    assert.equal(r.params, 4 * (64 + 1000));
    assert.deepEqual(r.unknown, ['not_a_module']);
  });
  it('LoRA with trainEmbeddings trains the embedding and head in full', () => {
    assert.equal(est({ method: 'lora', lora: { trainEmbeddings: true } }).trainableParameters, 4096 + 64_000 + 64_000);
  });
  it('bottleneck adapters: layers × 2 × (2·h·b + b + h)', () => {
    const e = est({ method: 'adapter' }); // bottleneck 64 by default
    assert.equal(e.trainableParameters, 2 * 2 * (2 * 64 * 64 + 64 + 64)); // 33,280
  });
  it('prefix tuning: virtual tokens × layers × 2 × kv heads × head dim', () => {
    assert.equal(est({ method: 'prefix' }).trainableParameters, 20 * 2 * 2 * 4 * 16); // 5,120
  });
  it('freeze: the trainable layers whole (linear + norms)', () => {
    // per layer (81,920 + 320) / 2 = 41,120
    assert.equal(est({ method: 'freeze', trainableLayers: 1 }).trainableParameters, (LINEAR + 320) / 2);
  });
});

describe('vram: gradients and optimizer states', () => {
  it('full bf16-true: gradients 2 bytes, AdamW states 2 × 2 bytes per parameter', () => {
    const e = est({});
    assert.equal(e.components.gradients, P * 2);
    assert.equal(e.components.optimizer, P * 4);
  });
  it('full bf16-mixed: gradients 4 bytes, AdamW states 8 bytes per parameter', () => {
    const e = est({ precision: 'bf16-mixed' });
    assert.equal(e.components.gradients, P * 4);
    assert.equal(e.components.optimizer, P * 8);
  });
  it('LoRA bf16-mixed: only the adapters, in fp32 (4 + 8 bytes)', () => {
    const e = est({ method: 'lora', precision: 'bf16-mixed' });
    assert.equal(e.components.gradients, 4096 * 4);
    assert.equal(e.components.optimizer, 4096 * 8);
  });
  it('8-bit AdamW: 2 bytes per parameter', () => assert.equal(est({ optimizer: 'adamw-8bit', precision: 'bf16-mixed' }).components.optimizer, P * 2));
  it('SGD: one state in the parameter dtype', () => assert.equal(est({ optimizer: 'sgd', precision: 'bf16-mixed' }).components.optimizer, P * 4));
  it('Adafactor: factored second moment, (8 / hidden) × 4 bytes per parameter', () => {
    assert.equal(est({ optimizer: 'adafactor' }).components.optimizer, P * (8 / 64) * 4); // 105,120
  });
  it('AdamW < SGD < 8-bit ordering of states: adamw 8, sgd 4, 8-bit 2 bytes (bf16-mixed)', () => {
    const [a, s, b] = (['adamw', 'sgd', 'adamw-8bit'] as const).map((o) => est({ optimizer: o, precision: 'bf16-mixed' }).components.optimizer);
    assert.ok(a > s && s > b);
  });
  it('paged AdamW moves the states out of the total into pagedBytes', () => {
    const plain = est({ precision: 'bf16-mixed' });
    const paged = est({ optimizer: 'paged-adamw', precision: 'bf16-mixed' });
    assert.equal(paged.components.optimizer, 0);
    assert.equal(paged.pagedBytes, P * 8);
    assert.equal(plain.pagedBytes, 0);
    near(plain.allocatedBytes - paged.allocatedBytes, P * 8);
    assert.ok(paged.notes.some((n) => n.startsWith('paged optimizer')));
  });
  it('paged 8-bit AdamW: 2 bytes per parameter, paged', () => {
    const e = est({ optimizer: 'paged-adamw-8bit' });
    assert.equal(e.components.optimizer, 0);
    assert.equal(e.pagedBytes, P * 2);
  });

  for (const sharding of ['zero2', 'zero3', 'fsdp'] as const) {
    it(`${sharding} over 4 GPUs shards gradients and optimizer states`, () => {
      const e = est({ gpus: 4, sharding });
      assert.equal(e.components.gradients, (P * 2) / 4);
      assert.equal(e.components.optimizer, (P * 4) / 4);
    });
  }
  it('zero1 shards the optimizer only', () => {
    const e = est({ gpus: 4, sharding: 'zero1' });
    assert.equal(e.components.gradients, P * 2);
    assert.equal(e.components.optimizer, (P * 4) / 4);
    assert.equal(e.components.weights, P * 2);
  });
  it('zero3 and fsdp shard the weights; zero2 does not', () => {
    assert.equal(est({ gpus: 4, sharding: 'zero3' }).components.weights, (P * 2) / 4);
    assert.equal(est({ gpus: 4, sharding: 'fsdp' }).components.weights, (P * 2) / 4);
    assert.equal(est({ gpus: 4, sharding: 'zero2' }).components.weights, P * 2);
  });
  it('ZeRO under mixed precision adds a sharded fp32 master copy (research §1.2)', () => {
    // (AdamW 8 bytes + master 4 bytes) × P ÷ 4 GPUs
    assert.equal(est({ gpus: 4, sharding: 'zero2', precision: 'bf16-mixed' }).components.optimizer, (P * 8) / 4 + (P * 4) / 4);
  });
  it('offloading the optimizer removes optimizer states and gradients from the GPU', () => {
    const e = est({ gpus: 2, sharding: 'zero2', offload: 'optimizer' });
    assert.equal(e.components.optimizer, 0);
    assert.equal(e.components.gradients, 0);
    assert.equal(e.components.weights, P * 2);
  });
  it('offloading everything (zero3) also removes the weights', () => {
    const e = est({ gpus: 2, sharding: 'zero3', offload: 'all' });
    assert.equal(e.components.weights, 0);
    assert.equal(e.components.optimizer, 0);
    assert.equal(e.components.gradients, 0);
  });
  it('offloading everything moves the 4-bit codes off the GPU; the quantization statistics stay (FSDP-QLoRA with CPU offload)', () => {
    // QuantState (absmax, nested absmax, code book) is a tensor attribute, not a parameter: 0.127 bits per weight stay
    near(est({ method: 'qlora', doubleQuant: true, gpus: 2, sharding: 'fsdp', offload: 'all' }).components.weights, (LINEAR * (4.127 - 4)) / 8);
  });
  it('FSDP and ZeRO-3 shard the 4-bit codes and the unquantized parts, never the quantization statistics', () => {
    for (const sharding of ['fsdp', 'zero3'] as const) {
      const e = est({ method: 'qlora', doubleQuant: false, gpus: 2, sharding });
      near(line(e, 'NF4 linear weights'), (LINEAR * 4) / 8 / 2 + (LINEAR * 0.5) / 8, sharding); // 20,480 + 5,120
      near(line(e, 'unquantized embeddings'), (UNQUANTIZED * 2) / 2, sharding);
    }
  });
  it('DDP on 2 GPUs adds one gradient-sized bucket', () => {
    const e = est({ gpus: 2 });
    assert.equal(e.setup.sharding, 'ddp');
    assert.equal(line(e, 'DDP gradient buckets'), P * 2);
    assert.equal(e.components.gradients, P * 2);
  });
});

describe('vram: activations', () => {
  it('gated MLP without checkpointing: tokens × layers × (24h + 4·kv·hd + 8·I) in bf16', () => {
    const e = est({});
    assert.equal(line(e, 'activations kept for backward'), TOKENS * 2 * GATED_TOKEN_LAYER); // 720,896
    assert.equal(e.components.activations, TOKENS * 2 * GATED_TOKEN_LAYER + FINAL_NORM);
    assert.equal(line(e, 'final norm'), FINAL_NORM);
  });
  it('in fp32 everything but the fp32 norm copies doubles: 8h + 2 × (24h − 8h + 4·kv·hd + 8·I)', () => {
    const perToken = 8 * 64 + 2 * (GATED_TOKEN_LAYER - 8 * 64); // 5,120
    assert.equal(line(est({ precision: 'fp32' }), 'activations kept for backward'), TOKENS * 2 * perToken);
  });
  // Korthikanti's 11h for attention includes a 1-byte dropout mask, which a model without dropout does not keep.
  it('plain MLP without dropout (bf16-true): 10h + 2h + 4·I + 4h (LayerNorms)', () => {
    const e = est({ model: { ...TINY, mlp: 'plain' } });
    assert.equal(line(e, 'activations kept for backward'), TOKENS * 2 * (10 * 64 + 2 * 64 + 4 * 128 + 4 * 64));
  });
  it('plain MLP with dropout: Korthikanti et al.’s 34·h for a 4h MLP (two 1-byte masks)', () => {
    const e = est({ model: { ...TINY, mlp: 'plain', intermediateSize: 256, dropout: true } });
    assert.equal(line(e, 'activations kept for backward'), TOKENS * 2 * 34 * 64);
  });
  it("checkpointing keeps tokens × layers × hidden × 2 bytes (the residual stream's dtype), plus one layer recomputed", () => {
    const e = est({ gradientCheckpointing: true });
    assert.equal(line(e, 'layer checkpoints'), TOKENS * 2 * 64 * 2); // 32,768
    assert.equal(line(e, 'one layer recomputed'), TOKENS * GATED_TOKEN_LAYER); // 360,448
    // the recomputed layer and the loss buffers do not peak together: the larger (logits) counts
    assert.equal(e.components.activations, TOKENS * 2 * 64 * 2 + FINAL_NORM);
    assert.equal(e.components.logits, TOKENS * 1000 * 14);
  });
  it("use_cache left on under outside checkpointing: every layer's keys and values live to the end of the forward, beside the logits", () => {
    // 2 layers × 128 tokens × 2 × 4 KV heads × 16 × 2 bytes = 32,768
    const kv = 2 * TOKENS * 2 * 4 * 16 * 2;
    const e = est({ gradientCheckpointing: true, kvCache: true });
    assert.equal(line(e, 'key/value cache'), kv);
    // The end of the forward (checkpoints + cache + logits) outgrows the backward (checkpoints + recomputed layer).
    const plain = est({ gradientCheckpointing: true });
    assert.equal(e.allocatedBytes - plain.allocatedBytes, kv);
    assert.equal(e.components.activations + e.components.logits, plain.components.activations + plain.components.logits + kv);
    // Where the recomputed layer is the larger phase, the cache (freed with the output before backward) adds nothing.
    const tinyVocab = { ...TINY, vocabSize: 10 };
    const a = est({ model: tinyVocab, gradientCheckpointing: true, kvCache: true });
    const b = est({ model: tinyVocab, gradientCheckpointing: true });
    assert.equal(a.allocatedBytes, b.allocatedBytes);
    // Without checkpointing the cache holds the tensors autograd saves anyway.
    assert.equal(line(est({ kvCache: true }), 'key/value cache'), 0);
    assert.equal(est({ kvCache: true }).allocatedBytes, est({}).allocatedBytes);
  });
  it('checkpointing each sublayer keeps four hidden states a layer and recomputes only the largest sublayer', () => {
    const e = est({ gradientCheckpointing: true, checkpointUnit: 'sublayer' });
    assert.equal(line(e, 'layer checkpoints'), TOKENS * 2 * 64 * 2 * 4);
    // MLP: input 2h + four I-wide tensors 8·I = 128 + 1,024; attention: 2,816 − 1,152 − 512 (fp32 norm copies) = 1,152
    assert.equal(line(e, 'one layer recomputed'), TOKENS * (2 * 64 + 8 * 128));
    assert.equal(line(est({ gradientCheckpointing: true, checkpointUnit: 'layer' }), 'layer checkpoints'), TOKENS * 2 * 64 * 2);
    assert.equal(resolveSetup({ model: TINY, checkpointUnit: 'layer' }).checkpointUnit, undefined);
    assert.deepEqual(setupError({ model: TINY, checkpointUnit: 'op' }), {
      message: 'checkpointUnit: must be one of "layer", "sublayer", got "op"',
      path: 'checkpointUnit',
    });
  });
  it('checkpointing in fp32, and under AMP (fp32 weights make an fp32 residual stream), keeps 4-byte checkpoints', () => {
    assert.equal(line(est({ gradientCheckpointing: true, precision: 'fp32' }), 'layer checkpoints'), TOKENS * 2 * 64 * 4);
    assert.equal(line(est({ gradientCheckpointing: true, precision: 'bf16-mixed' }), 'layer checkpoints'), TOKENS * 2 * 64 * 4);
    assert.equal(line(est({ gradientCheckpointing: true, precision: 'bf16-mixed', gpus: 2, sharding: 'fsdp' }), 'layer checkpoints'), TOKENS * 2 * 64 * 2);
  });
  it('eager attention adds the scores (fp32 softmax + bf16 probabilities: 6 bytes × heads × seq); sdpa does not', () => {
    const eager = est({ attention: 'eager' });
    const sdpa = est({ attention: 'sdpa' });
    const scores = TOKENS * 2 * (4 * 128 * (4 + 2)); // tokens × layers × heads × seq × 6 = 786,432
    assert.equal(line(eager, 'eager attention scores'), scores);
    assert.equal(line(sdpa, 'eager attention scores'), 0);
    assert.equal(line(est({ attention: 'flash' }), 'eager attention scores'), 0);
    assert.equal(eager.components.activations - sdpa.components.activations, scores);
  });
  it('freeze keeps activations only for the trainable layers', () => {
    const e = est({ method: 'freeze', trainableLayers: 1 });
    assert.equal(line(e, 'activations kept for backward'), TOKENS * 1 * GATED_TOKEN_LAYER);
    assert.equal(e.components.activations, TOKENS * 1 * GATED_TOKEN_LAYER + FINAL_NORM);
  });
  it('LoRA adds its inputs per adapted module: (in + r) values per token per layer', () => {
    // q_proj and v_proj: 2 × (64 + 8) values × 2 bytes (bf16-true adapters)
    const e = est({ method: 'lora' });
    assert.equal(line(e, 'activations kept for backward'), TOKENS * 2 * (GATED_TOKEN_LAYER + 2 * (64 + 8) * 2));
  });
});

describe('vram: evaluation during training', () => {
  it('an eval batch larger than the training one sets the peak with its logits, without gradients', () => {
    // TINY with a 50,000-entry vocabulary: eval batch 8 × 128 tokens × 50,000 × (2 + 8) bytes = 512,000,000
    const big = { ...TINY, vocabSize: 50_000 };
    const train = est({ model: big, method: 'lora', gradientCheckpointing: true });
    const e = est({ model: big, method: 'lora', gradientCheckpointing: true, evalMicroBatchSize: 8 });
    assert.equal(line(e, 'evaluation: logits'), 8 * 128 * 50_000 * 10);
    // one layer's temporaries: its input and the MLP's three wide tensors, 16-bit: (2·64 + 3·128) × 2 bytes a token
    assert.equal(line(e, "evaluation: one layer's"), 8 * 128 * (2 * 64 + 3 * 128) * 2);
    assert.equal(e.components.logits, 8 * 128 * 50_000 * 10);
    assert.equal(e.components.gradients, 0);
    // what persists, less the gradients (freed between steps), plus the evaluation's two lines
    const persistent = e.lines
      .filter((l) => !l.transient && l.label !== 'gradients' && !l.label.startsWith('allocator slack'))
      .reduce((sum, l) => sum + l.bytes, 0);
    assert.ok(e.allocatedBytes > train.allocatedBytes);
    near(e.allocatedBytes, persistent + 8 * 128 * 50_000 * 10 + 8 * 128 * (2 * 64 + 3 * 128) * 2, 'allocated');
    assert.ok(e.notes.some((n) => n.startsWith('evaluation sets the peak')));
    assert.ok(e.peakUpperBytes > e.peakBytes);
  });
  it('evaluating the training batch stays under the step; encoders have no eval logits', () => {
    const train = est({ gradientCheckpointing: true });
    const e = est({ gradientCheckpointing: true, evalMicroBatchSize: 1 });
    assert.equal(e.allocatedBytes, train.allocatedBytes);
    assert.equal(e.peakBytes, train.peakBytes);
    assert.ok(!e.notes.some((n) => n.startsWith('evaluation sets the peak')));
    assert.equal(line(est({ model: { ...TINY, architecture: 'encoder' }, evalMicroBatchSize: 64 }), 'evaluation'), 0);
  });
  it('the eval batch is validated like the training one', () => {
    assert.deepEqual(setupError({ model: TINY, evalMicroBatchSize: 0 }).path, 'evalMicroBatchSize');
    assert.equal(resolveSetup({ model: TINY }).evalMicroBatchSize, undefined);
  });
});

describe('vram: logits, distillation, temporaries', () => {
  it('decoders: tokens × vocabulary × 14 bytes', () => assert.equal(est({}).components.logits, TOKENS * 1000 * 14)); // 1,792,000
  it('a chunked cross-entropy keeps 6 bytes per vocabulary entry; one fused with the LM head, one fp32 hidden state', () => {
    assert.equal(est({ loss: 'chunked' }).components.logits, TOKENS * 1000 * 6);
    assert.equal(est({ loss: 'fused' }).components.logits, TOKENS * 64 * 4);
  });
  it('the logits the output holds are in the compute dtype: an fp32 run keeps 16 bytes per entry, 8 chunked', () => {
    // fp32: the head writes fp32 logits and .float() returns the same tensor, so 4 + 12 (full) and 4 + 4 (chunked).
    assert.equal(est({ precision: 'fp32' }).components.logits, TOKENS * 1000 * 16);
    assert.equal(est({ precision: 'fp32', loss: 'chunked' }).components.logits, TOKENS * 1000 * 8);
    // autocast: the head's matmul runs in bf16, as with bf16 weights.
    assert.equal(est({ precision: 'bf16-mixed' }).components.logits, TOKENS * 1000 * 14);
  });
  it('encoders have no vocabulary-wide logits', () => {
    const e = est({ model: { ...TINY, architecture: 'encoder' } });
    assert.equal(e.components.logits, 0);
    // the parameter count decides the weights: an untied "head" of an encoder is counted among the other parameters
    assert.equal(e.components.weights, P * 2);
  });
  it('encoder-decoder models have logits over the whole sequence (the target length is not in the setup)', () => {
    assert.equal(est({ model: { ...TINY, architecture: 'encoder-decoder' } }).components.logits, TOKENS * 1000 * 14);
  });
  it('distillation adds the frozen teacher in 16-bit and its logits (compute + 8 bytes)', () => {
    // teacher: 2 × 1000 × 128 + 2 × (4·128² + 3·128·256 + 2·128) + 128 = 584,320 params
    const teacher = { ...TINY, hiddenSize: 128, headDim: 32, intermediateSize: 256 };
    const tp = 2 * 1000 * 128 + 2 * (4 * 128 * 128 + 3 * 128 * 256 + 2 * 128) + 128;
    assert.equal(tp, 584_320);
    const e = est({ method: 'distillation', teacher });
    assert.equal(e.components.weights, P * 2 + tp * 2);
    assert.equal(e.components.logits, TOKENS * 1000 * 14 + TOKENS * 1000 * (2 + 8));
    assert.equal(e.totalParameters, P + tp);
    assert.equal(e.trainableParameters, P);
  });
  it('a LoRA student with a teacher also holds the teacher', () => {
    const teacher = { ...TINY, hiddenSize: 128, headDim: 32, intermediateSize: 256 };
    const withTeacher = est({ method: 'lora', teacher });
    const without = est({ method: 'lora' });
    assert.equal(withTeacher.components.weights - without.components.weights, 584_320 * 2);
  });
  it('FSDP over 2 GPUs gathers the current and the next layer in the compute dtype', () => {
    // 2 layers gathered × 41,120 params per layer × 2 bytes
    assert.equal(line(est({ gpus: 2, sharding: 'fsdp' }), 'gathered layers'), 2 * ((LINEAR + 320) / 2) * 2);
  });
  it('ZeRO-3 adds the prefetch bucket: 5e7 elements × 2 bytes', () => {
    assert.equal(line(est({ gpus: 2, sharding: 'zero3' }), 'ZeRO-3 prefetch bucket'), 5e7 * 2);
  });
  it('ZeRO-3 allocates its whole contiguous gradient buffer, 5e8 elements in the model dtype, offloaded or not', () => {
    // stage3.py v0.8.0 lines 385–389: torch.empty(reduce_bucket_size, dtype=self.dtype, device=cuda), however few
    // parameters train (TINY has 210,240) and with the optimizer and parameters on the CPU.
    for (const offload of ['none', 'optimizer', 'all'] as const) {
      assert.equal(line(est({ gpus: 2, sharding: 'zero3', offload }), 'ZeRO-3 contiguous gradient buffer'), 5e8 * 2, offload);
      assert.equal(line(est({ gpus: 2, sharding: 'zero3', offload, precision: 'fp32' }), 'ZeRO-3 contiguous gradient buffer'), 5e8 * 4, `${offload} fp32`);
    }
    assert.equal(line(est({ gpus: 2, sharding: 'zero2' }), 'ZeRO-3 contiguous gradient buffer'), 0);
  });
  it('ZeRO-3 with parameters offloaded: the LM head partition copied to the GPU for its gather, beyond the logits it comes before', () => {
    // A 50,000-entry vocabulary: head 50,000 × 64 = 3.2 M params; per GPU of 2 in fp32: 1.6 M × 4 = 6,400,000 bytes.
    // Logits and loss: 128 tokens × 50,000 × 14 = 89,600,000 bytes, larger: nothing is added.
    const big = { ...TINY, vocabSize: 50_000 };
    assert.equal(line(est({ model: big, gpus: 2, sharding: 'zero3', offload: 'all', precision: 'fp32' }), 'ZeRO-3 offload'), 0);
    // One token: logits in fp32, 1 × 50,000 × 16 = 800,000 bytes; the copy is 6,400,000: 5,600,000 more at the gather.
    const one = est({ model: big, gpus: 2, sharding: 'zero3', offload: 'all', precision: 'fp32', sequenceLength: 1 });
    assert.equal(line(one, 'ZeRO-3 offload'), ((50_000 * 64) / 2) * 4 - 50_000 * 16);
    // Only when the parameters are offloaded: gathering an on-GPU partition copies nothing.
    assert.equal(line(est({ model: big, gpus: 2, sharding: 'zero3', offload: 'optimizer', precision: 'fp32', sequenceLength: 1 }), 'ZeRO-3 offload'), 0);
    assert.equal(line(est({ model: big, gpus: 2, sharding: 'fsdp', offload: 'all', precision: 'fp32', sequenceLength: 1 }), 'ZeRO-3 offload'), 0);
  });
  it('ZeRO-1/2 reduce bucket: min(5e8, trainable) × 2 bytes', () => {
    assert.equal(line(est({ gpus: 2, sharding: 'zero2' }), 'ZeRO reduce bucket'), P * 2);
    const big = estimate(resolveSetup({ model: 'meta-llama/Llama-2-7b-hf', gpus: 2, sharding: 'zero1', precision: 'bf16-true' }));
    assert.equal(line(big, 'ZeRO reduce bucket'), 5e8 * 2);
  });
  it('the optimizer step sets the peak when the forward/backward is smaller: foreach AdamW, a temporary as large as all the states', () => {
    const e = est({ sequenceLength: 1 });
    // forward/backward: 1 token × 2 layers × 2,816 + 1 × 1000 × 14 = 19,632 < step: 210,240 trainable × 2 bytes = 420,480
    assert.equal(line(e, 'optimizer step temporaries'), P * 2);
    assert.equal(e.allocatedBytes, P * 2 + P * 2 + P * 4 + P * 2);
    assert.equal(e.components.activations, 0);
    assert.equal(e.components.logits, 0);
  });
  it('fused AdamW steps one tensor at a time: a buffer the size of the largest (the 64,000-parameter embedding)', () => {
    const e = est({ sequenceLength: 1, optimizer: 'adamw-fused' });
    assert.equal(line(e, 'optimizer step temporaries'), 64_000 * 2);
    assert.equal(e.allocatedBytes, P * 2 + P * 2 + P * 4 + 64_000 * 2);
  });
});

describe('vram: totals, context and fit', () => {
  it('allocated is the sum of the terms; reserved adds 1% of what persists and 50% of what each step allocates again', () => {
    const e = est({ optimizer: 'adamw-fused' });
    const persistent = P * 2 + P * 2 + P * 4; // weights, gradients, AdamW states: 1,681,920
    const transient = TOKENS * 2 * GATED_TOKEN_LAYER + FINAL_NORM + TOKENS * 1000 * 14; // activations + logits: 2,545,664
    assert.equal(e.allocatedBytes, persistent + transient);
    near(e.peakBytes, persistent * 1.01 + transient * 1.5);
  });
  it('packed batches (the same shapes every step) fragment less: 30% of the per-step memory', () => {
    const e = est({ packed: true, optimizer: 'adamw-fused' });
    near(e.peakBytes, (P * 2 + P * 2 + P * 4) * 1.01 + (TOKENS * 2 * GATED_TOKEN_LAYER + FINAL_NORM + TOKENS * 1000 * 14) * 1.3);
  });
  it("foreach AdamW's step temporaries: the estimate reuses the forward's blocks; the bound allows them cached beside", () => {
    const e = est({});
    const fused = est({ optimizer: 'adamw-fused' });
    const persistent = P * 2 + P * 2 + P * 4;
    const transient = TOKENS * 2 * GATED_TOKEN_LAYER + FINAL_NORM + TOKENS * 1000 * 14;
    assert.equal(e.allocatedBytes, persistent + transient); // the forward is the larger phase
    near(e.peakBytes, persistent * 1.01 + transient * 1.5);
    assert.ok(e.peakUpperBytes > fused.peakUpperBytes, 'the cached-apart temporaries widen the bound');
  });
  it("under FSDP the shard-sized foreach temporary is kept beside the forward's blocks where the card has room (reservedOn)", () => {
    const one = est({});
    assert.equal(one.cachedBytes, 0, 'one GPU steps per parameter: nothing cached apart');
    assert.equal(reservedOn(one, gpu('A100 80GB')), one.peakBytes);
    const e = est({ gpus: 2, sharding: 'fsdp' });
    const step = (P * 2) / 2; // foreach AdamW: one temporary the size of the bf16 states it steps, ÷ 2 GPUs
    assert.ok(step < line(e, 'layer') + line(e, 'activations kept'), 'the forward is the larger phase here');
    near(e.cachedBytes, step);
    near(reservedOn(e, gpu('A100 80GB')), e.peakBytes + step); // a roomy card keeps it
    near(reservedOn(e), e.peakBytes + step); // no GPU named: a roomy one
    assert.ok(
      e.notes.some((n) => /nvidia-smi shows up to .* more, cached by the allocator/.test(n)),
      e.notes.join('\n'),
    );
    assert.equal(est({ gpus: 2, sharding: 'fsdp', optimizer: 'adamw-fused' }).cachedBytes, 0, 'fused AdamW steps per tensor');
  });
  it('reservedOn never goes past what the card holds', () => {
    // Llama-2-7B in full over 4 × A10G: 19.3 GiB needed, 3.1 GiB of shard-sized step temporaries, 0.7 GiB of room left
    const e = estimate(
      resolveSetup({
        model: 'meta-llama/Llama-2-7b-hf',
        precision: 'bf16-true',
        gpus: 4,
        sharding: 'fsdp',
        gradientCheckpointing: true,
        microBatchSize: 2,
        sequenceLength: 2048,
      }),
    );
    assert.ok(e.cachedBytes > 1 * GiB, `cached ${e.cachedBytes}`);
    const small = gpu('A10G');
    const room = small.smiMiB * MiB - e.contextBytes - e.peakBytes;
    assert.ok(room > 0 && room < e.cachedBytes, `room ${room}`);
    near(reservedOn(e, small), e.peakBytes + room);
  });
  it('components sum to peakBytes', () => {
    for (const e of [
      est({}),
      est({ method: 'qlora', gradientCheckpointing: true }),
      est({ gpus: 4, sharding: 'zero3', attention: 'eager' }),
      est({ sequenceLength: 1 }),
    ]) {
      const c = e.components;
      near(c.weights + c.gradients + c.optimizer + c.activations + c.logits + c.other, e.peakBytes);
    }
  });
  it('CUDA context: 1 GiB on one GPU, + 1.5 GiB NCCL with more', () => {
    assert.equal(est({}).contextBytes, 1 * GiB);
    assert.equal(est({ gpus: 2 }).contextBytes, 2.5 * GiB);
    assert.equal(est({ gpus: 8, sharding: 'fsdp' }).contextBytes, 2.5 * GiB);
  });
  it("the bound: each term's spread added in quadrature, with the allocator's and the context's", () => {
    const e = est({ optimizer: 'adamw-fused' });
    const persistent = P * 2 + P * 2 + P * 4;
    const activations = TOKENS * 2 * GATED_TOKEN_LAYER + FINAL_NORM;
    const logits = TOKENS * 1000 * 14;
    // weights 5%, gradients and states 10%, activations 35%, logits 35%
    const spread =
      (0.05 * P * 2) ** 2 +
      (0.1 * P * 2) ** 2 +
      (0.1 * P * 4) ** 2 +
      (0.35 * TOKENS * 2 * GATED_TOKEN_LAYER) ** 2 +
      (0.35 * FINAL_NORM) ** 2 +
      (0.35 * logits) ** 2;
    near(e.allocatedUpperBytes, persistent + activations + logits + Math.sqrt(spread));
    const slackSpread = 0.02 * persistent + 0.5 * (activations + logits);
    near(e.peakUpperBytes, e.peakBytes + Math.sqrt(spread + slackSpread ** 2 + (0.5 * GiB) ** 2));
  });
  it('three verdicts: fits when the bound fits, tight when only the estimate does, no otherwise; usableBytes = total − context', () => {
    const e = est({});
    const mib = (x: number) => Math.ceil(x / MiB);
    const mk = (smiMiB: number): GpuInfo => ({ name: `test ${smiMiB}`, aliases: [], computeCapability: 8.0, memoryGiB: 2, smiMiB });
    const upper = mib(e.peakUpperBytes + e.contextBytes);
    const point = mib(e.peakBytes + e.contextBytes);
    const r = est({}, { gpus: [mk(upper), mk(upper - 1), mk(point), mk(point - 1)] });
    assert.deepEqual(
      r.gpus.map((g) => g.verdict),
      ['fits', 'tight', 'tight', 'no'],
    );
    assert.deepEqual(
      r.gpus.map((g) => g.fits),
      [true, true, true, false],
    );
    assert.equal(r.gpus[0].usableBytes, upper * MiB - GiB);
  });
  it('an RTX 3090 offers its nvidia-smi total, 24,576 MiB', () => {
    const e = est({}, { gpus: [gpu('RTX 3090')] });
    assert.equal(e.gpus[0].usableBytes, 24_576 * MiB - GiB);
  });
});

describe('vram: monotonicity', () => {
  const base = { model: 'meta-llama/Llama-2-7b-hf', method: 'lora', precision: 'bf16-true', sequenceLength: 1024 } as const;
  const peak = (s: Partial<TrainingSetupInput>) => estimate(resolveSetup({ ...base, ...s })).peakBytes;
  it('more micro batch → more memory', () =>
    assert.ok(peak({ microBatchSize: 1 }) < peak({ microBatchSize: 2 }) && peak({ microBatchSize: 2 }) < peak({ microBatchSize: 4 })));
  it('longer sequences → more memory', () => assert.ok(peak({ sequenceLength: 512 }) < peak({ sequenceLength: 2048 })));
  it('checkpointing → less memory', () => assert.ok(peak({ gradientCheckpointing: true }) < peak({ gradientCheckpointing: false })));
  it('qlora < lora < full', () => {
    const q = peak({ method: 'qlora' });
    const l = peak({ method: 'lora' });
    const f = peak({ method: 'full' });
    assert.ok(q < l && l < f, `${q} < ${l} < ${f}`);
  });
  it('more GPUs with zero3 → less per GPU', () => {
    const full = (gpus: number) => peak({ method: 'full', gpus, sharding: 'zero3' });
    assert.ok(full(2) > full(4) && full(4) > full(8));
  });
  it('eager attention → more memory than sdpa', () => assert.ok(peak({ attention: 'eager' }) > peak({ attention: 'sdpa' })));
});

describe('vram: seed cases', () => {
  const fits = (s: Partial<TrainingSetupInput> & { model: string }, name: string) => estimate(resolveSetup(s), { gpus: [gpu(name)] }).gpus[0].fits;
  it('a 70B Llama with LoRA does not fit an RTX 3060 12GB', () =>
    assert.equal(fits({ model: 'meta-llama/Llama-2-70b-hf', method: 'lora' }, 'RTX 3060 12GB'), false));
  it('a 70B Llama fully fine-tuned does not fit an RTX 3060 12GB', () =>
    assert.equal(fits({ model: 'meta-llama/Llama-2-70b-hf', method: 'full' }, 'RTX 3060 12GB'), false));
  it('a 70B QLoRA does not fit one RTX 3090 (its NF4 weights alone are ≈ 36 GiB)', () => {
    assert.equal(fits({ model: 'meta-llama/Llama-2-70b-hf', method: 'qlora', gradientCheckpointing: true, doubleQuant: true }, 'RTX 3090'), false);
    const e = estimate(resolveSetup({ model: 'meta-llama/Llama-2-70b-hf', method: 'qlora', doubleQuant: true }));
    assert.ok(line(e, 'NF4 linear weights') > 24 * GiB);
  });
  it('a 7B QLoRA with checkpointing at micro batch 1 × 2048 fits a 24 GB RTX 3090', () => {
    assert.equal(
      fits({ model: 'meta-llama/Llama-2-7b-hf', method: 'qlora', gradientCheckpointing: true, microBatchSize: 1, sequenceLength: 2048 }, 'RTX 3090'),
      true,
    );
  });
});

describe('vram: resolveSetup', () => {
  it('fills in every default', () => {
    assert.deepEqual(resolveSetup({ model: 'meta-llama/Llama-2-7b-hf' }), {
      model: 'meta-llama/Llama-2-7b-hf',
      method: 'full',
      quantization: 'none',
      doubleQuant: false,
      precision: 'bf16-mixed',
      optimizer: 'adamw',
      microBatchSize: 1,
      sequenceLength: 2048,
      gradientCheckpointing: false,
      checkpointing: 'reentrant',
      packed: false,
      loss: 'full',
      attention: 'sdpa',
      gpus: 1,
      sharding: 'none',
      offload: 'none',
    });
  });
  it('LoRA defaults: rank 8, alpha 16, q_proj + v_proj', () => {
    assert.deepEqual(resolveSetup({ model: 'm/x', method: 'lora' }).lora, { rank: 8, alpha: 16, targets: ['q_proj', 'v_proj'], trainEmbeddings: false });
  });
  it('nf4 without a method means qlora; qlora without quantization means nf4', () => {
    assert.equal(resolveSetup({ model: 'm/x', quantization: 'nf4' }).method, 'qlora');
    assert.equal(resolveSetup({ model: 'm/x', method: 'qlora' }).quantization, 'nf4');
  });
  it('more than one GPU means DDP unless sharding is given', () => {
    assert.equal(resolveSetup({ model: 'm/x', gpus: 2 }).sharding, 'ddp');
    assert.equal(resolveSetup({ model: 'm/x', gpus: 2, sharding: 'fsdp' }).sharding, 'fsdp');
  });
  it('freeze, adapter and prefix defaults', () => {
    assert.equal(resolveSetup({ model: 'm/x', method: 'freeze' }).trainableLayers, 2);
    assert.deepEqual(resolveSetup({ model: 'm/x', method: 'adapter' }).adapter, { bottleneck: 64 });
    assert.deepEqual(resolveSetup({ model: 'm/x', method: 'prefix' }).prefix, { virtualTokens: 20 });
  });
  it('a model id is trimmed', () => assert.equal(resolveSetup({ model: '  m/x ' }).model, 'm/x'));

  it('unknown field', () =>
    assert.deepEqual(setupError({ model: 'm/x', batchSize: 4 }), { message: 'batchSize: unknown field "batchSize"', path: 'batchSize' }));
  it('unknown field in a model given by its dimensions', () => {
    assert.deepEqual(setupError({ model: { ...TINY, hidden: 64 } }), { message: 'model.hidden: unknown field "hidden"', path: 'model.hidden' });
  });
  it('unknown field inside lora', () => {
    assert.deepEqual(setupError({ model: 'm/x', method: 'lora', lora: { r: 16 } }), {
      message: 'lora.r: unknown field "r" (fields: rank, alpha, targets, trainEmbeddings)',
      path: 'lora.r',
    });
  });
  it('bad enum value, with the allowed list', () => {
    assert.deepEqual(setupError({ model: 'm/x', optimizer: 'adam' }), {
      message: 'optimizer: must be one of "adamw", "adamw-fused", "adamw-8bit", "paged-adamw", "paged-adamw-8bit", "sgd", "adafactor", got "adam"',
      path: 'optimizer',
    });
    assert.equal(setupError({ model: 'm/x', loss: 'liger' }).message, 'loss: must be one of "full", "chunked", "fused", got "liger"');
    assert.equal(setupError({ model: 'm/x', packed: 'yes' }).message, 'packed: must be true or false, got "yes"');
    assert.equal(
      setupError({ model: 'm/x', precision: 'bf16' }).message,
      'precision: must be one of "fp32", "fp16-mixed", "bf16-mixed", "fp16-true", "bf16-true", got "bf16"',
    );
    assert.equal(setupError({ model: { ...TINY, mlp: 'swiglu' } }).message, 'model.mlp: must be one of "gated", "plain", got "swiglu"');
  });
  it('bad integers and booleans', () => {
    assert.deepEqual(setupError({ model: 'm/x', microBatchSize: 0 }), { message: 'microBatchSize: must be an integer ≥ 1, got 0', path: 'microBatchSize' });
    assert.equal(setupError({ model: 'm/x', method: 'lora', lora: { rank: 2.5 } }).message, 'lora.rank: must be an integer ≥ 1, got 2.5');
    assert.equal(setupError({ model: 'm/x', gradientCheckpointing: 'yes' }).message, 'gradientCheckpointing: must be true or false, got "yes"');
    assert.equal(setupError({ model: { ...TINY, layers: -1 } }).message, 'model.layers: must be an integer ≥ 1, got -1');
  });
  it('qlora without quantization', () => {
    assert.deepEqual(setupError({ model: 'm/x', method: 'qlora', quantization: 'none' }), {
      message: 'quantization: method "qlora" needs quantization "nf4", "fp4" or "int8"',
      path: 'quantization',
    });
  });
  it('quantized full fine-tuning', () => {
    assert.equal(
      setupError({ model: 'm/x', method: 'full', quantization: 'int8' }).message,
      'quantization: quantized weights cannot be trained directly; use method "qlora" (or "lora") with quantization "int8"',
    );
  });
  it('offload without sharding', () => {
    assert.deepEqual(setupError({ model: 'm/x', offload: 'optimizer' }), {
      message: 'offload: offloading the optimizer needs DeepSpeed ZeRO ("zero1"–"zero3") or "fsdp"',
      path: 'offload',
    });
    assert.deepEqual(setupError({ model: 'm/x', gpus: 2, sharding: 'zero2', offload: 'all' }), {
      message: 'offload: offloading parameters ("all") needs sharding "zero3" or "fsdp"',
      path: 'offload',
    });
  });
  it('missing model', () => assert.deepEqual(setupError({ method: 'lora' }), { message: 'model: is required', path: 'model' }));
  it('a model that is neither an id nor an object', () => {
    assert.equal(setupError({ model: 42 }).message, 'model: must be a model id (e.g. "meta-llama/Llama-2-7b-hf") or an object with its dimensions');
  });
  it('not an object', () => assert.deepEqual(setupError([]), { message: '$: a TrainingSetup must be a JSON object', path: '$' }));
  it('distillation without a teacher', () =>
    assert.equal(setupError({ model: 'm/x', method: 'distillation' }).message, 'teacher: method "distillation" needs a teacher model'));
});

describe('vram: resolveModel', () => {
  it('by id', () => {
    const m = resolveModel('meta-llama/Llama-2-7b-hf');
    assert.equal(m.origin, 'catalog');
    assert.equal(m.dims.parameters, 6_738_415_616);
    assert.equal(m.source, 'vram-model.md §3.1');
  });
  it('by id, case-insensitive', () => assert.equal(resolveModel('META-LLAMA/llama-2-7b-HF').dims.parameters, 6_738_415_616));
  it('by alias', () => assert.equal(resolveModel('meta-llama/Llama-2-7b-chat-hf').dims.parameters, 6_738_415_616));
  it('by a mirror id', () => {
    const m = resolveModel('NousResearch/Llama-2-7b-hf');
    assert.equal(m.name, 'NousResearch/Llama-2-7b-hf');
    assert.equal(m.dims.parameters, 6_738_415_616);
  });
  it('by the name without the organisation and suffixes (stem)', () => assert.equal(resolveModel('someone/Llama-2-7b-hf').dims.hiddenSize, 4096));
  it('unknown model', () => {
    assert.throws(
      () => resolveModel('acme/no-such-model-3b'),
      (e: unknown) => {
        assert.ok(e instanceof UnknownModelError);
        assert.equal(
          e.message,
          "the model 'acme/no-such-model-3b' is not in the built-in catalog or the local Hugging Face cache. Download it once (its config.json is enough), " +
            'add it to the setting "finetune.models" with its dimensions, or give the dimensions in the setup.',
        );
        return true;
      },
    );
  });
  it('the local Hugging Face cache when the catalog does not know the id', () => {
    const dims = resolveModel(TINY).dims;
    const m = resolveModel('acme/tiny', { hfCache: (id) => (id === 'acme/tiny' ? dims : undefined) });
    assert.equal(m.origin, 'hf-cache');
    assert.equal(m.dims.parameters, P);
  });
  it('an exact cached id wins over a catalog match by stem only; the catalog wins for its own ids', () => {
    const dims = resolveModel(TINY).dims;
    assert.equal(resolveModel('someone/Llama-2-7b-hf', { hfCache: () => dims }).origin, 'hf-cache');
    assert.equal(resolveModel('meta-llama/Llama-2-7b-hf', { hfCache: () => dims }).origin, 'catalog');
  });
  it('models from settings (finetune.models) come first', () => {
    const dims = resolveModel(TINY).dims;
    const m = resolveModel('acme/Llama-2-7b-hf', { custom: [{ id: 'acme/Llama-2-7b-hf', dims, source: 'settings' }] });
    assert.equal(m.origin, 'settings');
    assert.equal(m.dims.parameters, P);
  });
  it('explicit dimensions: kvHeads = heads, headDim = hidden / heads, mlp gated by default', () => {
    const d = resolveModel({ hiddenSize: 64, layers: 2, attentionHeads: 4, intermediateSize: 128, vocabSize: 1000 }).dims;
    assert.equal(d.kvHeads, 4);
    assert.equal(d.headDim, 16);
    assert.equal(d.mlp, 'gated');
    assert.equal(d.tiedEmbeddings, false);
    assert.equal(d.parameters, P);
  });
  it('explicit dimensions with missing fields', () => {
    assert.throws(() => resolveModel({ hiddenSize: 64, layers: 2 }), {
      message:
        'a model given by its dimensions needs attentionHeads, vocabSize, intermediateSize (as in its config.json: hidden_size, num_hidden_layers, num_attention_heads, vocab_size, intermediate_size)',
    });
    assert.throws(() => resolveModel({ name: 'acme/x', hiddenSize: 64 }), {
      message: /^the model 'acme\/x' needs layers, attentionHeads, vocabSize, intermediateSize /,
    });
  });
  it('explicit dimensions named after a catalog model fill in the rest from the catalog', () => {
    const m = resolveModel({ name: 'meta-llama/Llama-2-7b-hf', vocabSize: 32000 });
    assert.equal(m.dims.hiddenSize, 4096);
    assert.equal(m.source, 'vram-model.md §3.1');
  });
  it('overriding a catalog model’s shape recomputes its parameter count', () => {
    const m = resolveModel({ name: 'meta-llama/Llama-2-7b-hf', layers: 16 });
    assert.equal(m.dims.parameters, parametersFromDims({ ...LLAMA2_7B, layers: 16 }));
  });
});

describe('vram: dimsFromHfConfig', () => {
  it('Llama style', () => {
    const d = dimsFromHfConfig({
      model_type: 'llama',
      hidden_size: 4096,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 32,
      intermediate_size: 11008,
      vocab_size: 32000,
      hidden_act: 'silu',
      tie_word_embeddings: false,
      torch_dtype: 'float16',
    })!;
    assert.deepEqual(d, { ...LLAMA2_7B, parameters: 6_738_415_616, architecture: 'decoder' });
  });
  it('GPT-2 style (n_embd, n_layer, n_head; no n_inner → 4 × hidden; plain MLP; tied; dropout)', () => {
    const d = dimsFromHfConfig({
      model_type: 'gpt2',
      n_embd: 768,
      n_layer: 12,
      n_head: 12,
      n_inner: null,
      vocab_size: 50257,
      activation_function: 'gelu_new',
    })!;
    assert.equal(d.hiddenSize, 768);
    assert.equal(d.layers, 12);
    assert.equal(d.attentionHeads, 12);
    assert.equal(d.kvHeads, 12);
    assert.equal(d.headDim, 64);
    assert.equal(d.intermediateSize, 4 * 768);
    assert.equal(d.mlp, 'plain');
    assert.equal(d.tiedEmbeddings, true);
    assert.equal(d.dropout, true);
    assert.equal(d.architecture, 'decoder');
    // 50257 × 768 (tied) + 12 × (4·768² + 2·768·3072 + 2·768) + 768; GPT-2's published 124,439,808 adds biases and
    // 1024 × 768 position embeddings, which the dims do not describe.
    assert.equal(d.parameters, 50257 * 768 + 12 * (4 * 768 * 768 + 2 * 768 * 3072 + 2 * 768) + 768); // 123,551,232
  });
  it('the parameter count from model.safetensors.index.json wins', () => {
    const config = { model_type: 'gpt2', n_embd: 768, n_layer: 12, n_head: 12, vocab_size: 50257 };
    assert.equal(dimsFromHfConfig(config, { metadata: { total_parameters: 124_439_808 } })!.parameters, 124_439_808);
    assert.equal(dimsFromHfConfig({ ...config, torch_dtype: 'float32' }, { metadata: { total_size: 497_759_232 } })!.parameters, 497_759_232 / 4);
    assert.equal(dimsFromHfConfig({ ...config, torch_dtype: 'bfloat16' }, { metadata: { total_size: 248_879_616 } })!.parameters, 248_879_616 / 2);
  });
  it('T5 style (d_model, num_layers + num_decoder_layers, d_ff, d_kv): encoder-decoder', () => {
    const d = dimsFromHfConfig({
      model_type: 't5',
      d_model: 512,
      num_layers: 6,
      num_decoder_layers: 6,
      num_heads: 8,
      d_kv: 64,
      d_ff: 2048,
      vocab_size: 32128,
      feed_forward_proj: 'relu',
    })!;
    assert.equal(d.hiddenSize, 512);
    assert.equal(d.layers, 6 + 6);
    assert.equal(d.attentionHeads, 8);
    assert.equal(d.headDim, 64);
    assert.equal(d.intermediateSize, 2048);
    assert.equal(d.mlp, 'plain');
    assert.equal(d.architecture, 'encoder-decoder');
    assert.equal(d.dropout, true);
    assert.equal(
      dimsFromHfConfig({ model_type: 't5', d_model: 512, num_layers: 8, num_heads: 6, d_ff: 1024, vocab_size: 32128, feed_forward_proj: 'gated-gelu' })!.mlp,
      'gated',
    );
  });
  it('Mixtral style: experts, GQA', () => {
    const d = dimsFromHfConfig({
      model_type: 'mixtral',
      hidden_size: 4096,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      intermediate_size: 14336,
      vocab_size: 32000,
      num_local_experts: 8,
      num_experts_per_tok: 2,
      hidden_act: 'silu',
      tie_word_embeddings: false,
    })!;
    assert.equal(d.experts, 8);
    assert.equal(d.expertsPerToken, 2);
    assert.equal(d.kvHeads, 8);
    assert.equal(d.headDim, 128);
    assert.equal(d.mlp, 'gated');
    // 2 × 32000 × 4096 + 32 × (2·4096² + 2·4096·1024 + 8 × 3·4096·14336 + 2·4096) + 4096 = 46,701,744,128; the published
    // 46,702,792,704 adds the routers (32 × 4096 × 8 = 1,048,576), which the dims do not count.
    const expected = 2 * 32000 * 4096 + 32 * (2 * 4096 * 4096 + 2 * 4096 * 1024 + 8 * 3 * 4096 * 14336 + 2 * 4096) + 4096;
    assert.equal(d.parameters, expected);
    assert.equal(expected + 32 * 4096 * 8, 46_702_792_704);
  });
  it('BERT style: an encoder', () => {
    const d = dimsFromHfConfig({
      model_type: 'bert',
      hidden_size: 1024,
      num_hidden_layers: 24,
      num_attention_heads: 16,
      intermediate_size: 4096,
      vocab_size: 30522,
      hidden_act: 'gelu',
    })!;
    assert.equal(d.architecture, 'encoder');
    assert.equal(d.mlp, 'plain');
  });
  it('a config without the needed keys gives undefined', () => assert.equal(dimsFromHfConfig({ model_type: 'llama', hidden_size: 4096 }), undefined));
});
