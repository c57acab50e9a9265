/**
 * One planner for "make it fit": what the user can change, in order of cost, and where the run fits once changed.
 * `ftw vram`, the code lens and its breakdown, FT401 and its quick fixes, the OOM feedback (FT403) and `ftw new` /
 * the New Training Config wizard all ask this module, so they all say the same thing (docs/vram.md §7).
 *
 * The ladder, cheapest first: an eval batch no larger than the training micro batch (evaluation only gets slower);
 * gradient checkpointing; a smaller micro batch with more accumulation (the effective
 * batch stays); shorter sequences; an 8-bit or paged optimizer; QLoRA. Beyond the config: CPU offload on the GPUs
 * the user has; more GPUs of that kind with ZeRO-3/FSDP; a smaller model of the same family; and GPUs people rent.
 * A change is taken only when every cheaper one was not enough, and once the run fits, cheaper changes that the
 * costlier one made unnecessary are given back. A run "fits" when its upper bound fits (range.ts).
 */
import { findGpu, type GpuInfo } from '../gpus';
import { MODEL_CATALOG } from './catalogData';
import { estimate, type Estimate, type EstimateOptions } from './estimate';
import { familyOf, resolveModel } from './models';
import type { Verdict } from './range';
import { estimateRange, gib, shortGpuName } from './report';
import type { TrainingSetup } from './setup';

export type StepKind = 'evalBatch' | 'checkpointing' | 'microBatch' | 'sequence' | 'optimizer' | 'qlora';

export interface PlanStep {
  kind: StepKind;
  /** "gradient checkpointing", "micro batch 1 (4× the accumulation)", "512-token sequences". */
  label: string;
}

export type AnswerKind = 'config' | 'offload' | 'more-gpus' | 'smaller-model' | 'rented';

export interface PlanAnswer {
  kind: AnswerKind;
  /** The one line every surface prints: "gradient checkpointing + micro batch 1 on the RTX 3060 12GB: ≈ 10.2 GiB (up to 11.3)". */
  description: string;
  steps: PlanStep[];
  setup: TrainingSetup;
  /** The estimate on `gpu`. */
  estimate: Estimate;
  gpu: GpuInfo;
  verdict: Verdict;
  /** What the answer costs beyond memory: time, CPU RAM, data. */
  costs: string[];
}

export interface FitPlan {
  target: GpuInfo;
  /** The setup as it is, on the target. */
  verdict: Verdict;
  /** Ways to make it fit, cheapest first. Empty when it fits as it is. */
  answers: PlanAnswer[];
  /** Why no change to the config alone makes it fit the target ("even with … it needs ≈ 38 GiB"). */
  impossible?: string;
}

export interface PlanOptions extends Omit<EstimateOptions, 'gpus'> {
  /** Formats that shard with FSDP only (torchtune): no DeepSpeed. */
  fsdpOnly?: boolean;
  /** The method is the user's choice (the wizard): the ladder stops before QLoRA; other answers still say it. */
  keepMethod?: boolean;
  /** The sequence length is fixed by the format (TRL distillation): the ladder does not shorten it. */
  fixedSequence?: boolean;
}

/** research §4.1: the GPUs cloud providers rent by the hour, smallest first. */
export const RENTED_GPUS = ['T4', 'L4', 'A10G', 'L40S', 'A100 40GB', 'A100 80GB', 'H100 80GB'];
const MIN_SEQUENCE = 512;
/** PCIe 4.0 x16 moves about 25 GB/s in practice (32 GB/s raw): what parameter offload pays per pass over the weights. */
const PCIE_BYTES_PER_SECOND = 25e9;

interface Rung {
  step: PlanStep;
  setup: TrainingSetup;
}

const fullParameters = (s: TrainingSetup) => s.method === 'full' || s.method === 'freeze' || s.method === 'distillation';

