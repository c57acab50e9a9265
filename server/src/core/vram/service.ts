/**
 * VRAM hints for one config: the setup its keys describe, the estimate, whether it fits the target GPUs, and the
 * fixes that make it fit. Pure: the caller supplies the files, the Hugging Face cache reader and the GPUs.
 */
import type { ValuePath } from '../common/valuePath';
import { CODES } from '../common/codes';
import type { FormatId } from '../common/formats';
import type { EditSpec, Finding } from '../common/findings';
import type { FileAccess } from '../common/host';
import type { GpuInfo } from '../gpus';
import type { AdaptedSetup, SetupField } from './adapterTypes';
import { isNoSetup, setupFromConfig } from './adapters';
import { estimate, type Components, type Estimate, type EstimateOptions } from './estimate';
import { answerEdits, fitOptions, type FitOption } from './fit';
import { planFit, planSummary, type FitPlan } from './plan';
import { UnknownModelError, type ModelLookup } from './models';
import { estimateRange, gib, shortGpuName } from './report';
import { resolveSetup, SetupError, type TrainingSetup, type TrainingSetupInput } from './setup';

export const VRAM_FORMATS: FormatId[] = ['axolotl', 'llamafactory', 'trl', 'hf-args', 'torchtune', 'lightning-cli'];

export const VRAM_CODES = { exceeds: CODES.vramExceeds, unknownModel: CODES.vramUnknownModel, tight: CODES.vramTight } as const;

export interface VramRequest {
  format: FormatId;
  value: Record<string, unknown>;
  path: string;
  roots: string[];
  files?: FileAccess;
  /** The GPUs to judge the fit against. */
  targets: GpuInfo[];
  /** Targets came from the user (setting, --gpu) or this machine's nvidia-smi, not a representative set: only
   *  then does a misfit become a warning. */
  targetsAreReal: boolean;
  lookup: ModelLookup;
  launcherGpus?: number;
}

export interface VramAnalysis {
  adapted?: AdaptedSetup;
  setup?: TrainingSetup;
  estimate?: Estimate;
  /** Why there is no estimate. */
  unavailable?: { reason: string; path?: ValuePath; kind: 'no-setup' | 'unknown-model' | 'invalid' };
  /** Single changes that lower the estimate, best first (only computed when the first target is not a sure fit). */
  options: FitOption[];
  /** What makes it fit the first target, cheapest first (plan.ts): the same answer everywhere. */
  plan?: FitPlan;
  /** The plan's answers as config edits, where the format can express them (same order as plan.answers). */
  planEdits: Array<EditSpec[] | undefined>;
  targetsAreReal: boolean;
}

export function analyzeVram(req: VramRequest): VramAnalysis {
  const base = { options: [], planEdits: [], targetsAreReal: req.targetsAreReal };
  if (!VRAM_FORMATS.includes(req.format)) return { ...base, unavailable: { reason: 'this format has no model to estimate', kind: 'no-setup' } };
  const adapted = setupFromConfig({
    format: req.format,
    value: req.value,
    path: req.path,
    roots: req.roots,
    ...(req.files ? { files: req.files } : {}),
    ...(req.launcherGpus ? { launcherGpus: req.launcherGpus } : {}),
  });
  if (isNoSetup(adapted)) return { ...base, unavailable: { reason: adapted.reason, kind: 'no-setup' } };
  let setup: TrainingSetup;
  try {
    setup = resolveSetup(adapted.setup);
  } catch (e) {
    const field = e instanceof SetupError ? (e.path.split('.')[0] as SetupField) : undefined;
    return {
      ...base,
      adapted,
      unavailable: { reason: (e as Error).message, ...(field && adapted.sources[field] ? { path: adapted.sources[field] } : {}), kind: 'invalid' },
    };
  }
  const options: EstimateOptions = { ...req.lookup, gpus: req.targets };
  let e: Estimate;
  try {
    e = estimate(setup, options);
  } catch (err) {
    if (err instanceof UnknownModelError)
      return {
        ...base,
        adapted,
        setup,
        unavailable: { reason: err.message, ...(adapted.sources.model ? { path: adapted.sources.model } : {}), kind: 'unknown-model' },
      };
    throw err;
  }
  e.notes.unshift(...adapted.notes);
  const out: VramAnalysis = { ...base, adapted, setup, estimate: e };
  const first = e.gpus[0];
  if (first && first.verdict !== 'fits') {
    const ctx = { format: req.format, adapted, path: req.path, value: req.value, roots: req.roots, estimateOptions: options };
    out.options = fitOptions(ctx, e);
    out.plan = planFit(setup, req.targets[0], { ...req.lookup, fsdpOnly: req.format === 'torchtune' });
    out.planEdits = out.plan.answers.map((a) =>
      a.kind === 'config' || a.kind === 'offload' || a.kind === 'more-gpus' || a.kind === 'smaller-model' ? answerEdits(ctx, setup, a) : undefined,
    );
  }
  return out;
}

