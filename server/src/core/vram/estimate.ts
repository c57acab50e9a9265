/**
 * The memory model: peak GPU memory of one training step on the busiest GPU, as a sum of terms. Every constant
 * has its source in docs/vram.md (and ../shared/research/vram-model.md §1–§5, cited as "research §n").
 *
 * Three figures come out, the way people measure them:
 *   allocatedBytes  the expected torch.cuda.max_memory_allocated (tensors alive at the peak)
 *   peakBytes       the expected max_memory_reserved: allocated plus the caching allocator's slack
 *   contextBytes    what nvidia-smi shows on top of reserved (CUDA context and kernels, NCCL)
 * A GPU fits when peakBytes + contextBytes ≤ its nvidia-smi total.
 */
import type { GpuInfo } from '../gpus/catalog';
import { attentionParams, mlpParams, resolveModel, type ModelLookup, type ResolvedModel } from './models';
import type { ModelDims } from './modelTypes';
import type { TrainingSetup } from './setup';

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;

/** research §4.2: CUDA context + kernels 0.47–0.92 GiB on PyTorch 2.1 (Stas Bekman), 1,343 MB in the HF docs on a
 *  V100; 650 MB (gpu_poor) and 1,000 MiB (asmirnov) in other estimators. cuBLAS/cuDNN workspaces come on top once
 *  training runs: we take 1 GiB. */
export const CUDA_CONTEXT_BYTES = 1 * GiB;
/** research §4.2: torch.distributed/NCCL init and the first barrier, +~1.5 GiB nvidia-smi on 2 GPUs (Stas Bekman);
 *  NCCL buffers live outside PyTorch's allocator. We take 1 GiB. */
export const NCCL_BYTES = 1 * GiB;
/** research §4.2: reserved over allocated is +2% to +25% once training runs; we take the lower quartile of that
 *  range, 8%. */
export const ALLOCATOR_SLACK = 0.08;
/** research §1.10: NF4 stores 4 bits per weight plus one fp32 absmax per 64 weights (4.5 bits), 4.127 bits with
 *  double quantization. LLM.int8 stores 1 byte per weight plus a per-row fp32 scale. */
const NF4_BITS = 4.5;
const NF4_DQ_BITS = 4.127;
/** DeepSpeed defaults: reduce_bucket_size and allgather_bucket_size 5e8 elements, stage3_prefetch_bucket_size 5e7
 *  (deepspeed/runtime/zero/config.py). */
const DS_BUCKET_ELEMENTS = 5e8;
const DS_PREFETCH_ELEMENTS = 5e7;

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
}

export interface GpuFit {
  name: string;
  usableBytes: number;
  fits: boolean;
}

export interface Estimate {
  setup: TrainingSetup;
  model: ResolvedModel;
  allocatedBytes: number;
  peakBytes: number;
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
}

interface Parts {
  embedding: number;
  head: number;
  /** Linear weights inside the blocks (what k-bit quantization quantizes). */
  linear: number;
  /** Everything else: norms, biases, position embeddings. */
  rest: number;
  perLayer: number;
  largestLinear: number;
}

export function modelParts(d: ModelDims): Parts {
  const embedding = d.vocabSize * d.hiddenSize;
  const head = d.tiedEmbeddings || d.architecture === 'encoder' ? 0 : d.vocabSize * d.hiddenSize;
  const dimsLinear = d.layers * (attentionParams(d) + mlpParams(d));
  // The published count decides: a model with biases, cross-attention or shared experts has more than the dims say.
  const linear = Math.max(0, Math.min(d.parameters - embedding - head, Math.max(dimsLinear, d.parameters - embedding - head - 2 * d.layers * d.hiddenSize - d.hiddenSize)));
  const rest = Math.max(0, d.parameters - embedding - head - linear);
  return {
    embedding,
    head,
    linear,
    rest,
    perLayer: (linear + rest) / d.layers,
    largestLinear: Math.max(d.hiddenSize * d.intermediateSize, d.hiddenSize * d.attentionHeads * d.headDim),
  };
}

