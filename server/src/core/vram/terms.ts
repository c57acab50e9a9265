/**
 * The terms of the memory model that need the model's shape: its parameter parts, LoRA's parameters and inputs,
 * what a layer keeps for backward, the loss's buffers, autocast's weight copies, and what FSDP and ZeRO-3 hold
 * gathered. estimate.ts sums them; docs/vram.md §4 gives every constant's source.
 */
import type { Components } from './estimate';
import { attentionParams, mlpParams } from './models';
import type { ModelDims } from './modelTypes';
import { UPSIDE } from './range';
import type { TrainingSetup } from './setup';

/** DeepSpeed defaults (deepspeed/runtime/zero/config.py, https://www.deepspeed.ai/docs/config-json/):
 *  stage3_prefetch_bucket_size 5e7, stage3_max_live_parameters and stage3_max_reuse_distance 1e9. */
const DS_PREFETCH_ELEMENTS = 5e7;
const DS_MAX_LIVE_ELEMENTS = 1e9;
const DS_REUSE_DISTANCE = 1e9;

/** Adds a breakdown line (estimate.ts keeps the list). */
export type AddLine = (component: keyof Components, label: string, bytes: number, detail: string, upside: number, transient: boolean) => void;
export interface Parts {
  embedding: number;
  head: number;
  /** Linear weights inside the blocks (what k-bit quantization quantizes). */
  linear: number;
  /** Everything else: norms, biases, position embeddings. */
  rest: number;
  perLayer: number;
  /** Linear weights of one block. */
  linearPerLayer: number;
  largestLinear: number;
  /** The matrix the LM head multiplies by: the head, or the embedding when they are tied; 0 for encoders. */
  headMatrix: number;
}

export function modelParts(d: ModelDims): Parts {
  const embedding = d.vocabSize * d.hiddenSize;
  const head = d.tiedEmbeddings || d.architecture === 'encoder' ? 0 : d.vocabSize * d.hiddenSize;
  const dimsLinear = d.layers * (attentionParams(d) + mlpParams(d));
  // The published count decides: a model with biases, cross-attention or shared experts has more than the dims say.
  const linear = Math.max(
    0,
    Math.min(d.parameters - embedding - head, Math.max(dimsLinear, d.parameters - embedding - head - 2 * d.layers * d.hiddenSize - d.hiddenSize)),
  );
  const rest = Math.max(0, d.parameters - embedding - head - linear);
  return {
    embedding,
    head,
    linear,
    rest,
    perLayer: (linear + rest) / d.layers,
    linearPerLayer: linear / d.layers,
    largestLinear: Math.max(d.hiddenSize * d.intermediateSize, d.hiddenSize * d.attentionHeads * d.headDim),
    headMatrix: d.architecture === 'encoder' ? 0 : d.vocabSize * d.hiddenSize,
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
    q_proj: [h, q, 1],
    k_proj: [h, kv, 1],
    v_proj: [h, kv, 1],
    o_proj: [q, h, 1],
    gate_proj: [h, I, e],
    up_proj: [h, I, e],
    down_proj: [I, h, e],
    qkv_proj: [h, q + 2 * kv, 1],
    query_key_value: [h, q + 2 * kv, 1],
    c_attn: [h, q + 2 * kv, 1],
    Wqkv: [h, q + 2 * kv, 1],
    query: [h, q, 1],
    key: [h, kv, 1],
    value: [h, kv, 1],
    q: [h, q, 1],
    k: [h, kv, 1],
    v: [h, kv, 1],
    o: [q, h, 1],
    dense: [q, h, 1],
    out_proj: [q, h, 1],
    c_proj: [I, h, 1],
    output_proj: [q, h, 1],
    fc1: [h, I, 1],
    fc2: [I, h, 1],
    w1: [h, I, e],
    w2: [I, h, e],
    w3: [h, I, e],
    wi: [h, I, 1],
    wo: [I, h, 1],
    dense_h_to_4h: [h, I, 1],
    dense_4h_to_h: [I, h, 1],
    c_fc: [h, I, 1],
    gate_up_proj: [h, 2 * I, e],
  };
  const names =
    targets === 'all-linear'
      ? d.mlp === 'gated'
        ? ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']
        : ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'fc1', 'fc2']
      : targets;
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