function describeTopTerms(e: Estimate): string {
  const c = e.components;
  const names: Record<keyof Components, string> = {
    weights: 'weights',
    gradients: 'gradients',
    optimizer: 'optimizer states',
    activations: 'activations',
    logits: 'logits',
    other: 'other',
  };
  return (Object.keys(c) as Array<keyof Components>)
    .filter((k) => c[k] > 0.05 * e.peakBytes)
    .sort((a, b) => c[b] - c[a])
    .map((k) => `${names[k]} ${gib(c[k])}`)
    .join(', ');
}

/**
 * The quick fixes of FT401/FT403/FT404: the planner's answers the format can write, then single changes. None is
 * applied by fix-all (`ftw fix`): each trades speed, data or quality for memory, a decision the user makes; only
 * turning checkpointing on, when that alone fits, is marked preferred (it changes no result, only speed).
 */
export function vramFixes(
  plan: FitPlan | undefined,
  planEdits: Array<EditSpec[] | undefined>,
  options: FitOption[],
): Array<{ title: string; edits: EditSpec[]; preferred: boolean }> {
  const fromPlan = (plan?.answers ?? []).flatMap((a, i) => {
    const edits = planEdits[i];
    return edits?.length
      ? [{ title: `Make it fit: ${a.description}`, edits, safe: a.kind === 'config' && a.steps.length === 1 && a.steps[0].kind === 'checkpointing' }]
      : [];
  });
  const single = options
    .filter((o) => o.edits?.length)
    .map((o) => ({ title: o.title + (o.fits ? '' : ' — not enough alone'), edits: o.edits!, safe: o.kind === 'checkpointing' && o.fits }));
  const all = [...fromPlan, ...single].slice(0, 6);
  const preferred = all.findIndex((f) => f.safe);
  return all.map(({ safe: _safe, ...f }, i) => ({ ...f, preferred: i === preferred }));
}

/**
 * The diagnostics: a misfit on a real target GPU (FT401, warning), a tight fit (FT404, information: the estimate
 * fits but the bound does not), an unknown model (FT402, information).
 */
export function vramFindings(a: VramAnalysis): Finding[] {
  if (a.unavailable?.kind === 'unknown-model' && a.unavailable.path) {
    return [
      { code: VRAM_CODES.unknownModel, path: a.unavailable.path, on: 'value', severity: 'information', message: `No VRAM estimate: ${a.unavailable.reason}` },
    ];
  }
  const e = a.estimate;
  if (!e || !a.targetsAreReal || !a.adapted) return [];
  const misfits = e.gpus.filter((g) => g.verdict === 'no');
  const tight = e.gpus.filter((g) => g.verdict === 'tight');
  if (!misfits.length && !tight.length) return [];
  const path = a.adapted.sources.model ?? a.adapted.sources.microBatchSize;
  if (!path) return [];
  const perGpu = e.setup.gpus > 1 ? ` per GPU on ${e.setup.gpus} GPUs` : '';
  const gpus = (gs: typeof e.gpus) => gs.map((g) => `${shortGpuName(g.name)} (${gib(g.usableBytes + e.contextBytes)})`).join(', ');
  const plan = a.plan ? planSummary(a.plan) : '';
  const fixes = vramFixes(a.plan, a.planEdits, a.options);
  if (misfits.length) {
    const message = `Needs ${estimateRange(e)}${perGpu} (${describeTopTerms(e)}), more than the ${gpus(misfits)} offers: the run stops with CUDA out of memory${e.peakPhase === 'evaluation' ? ' (evaluation sets the peak: its eval batch)' : ''}.${plan ? ` ${plan}` : ''}`;
    return [{ code: VRAM_CODES.exceeds, path, on: 'value', severity: 'warning', message, fixes }];
  }
  const message = `Tight on the ${gpus(tight)}: ${estimateRange(e)}${perGpu}. The estimate fits, but one run in ten needs more than the card has.${plan ? ` ${plan.replace(/^What would fit:/, 'For margin:')}` : ''}`;
  return [{ code: VRAM_CODES.tight, path, on: 'value', severity: 'information', message, fixes }];
}