/** LoRA's trainable parameters: r·(in + out) per adapted linear (research §5.2). */
export function loraParameters(d: ModelDims, rank: number, targets: string[] | 'all-linear'): { params: number; perTokenInputs: number; unknown: string[] } {
  const q = d.attentionHeads * d.headDim;
  const kv = d.kvHeads * d.headDim;
  const h = d.hiddenSize;
  const I = d.intermediateSize;
  const e = d.experts ?? 1;
  // [in, out, copies per layer] of each module name, Llama naming with the common aliases of other families.
  const shapes: Record<string, [number, number, number]> = {
    q_proj: [h, q, 1], k_proj: [h, kv, 1], v_proj: [h, kv, 1], o_proj: [q, h, 1],
    gate_proj: [h, I, e], up_proj: [h, I, e], down_proj: [I, h, e],
    qkv_proj: [h, q + 2 * kv, 1], query_key_value: [h, q + 2 * kv, 1], c_attn: [h, q + 2 * kv, 1], Wqkv: [h, q + 2 * kv, 1],
    query: [h, q, 1], key: [h, kv, 1], value: [h, kv, 1], q: [h, q, 1], k: [h, kv, 1], v: [h, kv, 1], o: [q, h, 1],
    dense: [q, h, 1], out_proj: [q, h, 1], c_proj: [I, h, 1], output_proj: [q, h, 1],
    fc1: [h, I, 1], fc2: [I, h, 1], w1: [h, I, e], w2: [I, h, e], w3: [h, I, e], wi: [h, I, 1], wo: [I, h, 1],
    dense_h_to_4h: [h, I, 1], dense_4h_to_h: [I, h, 1], c_fc: [h, I, 1], gate_up_proj: [h, 2 * I, e],
  };
  const names = targets === 'all-linear' ? (d.mlp === 'gated' ? ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] : ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'fc1', 'fc2']) : targets;
  let params = 0;
  let perTokenInputs = 0;
  const unknown: string[] = [];
  for (const raw of names) {
    const name = raw.split('.').pop()!;
    if (name === 'lm_head' || name === 'output') {
      params += rank * (h + d.vocabSize);
      continue;
    }
    const s = shapes[name];
    if (!s) {
      unknown.push(raw);
      continue;
    }
    params += d.layers * s[2] * rank * (s[0] + s[1]);
    // Inputs the adapter keeps per token per layer (research §5.2): x in the adapter's dtype, and x·A. For
    // experts only the routed ones see the token.
    const routed = s[2] > 1 ? Math.min(s[2], d.expertsPerToken ?? 2) : 1;
    perTokenInputs += routed * (s[0] + rank);
  }
  return { params, perTokenInputs, unknown };
}

/**
 * Bytes kept for backward per token per transformer layer (research §5.3 and §1.3):
 * - gated MLP (Llama family, HF eager autograd, bf16): 24h + 4·kv·hd + 8·I, including the two RMSNorms that
 *   upcast to fp32; close to the 28 hidden-state copies Stas Bekman measured on Llama-3.1-8B.
 * - plain MLP (GPT-2, BERT, Falcon, NeoX): Korthikanti et al. 2022, 34·h for a 4h MLP in fp16 with dropout,
 *   written for any width as 10h (attention) + 2h + 4·I (MLP) + 4h (two LayerNorms) + 2h (dropout masks).
 * Values are for 16-bit compute; fp32 doubles what is not already fp32. Attention scores come separately.
 */
