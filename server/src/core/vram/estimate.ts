/**
 * The memory model: peak GPU memory of one training step on the busiest GPU, as a sum of terms. Every constant
 * has its source in docs/vram.md (and ../shared/research/vram-model.md §1–§5, cited as "research §n").
 *
 * Four figures come out, the way people measure them:
 *   allocatedBytes  the expected torch.cuda.max_memory_allocated (tensors alive at the peak)
 *   peakBytes       the expected max_memory_reserved: allocated plus what the caching allocator keeps besides
 *   peakUpperBytes  a bound on max_memory_reserved that nine runs in ten stay under (range.ts)
 *   contextBytes    what nvidia-smi shows on top of reserved (CUDA context and kernels, NCCL)
 * A GPU fits when peakUpperBytes + contextBytes ≤ its nvidia-smi total, is tight when only peakBytes +
 * contextBytes does, and does not fit otherwise.
 */
import type { GpuInfo } from '../gpus';
import { resolveModel, type ModelLookup, type ResolvedModel } from './models';
import { ALLOCATOR, CONTEXT_UPSIDE_BYTES, reserve, transientSlack, UPSIDE, verdictOf, type PeakPhase, type Verdict } from './range';
import {
  autocastCopies,
  eagerScoreBytes,
  gatheredParameters,
  EVAL_LAYER_LABEL,
  EVAL_LOGITS_LABEL,
  KV_CACHE_LABEL,
  largestSublayerBytes,
  loraParameters,
  lossBytes,
  modelParts,
  perTokenLayerBytes,
  RETAINED_GRADS_LABEL,
  retainedInputGradients,
  SUBLAYER_CHECKPOINTS,
  tokenWidth,
  zero3DtypeBytes,
  zero3OffloadStaging,
} from './terms';

export { loraParameters, modelParts } from './terms';
import type { TrainingSetup } from './setup';

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;

/** research §4.2: CUDA context + kernels 0.47–0.92 GiB on PyTorch 2.1 (Stas Bekman), 1,343 MB in the HF docs on a
 *  V100; 650 MB (gpu_poor) and 1,000 MiB (asmirnov) in other estimators. cuBLAS/cuDNN workspaces come on top once
 *  training runs: we take 1 GiB (its spread, up to +0.5 GiB, is in range.ts). */
export const CUDA_CONTEXT_BYTES = 1 * GiB;
/** research §4.2: torch.distributed/NCCL initialisation and the first barrier took nvidia-smi from 0.55 to 2.00 GiB
 *  on 2 GPUs (Stas Bekman, ML Engineering): 1.45 GiB outside PyTorch's allocator. We take 1.5 GiB. */
export const NCCL_BYTES = 1.5 * GiB;
/** research §1.10: NF4 stores 4 bits per weight plus one fp32 absmax per 64 weights (4.5 bits), 4.127 bits with
 *  double quantization. LLM.int8 stores 1 byte per weight plus a per-row fp32 scale. */
const NF4_BITS = 4.5;
const NF4_DQ_BITS = 4.127;
/** DeepSpeed's default reduce_bucket_size: 5e8 elements (deepspeed/runtime/zero/config.py). */
const DS_BUCKET_ELEMENTS = 5e8;

export interface Components {
  weights: number;
  gradients: number;
  optimizer: number;
  activations: number;
  logits: number;
  other: number;
}

export interface BreakdownLine {
  component: keyof Components;
  label: string;
  bytes: number;
  /** How it was computed, in words and numbers. */
  detail: string;
  /** How much larger this term is in one real run in ten (0.35: up to 35% more), from what the setup cannot say
   *  (range.ts, docs/vram.md §5). */
  upside: number;
  /** Allocated and freed within every step (activations, logits, temporaries): what the caching allocator
   *  fragments. Weights, gradients and optimizer states are allocated once. */
  transient: boolean;
}

export interface GpuFit {
  name: string;
  usableBytes: number;
  /** The upper bound fits (fits), only the estimate does (tight), or not even the estimate (no). */
  verdict: Verdict;
  /** verdict is "fits" or "tight". */
  fits: boolean;
}

