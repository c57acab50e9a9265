/**
 * TrainingSetup: what the VRAM estimator works on (DESIGN §6.2). Every config format maps to one; `ftw vram
 * SETUP.json` reads one directly. Every field but `model` is optional and has a documented default.
 */
import type { ModelDims } from './modelTypes';

export type Method = 'full' | 'freeze' | 'lora' | 'qlora' | 'adapter' | 'prefix' | 'distillation';
export type Quantization = 'none' | 'int8' | 'nf4' | 'fp4';
export type Precision = 'fp32' | 'fp16-mixed' | 'bf16-mixed' | 'fp16-true' | 'bf16-true';
export type Optimizer = 'adamw' | 'adamw-fused' | 'adamw-8bit' | 'paged-adamw' | 'paged-adamw-8bit' | 'sgd' | 'adafactor';
export type Attention = 'eager' | 'sdpa' | 'flash';
export type Sharding = 'none' | 'ddp' | 'fsdp' | 'zero1' | 'zero2' | 'zero3';
export type Offload = 'none' | 'optimizer' | 'all';
export type Loss = 'full' | 'chunked' | 'fused';
export type CheckpointImpl = 'reentrant' | 'non-reentrant';
export type CheckpointUnit = 'layer' | 'sublayer';

export const METHODS: readonly Method[] = ['full', 'freeze', 'lora', 'qlora', 'adapter', 'prefix', 'distillation'];
export const QUANTIZATIONS: readonly Quantization[] = ['none', 'int8', 'nf4', 'fp4'];
export const PRECISIONS: readonly Precision[] = ['fp32', 'fp16-mixed', 'bf16-mixed', 'fp16-true', 'bf16-true'];
export const OPTIMIZERS: readonly Optimizer[] = ['adamw', 'adamw-fused', 'adamw-8bit', 'paged-adamw', 'paged-adamw-8bit', 'sgd', 'adafactor'];
export const ATTENTIONS: readonly Attention[] = ['eager', 'sdpa', 'flash'];
export const SHARDINGS: readonly Sharding[] = ['none', 'ddp', 'fsdp', 'zero1', 'zero2', 'zero3'];
export const OFFLOADS: readonly Offload[] = ['none', 'optimizer', 'all'];
export const LOSSES: readonly Loss[] = ['full', 'chunked', 'fused'];
export const CHECKPOINT_IMPLS: readonly CheckpointImpl[] = ['reentrant', 'non-reentrant'];
export const CHECKPOINT_UNITS: readonly CheckpointUnit[] = ['layer', 'sublayer'];

export interface LoraSetup {
  rank: number;
  alpha?: number;
  /** Module names (`q_proj`, `v_proj`, ...; `lm_head`) or "all-linear". */
  targets: string[] | 'all-linear';
  /** Embeddings and LM head trained in full (new tokens, `modules_to_save`). */
  trainEmbeddings: boolean;
}

/** A model: a catalog or Hugging Face id, or explicit dimensions. */
export type ModelRef = string | (Partial<ModelDims> & { name?: string });

/** The setup as written by a user or an adapter: everything but `model` may be missing. */
export interface TrainingSetupInput {
  model: ModelRef;
  method?: Method;
  trainableLayers?: number;
  lora?: Partial<LoraSetup>;
  adapter?: { bottleneck?: number };
  prefix?: { virtualTokens?: number };
  teacher?: ModelRef;
  quantization?: Quantization;
  doubleQuant?: boolean;
  precision?: Precision;
  optimizer?: Optimizer;
  microBatchSize?: number;
  evalMicroBatchSize?: number;
  sequenceLength?: number;
  gradientCheckpointing?: boolean;
  checkpointing?: CheckpointImpl;
  checkpointUnit?: CheckpointUnit;
  kvCache?: boolean;
  packed?: boolean;
  loss?: Loss;
  attention?: Attention;
  gpus?: number;
  sharding?: Sharding;
  offload?: Offload;
}