function perTokenLayerBytes(d: ModelDims, compute: number, mixed: boolean): number {
  const h = d.hiddenSize;
  const I = d.intermediateSize * (d.experts ? Math.min(d.experts, d.expertsPerToken ?? 2) : 1);
  const scale = compute / 2;
  if (d.mlp === 'gated') {
    const fp32Norms = 2 * 4 * h; // the fp32 copies inside the RMSNorms: already 4 bytes
    const rest = 24 * h - fp32Norms + 4 * d.kvHeads * d.headDim + 8 * I;
    return fp32Norms + rest * scale + (d.dropout ? 2 * h : 0);
  }
  // Attention 10h (QKV input 2h, Q and K 4h, V 2h, projection input 2h), MLP 2h + 4·I (input, activation input
  // and output), two LayerNorm inputs 4h (fp32 under autocast), and with dropout one 1-byte mask per block.
  const dropoutMasks = d.dropout ? 2 * h : 0;
  const norms = 2 * h * (mixed ? 4 : compute);
  return (12 * h + 4 * I) * scale + norms + dropoutMasks;
}

/** Eager attention keeps the a×s scores per token per layer (research §5.3): the softmax output (fp32 under
 *  autocast or HF's upcast softmax), the probabilities in the compute dtype, and dropout's mask and output. */
function eagerScoreBytes(d: ModelDims, seq: number, compute: number, mixed: boolean): number {
  const softmaxOut = d.mlp === 'gated' || mixed ? 4 : compute;
  const probs = softmaxOut !== compute ? compute : 0;
  const dropout = d.dropout ? 1 + softmaxOut : 0;
  return d.attentionHeads * seq * (softmaxOut + probs + dropout);
}

function fmt(bytes: number): string {
  return `${(bytes / GiB).toFixed(2)} GiB`;
}