export interface Estimate {
  setup: TrainingSetup;
  model: ResolvedModel;
  allocatedBytes: number;
  peakBytes: number;
  /** max_memory_allocated that nine runs in ten stay under (the allocated view of peakUpperBytes). */
  allocatedUpperBytes: number;
  peakUpperBytes: number;
  /** What the caching allocator keeps besides on a GPU with room to spare (range.ts): part of what nvidia-smi shows
   *  there, never needed (reservedOn). */
  cachedBytes: number;
  contextBytes: number;
  components: Components;
  lines: BreakdownLine[];
  /** Trainable parameters and all parameters. */
  trainableParameters: number;
  totalParameters: number;
  /** Optimizer state kept in CUDA unified memory by a paged optimizer (outside the totals: it can spill to CPU). */
  pagedBytes: number;
  /** CPU RAM that offloading needs on the node. */
  cpuBytes: number;
  gpus: GpuFit[];
  /** Assumptions worth telling the user ("eager attention stores the s×s scores: 2.1 GiB"). */
  notes: string[];
  /** Which phase sets the peak: the forward/backward, the optimizer step, or evaluation between steps. */
  peakPhase: PeakPhase;
}

function fmt(bytes: number): string {
  return `${(bytes / GiB).toFixed(2)} GiB`;
}

/** Usable memory of a GPU: its nvidia-smi total (what the card offers the process). */
export function usableBytes(gpu: GpuInfo): number {
  return gpu.smiMiB * MiB;
}

/**
 * The max_memory_reserved to expect on a given GPU: the estimate, plus what the caching allocator keeps besides as far
 * as the card has room for it (it frees cached blocks and retries only when cudaMalloc fails). Without a GPU, a
 * roomy one.
 */
export function reservedOn(e: Estimate, gpu?: GpuInfo): number {
  const room = gpu ? Math.max(0, usableBytes(gpu) - e.contextBytes - e.peakBytes) : Infinity;
  return e.peakBytes + Math.min(e.cachedBytes, room);
}

export interface EstimateOptions extends ModelLookup {
  /** GPUs to check the fit against. */
  gpus?: GpuInfo[];
}