/** The setup with every default filled in (what `ftw vram --json` prints as `setup`). */
export interface TrainingSetup {
  model: ModelRef;
  method: Method;
  trainableLayers?: number;
  lora?: LoraSetup;
  adapter?: { bottleneck: number };
  prefix?: { virtualTokens: number };
  teacher?: ModelRef;
  quantization: Quantization;
  doubleQuant: boolean;
  precision: Precision;
  optimizer: Optimizer;
  microBatchSize: number;
  /** The batch evaluation runs with, per GPU, when the run evaluates while it trains (HF
   *  per_device_eval_batch_size, default 8; Axolotl eval_batch_size, default micro_batch_size). Evaluation computes
   *  the loss, so the full logits of that batch exist at once, without gradients (docs/vram.md §4.9). Present only
   *  when the run evaluates. */
  evalMicroBatchSize?: number;
  sequenceLength: number;
  gradientCheckpointing: boolean;
  /** How checkpointing recomputes a layer: torch.utils.checkpoint's reentrant autograd.Function (transformers'
   *  gradient_checkpointing_enable default, use_reentrant=True) or the non-reentrant saved-tensor hooks (torchtune,
   *  llama-recipes, FSDP's checkpoint_wrapper, use_reentrant=False). Matters under FSDP with frozen units
   *  (docs/vram.md §4.8). */
  checkpointing: CheckpointImpl;
  /** The model builds its key/value cache during training (transformers' `use_cache`, on by default in most model
   *  configs, left on): only transformers' own gradient_checkpointing_enable turns it off, so a run whose
   *  checkpointing is applied from outside the model (FSDP's apply_activation_checkpointing, a Lightning or custom
   *  loop) keeps every layer's keys and values alive to the end of the forward (docs/vram.md §4.5). Present only
   *  when true. */
  kvCache?: boolean;
  /** What one checkpoint wraps: a whole decoder layer (transformers, torchtune, LitGPT, FSDP's per-layer policies:
   *  the default, absent here) or each sublayer on its own, the attention, the MLP and both norms (NeMo AutoModel's
   *  parallelizer): four hidden states per layer are kept instead of one, and only one sublayer is recomputed at a
   *  time (docs/vram.md §4.5). Present only when "sublayer". */
  checkpointUnit?: 'sublayer';
  /** Every micro batch is exactly microBatchSize × sequenceLength tokens (sample packing, or padding to the maximum
   *  length): the same tensor shapes every step. false: batches are padded to their longest sample, so shapes
   *  change from step to step (the caching allocator fragments more). */
  packed: boolean;
  /** How the cross-entropy is computed: "full" logits over the whole vocabulary (transformers' default),
   *  "chunked" (torchtune CEWithChunkedOutputLoss, LitGPT's chunked lm_head + cross-entropy: the logits in the
   *  compute dtype, upcast one chunk at a time), or "fused" with the LM head (Liger's fused linear cross-entropy,
   *  Apple's Cut Cross-Entropy, torchtune LinearCrossEntropyLoss: logits never exist beyond one chunk). */
  loss: Loss;
  attention: Attention;
  gpus: number;
  sharding: Sharding;
  offload: Offload;
}

/**
 * Defaults, chosen as what the common trainers do when a key is absent:
 * - LoRA rank 8, alpha 16, targets q_proj + v_proj: PEFT's LoraConfig defaults (r=8; target modules per
 *   architecture, q/v for Llama) and LitGPT's.
 * - bf16-mixed: fp32 weights with bf16 autocast, what HF Trainer and Lightning do with bf16 turned on for a model
 *   loaded in fp32 (their default load dtype). Adapters set bf16-true where a format loads weights in bf16.
 * - micro batch 1, sequence 2048: Axolotl's and LLaMA-Factory's usual starting points (cutoff_len 2048).
 * - sdpa: PyTorch's scaled_dot_product_attention, the transformers default since 4.36.
 * - not packed: the trainers' data collators pad each batch to its longest sample unless packing is turned on.
 * - full cross-entropy: transformers computes the logits over the whole vocabulary unless a kernel replaces it.
 * - reentrant checkpointing: transformers' gradient_checkpointing_enable passes use_reentrant=True when no
 *   gradient_checkpointing_kwargs are given (4.35 to 4.48 at least); torchtune's adapter sets non-reentrant.
 */
export const DEFAULTS = {
  method: 'full' as Method,
  quantization: 'none' as Quantization,
  precision: 'bf16-mixed' as Precision,
  optimizer: 'adamw' as Optimizer,
  microBatchSize: 1,
  sequenceLength: 2048,
  gradientCheckpointing: false,
  checkpointing: 'reentrant' as CheckpointImpl,
  packed: false,
  loss: 'full' as Loss,
  attention: 'sdpa' as Attention,
  gpus: 1,
  loraRank: 8,
  loraAlpha: 16,
  loraTargets: ['q_proj', 'v_proj'],
  adapterBottleneck: 64,
  prefixVirtualTokens: 20,
  trainableLayers: 2,
};