/** The config changes in order of cost, each rung on top of the ones before. */
export function ladder(start: TrainingSetup, options: PlanOptions = {}): Rung[] {
  const rungs: Rung[] = [];
  let s = start;
  const push = (step: PlanStep, next: TrainingSetup) => {
    rungs.push({ step, setup: next });
    s = next;
  };
  // An eval batch larger than the training one costs nothing to shrink: evaluation only gets slower.
  const evalAt = (m: number) => (s.evalMicroBatchSize !== undefined ? { evalMicroBatchSize: Math.min(s.evalMicroBatchSize, m) } : {});
  if (s.evalMicroBatchSize !== undefined && s.evalMicroBatchSize > s.microBatchSize)
    push({ kind: 'evalBatch', label: `eval batch ${s.microBatchSize}` }, { ...s, ...evalAt(s.microBatchSize) });
  if (!s.gradientCheckpointing) push({ kind: 'checkpointing', label: 'gradient checkpointing' }, { ...s, gradientCheckpointing: true });
  for (let m = Math.floor(s.microBatchSize / 2); s.microBatchSize > 1; m = Math.floor(s.microBatchSize / 2)) {
    // The eval batch follows the micro batch down, so evaluation never outgrows the smaller step.
    push({ kind: 'microBatch', label: `micro batch ${m} (${start.microBatchSize / m}× the accumulation)` }, { ...s, microBatchSize: m, ...evalAt(m) });
  }
  if (!options.fixedSequence) {
    while (s.sequenceLength > MIN_SEQUENCE) {
      const len = Math.max(MIN_SEQUENCE, 2 ** Math.ceil(Math.log2(s.sequenceLength)) / 2);
      push({ kind: 'sequence', label: `${len}-token sequences` }, { ...s, sequenceLength: len });
    }
  }
  if (fullParameters(s) && (s.optimizer === 'adamw' || s.optimizer === 'adamw-fused' || s.optimizer === 'paged-adamw')) {
    push({ kind: 'optimizer', label: '8-bit AdamW' }, { ...s, optimizer: 'adamw-8bit' });
  }
  if (fullParameters(s) && s.optimizer === 'adamw-8bit') push({ kind: 'optimizer', label: 'paged 8-bit AdamW' }, { ...s, optimizer: 'paged-adamw-8bit' });
  if (!options.keepMethod && (s.method === 'lora' || s.method === 'full' || s.method === 'freeze') && s.quantization === 'none' && s.sharding !== 'zero3') {
    const lora = s.lora ?? { rank: 16, alpha: 32, targets: 'all-linear' as const, trainEmbeddings: false };
    const optimizer = s.optimizer === 'adamw-8bit' || s.optimizer === 'paged-adamw-8bit' ? 'adamw' : s.optimizer;
    push(
      { kind: 'qlora', label: s.method === 'lora' ? 'QLoRA (4-bit base)' : 'QLoRA (LoRA on a 4-bit base)' },
      { ...s, method: 'qlora', quantization: 'nf4', doubleQuant: true, lora, optimizer },
    );
  }
  return rungs;
}

interface Trial {
  setup: TrainingSetup;
  steps: PlanStep[];
  estimate: Estimate;
  verdict: Verdict;
}

/** The changes from `start` to `setup`, one step per kind, in ladder order. */
export function stepsBetween(start: TrainingSetup, setup: TrainingSetup): PlanStep[] {
  const out: PlanStep[] = [];
  if (setup.evalMicroBatchSize !== undefined && start.evalMicroBatchSize !== undefined && setup.evalMicroBatchSize < start.evalMicroBatchSize)
    out.push({ kind: 'evalBatch', label: `eval batch ${setup.evalMicroBatchSize}` });
  if (setup.gradientCheckpointing && !start.gradientCheckpointing) out.push({ kind: 'checkpointing', label: 'gradient checkpointing' });
  if (setup.microBatchSize < start.microBatchSize)
    out.push({
      kind: 'microBatch',
      label: `micro batch ${setup.microBatchSize} (${Math.round(start.microBatchSize / setup.microBatchSize)}× the accumulation)`,
    });
  if (setup.sequenceLength < start.sequenceLength) out.push({ kind: 'sequence', label: `${setup.sequenceLength}-token sequences` });
  if (setup.optimizer !== start.optimizer && setup.method === start.method)
    out.push({ kind: 'optimizer', label: setup.optimizer === 'paged-adamw-8bit' ? 'paged 8-bit AdamW' : '8-bit AdamW' });
  if (setup.method === 'qlora' && start.method !== 'qlora')
    out.push({ kind: 'qlora', label: start.method === 'lora' ? 'QLoRA (4-bit base)' : 'QLoRA (LoRA on a 4-bit base)' });
  return out;
}

function trial(
  setup: TrainingSetup,
  start: TrainingSetup,
  gpu: GpuInfo,
  options: PlanOptions,
  transform: (s: TrainingSetup) => TrainingSetup,
): Trial | undefined {
  try {
    const e = estimate(transform(setup), { ...options, gpus: [gpu] });
    return { setup: e.setup, steps: stepsBetween(start, setup), estimate: e, verdict: e.gpus[0].verdict };
  } catch {
    return undefined;
  }
}

const identity = (s: TrainingSetup) => s;

/**
 * The cheapest rung at which `transform(setup)` fits `gpu`, then cheaper changes given back where the run still fits
 * without them: longer sequences first (shortening changes the data), then a bigger micro batch (faster steps),
 * then checkpointing off.
 */