const FIELD_LABEL: Partial<Record<SetupField, string>> = {
  model: 'the model',
  method: 'the method',
  'lora.rank': 'the LoRA rank',
  'lora.targets': 'the LoRA targets',
  quantization: 'quantization',
  precision: 'precision',
  optimizer: 'the optimizer',
  microBatchSize: 'the micro batch',
  sequenceLength: 'the sequence length',
  gradientCheckpointing: 'gradient checkpointing',
  evalMicroBatchSize: 'the eval batch',
  attention: 'the attention kernel',
  sharding: 'sharding',
  offload: 'offload',
  gpus: 'the GPU count',
};

/** What one key contributes to the estimate, in a sentence, by re-estimating with the key changed. */
export function contribution(a: VramAnalysis, field: SetupField, lookup: ModelLookup): string | undefined {
  const e = a.estimate;
  const s = a.setup;
  if (!e || !s) return undefined;
  const total = (x: Estimate) => x.peakBytes + x.contextBytes;
  const against = (change: Partial<TrainingSetupInput>, what: string): string | undefined => {
    try {
      const other = estimate(resolveSetup({ ...s, ...change }), { ...lookup, gpus: [] });
      const diff = total(e) - total(other);
      if (Math.abs(diff) < 2 ** 24) return `${FIELD_LABEL[field] ?? field}: about the same as ${what}`;
      return `${FIELD_LABEL[field] ?? field}: ${diff > 0 ? '+' : '−'}${gib(Math.abs(diff), 2)} against ${what} (${gib(total(other))})`;
    } catch {
      return undefined;
    }
  };
  const c = e.components;
  switch (field) {
    case 'model':
      return `the model: weights ${gib(c.weights, 2)}, gradients ${gib(c.gradients, 2)}, optimizer states ${gib(c.optimizer, 2)} (${(e.totalParameters / 1e9).toFixed(2)} B parameters, ${(e.trainableParameters / 1e6).toFixed(1)} M trainable)`;
    case 'microBatchSize':
      return s.microBatchSize > 1
        ? against({ microBatchSize: Math.max(1, Math.floor(s.microBatchSize / 2)) }, `micro batch ${Math.max(1, Math.floor(s.microBatchSize / 2))}`)
        : `the micro batch: activations ${gib(c.activations, 2)} and logits ${gib(c.logits, 2)} grow in proportion to it`;
    case 'sequenceLength':
      return against({ sequenceLength: Math.max(128, Math.floor(s.sequenceLength / 2)) }, `${Math.max(128, Math.floor(s.sequenceLength / 2))} tokens`);
    case 'evalMicroBatchSize':
      return s.evalMicroBatchSize !== undefined && s.evalMicroBatchSize > s.microBatchSize
        ? against({ evalMicroBatchSize: s.microBatchSize }, `an eval batch of ${s.microBatchSize}, the micro batch`)
        : against({ evalMicroBatchSize: undefined }, 'no evaluation');
    case 'gradientCheckpointing':
      return against({ gradientCheckpointing: !s.gradientCheckpointing }, s.gradientCheckpointing ? 'no checkpointing' : 'checkpointing');
    case 'quantization':
      return s.quantization === 'none' ? undefined : against({ method: 'lora', quantization: 'none' }, 'LoRA on 16-bit weights');
    case 'method':
      return s.method === 'full'
        ? against({ method: 'lora', quantization: 'none' }, 'LoRA')
        : s.method === 'qlora'
          ? against({ method: 'lora', quantization: 'none' }, 'LoRA on 16-bit weights')
          : against({ method: 'full', quantization: 'none' }, 'full fine-tuning');
    case 'precision':
      return s.precision === 'fp32' ? against({ precision: 'bf16-mixed' }, 'bf16-mixed') : against({ precision: 'fp32' }, 'fp32');
    case 'optimizer':
      return s.optimizer === 'adamw' || s.optimizer === 'adamw-fused'
        ? against({ optimizer: 'adamw-8bit' }, '8-bit AdamW')
        : against({ optimizer: 'adamw' }, 'AdamW');
    case 'attention':
      return s.attention === 'eager' ? against({ attention: 'sdpa' }, 'sdpa') : against({ attention: 'eager' }, 'eager attention');
    case 'sharding':
    case 'offload':
      return s.sharding === 'none' ? undefined : against({ sharding: s.gpus > 1 ? 'ddp' : 'none', offload: 'none' }, s.gpus > 1 ? 'plain DDP' : 'no sharding');
    case 'lora.rank':
      return s.lora ? against({ lora: { ...s.lora, rank: 8 } }, 'rank 8') : undefined;
    case 'lora.targets':
      return s.lora ? against({ lora: { ...s.lora, targets: ['q_proj', 'v_proj'] } }, 'q_proj + v_proj only') : undefined;
    default:
      return undefined;
  }
}