export class SetupError extends Error {
  constructor(
    message: string,
    /** JSON path of the offending field, e.g. "lora.rank". */
    readonly path: string,
  ) {
    super(`${path}: ${message}`);
  }
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new SetupError(`must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${JSON.stringify(value)}`, path);
  }
  return value as T;
}

function positiveInt(value: unknown, path: string, min = 1): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new SetupError(`must be an integer ≥ ${min}, got ${JSON.stringify(value)}`, path);
  }
  return value;
}

function bool(value: unknown, path: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new SetupError(`must be true or false, got ${JSON.stringify(value)}`, path);
  return value;
}

function onlyKeys(o: Record<string, unknown>, allowed: string[], path: string): void {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new SetupError('must be an object', path);
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new SetupError(`unknown field "${k}" (fields: ${allowed.join(', ')})`, `${path}.${k}`);
}

function modelRef(value: unknown, path: string): ModelRef {
  if (typeof value === 'string' && value.trim()) return value.trim();
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const numeric = [
      'parameters',
      'hiddenSize',
      'layers',
      'attentionHeads',
      'kvHeads',
      'headDim',
      'intermediateSize',
      'vocabSize',
      'experts',
      'expertsPerToken',
    ];
    for (const k of numeric) positiveInt(o[k], `${path}.${k}`);
    bool(o.tiedEmbeddings, `${path}.tiedEmbeddings`);
    bool(o.dropout, `${path}.dropout`);
    oneOf(o.mlp, ['gated', 'plain'], `${path}.mlp`);
    oneOf(o.architecture, ['decoder', 'encoder', 'encoder-decoder'], `${path}.architecture`);
    const known = new Set([...numeric, 'tiedEmbeddings', 'mlp', 'dropout', 'architecture', 'name']);
    for (const k of Object.keys(o)) if (!known.has(k)) throw new SetupError(`unknown field "${k}"`, `${path}.${k}`);
    return o as ModelRef;
  }
  throw new SetupError('must be a model id (e.g. "meta-llama/Llama-2-7b-hf") or an object with its dimensions', path);
}

/** The fields a TrainingSetup may have (`ftw vram SETUP.json` tells a setup from a config by them). */
export const SETUP_FIELDS: ReadonlySet<string> = new Set([
  'model',
  'method',
  'trainableLayers',
  'lora',
  'adapter',
  'prefix',
  'teacher',
  'quantization',
  'doubleQuant',
  'precision',
  'optimizer',
  'microBatchSize',
  'evalMicroBatchSize',
  'sequenceLength',
  'gradientCheckpointing',
  'checkpointing',
  'checkpointUnit',
  'kvCache',
  'packed',
  'loss',
  'attention',
  'gpus',
  'sharding',
  'offload',
]);

