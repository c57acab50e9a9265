/**
 * The range of an estimate: how far above the point estimate one real run in ten goes, built term by term from
 * what the setup cannot say, and the three-way verdict on a GPU (docs/vram.md §5).
 *
 * Each breakdown line carries an `upside`: the relative amount by which that term is larger in about one run in
 * ten. The terms vary independently (the trainer's activation layout does not decide the allocator's slack or the
 * CUDA context), so their upsides add in quadrature: bound = point + √(Σ (upside × bytes)²). The caching allocator's
 * share (reserved − allocated) is modelled here too, phase by phase (reserve).
 */
const GiB = 2 ** 30;

/**
 * What each term can be above its point value in about one run in ten, and why.
 */
export const UPSIDE = {
  /** Parameter counts are exact; rotary caches, masks and loader leftovers come on top: torchtune's LoRA tutorial
   *  has 13.96 GB allocated after loading 13.48 GB of Llama-2-7B weights (research §2.4 b), 3.6%. */
  weights: 0.05,
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
   *  version in ten saves a third more (the HF-stack rows of measurements-public run 5–12% above ours). */
  activations: 0.35,
  /** The key/value cache's size is exact; a loop that keeps the model's output object through backward
   *  (`outputs = model(...)`, then `outputs.loss.backward()`) holds it beside the recomputed layer too. */
  kvCache: 0.5,
  /** The recomputed layer is rebuilt and then differentiated: the gradients of its activations are allocated
   *  while its saved tensors are still alive, up to about half as much again. */
  recomputed: 0.5,
  /** Eager attention: the softmax's dtype and dropout vary by model code. */
  scores: 0.3,
  /** Autocast copies are exact for the weights they cover. */
  copies: 0.1,
  /** Logits and cross-entropy: 12–14 bytes per vocabulary entry per token by transformers version and training
   *  loop (terms.ts lossBytes takes 14); a trainer that keeps an fp32 copy of the logits for metrics holds 4 more. */
  logits: 0.35,
  /** Dequantization and step temporaries: one buffer more in flight (prefetch, a second stream) doubles them. */
  temporaries: 1,
  /** What FSDP/ZeRO-3 hold gathered: BACKWARD_PRE prefetches the next unit while a recomputed one is in use, and
   *  FSDP1 frees all-gather buffers only when the compute stream is done with them (record_stream), so a run in
   *  ten holds twice the units we count. The FSDP rows of measurements-public sit 7–22% above our estimate. */
  gathered: 1,
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
  return packed
    ? { point: ALLOCATOR.transient.packed, high: ALLOCATOR.transientHigh.packed }
    : { point: ALLOCATOR.transient.padded, high: ALLOCATOR.transientHigh.padded };
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

/** The step's two phases: forward/backward (activations, logits, temporaries) and the optimizer step. */
export interface StepPhases {
  persistent: RangeTerm[];
  forward: RangeTerm[];
  step: RangeTerm;
  /** foreach AdamW's temporaries may be cut as segments of their own beside the forward's cached blocks, which a
   *  roomy GPU then keeps (the bound counts them). */
  stepCachedApart: boolean;
  /** ...and they are, under FSDP: its step is one temporary as large as the whole flat shard, which no block the
   *  activations left in the cache can hold (the allocator splits cached blocks but never merges segments). Without
   *  flat parameters the temporaries come one per parameter and mostly fit in the blocks the activations freed. */
  stepCachedKept: boolean;
  packed: boolean;
  contextUpsideBytes: number;
  /** Evaluation during training: its forward without gradients (the eval batch's logits, one layer's temporaries,
   *  what a sharded forward gathers), between optimizer steps, when the gradients are freed (`freedBytes`, part of
   *  `persistent`; the HF Trainer and Lightning zero them with set_to_none). */
  evaluation?: { terms: RangeTerm[]; freedBytes: number };
}

/** Which phase sets the peak. */
export type PeakPhase = 'forward' | 'step' | 'evaluation';

export interface Reservation {
  allocatedBytes: number;
  /** Allocator slack on top of allocatedBytes (peakBytes = allocatedBytes + slackBytes). */
  slackBytes: number;
  allocatedUpperBytes: number;
  peakUpperBytes: number;
  /** What the caching allocator keeps besides on a GPU with room to spare (foreach AdamW's temporaries cached beside
   *  the forward's blocks): nvidia-smi shows it there, a GPU without the room gives it back. */
  cachedBytes: number;
  phase: PeakPhase;
}

const sum = (ts: RangeTerm[]) => ts.reduce((s, t) => s + t.bytes, 0);
const spread = (ts: RangeTerm[]) => ts.reduce((s, t) => s + (t.upside * t.bytes) ** 2, 0);

/**
 * Allocated: the larger phase. Reserved: the persistent memory with its rounding, and the larger of the
 * forward/backward's blocks (with their fragmentation) and the step's temporaries, which reuse the forward's cached
 * blocks once memory is short (the allocator frees cached blocks and retries when cudaMalloc fails). Under FSDP,
 * foreach AdamW's one shard-sized temporary cannot reuse those blocks and, on a GPU with room, is cached beside
 * them: the FSDP full fine-tunes of measurements-public (FA5, FA7) show nvidia-smi 9–19 GiB above
 * max_memory_allocated, torchtune's 4-GPU full fine-tune (measurements-dev TT5) reserves 5 GiB above what it
 * allocates, while single-GPU runs that step per parameter (bert-large, HF1–HF5; Mistral on one A100, FA1/FA3)
 * keep only part of it (FA1: 7 GiB of 27). The estimate (what the run needs) leaves it out; cachedBytes says how
 * much nvidia-smi shows on top under FSDP where the card has room (reservedOn), and the bound counts it for any
 * foreach step.
 */
export function reserve(p: StepPhases): Reservation {
  const t = transientSlack(p.packed);
  const persistent = sum(p.persistent);
  const forward = sum(p.forward);
  const step = p.step.bytes;
  // Evaluation runs without the gradients: what it adds over the persistent memory is its own terms less them.
  const evalTerms = p.evaluation?.terms ?? [];
  const freed = p.evaluation ? p.evaluation.freedBytes : 0;
  const evaluation = p.evaluation ? sum(evalTerms) - freed : 0;
  const evaluationReserved = p.evaluation ? sum(evalTerms) * (1 + t.point) - freed : 0;
  const allocatedBytes = persistent + Math.max(forward, step, evaluation);
  const forwardReserved = forward * (1 + t.point);
  const phase: PeakPhase = evaluationReserved > Math.max(forwardReserved, step) ? 'evaluation' : step > forwardReserved ? 'step' : 'forward';
  const slackBytes = ALLOCATOR.persistent * persistent + Math.max(forwardReserved, step, evaluationReserved) - Math.max(forward, step, evaluation);
  const allocatedUpperBytes = Math.max(
    persistent + forward + Math.sqrt(spread([...p.persistent, ...p.forward])),
    persistent + step + Math.sqrt(spread([...p.persistent, p.step])),
    p.evaluation ? persistent + evaluation + Math.sqrt(spread([...p.persistent, ...evalTerms])) : 0,
  );
  const transient = phase === 'evaluation' ? evalTerms : [...p.forward, ...(phase === 'step' ? [p.step] : [])];
  const terms = [...p.persistent, ...transient];
  const transientBytes = phase === 'evaluation' ? sum(evalTerms) : forward;
  const slackSpread = (ALLOCATOR.persistentHigh - ALLOCATOR.persistent) * persistent + (t.high - t.point) * transientBytes;
  const cachedApart = p.stepCachedApart ? Math.min(step, forwardReserved) : 0;
  const peakUpperBytes = allocatedBytes + slackBytes + Math.sqrt(spread(terms) + slackSpread ** 2 + cachedApart ** 2 + p.contextUpsideBytes ** 2);
  return { allocatedBytes, slackBytes, allocatedUpperBytes, peakUpperBytes, cachedBytes: p.stepCachedKept ? cachedApart : 0, phase };
}

/** fits: the bound fits; tight: only the estimate does (the run may or may not); no: not even the estimate. */
export function verdictOf(totalBytes: number, needBytes: number, upperNeedBytes: number): Verdict {
  if (upperNeedBytes <= totalBytes) return 'fits';
  return needBytes <= totalBytes ? 'tight' : 'no';
}