function cheapest(
  start: TrainingSetup,
  gpu: GpuInfo,
  options: PlanOptions,
  transform = identity,
  accept: Verdict[] = ['fits'],
  leastCpuRam = false,
  changeSomething = false,
): Trial | undefined {
  const ok = (t: Trial | undefined): t is Trial => t !== undefined && accept.includes(t.verdict);
  let found: Trial | undefined;
  let setupFound: TrainingSetup | undefined;
  for (const s of [...(changeSomething ? [] : [start]), ...ladder(start, options).map((r) => r.setup)]) {
    const t = trial(s, start, gpu, options, transform);
    // With offload, a later rung (QLoRA) can cut the CPU RAM severalfold: take the rung that needs the least.
    if (ok(t) && (!found || (leastCpuRam && t.estimate.cpuBytes < found.estimate.cpuBytes * 0.8))) {
      found = t;
      setupFound = s;
      if (!leastCpuRam) break;
    }
  }
  if (!found || !setupFound) return undefined;
  let best = found;
  let s = setupFound;
  const attempt = (next: TrainingSetup) => {
    const t = trial(next, start, gpu, options, transform);
    if (!ok(t)) return false;
    best = t;
    s = next;
    return true;
  };
  // After an out-of-memory run the estimate is known to be low: keep at least one change.
  const keepsAChange = (next: TrainingSetup) => !changeSomething || stepsBetween(start, next).length > 0;
  while (
    s.sequenceLength < start.sequenceLength &&
    keepsAChange({ ...s, sequenceLength: Math.min(start.sequenceLength, s.sequenceLength * 2) }) &&
    attempt({ ...s, sequenceLength: Math.min(start.sequenceLength, s.sequenceLength * 2) })
  );
  while (
    s.microBatchSize < start.microBatchSize &&
    keepsAChange({ ...s, microBatchSize: Math.min(start.microBatchSize, s.microBatchSize * 2) }) &&
    attempt({ ...s, microBatchSize: Math.min(start.microBatchSize, s.microBatchSize * 2) })
  );
  if (s.gradientCheckpointing && !start.gradientCheckpointing && s !== start && keepsAChange({ ...s, gradientCheckpointing: false }))
    attempt({ ...s, gradientCheckpointing: false });
  return best;
}

const perGpu = (s: TrainingSetup) => (s.gpus > 1 ? ' per GPU' : '');
const changes = (steps: PlanStep[]) => steps.map((s) => s.label).join(' + ');

/** Time costs of the changes, in words. */
function stepCosts(steps: PlanStep[], start: TrainingSetup): string[] {
  const out: string[] = [];
  for (const s of steps) {
    if (s.kind === 'checkpointing') out.push('checkpointing recomputes each layer in backward (about 30% slower steps)');
    if (s.kind === 'sequence') out.push(`samples longer than the new length are truncated (from ${start.sequenceLength})`);
    if (s.kind === 'qlora') out.push('a 4-bit base trains slower (dequantization) and can cost a little quality');
  }
  return out;
}

function offloadCosts(e: Estimate): string[] {
  // Parameter offload moves the (16-bit or k-bit) weights over PCIe in forward and backward, and once more to
  // recompute with checkpointing; the optimizer runs on the CPU.
  const s = e.setup;
  const passes = s.gradientCheckpointing ? 3 : 2;
  const weightBytes = e.totalParameters * (s.quantization !== 'none' ? 0.6 : 2);
  const moved = (weightBytes * passes) / Math.max(1, s.gpus);
  return [
    `needs ≈ ${gib(e.cpuBytes, 0)} of CPU RAM`,
    `each micro batch moves ≈ ${Math.round(moved / 1e9)} GB of weights over PCIe per GPU (≈ ${Math.max(1, Math.round(moved / PCIE_BYTES_PER_SECOND))} s at 25 GB/s), and the optimizer steps on the CPU`,
  ];
}

function answer(kind: AnswerKind, t: Trial, gpu: GpuInfo, where: string, start: TrainingSetup, extraCosts: string[] = []): PlanAnswer {
  const prefix = t.steps.length ? `${changes(t.steps)} ` : '';
  return {
    kind,
    description: `${prefix}${prefix ? 'on ' : ''}${where}: ${estimateRange(t.estimate)}${perGpu(t.setup)}${t.verdict === 'tight' ? ', tight' : ''}`,
    steps: t.steps,
    setup: t.setup,
    estimate: t.estimate,
    gpu,
    verdict: t.verdict,
    costs: [...stepCosts(t.steps, start), ...extraCosts],
  };
}