/** MLP width per token: a mixture of experts runs the routed experts (2 when the model does not say). */
/** The MLP's width per token: the intermediate size times the experts a token uses. */
export function tokenWidth(d: ModelDims): number {
  return d.intermediateSize * (d.experts ? Math.min(d.experts, d.expertsPerToken ?? 2) : 1);
}

/**
 * Bytes kept for backward per token per transformer layer (research §5.3 and §1.3):
 * - gated MLP (Llama family, HF eager autograd, bf16): 24h + 4·kv·hd + 8·I, including the two RMSNorms that
 *   upcast to fp32; close to the 28 hidden-state copies Stas Bekman measured on Llama-3.1-8B.
 * - plain MLP (GPT-2, BERT, Falcon, NeoX): Korthikanti et al. 2022, 34·h for a 4h MLP in fp16 with dropout,
 *   written for any width as 10h (attention) + 2h + 4·I (MLP) + 4h (two LayerNorms) + 2h (dropout masks).
 * Values are for 16-bit compute; fp32 doubles what is not already fp32. Attention scores come separately.
 *
 * `fp32Mlp`: a k-bit model prepared by PEFT's prepare_model_for_kbit_training under autocast runs its residual
 * stream in fp32 (the norms' weights are cast to fp32, so their outputs are fp32), and bitsandbytes' Linear4bit /
 * Linear8bitLt return their input's dtype: the MLP's gate, up and activation outputs are saved in fp32, 2 more
 * bytes for each of the three I-wide tensors of a gated MLP (one of a plain one).
 */
export function perTokenLayerBytes(d: ModelDims, compute: number, mixed: boolean, fp32Mlp: boolean): number {
  const h = d.hiddenSize;
  const I = tokenWidth(d);
  const scale = compute / 2;
  if (d.mlp === 'gated') {
    const fp32Norms = 2 * 4 * h; // the fp32 copies inside the RMSNorms: already 4 bytes
    const rest = 24 * h - fp32Norms + 4 * d.kvHeads * d.headDim + 8 * I;
    return fp32Norms + rest * scale + (d.dropout ? 2 * h : 0) + (fp32Mlp ? 6 * I : 0);
  }
  // Attention 10h (QKV input 2h, Q and K 4h, V 2h, projection input 2h), MLP 2h + 4·I (input, activation input
  // and output), two LayerNorm inputs 4h (fp32 under autocast), and with dropout one 1-byte mask per block.
  const dropoutMasks = d.dropout ? 2 * h : 0;
  const norms = 2 * h * (mixed ? 4 : compute);
  return (12 * h + 4 * I) * scale + norms + dropoutMasks + (fp32Mlp ? 2 * I : 0);
}

/**
 * Checkpointing each sublayer on its own (the attention, the MLP and both norms: NeMo AutoModel's parallelizer,
 * nemo_automodel/components/distributed/parallelizer.py at b4733bd, lines 148–170, checkpoint_wrapper on
 * `mlp`, `self_attn`, `input_layernorm` and `post_attention_layernorm`): each wrapper keeps its input, so a layer
 * keeps four hidden states (its input, the attention's input, the residual after attention, the MLP's input)
 * instead of one, and backward recomputes one sublayer at a time. The largest is the MLP (its input and the
 * I-wide tensors of perTokenLayerBytes) or the attention (the rest of a layer less the two norms' fp32 copies).
 */
export const SUBLAYER_CHECKPOINTS = 4;
export function largestSublayerBytes(d: ModelDims, compute: number, mixed: boolean, fp32Mlp: boolean): number {
  const h = d.hiddenSize;
  const I = tokenWidth(d);
  const scale = compute / 2;
  const layer = perTokenLayerBytes(d, compute, mixed, fp32Mlp);
  const mlp = d.mlp === 'gated' ? (2 * h + 8 * I) * scale + (fp32Mlp ? 6 * I : 0) : (2 * h + 4 * I) * scale + (fp32Mlp ? 2 * I : 0);
  const norms = d.mlp === 'gated' ? 2 * 4 * h : 2 * h * (mixed ? 4 : compute);
  return Math.max(mlp, layer - mlp - norms);
}

/** Eager attention keeps the a×s scores per token per layer (research §5.3): the softmax output (fp32 under
 *  autocast or HF's upcast softmax), the probabilities in the compute dtype, and dropout's mask and output. */
