/**
 * The range of an estimate: how far above the point estimate one real run in ten goes, built term by term from
 * what the setup cannot say, and the three-way verdict on a GPU (docs/vram.md §5).
 *
 * Each breakdown line carries an `upside`: the relative amount by which that term is larger in about one run in
 * ten. The terms vary independently (the trainer's activation layout does not decide the allocator's slack or the
 * CUDA context), so their upsides add in quadrature: bound = point + √(Σ (upside × bytes)²). The optimizer step is
 * a second peak with its own terms; the bound is the larger of the two.
 */
const GiB = 2 ** 30;

/**
 * What each term can be above its point value in about one run in ten, and why.
 */
export const UPSIDE = {
  /** Parameter counts are exact; rotary caches, masks and loader leftovers come on top (research §3). */
  weights: 0.03,
  /** LoRA/adapter weights, gradients and optimizer states: trainers that keep an fp32 gradient for a 16-bit
   *  parameter, or an extra copy for gradient clipping. */
  trainable: 0.1,
  /** DDP and DeepSpeed buckets: their sizes are settings (bucket_cap_mb, reduce_bucket_size). */
  buckets: 0.25,
  /** One checkpoint per layer is HF's layout; the attention mask and rotary tensors passed to each layer, and
   *  trainers that checkpoint more than the layer input, add to it. */
  checkpoints: 0.25,
  /** Activations kept without checkpointing: what autograd saves differs by transformers version and kernel
   *  (flash-attention vs SDPA's fallbacks with a padding mask, fused or plain RMSNorm, dropout). Our per-layer
   *  count lands within ±10% of research §1.5's measured 28 copies for Llama-3-8B and of the LitGPT rows; one
   *  version in ten saves a third more. */
  activations: 0.3,
  /** The recomputed layer is rebuilt and then differentiated: the gradients of its activations are allocated
   *  while its saved tensors are still alive, up to about half as much again. */
  recomputed: 0.5,
  /** Eager attention: the softmax's dtype and dropout vary by model code. */
  scores: 0.3,
  /** Autocast copies are exact for the weights they cover. */
  copies: 0.1,
  /** Logits and cross-entropy: 10–14 bytes per vocabulary entry per token by transformers version (research §5.4);
   *  a model that upcasts its logits before slicing off the last position holds one fp32 copy more (16). */
  logits: 0.35,
  /** Dequantization, gathered parameters and step temporaries: one buffer more in flight (prefetch, a second
   *  stream) doubles them. */
  temporaries: 1,
  gathered: 0.5,
};

/**
 * The caching allocator's share (reserved − allocated), PyTorch's CUDACachingAllocator: every tensor is rounded up
 * (512 B; 2 MiB segments for small blocks, 20 MiB for 1–10 MiB ones) and freed blocks stay cached for reuse. Memory
 * allocated once (weights, gradients, optimizer states) packs tightly: torchtune's QLoRA tutorial reports 13.98 GB
 * reserved against 13.96 GB allocated after loading (research §4.2), 0.1%; we take 1%, 3% in one run in ten.
 *
 * What is allocated and freed every step (activations, logits, temporaries) fragments: blocks freed in one order
 * are asked for in another and in other sizes, so new segments are cut while old ones sit cached, and until the
 * GPU fills the allocator keeps what it cut (it frees cached blocks and retries only when cudaMalloc fails).
 * - Same shapes every step (packed or fixed-length batches): on the bert-large rows of the HF docs (random tokens of
 *   one length; research §2.1, nvidia-smi less the 1,343 MB of CUDA kernels the same page measured) reserved
 *   exceeds allocated by 25–35% of the per-step memory: 30%, 50% in one run in ten.
 * - Batches padded to their longest sample (every collator's default): each new length asks for blocks of a new
 *   size. torchtune's LoRA tutorial runs (Alpaca padded per batch; research §2.4 b, c) reserve 1.5 GB more in
 *   training than after loading, against about 0.9 GB of per-step tensors, which puts it at 60% or more. Part of
 *   that is cached blocks a full GPU gets back (it frees cached blocks when cudaMalloc fails), so a run that is
 *   tight on a small card still runs while the same run shows more on a roomy one: we take 50%, and as much again
 *   in one run in ten.
 */
export const ALLOCATOR = {
  persistent: 0.01,
  persistentHigh: 0.03,
  transient: { packed: 0.3, padded: 0.5 },
  transientHigh: { packed: 0.5, padded: 1.0 },
};

/** The allocator's share of what is allocated and freed every step, at the estimate and at the bound. */
export function transientSlack(packed: boolean): { point: number; high: number } {
  return packed ? { point: ALLOCATOR.transient.packed, high: ALLOCATOR.transientHigh.packed } : { point: ALLOCATOR.transient.padded, high: ALLOCATOR.transientHigh.padded };
}

/** research §4.2: the CUDA context measured 0.47–1.78 GiB across PyTorch versions and GPUs; we take 1 GiB and
 *  a run in ten adds up to 0.5 GiB (cuBLAS/cuDNN workspaces, eager module loading). NCCL likewise. */
export const CONTEXT_UPSIDE_BYTES = 0.5 * GiB;

export type Verdict = 'fits' | 'tight' | 'no';

export interface RangeTerm {
  bytes: number;
  upside: number;
  transient: boolean;
}

export interface Range {
  /** max_memory_allocated that nine runs in ten stay under. */
  allocatedUpperBytes: number;
  /** max_memory_reserved that nine runs in ten stay under, with the context's spread included so that
   *  peakUpperBytes + contextBytes bounds what nvidia-smi shows. */
  peakUpperBytes: number;
}

/**
 * The bound over the step's peaks (forward/backward, optimizer step): each a list of the terms alive at that
 * moment.
 */
export function rangeOf(peaks: RangeTerm[][], contextUpsideBytes: number, packed: boolean): Range {
  const t = transientSlack(packed);
  let allocatedUpperBytes = 0;
  let peakUpperBytes = 0;
  for (const terms of peaks) {
    const allocated = terms.reduce((s, t) => s + t.bytes, 0);
    const transient = terms.filter((t) => t.transient).reduce((s, t) => s + t.bytes, 0);
    const persistent = allocated - transient;
    const spread = terms.reduce((s, t) => s + (t.upside * t.bytes) ** 2, 0);
    const slack = ALLOCATOR.persistent * persistent + t.point * transient;
    const slackSpread = (ALLOCATOR.persistentHigh - ALLOCATOR.persistent) * persistent + (t.high - t.point) * transient;
    allocatedUpperBytes = Math.max(allocatedUpperBytes, allocated + Math.sqrt(spread));
    peakUpperBytes = Math.max(peakUpperBytes, allocated + slack + Math.sqrt(spread + slackSpread ** 2 + contextUpsideBytes ** 2));
  }
  return { allocatedUpperBytes, peakUpperBytes };
}

/** fits: the bound fits; tight: only the estimate does (the run may or may not); no: not even the estimate. */
export function verdictOf(totalBytes: number, needBytes: number, upperNeedBytes: number): Verdict {
  if (upperNeedBytes <= totalBytes) return 'fits';
  return needBytes <= totalBytes ? 'tight' : 'no';
}