/** Sharding that spreads the weights: FSDP for k-bit models and formats without DeepSpeed, else ZeRO-3. */
function sharded(s: TrainingSetup, gpus: number, offload: boolean, options: PlanOptions): TrainingSetup {
  const sharding = s.quantization !== 'none' || options.fsdpOnly || s.sharding === 'fsdp' ? 'fsdp' : 'zero3';
  return { ...s, gpus, sharding, offload: offload ? 'all' : s.offload === 'all' && (sharding === 'fsdp' || sharding === 'zero3') ? 'all' : 'none' };
}

const name = (g: GpuInfo) => shortGpuName(g.name);

/** A bf16 config needs compute capability 8.0 (Ampere): on an older card it runs in fp16. */
function forGpu(s: TrainingSetup, gpu: GpuInfo): TrainingSetup {
  if (gpu.computeCapability >= 8 || !s.precision.startsWith('bf16')) return s;
  return { ...s, precision: s.precision === 'bf16-true' ? 'fp16-true' : 'fp16-mixed' };
}

/** Catalog models of the same family with fewer parameters, largest first. */
function smallerSiblings(current: Estimate, lookup: PlanOptions): string[] {
  const id = typeof current.setup.model === 'string' ? current.setup.model : current.model.name;
  const family = familyOf(id);
  if (!family) return [];
  return MODEL_CATALOG.filter((m) => familyOf(m.id) === family && m.dims.parameters < current.model.dims.parameters * 0.9)
    .sort((a, b) => b.dims.parameters - a.dims.parameters)
    .map((m) => m.id)
    .filter((m) => {
      try {
        resolveModel(m, lookup);
        return true;
      } catch {
        return false;
      }
    });
}

/** The plan for a setup on a target GPU (the first of the user's GPUs). */
export function planFit(setup: TrainingSetup, target: GpuInfo, options: PlanOptions = {}, ranOutOfMemory = false): FitPlan {
  const current = estimate(setup, { ...options, gpus: [target] });
  // A run that ran out of memory did not fit, whatever the estimate says.
  const verdict = ranOutOfMemory ? 'no' : current.gpus[0].verdict;
  if (verdict === 'fits' && !ranOutOfMemory) return { target, verdict, answers: [] };
  const answers: PlanAnswer[] = [];
  const n = setup.gpus;
  const where = `${n > 1 ? `${n}× ` : 'the '}${name(target)}`;
  // 1. The config alone, on the user's GPU(s).
  const own = cheapest(setup, target, options, identity, ['fits'], false, ranOutOfMemory);
  if (own) answers.push(answer('config', own, target, where, setup));
  let impossible: string | undefined;
  if (!own) {
    const all = ladder(setup, options);
    const floor = trial(all.length ? all[all.length - 1].setup : setup, setup, target, options, identity);
    const tight = cheapest(setup, target, options, undefined, ['tight']);
    if (tight) answers.push(answer('config', tight, target, where, setup));
    const tried =
      floor && floor.steps.length ? `even with ${changes(floor.steps)} it needs ${estimateRange(floor.estimate)}` : `it needs ${estimateRange(current)}`;
    impossible = `No change to the config makes it fit ${n > 1 ? `${n}× ` : 'one '}${name(target)}${tight ? ' with room to spare' : ''}: ${tried}${perGpu(setup)}.`;
    // 2. CPU offload on the same GPUs.
    const off = cheapest(setup, target, options, (s) => sharded(s, n, true, options), ['fits'], true);
    if (off)
      answers.push(
        answer(
          'offload',
          off,
          target,
          `${where} with ${off.setup.sharding === 'fsdp' ? 'FSDP' : 'ZeRO-3'} and CPU offload (≈ ${gib(off.estimate.cpuBytes, 0)} of CPU RAM)`,
          setup,
          offloadCosts(off.estimate).slice(1),
        ),
      );
    // 3. More GPUs of the same kind: the fewest that hold it sharded; with offload only if none does and it beats
    //    offloading on the GPUs the user has.
    const sizes = [2, 4, 8].filter((k) => k > n);
    const plain = sizes.map((gpus) => cheapest(setup, target, options, (s) => sharded(s, gpus, false, options))).find((t) => t);
    const withOffload = plain
      ? undefined
      : sizes.map((gpus) => cheapest(setup, target, options, (s) => sharded(s, gpus, true, options), ['fits'], true)).find((t) => t);
    const more = plain ?? (withOffload && (!off || withOffload.steps.length < off.steps.length) ? withOffload : undefined);
    if (more) {
      const how = `${more.setup.gpus}× ${name(target)} with ${more.setup.sharding === 'fsdp' ? 'FSDP' : 'ZeRO-3'}${more.setup.offload === 'all' ? ` and CPU offload (≈ ${gib(more.estimate.cpuBytes, 0)} of CPU RAM)` : ''}`;
      answers.push(answer('more-gpus', more, target, how, setup, more.setup.offload === 'all' ? offloadCosts(more.estimate).slice(1) : []));
    }
    // 4. A smaller model of the same family.
    for (const id of smallerSiblings(current, options)) {
      const small = cheapest({ ...setup, model: id }, target, options);
      if (small) {
        answers.push(answer('smaller-model', small, target, `${where}`, setup));
        answers[answers.length - 1].description =
          `${id}${small.steps.length ? ` with ${changes(small.steps)}` : ''} on ${where}: ${estimateRange(small.estimate)}${perGpu(small.setup)}`;
        break;
      }
    }
  }
  // 5. GPUs people rent: the smallest that holds it as it is, and a smaller one with the fewest changes.
  answers.push(...rented(setup, target, options));
  return { target, verdict, answers, ...(impossible ? { impossible } : {}) };
}