export function eagerScoreBytes(d: ModelDims, seq: number, compute: number, mixed: boolean): number {
  const softmaxOut = d.mlp === 'gated' || mixed ? 4 : compute;
  const probs = softmaxOut !== compute ? compute : 0;
  const dropout = d.dropout ? 1 + softmaxOut : 0;
  return d.attentionHeads * seq * (softmaxOut + probs + dropout);
}

/**
 * DeepSpeed ZeRO-3 keeps gathered parameters that come back within stage3_max_reuse_distance (1e9) elements, up
 * to stage3_max_live_parameters (1e9): when backward starts, the last layers of the forward (half the distance,
 * since each comes back after the layers behind it run forward and backward) and the LM head are still there. A
 * tensor larger than the limit (a 250k-vocabulary embedding) is gathered whole anyway.
 */
function zero3LiveElements(d: ModelDims, parts: Parts): number {
  const window = Math.min(parts.linear + parts.rest, DS_REUSE_DISTANCE / 2) + parts.headMatrix;
  return Math.min(d.parameters, Math.max(DS_MAX_LIVE_ELEMENTS, parts.headMatrix), window);
}

/**
 * Logits and the cross-entropy's buffers per token at the peak (research §5.4 gives 10–14 bytes per vocabulary
 * entry by transformers version):
 * - full: when the log-softmax is differentiated, its saved fp32 output (4 bytes), the incoming fp32 gradient (4)
 *   and the outgoing one (4) are alive together, and so are the 16-bit logits (2) that the caller's output object
 *   still holds: 14 bytes. Two sources that isolate the term measure it there: the per-token slope of IBM's
 *   fms-acceleration runs (HF Trainer, Mistral-7B, vocabulary 32,000: measurements-public FA9–FA32) sits 2.2 bytes
 *   per entry above a 12-byte count, and NeMo AutoModel's switch to a fused loss (Llama-3.2-1B, vocabulary 128,256:
 *   measurements-public-2 NA3 → NA4) saves 2.0 bytes per entry more than a 12-byte count; the two models differ 2×
 *   in width and 4× in vocabulary, so the term is the vocabulary's.
 * - chunked: the logits stay whole in the compute dtype (2) and every chunk's fp32 log-probabilities stay saved
 *   for backward (4) while each chunk's gradients come and go: 6 bytes. torchtune's chunked output loss took 8.1 GiB
 *   off a 2 × 4,096-token Llama-3 step (research §2.4 f, TT24 → TT25): 8.3 bytes per entry, 14 − 6.
 * - fused: the LM head and the loss run together chunk by chunk (Liger's FusedLinearCrossEntropy picks chunks of
 *   about tokens·h/V rows), so the logits alive at once are about one hidden state per token in fp32: 4·h bytes.
 * The logits the output object holds are in the LM head's compute dtype: 2 bytes under autocast or 16-bit weights,
 * 4 in an fp32 run, where the head's matmul writes fp32 logits and transformers' `logits.float()` (or the loss's
 * upcast) returns the same tensor instead of a copy (torch `Tensor.float()` on an fp32 tensor is a no-op): 16 bytes
 * per entry in full, 8 chunked.
 */
export function lossBytes(setup: TrainingSetup, d: ModelDims, compute: number): { perToken: number; label: string; detail: string } {
  if (setup.loss === 'fused')
    return { perToken: 4 * d.hiddenSize, label: 'fused LM head + cross-entropy (one chunk)', detail: `hidden ${d.hiddenSize} × 4 bytes` };
  if (setup.loss === 'chunked')
    return { perToken: d.vocabSize * (compute + 4), label: 'logits, chunked cross-entropy', detail: `vocabulary ${d.vocabSize} × ${compute + 4} bytes` };
  return { perToken: d.vocabSize * (compute + 12), label: 'logits and cross-entropy buffers', detail: `vocabulary ${d.vocabSize} × ${compute + 12} bytes` };
}

/**
 * The 16-bit copies autocast makes of fp32 weights (research §5.1; torch autocast_mode.cpp, cached_cast):
 * - weights that train are cast once per forward and cached until autocast exits; autograd keeps the copies for
 *   backward: every trainable linear and the LM head's matrix.
 * - frozen fp32 weights are not cached (the cache takes only leaves that require grad), but autograd still keeps
 *   each cast copy its matmul needs for the input's gradient: every layer's without checkpointing, one recomputed
 *   layer's with it, and the LM head's (it is outside the checkpointed layers).
 * FSDP and DeepSpeed already hold 16-bit weights (mixed-precision parameters), so nothing is cast there.
 */