/** Usable memory of a GPU: its nvidia-smi total (what the card offers the process). */
export function usableBytes(gpu: GpuInfo): number {
  return gpu.smiMiB * MiB;
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
  const add = (component: keyof Components, label: string, bytes: number, detail: string) => {
    if (bytes > 0) lines.push({ component, label, bytes, detail });
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

  // ---- weights ----------------------------------------------------------------------------------------------
  let weights = 0;
  let offloadedWeights = 0;
  let trainable = 0;
  const quantized = setup.quantization !== 'none';
  if (quantized) {
    const bits = setup.quantization === 'int8' ? 8 + 32 / d.hiddenSize : setup.doubleQuant ? NF4_DQ_BITS : NF4_BITS;
    const linearBytes = (parts.linear * bits) / 8;
    // Embeddings, LM head and norms stay unquantized; PEFT's prepare_model_for_kbit_training casts them to fp32
    // (research §1.10), which HF-based trainers do under mixed precision.
    const unquantized = (parts.embedding + parts.head + parts.rest) * (pureHalf ? 2 : 4);
    weights = setup.offload === 'all' ? 0 : divide(linearBytes + unquantized, shardsParams);
    offloadedWeights = setup.offload === 'all' ? linearBytes + unquantized : 0;
    if (setup.offload !== 'all') add('weights', `${setup.quantization.toUpperCase()} linear weights`, divide(linearBytes, shardsParams), `${(parts.linear / 1e9).toFixed(2)} B params × ${bits.toFixed(3)} bits`);
    if (setup.offload !== 'all') add('weights', 'unquantized embeddings, LM head, norms', divide(unquantized, shardsParams), `${((parts.embedding + parts.head + parts.rest) / 1e9).toFixed(2)} B params × ${pureHalf ? 2 : 4} bytes${pureHalf ? '' : ' (cast to fp32 for k-bit training)'}`);
  } else {
    // DeepSpeed casts the model to 16 bits under mixed precision and keeps the fp32 master in the optimizer.
    const deepspeedMixed = mixed && sharding.startsWith('zero') && !peft && setup.method !== 'freeze';
    const wb = setup.precision === 'fp32' ? 4 : deepspeedMixed ? 2 : peft || setup.method === 'freeze' ? (mixed ? 4 : 2) : weightBytes;
    weights = setup.offload === 'all' ? 0 : divide(d.parameters * wb, shardsParams);
    offloadedWeights = setup.offload === 'all' ? d.parameters * wb : 0;
    add('weights', setup.offload === 'all' ? 'weights (offloaded to CPU)' : 'model weights', weights, `${(d.parameters / 1e9).toFixed(2)} B params × ${wb} bytes${shardsParams && n > 1 ? ` ÷ ${n} GPUs` : ''}`);
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
    add('weights', `LoRA adapters (r=${lora.rank})`, loraWeights, `${(lp.params / 1e6).toFixed(1)} M params × ${adapterBytes} bytes`);
    if (lora.trainEmbeddings) notes.push('embeddings and LM head are trained in full (new tokens or modules_to_save)');
  } else if (setup.method === 'adapter') {
    const b = setup.adapter!.bottleneck;
    // Houlsby adapters: two bottleneck MLPs per layer (down h→b, up b→h, with biases).
    trainable = d.layers * 2 * (2 * d.hiddenSize * b + b + d.hiddenSize);
    trainableBytes = adapterBytes;
    if (setup.offload !== 'all') weights += trainable * adapterBytes;
    adapterTokenBytes = 2 * (d.hiddenSize + b) * adapterBytes;
    add('weights', `bottleneck adapters (${b})`, trainable * adapterBytes, `${(trainable / 1e6).toFixed(1)} M params × ${adapterBytes} bytes`);
  } else if (setup.method === 'prefix') {
    const p = setup.prefix!.virtualTokens;
    trainable = p * d.layers * 2 * d.kvHeads * d.headDim;
    trainableBytes = adapterBytes;
    if (setup.offload !== 'all') weights += trainable * adapterBytes;
    add('weights', `prefix (${p} virtual tokens)`, trainable * adapterBytes, `${(trainable / 1e6).toFixed(2)} M params × ${adapterBytes} bytes`);
  }

  // ---- distillation: a frozen teacher beside the student (any student method: a LoRA student may have one) -----
  let teacher: ResolvedModel | undefined;
  if (setup.teacher !== undefined) {
    teacher = resolveModel(setup.teacher, options);
    const tb = teacher.dims.parameters * (setup.precision === 'fp32' ? 4 : 2);
    const t = divide(tb, shardsParams);
    weights += t;
    add('weights', `teacher ${teacher.name} (frozen)`, t, `${(teacher.dims.parameters / 1e9).toFixed(2)} B params × ${setup.precision === 'fp32' ? 4 : 2} bytes`);
  }

  // ---- gradients ---------------------------------------------------------------------------------------------
  const gradBytesTotal = trainable * trainableBytes;
  // Offloading (ZeRO-Offload, FSDP cpu_offload) moves gradients to the CPU bucket by bucket: none stay on the GPU.
  const gradients = setup.offload !== 'none' ? 0 : divide(gradBytesTotal, shardsGrads);
  add('gradients', 'gradients', gradients, `${(trainable / 1e6).toFixed(1)} M trainable × ${trainableBytes} bytes${shardsGrads && n > 1 ? ` ÷ ${n}` : ''}`);
  let other = 0;
  if (sharding === 'ddp' && n > 1 && gradBytesTotal > 0) {
    // DDP's gradient buckets copy every gradient unless gradient_as_bucket_view (research §5.1, PyTorch PR #41954).
    other += gradBytesTotal;
    add('other', 'DDP gradient buckets', gradBytesTotal, 'one more gradient-sized buffer (gradient_as_bucket_view off)');
  }

  // ---- optimizer states --------------------------------------------------------------------------------------
  const stateBytes = trainableBytes; // torch keeps AdamW/SGD states in the parameter's dtype
  const perParamState: Record<string, number> = {
    adamw: 2 * stateBytes,
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
  add('optimizer', `${setup.optimizer} states${setup.offload !== 'none' ? ' (offloaded to CPU)' : ''}`, optimizer, `${(trainable / 1e6).toFixed(1)} M trainable × ${(perParamState[setup.optimizer] ?? 0).toFixed(2)} bytes${shardsOptimizer && n > 1 ? ` ÷ ${n}` : ''}`);

  // ---- activations -------------------------------------------------------------------------------------------
  const seq = setup.sequenceLength + (setup.method === 'prefix' ? setup.prefix!.virtualTokens : 0);
  const layerBytes = perTokenLayerBytes(d, compute, mixed) + adapterTokenBytes;
  const scores = setup.attention === 'eager' ? eagerScoreBytes(d, seq, compute, mixed) : 0;
  // A frozen prefix of the network keeps nothing for backward: only layers from the first trainable one on.
  const keptLayers = setup.method === 'freeze' ? Math.min(d.layers, setup.trainableLayers ?? 2) : d.layers;
  let activations: number;
  let logitsOverlap = 0; // what the logits and the recomputed layer have in common at the peak (see below)
  if (setup.gradientCheckpointing) {
    const checkpoints = tokens * keptLayers * d.hiddenSize * compute;
    const working = tokens * (layerBytes + scores);
    activations = checkpoints + working;
    // With checkpointing the loss's buffers are freed before the last layer is recomputed, so the peak holds the
    // larger of the two, not both (research §5.4's worked example sums them: an upper bound).
    logitsOverlap = working;
    add('activations', 'layer checkpoints', checkpoints, `${keptLayers} layers × ${tokens} tokens × hidden ${d.hiddenSize} × ${compute} bytes`);
    add('activations', 'one layer recomputed in backward', working, `${tokens} tokens × ${((layerBytes + scores) / 1024).toFixed(0)} KiB`);
  } else {
    activations = tokens * keptLayers * (layerBytes + scores);
    add('activations', 'activations kept for backward', tokens * keptLayers * layerBytes, `${keptLayers} layers × ${tokens} tokens × ${(layerBytes / 1024).toFixed(0)} KiB`);
    if (scores) add('activations', 'eager attention scores', tokens * keptLayers * scores, `${d.attentionHeads} heads × ${seq}² per layer (use sdpa/flash to drop this)`);
  }
  if (mixed && !quantized) {
    // Autocast keeps 16-bit copies of the fp32 linear weights for backward (research §5.1), frozen ones included.
    const copies = (parts.linear * 2) / (shardsParams && n > 1 ? n : 1);
    activations += copies;
    add('activations', 'autocast 16-bit weight copies', copies, `${(parts.linear / 1e9).toFixed(2)} B linear params × 2 bytes`);
  }

  // ---- logits and loss ---------------------------------------------------------------------------------------
  let logits = 0;
  if ((d.architecture ?? 'decoder') !== 'encoder') {
    // research §5.4: logits, their fp32 upcast, the log-softmax output kept for backward and its gradient: 10–14
    // bytes per vocabulary entry per token; we take 12.
    logits = tokens * d.vocabSize * 12;
    add('logits', 'logits and cross-entropy buffers', logits, `${tokens} tokens × vocabulary ${d.vocabSize} × 12 bytes`);
    if (teacher) {
      const t = tokens * teacher.dims.vocabSize * (compute + 8);
      logits += t;
      add('logits', 'teacher logits and KL-divergence buffers', t, `${tokens} tokens × ${teacher.dims.vocabSize} × ${compute + 8} bytes`);
    }
  }

  // ---- temporaries -------------------------------------------------------------------------------------------
  if (quantized) {
    const t = 2 * parts.largestLinear * compute;
    other += t;
    add('other', 'dequantized weight (largest linear, forward + backward)', t, `2 × ${(parts.largestLinear / 1e6).toFixed(0)} M × ${compute} bytes`);
  }
  if ((shardsParams && n > 1) || setup.offload === 'all') {
    // FSDP/ZeRO-3 gather a whole layer before using it and prefetch the next (research §5.1); with parameters
    // offloaded, even one GPU holds only the layers in use.
    const gathered = 2 * parts.perLayer * (quantized ? 0.6 : compute);
    other += gathered;
    add('other', 'gathered layers (current + prefetch)', gathered, `2 × ${(parts.perLayer / 1e6).toFixed(0)} M params`);
    if (sharding === 'zero3') {
      other += DS_PREFETCH_ELEMENTS * 2;
      add('other', 'ZeRO-3 prefetch bucket', DS_PREFETCH_ELEMENTS * 2, '5e7 elements × 2 bytes (DeepSpeed default)');
    }
  }
  if ((sharding === 'zero1' || sharding === 'zero2') && trainable > 0) {
    const bucket = Math.min(DS_BUCKET_ELEMENTS, trainable) * 2;
    other += bucket;
    add('other', 'ZeRO reduce bucket', bucket, 'min(5e8, trainable) elements × 2 bytes (DeepSpeed default)');
  }

  // ---- the peak ----------------------------------------------------------------------------------------------
  // Gradients are counted through the whole step: they persist across micro-batches under gradient accumulation
  // and, in trainers that zero them instead of freeing them (torch < 2.0, Hugging Face Trainer of that time),
  // across steps; where they are freed, the estimate errs on the safe side by the gradient size. The optimizer
  // step's own temporaries are per tensor in fused and for-loop AdamW (the largest tensor, the embedding).
  const largestTensor = Math.max(parts.embedding, parts.largestLinear * (d.experts ?? 1));
  const stepTemp = setup.offload !== 'none' || setup.optimizer === 'adafactor' || !trainable ? 0 : Math.min(trainable, largestTensor) * stateBytes;
  const forwardBackward = activations + logits - Math.min(logitsOverlap, logits);
  const stepIsPeak = stepTemp > forwardBackward;
  const allocatedBytes = weights + optimizer + gradients + other + Math.max(forwardBackward, stepTemp);
  if (stepIsPeak) {
    other += stepTemp;
    add('other', 'optimizer step temporaries', stepTemp, 'one buffer the size of the largest trainable tensor');
  }
  const peakBytes = allocatedBytes * (1 + ALLOCATOR_SLACK);
  // CPU RAM the offload needs on the node (all ranks together): offloaded weights, optimizer states, and the fp32
  // gradients (plus an fp32 master copy under DeepSpeed) the CPU optimizer step works on (research §1.2).
  const cpuBytes = offloadedWeights + (setup.offload !== 'none' ? stateTotal + trainable * (sharding.startsWith('zero') ? 8 : 4) : 0);
  if (cpuBytes > 0) notes.push(`offload needs ≈ ${fmt(cpuBytes)} of CPU RAM on the node (offloaded weights, optimizer states, fp32 gradients${sharding.startsWith('zero') ? ' and master weights' : ''})`);
  add('other', 'allocator slack (reserved − allocated)', allocatedBytes * ALLOCATOR_SLACK, `${ALLOCATOR_SLACK * 100}% of allocated (caching allocator fragmentation)`);
  const contextBytes = CUDA_CONTEXT_BYTES + (n > 1 ? NCCL_BYTES : 0);

  const components: Components = {
    weights,
    gradients,
    optimizer,
    activations: stepIsPeak ? 0 : activations - Math.min(logitsOverlap, logits),
    logits: stepIsPeak ? 0 : logits,
    other: 0,
  };
  components.other = peakBytes - components.weights - components.gradients - components.optimizer - components.activations - components.logits;
  const gpus = (options.gpus ?? []).map((g) => ({ name: g.name, usableBytes: usableBytes(g) - contextBytes, fits: peakBytes + contextBytes <= usableBytes(g) }));
  if (setup.attention === 'eager' && scores * tokens * keptLayers > 0.1 * allocatedBytes) {
    notes.push(`eager attention keeps the ${seq}×${seq} scores of every head: ${fmt(scores * tokens * (setup.gradientCheckpointing ? 1 : keptLayers))}; sdpa or flash attention does not`);
  }
  return {
    setup,
    model,
    allocatedBytes,
    peakBytes,
    contextBytes,
    components,
    lines,
    trainableParameters: trainable,
    totalParameters: d.parameters + (teacher?.dims.parameters ?? 0),
    pagedBytes,
    cpuBytes,
    gpus,
    notes,
  };
}