function rented(setup: TrainingSetup, target: GpuInfo, options: PlanOptions): PlanAnswer[] {
  const gpus = RENTED_GPUS.map((g) => findGpu(g)!).filter((g) => g.smiMiB > target.smiMiB || setup.gpus > 1);
  const one = (g: GpuInfo) => forGpu({ ...setup, gpus: 1, sharding: 'none' as const, offload: 'none' as const }, g);
  const first = (search: (g: GpuInfo) => Trial | undefined) => {
    for (const g of gpus) {
      const t = search(g);
      if (t) return { g, t };
    }
    return undefined;
  };
  // The smallest that holds it as it is; a smaller one with changes that keep the method and every sample whole;
  // failing both, the smallest with any changes.
  const asIs = first((g) => {
    const t = trial(one(g), one(g), g, options, identity);
    return t?.verdict === 'fits' ? t : undefined;
  });
  const whole = first((g) => cheapest(one(g), g, { ...options, fixedSequence: true, keepMethod: true }));
  const any = asIs || whole ? undefined : first((g) => cheapest(one(g), g, options));
  const out: PlanAnswer[] = [];
  for (const x of [whole && (!asIs || whole.g.smiMiB < asIs.g.smiMiB) ? whole : undefined, asIs, any]) {
    if (x) out.push(answer('rented', x.t, x.g, `one ${name(x.g)}`, setup, rentNote(setup, x.g)));
  }
  if (!out.length) {
    // Nothing rented holds it alone: the fewest of the largest, sharded.
    const big = findGpu('H100 80GB')!;
    for (const n of [2, 4, 8]) {
      const t = cheapest(setup, big, options, (s) => sharded(s, n, false, options));
      if (t) {
        out.push(answer('rented', t, big, `${n}× ${name(big)} with ${t.setup.sharding === 'fsdp' ? 'FSDP' : 'ZeRO-3'}`, setup));
        break;
      }
    }
  }
  return out;
}

function rentNote(setup: TrainingSetup, gpu: GpuInfo): string[] {
  return gpu.computeCapability < 8 && setup.precision.startsWith('bf16') ? [`the ${name(gpu)} has no bf16: train in fp16`] : [];
}

/** The plan in a few sentences (FT401, `ftw new` when nothing fits, the OOM feedback). */
export function planSummary(plan: FitPlan): string {
  const parts: string[] = [];
  if (plan.impossible) parts.push(plan.impossible);
  if (plan.answers.length) parts.push(`What would fit: ${plan.answers.map((a) => a.description).join('; or ')}.`);
  return parts.join(' ');
}

const HEADINGS: Record<AnswerKind, string> = {
  config: 'Change the config',
  offload: 'Offload to the CPU',
  'more-gpus': 'More GPUs',
  'smaller-model': 'A smaller model of the same family',
  rented: 'A rented GPU',
};

/** The plan as lines for a terminal or Markdown list: the verdict, then each answer with what it costs. */
export function planLines(plan: FitPlan, markdown = false): string[] {
  const out: string[] = [];
  const bullet = markdown ? '- ' : '  ';
  const sub = markdown ? '  - ' : '      ';
  if (plan.impossible) out.push(plan.impossible, '');
  for (const a of plan.answers) {
    out.push(`${bullet}${markdown ? `**${HEADINGS[a.kind]}**: ` : `${HEADINGS[a.kind]}: `}${a.description}`);
    for (const c of a.costs) out.push(`${sub}${c}`);
  }
  return out;
}