export function autocastCopies(
  setup: TrainingSetup,
  parts: Parts,
  keptLayers: number,
  quantized: boolean,
  kbitUpcast: boolean,
): { bytes: number; detail: string } {
  const none = { bytes: 0, detail: '' };
  if (!setup.precision.endsWith('-mixed') || setup.sharding === 'fsdp' || setup.sharding.startsWith('zero')) return none;
  const gb = (x: number) => `${(x / 1e9).toFixed(2)} B`;
  if (quantized) {
    // k-bit layers dequantize to 16 bits themselves (a temporary, below); the fp32 head of a prepared model is cast.
    return kbitUpcast ? { bytes: parts.headMatrix * 2, detail: `LM head ${gb(parts.headMatrix)} params × 2 bytes (fp32 head of a k-bit model)` } : none;
  }
  if (setup.method === 'full' || setup.method === 'distillation') {
    return {
      bytes: (parts.linear + parts.headMatrix) * 2,
      detail: `${gb(parts.linear + parts.headMatrix)} linear and LM head params × 2 bytes (cached for the step)`,
    };
  }
  // Frozen fp32 base (LoRA, adapters, prefix) and the frozen layers of freeze: kept per use for backward.
  const layers = setup.method === 'freeze' ? keptLayers : setup.gradientCheckpointing ? 1 : keptLayers;
  const bytes = (parts.linearPerLayer * layers + parts.headMatrix) * 2;
  return {
    bytes,
    detail: `${layers} layer${layers === 1 ? '' : 's'} of linear weights and the LM head, ${gb(parts.linearPerLayer * layers + parts.headMatrix)} params × 2 bytes (kept for backward)`,
  };
}

/**
 * What FSDP and ZeRO-3 hold unsharded on each GPU (research §5.1):
 * - FSDP gathers one wrapped unit (a decoder layer) and prefetches the next; the root unit (embeddings, final norm,
 *   LM head: what the transformer-layer wrap policy leaves out) stays gathered from the start of forward to the
 *   end of backward, and a full fine-tune's LM head gradient is unsharded until the root's reduce-scatter.
 * - ZeRO-3 keeps the parameters it will reuse soon (zero3LiveElements) and its prefetch bucket.
 * The gathered copies are 16-bit (mixed-precision parameters), or ≈ 0.6 bytes per k-bit weight.
 */
export function gatheredParameters(
  setup: TrainingSetup,
  d: ModelDims,
  parts: Parts,
  compute: number,
  fullParameters: boolean,
  gradBytes: number,
  add: AddLine,
): number {
  const quantized = setup.quantization !== 'none';
  const layerBytes = (parts.linear * (quantized ? 0.6 : compute) + parts.rest * compute) / d.layers;
  let total = 0;
  if (setup.sharding === 'zero3') {
    const live = zero3LiveElements(d, parts);
    const bytes = quantized ? live * 0.6 : live * compute;
    total += bytes;
    add(
      'other',
      'ZeRO-3 live parameters',
      bytes,
      `${(live / 1e9).toFixed(2)} B params kept gathered (stage3_max_live_parameters / max_reuse_distance 1e9)`,
      UPSIDE.gathered,
      true,
    );
    total += DS_PREFETCH_ELEMENTS * 2;
    add('other', 'ZeRO-3 prefetch bucket', DS_PREFETCH_ELEMENTS * 2, '5e7 elements × 2 bytes (DeepSpeed default)', UPSIDE.buckets, true);
    return total;
  }
  const gathered = 2 * layerBytes;
  total += gathered;
  add('other', 'gathered layers (current + prefetch)', gathered, `2 × ${(parts.perLayer / 1e6).toFixed(0)} M params`, UPSIDE.gathered, true);
  const root = (parts.embedding + parts.head + d.hiddenSize) * compute;
  total += root;
  add(
    'other',
    'FSDP root unit (embeddings, LM head), gathered',
    root,
    `${((parts.embedding + parts.head) / 1e9).toFixed(2)} B params × ${compute} bytes, from forward to the end of backward`,
    UPSIDE.gathered,
    true,
  );
  if (fullParameters) {
    const grads = (parts.headMatrix + parts.perLayer) * gradBytes;
    total += grads;
    add(
      'other',
      'unsharded gradients (LM head, one layer)',
      grads,
      `${((parts.headMatrix + parts.perLayer) / 1e9).toFixed(2)} B params × ${gradBytes} bytes before reduce-scatter`,
      UPSIDE.gathered,
      true,
    );
  }
  return total;
}