/** Checks a setup read from JSON and fills in the defaults. Throws SetupError with the field's path. */
export function resolveSetup(raw: unknown): TrainingSetup {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new SetupError('a TrainingSetup must be a JSON object', '$');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!SETUP_FIELDS.has(k)) throw new SetupError(`unknown field "${k}"`, k);
  if (o.model === undefined) throw new SetupError('is required', 'model');
  const model = modelRef(o.model, 'model');
  const method = oneOf(o.method, METHODS, 'method') ?? (o.quantization === 'nf4' || o.quantization === 'fp4' ? 'qlora' : DEFAULTS.method);
  let quantization = oneOf(o.quantization, QUANTIZATIONS, 'quantization');
  if (quantization === undefined) quantization = method === 'qlora' ? 'nf4' : 'none';
  if (method === 'qlora' && quantization === 'none') throw new SetupError('method "qlora" needs quantization "nf4", "fp4" or "int8"', 'quantization');
  if (quantization !== 'none' && (method === 'full' || method === 'freeze')) {
    throw new SetupError(`quantized weights cannot be trained directly; use method "qlora" (or "lora") with quantization "${quantization}"`, 'quantization');
  }
  const setup: TrainingSetup = {
    model,
    method,
    quantization,
    doubleQuant: bool(o.doubleQuant, 'doubleQuant') ?? false,
    precision: oneOf(o.precision, PRECISIONS, 'precision') ?? DEFAULTS.precision,
    optimizer: oneOf(o.optimizer, OPTIMIZERS, 'optimizer') ?? DEFAULTS.optimizer,
    microBatchSize: positiveInt(o.microBatchSize, 'microBatchSize') ?? DEFAULTS.microBatchSize,
    sequenceLength: positiveInt(o.sequenceLength, 'sequenceLength') ?? DEFAULTS.sequenceLength,
    gradientCheckpointing: bool(o.gradientCheckpointing, 'gradientCheckpointing') ?? DEFAULTS.gradientCheckpointing,
    checkpointing: oneOf(o.checkpointing, CHECKPOINT_IMPLS, 'checkpointing') ?? DEFAULTS.checkpointing,
    packed: bool(o.packed, 'packed') ?? DEFAULTS.packed,
    loss: oneOf(o.loss, LOSSES, 'loss') ?? DEFAULTS.loss,
    attention: oneOf(o.attention, ATTENTIONS, 'attention') ?? DEFAULTS.attention,
    gpus: positiveInt(o.gpus, 'gpus') ?? DEFAULTS.gpus,
    sharding: 'none',
    offload: oneOf(o.offload, OFFLOADS, 'offload') ?? 'none',
  };
  if (bool(o.kvCache, 'kvCache')) setup.kvCache = true;
  const evalBatch = positiveInt(o.evalMicroBatchSize, 'evalMicroBatchSize');
  if (evalBatch !== undefined) setup.evalMicroBatchSize = evalBatch;
  if (oneOf(o.checkpointUnit, CHECKPOINT_UNITS, 'checkpointUnit') === 'sublayer') setup.checkpointUnit = 'sublayer';
  setup.sharding = oneOf(o.sharding, SHARDINGS, 'sharding') ?? (setup.gpus > 1 ? 'ddp' : 'none');
  if (setup.offload === 'all' && setup.sharding !== 'zero3' && setup.sharding !== 'fsdp') {
    throw new SetupError('offloading parameters ("all") needs sharding "zero3" or "fsdp"', 'offload');
  }
  if (setup.offload === 'optimizer' && !['zero1', 'zero2', 'zero3', 'fsdp'].includes(setup.sharding)) {
    throw new SetupError('offloading the optimizer needs DeepSpeed ZeRO ("zero1"–"zero3") or "fsdp"', 'offload');
  }
  if (method === 'lora' || method === 'qlora' || o.lora !== undefined) {
    const l = (o.lora ?? {}) as Record<string, unknown>;
    if (typeof l !== 'object' || l === null || Array.isArray(l)) throw new SetupError('must be an object', 'lora');
    onlyKeys(l, ['rank', 'alpha', 'targets', 'trainEmbeddings'], 'lora');
    let targets: LoraSetup['targets'] = [...DEFAULTS.loraTargets];
    if (l.targets !== undefined) {
      if (l.targets === 'all-linear') targets = 'all-linear';
      else if (Array.isArray(l.targets) && l.targets.length && l.targets.every((t) => typeof t === 'string')) targets = l.targets;
      else throw new SetupError('must be "all-linear" or a non-empty list of module names', 'lora.targets');
    }
    setup.lora = {
      rank: positiveInt(l.rank, 'lora.rank') ?? DEFAULTS.loraRank,
      alpha: typeof l.alpha === 'number' ? l.alpha : DEFAULTS.loraAlpha,
      targets,
      trainEmbeddings: bool(l.trainEmbeddings, 'lora.trainEmbeddings') ?? false,
    };
  }
  if (method === 'freeze' || o.trainableLayers !== undefined) {
    setup.trainableLayers = positiveInt(o.trainableLayers, 'trainableLayers', 0) ?? DEFAULTS.trainableLayers;
  }
  if (method === 'adapter' || o.adapter !== undefined) {
    const a = (o.adapter ?? {}) as Record<string, unknown>;
    onlyKeys(a, ['bottleneck'], 'adapter');
    setup.adapter = { bottleneck: positiveInt(a.bottleneck, 'adapter.bottleneck') ?? DEFAULTS.adapterBottleneck };
  }
  if (method === 'prefix' || o.prefix !== undefined) {
    const p = (o.prefix ?? {}) as Record<string, unknown>;
    onlyKeys(p, ['virtualTokens'], 'prefix');
    setup.prefix = { virtualTokens: positiveInt(p.virtualTokens, 'prefix.virtualTokens') ?? DEFAULTS.prefixVirtualTokens };
  }
  if (method === 'distillation') {
    if (o.teacher === undefined) throw new SetupError('method "distillation" needs a teacher model', 'teacher');
  }
  if (o.teacher !== undefined) setup.teacher = modelRef(o.teacher, 'teacher');
  return setup;
}