export function estimate(setup: TrainingSetup, options: EstimateOptions = {}): Estimate {
  const model = resolveModel(setup.model, options);
  const d = model.dims;
  const parts = modelParts(d);
  const notes: string[] = [];
  const lines: BreakdownLine[] = [];
  const add = (component: keyof Components, label: string, bytes: number, detail: string, upside: number, transient: boolean) => {
    if (bytes > 0) lines.push({ component, label, bytes, detail, upside, transient });
  };

  const mixed = setup.precision.endsWith('-mixed');
  const pureHalf = setup.precision.endsWith('-true');
  const compute = setup.precision === 'fp32' ? 4 : 2;
  const weightBytes = pureHalf ? 2 : 4; // AMP keeps fp32 weights; "-true" trains the 16-bit weights themselves
  const n = setup.gpus;
  const sharding = setup.sharding;
  const shardsParams = sharding === 'zero3' || sharding === 'fsdp';
  const shardsGrads = shardsParams || sharding === 'zero2';
  const shardsOptimizer = shardsGrads || sharding === 'zero1';
  const divide = (bytes: number, sharded: boolean) => (sharded && n > 1 ? bytes / n : bytes);
  const tokens = setup.microBatchSize * setup.sequenceLength;
  const peft = ['lora', 'qlora', 'adapter', 'prefix'].includes(setup.method);
  const adapterBytes = pureHalf ? 2 : 4; // PEFT keeps adapters in fp32 unless the whole model is trained in 16-bit
  const quantized = setup.quantization !== 'none';
  // DeepSpeed's bf16/fp16 modes cast the whole module to 16 bits and keep fp32 master copies of what trains in the
  // optimizer (research §1.2); FSDP's mixed precision keeps fp32 shards and gathers them in 16 bits. Either way the
  // layers compute on 16-bit weights.
  const deepspeedHalf = mixed && sharding.startsWith('zero');
  const computesOnHalf = deepspeedHalf || (mixed && sharding === 'fsdp');
  // PEFT's prepare_model_for_kbit_training casts a k-bit model's unquantized parts (embeddings, norms, head) to
  // fp32 (research §1.10): what HF trainers run under mixed precision on one GPU or DDP. FSDP and DeepSpeed flatten
  // parameters into one 16-bit dtype (bnb_4bit_quant_storage), so nothing is upcast there.
  const kbitUpcast = quantized && mixed && (sharding === 'none' || sharding === 'ddp');
  // The residual stream takes the embedding's dtype: fp32 under AMP with fp32 weights and for a k-bit model whose
  // embedding and norms PEFT cast to fp32; 16 bits when the model computes on 16-bit weights.
  const residualBytes = setup.precision === 'fp32' || (mixed && !computesOnHalf && (!quantized || kbitUpcast)) ? 4 : 2;
  // Parameters live gathered (unsharded) on each GPU: FSDP/ZeRO-3 over several GPUs, or with parameters offloaded.
  const gathers = (shardsParams && n > 1) || setup.offload === 'all';

  // ---- weights ----------------------------------------------------------------------------------------------
  let weights = 0;
  let offloadedWeights = 0;
  let trainable = 0;
  if (quantized) {
    const bits = setup.quantization === 'int8' ? 8 + 32 / d.hiddenSize : setup.doubleQuant ? NF4_DQ_BITS : NF4_BITS;
    const codeBits = setup.quantization === 'int8' ? 8 : 4;
    // The packed codes are the parameter FSDP and DeepSpeed shard and offload. The quantization statistics
    // (bitsandbytes' QuantState: absmax per block, nested absmax and code book) are plain tensor attributes of the
    // parameter, not parameters or buffers: FSDP and ZeRO-3 neither shard nor offload them, so every GPU keeps all
    // of them (research §1.10; transformers PR #29587 quantizes on the GPU before sharding).
    const packedBytes = (parts.linear * codeBits) / 8;
    const statsBytes = (parts.linear * (bits - codeBits)) / 8;
    // Embeddings, LM head and norms stay unquantized; PEFT's prepare_model_for_kbit_training casts them to fp32
    // (research §1.10), which HF-based trainers do under mixed precision.
    const unquantizedBytes = kbitUpcast ? 4 : 2;
    const unquantized = (parts.embedding + parts.head + parts.rest) * unquantizedBytes;
    const offloaded = setup.offload === 'all';
    weights = (offloaded ? 0 : divide(packedBytes + unquantized, shardsParams)) + statsBytes;
    offloadedWeights = offloaded ? packedBytes + unquantized : 0;
    const where = `${shardsParams && n > 1 ? ` ÷ ${n} GPUs` : ''}`;
    add(
      'weights',
      `${setup.quantization.toUpperCase()} linear weights${offloaded ? ' (codes offloaded to CPU; statistics stay)' : ''}`,
      (offloaded ? 0 : divide(packedBytes, shardsParams)) + statsBytes,
      `${(parts.linear / 1e9).toFixed(2)} B params × ${codeBits} bits${offloaded ? ' on the CPU' : where} + ${(bits - codeBits).toFixed(3)} bits of statistics${offloaded || (shardsParams && n > 1) ? ' (whole on every GPU)' : ''}`,
      UPSIDE.weights,
      false,
    );
    if (!offloaded) {
      add(
        'weights',
        'unquantized embeddings, LM head, norms',
        divide(unquantized, shardsParams),
        `${((parts.embedding + parts.head + parts.rest) / 1e9).toFixed(2)} B params × ${unquantizedBytes} bytes${kbitUpcast ? ' (cast to fp32 for k-bit training)' : ''}${where}`,
        UPSIDE.weights,
        false,
      );
    }
  } else {
    // AMP keeps fp32 weights, frozen or not; "-true" and DeepSpeed's half modes hold them in 16 bits.
    const wb = setup.precision === 'fp32' ? 4 : deepspeedHalf || pureHalf ? 2 : 4;
    weights = setup.offload === 'all' ? 0 : divide(d.parameters * wb, shardsParams);
    offloadedWeights = setup.offload === 'all' ? d.parameters * wb : 0;
    add(
      'weights',
      setup.offload === 'all' ? 'weights (offloaded to CPU)' : 'model weights',
      weights,
      `${(d.parameters / 1e9).toFixed(2)} B params × ${wb} bytes${shardsParams && n > 1 ? ` ÷ ${n} GPUs` : ''}`,
      UPSIDE.weights,
      false,
    );
  }

  // ---- trainable parameters ---------------------------------------------------------------------------------
  let adapterTokenBytes = 0; // activations the adapters add per token per layer
  let trainableBytes = weightBytes; // bytes per trainable parameter (its grads and states use the same dtype)
  if (setup.method === 'full' || setup.method === 'distillation') {
    trainable = d.parameters;
  } else if (setup.method === 'freeze') {
    const nTrain = Math.min(d.layers, setup.trainableLayers ?? 2);
    trainable = nTrain * parts.perLayer;
  } else if (setup.method === 'lora' || setup.method === 'qlora') {
    const lora = setup.lora!;
    const lp = loraParameters(d, lora.rank, lora.targets);
    if (lp.unknown.length) notes.push(`LoRA targets not recognised for this architecture and left out: ${lp.unknown.join(', ')}`);
    trainable = lp.params + (lora.trainEmbeddings ? parts.embedding + parts.head : 0);
    trainableBytes = adapterBytes;
    adapterTokenBytes = lp.perTokenInputs * adapterBytes;
    const loraWeights = lp.params * adapterBytes;
    if (setup.offload !== 'all') weights += loraWeights;
    add(
      'weights',
      `LoRA adapters (r=${lora.rank})`,
      setup.offload === 'all' ? 0 : loraWeights,
      `${(lp.params / 1e6).toFixed(1)} M params × ${adapterBytes} bytes`,
      UPSIDE.trainable,
      false,
    );
    if (lora.trainEmbeddings) notes.push('embeddings and LM head are trained in full (new tokens or modules_to_save)');
  } else if (setup.method === 'adapter') {
    const b = setup.adapter!.bottleneck;
    // Houlsby adapters: two bottleneck MLPs per layer (down h→b, up b→h, with biases).
    trainable = d.layers * 2 * (2 * d.hiddenSize * b + b + d.hiddenSize);
    trainableBytes = adapterBytes;
    if (setup.offload !== 'all') weights += trainable * adapterBytes;
    adapterTokenBytes = 2 * (d.hiddenSize + b) * adapterBytes;
    add(
      'weights',
      `bottleneck adapters (${b})`,
      setup.offload === 'all' ? 0 : trainable * adapterBytes,
      `${(trainable / 1e6).toFixed(1)} M params × ${adapterBytes} bytes`,
      UPSIDE.trainable,
      false,
    );
  } else if (setup.method === 'prefix') {
    const p = setup.prefix!.virtualTokens;
    trainable = p * d.layers * 2 * d.kvHeads * d.headDim;
    trainableBytes = adapterBytes;
    if (setup.offload !== 'all') weights += trainable * adapterBytes;
    add(
      'weights',
      `prefix (${p} virtual tokens)`,
      setup.offload === 'all' ? 0 : trainable * adapterBytes,
      `${(trainable / 1e6).toFixed(2)} M params × ${adapterBytes} bytes`,
      UPSIDE.trainable,
      false,
    );
  }
  const fullParameters = setup.method === 'full' || setup.method === 'distillation';

  // ---- distillation: a frozen teacher beside the student (any student method: a LoRA student may have one) -----
  let teacher: ResolvedModel | undefined;
  if (setup.teacher !== undefined) {
    teacher = resolveModel(setup.teacher, options);
    const tb = teacher.dims.parameters * (setup.precision === 'fp32' ? 4 : 2);
    const t = divide(tb, shardsParams);
    weights += t;
    add(
      'weights',
      `teacher ${teacher.name} (frozen)`,
      t,
      `${(teacher.dims.parameters / 1e9).toFixed(2)} B params × ${setup.precision === 'fp32' ? 4 : 2} bytes`,
      UPSIDE.weights,
      false,
    );
  }

  // ---- gradients ---------------------------------------------------------------------------------------------
  const gradBytesTotal = trainable * trainableBytes;
  // Offloading (ZeRO-Offload, FSDP cpu_offload) moves gradients to the CPU bucket by bucket: none stay on the GPU.
  const gradients = setup.offload !== 'none' ? 0 : divide(gradBytesTotal, shardsGrads);
  add(
    'gradients',
    'gradients',
    gradients,
    `${(trainable / 1e6).toFixed(1)} M trainable × ${trainableBytes} bytes${shardsGrads && n > 1 ? ` ÷ ${n}` : ''}`,
    UPSIDE.trainable,
    false,
  );
  if (sharding === 'ddp' && n > 1 && gradBytesTotal > 0) {
    // DDP's gradient buckets copy every gradient unless gradient_as_bucket_view (research §5.1, PyTorch PR #41954).
    add('other', 'DDP gradient buckets', gradBytesTotal, 'one more gradient-sized buffer (gradient_as_bucket_view off)', UPSIDE.buckets, false);
  }

  // ---- optimizer states --------------------------------------------------------------------------------------
  const stateBytes = trainableBytes; // torch keeps AdamW/SGD states in the parameter's dtype
  const perParamState: Record<string, number> = {
    adamw: 2 * stateBytes,
    'adamw-fused': 2 * stateBytes,
    'paged-adamw': 2 * stateBytes,
    'adamw-8bit': 2,
    'paged-adamw-8bit': 2,
    sgd: stateBytes,
    adafactor: (8 / d.hiddenSize) * 4, // factored second moment: rows + columns per matrix, fp32
  };
  const stateTotal = trainable * (perParamState[setup.optimizer] ?? 2 * stateBytes);
  let optimizer = setup.offload !== 'none' ? 0 : divide(stateTotal, shardsOptimizer);
  // Mixed-precision DeepSpeed keeps an fp32 master copy beside 16-bit weights (research §1.2: 2+4+4+8 bytes).
  if (sharding.startsWith('zero') && mixed && setup.offload === 'none' && !peft) {
    const master = divide(trainable * 4, shardsOptimizer);
    optimizer += master;
  }
  let pagedBytes = 0;
  if (setup.optimizer.startsWith('paged')) {
    pagedBytes = optimizer;
    optimizer = 0;
    notes.push(`paged optimizer: ${fmt(pagedBytes)} of optimizer state live in CUDA unified memory and spill to CPU RAM under pressure, outside this total`);
  }
  add(
    'optimizer',
    `${setup.optimizer} states${setup.offload !== 'none' ? ' (offloaded to CPU)' : ''}`,
    optimizer,
    `${(trainable / 1e6).toFixed(1)} M trainable × ${(perParamState[setup.optimizer] ?? 0).toFixed(2)} bytes${shardsOptimizer && n > 1 ? ` ÷ ${n}` : ''}`,
    UPSIDE.trainable,
    false,
  );

  // ---- activations -------------------------------------------------------------------------------------------
  const seq = setup.sequenceLength + (setup.method === 'prefix' ? setup.prefix!.virtualTokens : 0);
  const layerBytes = perTokenLayerBytes(d, compute, mixed, kbitUpcast) + adapterTokenBytes;
  const scores = setup.attention === 'eager' ? eagerScoreBytes(d, seq, compute, mixed) : 0;
  // A frozen prefix of the network keeps nothing for backward: only layers from the first trainable one on.
  const keptLayers = setup.method === 'freeze' ? Math.min(d.layers, setup.trainableLayers ?? 2) : d.layers;
  let activations: number;
  let logitsOverlap = 0; // what the logits and the recomputed layer have in common at the peak (see below)
  let kvCache = 0; // the key/value cache a model with use_cache on returns, alive at the end of the forward
  if (setup.gradientCheckpointing) {
    // HF checkpoints each decoder layer's input: the residual stream, in the embedding's dtype.
    // Checkpointed sublayers keep four hidden states a layer and recompute one sublayer at a time (terms.ts).
    const sublayers = setup.checkpointUnit === 'sublayer';
    const perLayer = sublayers ? SUBLAYER_CHECKPOINTS : 1;
    const checkpoints = tokens * keptLayers * d.hiddenSize * residualBytes * perLayer;
    const recomputedBytes = sublayers ? Math.max(largestSublayerBytes(d, compute, mixed, kbitUpcast) + adapterTokenBytes, scores) : layerBytes + scores;
    const working = tokens * recomputedBytes;
    const retained = retainedInputGradients(setup, tokens, keptLayers, d.hiddenSize, residualBytes);
    activations = checkpoints + working + retained.bytes;
    // With checkpointing the loss's buffers are freed before the last layer is recomputed, so the peak holds the
    // larger of the two, not both (research §5.4's worked example sums them: an upper bound). Where FSDP keeps every
    // layer's input gradient to the end of backward, that phase is the recomputed layer plus those gradients.
    logitsOverlap = working + retained.bytes;
    add(
      'activations',
      'layer checkpoints',
      checkpoints,
      `${keptLayers} layers × ${sublayers ? `${perLayer} sublayer inputs × ` : ''}${tokens} tokens × hidden ${d.hiddenSize} × ${residualBytes} bytes`,
      UPSIDE.checkpoints,
      true,
    );
    add(
      'activations',
      'one layer recomputed in backward',
      working,
      `${tokens} tokens × ${(recomputedBytes / 1024).toFixed(0)} KiB${sublayers ? ' (the largest sublayer)' : ''}`,
      UPSIDE.recomputed,
      true,
    );
    add('activations', RETAINED_GRADS_LABEL, retained.bytes, retained.detail, UPSIDE.checkpoints, true);
    if (setup.kvCache) {
      // transformers turns use_cache off only under its own gradient_checkpointing_enable; with checkpointing applied
      // from outside, every layer's keys and values (after the rotary embedding, before any GQA repeat) go into the
      // returned cache and stay alive to the end of the forward, beside the checkpoints and the logits. Without
      // checkpointing they are the tensors autograd saves anyway.
      kvCache = tokens * d.layers * 2 * d.kvHeads * d.headDim * compute;
      activations += kvCache;
      add(
        'activations',
        KV_CACHE_LABEL,
        kvCache,
        `${d.layers} layers × ${tokens} tokens × 2 × ${d.kvHeads} KV heads × ${d.headDim} × ${compute} bytes`,
        UPSIDE.kvCache,
        true,
      );
    }
  } else {
    activations = tokens * keptLayers * (layerBytes + scores);
    add(
      'activations',
      'activations kept for backward',
      tokens * keptLayers * layerBytes,
      `${keptLayers} layers × ${tokens} tokens × ${(layerBytes / 1024).toFixed(0)} KiB${kbitUpcast ? ' (MLP outputs in fp32: k-bit model under autocast)' : ''}`,
      UPSIDE.activations,
      true,
    );
    if (scores)
      add(
        'activations',
        'eager attention scores',
        tokens * keptLayers * scores,
        `${d.attentionHeads} heads × ${seq}² per layer (use sdpa/flash to drop this)`,
        UPSIDE.scores,
        true,
      );
  }
  const copies = autocastCopies(setup, parts, keptLayers, quantized, kbitUpcast);
  if (copies.bytes > 0) {
    activations += copies.bytes;
    add('activations', 'autocast 16-bit weight copies', copies.bytes, copies.detail, UPSIDE.copies, true);
  }

  // ---- logits and loss ---------------------------------------------------------------------------------------
  let logits = 0;
  if ((d.architecture ?? 'decoder') !== 'encoder') {
    // The final norm before the LM head keeps its input's fp32 copy for backward (research §5.3, like every RMSNorm).
    const finalNorm = tokens * d.hiddenSize * 4;
    activations += finalNorm;
    add('activations', 'final norm (fp32 copy of its input)', finalNorm, `${tokens} tokens × hidden ${d.hiddenSize} × 4 bytes`, UPSIDE.activations, true);
    const loss = lossBytes(setup, d, compute);
    logits = tokens * loss.perToken;
    add('logits', loss.label, logits, `${tokens} tokens × ${loss.detail}`, UPSIDE.logits, true);
    if (teacher) {
      const t = tokens * teacher.dims.vocabSize * (compute + 8);
      logits += t;
      add('logits', 'teacher logits and KL-divergence buffers', t, `${tokens} tokens × ${teacher.dims.vocabSize} × ${compute + 8} bytes`, UPSIDE.logits, true);
    }
  }

  // ---- evaluation --------------------------------------------------------------------------------------------
  // An evaluation pass between steps runs the eval batch forward without autograd: nothing is kept per layer, but
  // the loss needs the whole batch's logits at once (docs/vram.md §4.9). HF's per_device_eval_batch_size defaults to
  // 8 whatever the training batch is, so with a large vocabulary this phase can set the peak.
  const evalLines: string[] = [];
  let evalLogits = 0;
  let evalLayer = 0;
  if (setup.evalMicroBatchSize && (d.architecture ?? 'decoder') !== 'encoder') {
    const evalTokens = setup.evalMicroBatchSize * seq;
    const perEntry = setup.loss === 'chunked' ? compute + 4 : compute + 8;
    evalLogits = evalTokens * d.vocabSize * perEntry;
    add(
      'logits',
      EVAL_LOGITS_LABEL,
      evalLogits,
      `${evalTokens} tokens (eval batch ${setup.evalMicroBatchSize} × ${seq}) × vocabulary ${d.vocabSize} × ${perEntry} bytes${setup.loss === 'fused' ? ' (Liger fuses the loss only in training; Cut Cross-Entropy also in evaluation)' : ''}`,
      UPSIDE.logits,
      true,
    );
    // One layer at a time: its input, the MLP's wide intermediates, and eager attention's scores for that layer.
    evalLayer = evalTokens * ((2 * d.hiddenSize + 3 * tokenWidth(d)) * compute + (setup.attention === 'eager' ? d.attentionHeads * seq * (4 + compute) : 0));
    add('activations', EVAL_LAYER_LABEL, evalLayer, `${evalTokens} tokens × one layer's temporaries, nothing kept for backward`, UPSIDE.activations, true);
    evalLines.push(EVAL_LOGITS_LABEL, EVAL_LAYER_LABEL);
  }

  // ---- temporaries -------------------------------------------------------------------------------------------
  const staging = zero3OffloadStaging(setup, parts);
  if (staging > 0) {
    // The LM head is gathered at the end of the forward, when every activation is alive and before the logits
    // exist: its staging copy is in the peak only as far as it is larger than what the peak holds in its place
    // (the logits and loss buffers, or with checkpointing the larger of them and the recomputed layer).
    const inItsPlace = Math.max(logits, logitsOverlap);
    const extra = Math.max(0, staging - inItsPlace);
    add(
      'other',
      "ZeRO-3 offload: GPU copy of the LM head's CPU partition while it is gathered",
      extra,
      `${(parts.headMatrix / n / 1e9).toFixed(2)} B params × ${zero3DtypeBytes(setup)} bytes, less the ${fmt(inItsPlace)} it comes before (logits and loss${setup.gradientCheckpointing ? ', or the recomputed layer' : ''})`,
      UPSIDE.gathered,
      true,
    );
  }
  if (quantized) {
    const t = 2 * parts.largestLinear * compute;
    add(
      'other',
      'dequantized weight (largest linear, forward + backward)',
      t,
      `2 × ${(parts.largestLinear / 1e6).toFixed(0)} M × ${compute} bytes`,
      UPSIDE.temporaries,
      true,
    );
  }
  if (gathers) gatheredParameters(setup, d, parts, compute, fullParameters, trainableBytes, add);
  if ((sharding === 'zero1' || sharding === 'zero2') && trainable > 0) {
    const bucket = Math.min(DS_BUCKET_ELEMENTS, trainable) * 2;
    add('other', 'ZeRO reduce bucket', bucket, 'min(5e8, trainable) elements × 2 bytes (DeepSpeed default)', UPSIDE.buckets, false);
  }
  if (sharding === 'zero3' && trainable > 0) {
    // ZeRO-3's optimizer allocates its contiguous gradient buffer on the GPU when it starts: reduce_bucket_size
    // elements in the model's dtype, however few parameters train and whether or not the optimizer and parameters
    // are offloaded (deepspeed/runtime/zero/stage3.py v0.8.0 lines 385–389, __ipg_bucket_flat_buffer = torch.empty(
    // self.reduce_bucket_size, dtype=self.dtype, device=cuda) under contiguous_gradients, default true; the same
    // through v0.16.0, one per communication dtype on master). The DeepSpeed default is 5e8 elements.
    const bucket = DS_BUCKET_ELEMENTS * zero3DtypeBytes(setup);
    add(
      'other',
      'ZeRO-3 contiguous gradient buffer',
      bucket,
      `5e8 elements (reduce_bucket_size, DeepSpeed default) × ${zero3DtypeBytes(setup)} bytes, allocated whole at start${setup.offload !== 'none' ? ', offload or not' : ''}`,
      UPSIDE.buckets,
      false,
    );
  }

  // ---- the peak ----------------------------------------------------------------------------------------------
  // Gradients are counted through the whole step: they persist across micro-batches under gradient accumulation
  // and, in trainers that zero them instead of freeing them (torch < 2.0, Hugging Face Trainer of that time),
  // across steps; where they are freed, the estimate errs on the safe side by the gradient size. The optimizer
  // step's own temporaries are per tensor in fused and for-loop AdamW (the largest tensor, the embedding).
  const persistent = lines.filter((l) => !l.transient);
  // With checkpointing the loss's buffers are freed before the last layer is recomputed: the peak holds the larger
  // of the two, not both (research §5.4's worked example sums them: an upper bound).
  // The end of the forward holds the logits and any key/value cache; backward, the recomputed layer.
  const dropped = logitsOverlap
    ? logitsOverlap < logits + kvCache
      ? ['one layer recomputed in backward', RETAINED_GRADS_LABEL]
      : [...lines.filter((l) => l.component === 'logits').map((l) => l.label), KV_CACHE_LABEL]
    : [];
  const forward = lines.filter((l) => l.transient && !dropped.includes(l.label) && !evalLines.includes(l.label));
  const sum = (ls: BreakdownLine[]) => ls.reduce((s, l) => s + l.bytes, 0);
  // The optimizer step: torch.optim.AdamW runs its foreach implementation by default on CUDA, which makes one
  // temporary as large as all the states it steps (torch/optim/adam.py, _multi_tensor_adam: exp_avg_sq_sqrt);
  // fused AdamW, HF's for-loop AdamW and bitsandbytes step one tensor at a time (the largest, the embedding).
  // DeepSpeed steps with its own fused or CPU Adam; offloaded states are stepped on the CPU.
  const largestTensor = Math.max(parts.embedding, parts.largestLinear * (d.experts ?? 1));
  const foreach = setup.optimizer === 'adamw' && !sharding.startsWith('zero');
  const stepTemp =
    setup.offload !== 'none' || setup.optimizer === 'adafactor' || !trainable
      ? 0
      : foreach
        ? divide(trainable * stateBytes, shardsOptimizer)
        : Math.min(trainable, largestTensor) * stateBytes;
  const stepIsPeak = stepTemp > sum(forward);
  add(
    'other',
    'optimizer step temporaries',
    stepIsPeak ? stepTemp : 0,
    foreach ? 'foreach AdamW: one temporary the size of all the states it steps' : 'one buffer the size of the largest trainable tensor',
    foreach ? 0.05 : UPSIDE.temporaries,
    true,
  );
  const transientShare = transientSlack(setup.packed).point;
  const r = reserve({
    persistent,
    forward,
    step: { bytes: stepTemp, upside: foreach ? 0.05 : UPSIDE.temporaries, transient: true },
    stepCachedApart: foreach && stepTemp > 0,
    stepCachedKept: foreach && stepTemp > 0 && sharding === 'fsdp',
    packed: setup.packed,
    contextUpsideBytes: CONTEXT_UPSIDE_BYTES * (n > 1 ? 2 : 1),
    // Evaluation: its own lines and what any forward gathers or dequantizes (the transient "other" lines); the
    // gradients are freed between steps.
    evaluation: evalLines.length
      ? {
          terms: lines.filter((l) => evalLines.includes(l.label) || (l.transient && l.component === 'other' && l.label !== 'optimizer step temporaries')),
          freedBytes: gradients,
        }
      : undefined,
  });
  const { allocatedBytes } = r;
  const peakBytes = allocatedBytes + r.slackBytes;
  // CPU RAM the offload needs on the node (all ranks together): offloaded weights, optimizer states, and the fp32
  // gradients (plus an fp32 master copy under DeepSpeed) the CPU optimizer step works on (research §1.2).
  const cpuBytes = offloadedWeights + (setup.offload !== 'none' ? stateTotal + trainable * (sharding.startsWith('zero') ? 8 : 4) : 0);
  if (cpuBytes > 0)
    notes.push(
      `offload needs ≈ ${fmt(cpuBytes)} of CPU RAM on the node (offloaded weights, optimizer states, fp32 gradients${sharding.startsWith('zero') ? ' and master weights' : ''})`,
    );
  add(
    'other',
    'allocator slack (reserved − allocated)',
    r.slackBytes,
    `${ALLOCATOR.persistent * 100}% of what persists; ${transientShare * 100}% of what ${r.phase === 'evaluation' ? 'evaluation allocates' : 'every step allocates again'} (${fmt(r.phase === 'evaluation' ? evalLogits + evalLayer : sum(forward))}; ${setup.packed ? 'same shapes every step' : 'batches padded to their longest sample'})`,
    0,
    false,
  );
  const contextBytes = CUDA_CONTEXT_BYTES + (n > 1 ? NCCL_BYTES : 0);
  if (r.cachedBytes > 0)
    notes.push(
      `FSDP's optimizer step: on a GPU with room, nvidia-smi shows up to ${fmt(r.cachedBytes)} more, cached by the allocator and given back when the memory is needed`,
    );

  const evaluating = r.phase === 'evaluation';
  const components: Components = {
    weights,
    gradients: evaluating ? 0 : gradients,
    optimizer,
    activations: evaluating ? evalLayer : stepIsPeak ? 0 : activations - Math.min(logitsOverlap, logits + kvCache),
    logits: evaluating ? evalLogits : stepIsPeak ? 0 : logits,
    other: 0,
  };
  if (evaluating)
    notes.push(
      `evaluation sets the peak: the logits of an eval batch of ${setup.evalMicroBatchSize} × ${seq} tokens (${fmt(evalLogits)}) exist at once; a smaller eval batch size lowers it`,
    );
  components.other = peakBytes - components.weights - components.gradients - components.optimizer - components.activations - components.logits;
  const gpus = (options.gpus ?? []).map((g) => {
    const verdict = verdictOf(usableBytes(g), peakBytes + contextBytes, r.peakUpperBytes + contextBytes);
    return { name: g.name, usableBytes: usableBytes(g) - contextBytes, verdict, fits: verdict !== 'no' };
  });
  if (setup.attention === 'eager' && scores * tokens * keptLayers > 0.1 * allocatedBytes) {
    notes.push(
      `eager attention keeps the ${seq}×${seq} scores of every head: ${fmt(scores * tokens * (setup.gradientCheckpointing ? 1 : keptLayers))}; sdpa or flash attention does not`,
    );
  }
  if (kvCache > 0 && !dropped.includes(KV_CACHE_LABEL))
    notes.push(
      `use_cache is on in training: the key/value cache (${fmt(kvCache)}) is alive at the end of every forward; model.config.use_cache = False (or use_cache=False in the forward call) frees it`,
    );
  return {
    setup,
    model,
    allocatedBytes,
    peakBytes,
    allocatedUpperBytes: r.allocatedUpperBytes,
    peakUpperBytes: r.peakUpperBytes,
    cachedBytes: r.cachedBytes,
    contextBytes,
    components,
    lines,
    trainableParameters: trainable,
    totalParameters: d.parameters + (teacher?.dims.parameters ?? 0),
    pagedBytes,
    cpuBytes,
    gpus,
    notes,
    peakPhase: r.phase,
  };
}