/** The dtype DeepSpeed's ZeRO-3 holds the model's parameters and gradient buffers in: the module is cast to 16 bits
 *  under DeepSpeed's fp16/bf16 modes and stays fp32 without them (stage3.py v0.8.0: self.dtype is the dtype of the
 *  first parameter). */
export function zero3DtypeBytes(setup: TrainingSetup): number {
  return setup.precision === 'fp32' ? 4 : 2;
}

/**
 * ZeRO-3 with parameters offloaded to the CPU: gathering a parameter copies its CPU partition to the GPU beside the
 * full buffer it is gathered into (deepspeed/runtime/zero/partition_parameters.py v0.8.0, all_gather_coalesced
 * lines 836–851: param.ds_tensor.to(torch.cuda.current_device()) for one parameter, torch.cat of such copies for
 * several; the same .to() at v0.10.0, v0.14.0 and on master). Without offload the partition is already on the GPU
 * and .to() copies nothing. The largest such copy at a moment that matters is the LM head's: it comes back at the
 * end of the forward, with every activation alive, because a parameter is kept only if it is used again within
 * stage3_max_reuse_distance (1e9) elements (partitioned_param_coordinator.py v0.8.0 lines 424–456) and the head's
 * last use before was the embedding's (tied) or none. Returns the copy's bytes (one GPU's partition: ÷N).
 */
export function zero3OffloadStaging(setup: TrainingSetup, parts: Parts): number {
  if (setup.sharding !== 'zero3' || setup.offload !== 'all' || parts.headMatrix === 0) return 0;
  return (parts.headMatrix / setup.gpus) * zero3DtypeBytes(setup);
}

export const RETAINED_GRADS_LABEL = 'layer input gradients FSDP keeps to the end of backward';
export const KV_CACHE_LABEL = 'key/value cache (use_cache left on in training)';
export const EVAL_LOGITS_LABEL = 'evaluation: logits and loss of the eval batch';
export const EVAL_LAYER_LABEL = "evaluation: one layer's temporaries";

/**
 * FSDP (FSDP1, FullyShardedDataParallel) with units whose parameters are all frozen and reentrant checkpointing
 * (docs/vram.md §4.8). PEFT's fsdp_auto_wrap_policy, which the HF Trainer and its wrappers install for a LoRA
 * model, wraps every trainable LoRA leaf as its own unit, so each decoder-layer unit holds only frozen weights.
 * For such a unit FSDP's pre-forward registers a reshard-only hook with register_multi_grad_hook on the unit's
 * inputs that require grad (torch/distributed/fsdp/_runtime_utils.py, _register_post_backward_reshard_only_hook),
 * and keeps its handle on the flat parameter until _finalize_params at the end of backward. The multi-grad hook
 * holds the inputs' grad_fn or AccumulateGrad nodes (torch/autograd/graph.py, register_multi_grad_hook: grad_fns).
 * Under reentrant checkpointing the input of the recomputed layer is a detached leaf, so its AccumulateGrad node
 * holds that tensor and the .grad the recompute accumulates into it: one residual-stream gradient per layer stays
 * alive until backward ends, instead of being freed as the previous layer consumes it. At the first layer's
 * backward the other L − 1 are still there, next to every checkpoint (also kept through the same leaves) and the
 * recomputed layer; the logits are gone by then. Non-reentrant checkpointing passes the real (non-leaf) hidden
 * states, whose grad_fn keeps no gradient; units that hold a trainable parameter take the AccumulateGrad hook instead.
 */
export function retainedInputGradients(
  setup: TrainingSetup,
  tokens: number,
  layers: number,
  hidden: number,
  residualBytes: number,
): { bytes: number; detail: string } {
  const applies =
    setup.sharding === 'fsdp' && (setup.method === 'lora' || setup.method === 'qlora') && setup.gradientCheckpointing && setup.checkpointing === 'reentrant';
  if (!applies || layers < 2) return { bytes: 0, detail: '' };
  const bytes = (layers - 1) * tokens * hidden * residualBytes;
  return {
    bytes,
    detail: `${layers - 1} layers × ${tokens} tokens × hidden ${hidden} × ${residualBytes} bytes (frozen FSDP units, reentrant checkpointing: the gradients of the layers' inputs live until backward ends)`,
  };
}
