/**
 * VRAM hints for one config: the setup its keys describe, the estimate, whether it fits the target GPUs, and the
 * fixes that make it fit. Pure: the caller supplies the files, the Hugging Face cache reader and the GPUs.
 */
import type { ValuePath } from '../config/ast';
import type { FormatId } from '../config/formats';
import type { FileAccess, Finding } from '../config/rules/types';
import type { GpuInfo } from '../gpus/catalog';
import type { AdaptedSetup, SetupField } from './adapterTypes';
import { isNoSetup, setupFromConfig } from './adapters';
import { estimate, type Components, type Estimate, type EstimateOptions } from './estimate';
import { fitOptions, plans, smallestFittingGpu, type FitOption, type Plan } from './fit';
import { UnknownModelError, type ModelLookup } from './models';
import { gib, shortGpuName } from './report';
import { resolveSetup, SetupError, type TrainingSetup, type TrainingSetupInput } from './setup';

export const VRAM_FORMATS: FormatId[] = ['axolotl', 'llamafactory', 'trl', 'hf-args', 'torchtune', 'lightning-cli'];

export const VRAM_CODES = { exceeds: 'FT401', unknownModel: 'FT402' } as const;

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
  /** Fixes that lower the estimate, best first (only computed when a target does not fit). */
  options: FitOption[];
  /** Ways to make it fit: the config's own changes, more GPUs, one bigger GPU. */
  plans: Plan[];
  /** The smallest catalog GPU that fits the setup as it is. */
  smallestGpu?: GpuInfo;
  targetsAreReal: boolean;
}

export function analyzeVram(req: VramRequest): VramAnalysis {
  const base = { options: [], plans: [], targetsAreReal: req.targetsAreReal };
  if (!VRAM_FORMATS.includes(req.format)) return { ...base, unavailable: { reason: 'this format has no model to estimate', kind: 'no-setup' } };
  const adapted = setupFromConfig({ format: req.format, value: req.value, path: req.path, roots: req.roots, ...(req.files ? { files: req.files } : {}), ...(req.launcherGpus ? { launcherGpus: req.launcherGpus } : {}) });
  if (isNoSetup(adapted)) return { ...base, unavailable: { reason: adapted.reason, kind: 'no-setup' } };
  let setup: TrainingSetup;
  try {
    setup = resolveSetup(adapted.setup);
  } catch (e) {
    const field = e instanceof SetupError ? (e.path.split('.')[0] as SetupField) : undefined;
    return { ...base, adapted, unavailable: { reason: (e as Error).message, ...(field && adapted.sources[field] ? { path: adapted.sources[field] } : {}), kind: 'invalid' } };
  }
  const options: EstimateOptions = { ...req.lookup, gpus: req.targets };
  let e: Estimate;
  try {
    e = estimate(setup, options);
  } catch (err) {
    if (err instanceof UnknownModelError) return { ...base, adapted, setup, unavailable: { reason: err.message, ...(adapted.sources.model ? { path: adapted.sources.model } : {}), kind: 'unknown-model' } };
    throw err;
  }
  e.notes.unshift(...adapted.notes);
  const out: VramAnalysis = { ...base, adapted, setup, estimate: e };
  if (e.gpus.some((g) => !g.fits)) {
    const ctx = { format: req.format, adapted, path: req.path, value: req.value, roots: req.roots, estimateOptions: options };
    out.options = fitOptions(ctx, e);
    out.plans = plans(ctx, e);
    const gpu = smallestFittingGpu(e);
    if (gpu) out.smallestGpu = gpu;
  }
  return out;
}

function describeTopTerms(e: Estimate): string {
  const c = e.components;
  const names: Record<keyof Components, string> = { weights: 'weights', gradients: 'gradients', optimizer: 'optimizer states', activations: 'activations', logits: 'logits', other: 'other' };
  return (Object.keys(c) as Array<keyof Components>)
    .filter((k) => c[k] > 0.05 * e.peakBytes)
    .sort((a, b) => c[b] - c[a])
    .map((k) => `${names[k]} ${gib(c[k])}`)
    .join(', ');
}

/** "Turn on ..." → "turn on ..." inside a sentence; names keep their case ("DeepSpeed", "PyTorch", "FSDP", "QLoRA"). */
function lowerFirstWord(title: string): string {
  return title.replace(/^[A-Z](?=[a-z]*\b)/, (c) => c.toLowerCase());
}

/** The diagnostics: a misfit on a real target GPU (warning), an unknown model (information). */
export function vramFindings(a: VramAnalysis): Finding[] {
  if (a.unavailable?.kind === 'unknown-model' && a.unavailable.path) {
    return [{ code: VRAM_CODES.unknownModel, path: a.unavailable.path, on: 'value', severity: 'information', message: `No VRAM estimate: ${a.unavailable.reason}` }];
  }
  const e = a.estimate;
  if (!e || !a.targetsAreReal || !a.adapted) return [];
  const misfits = e.gpus.filter((g) => !g.fits);
  if (!misfits.length) return [];
  const need = e.peakBytes + e.contextBytes;
  const where = misfits.map((g) => `${shortGpuName(g.name)} (${gib(g.usableBytes + e.contextBytes)})`).join(', ');
  const perGpu = e.setup.gpus > 1 ? ` per GPU on ${e.setup.gpus} GPUs` : '';
  const parts = [`Needs ≈ ${gib(need)}${perGpu} (${describeTopTerms(e)}), more than the ${where} offers: the run stops with CUDA out of memory.`];
  const single = a.options.filter((o) => o.fits && o.kind !== 'moreGpus').slice(0, 2).map((o) => lowerFirstWord(o.title));
  const ways = [...single, ...a.plans.filter((p) => !single.length || !/ on the /.test(p.description)).map((p) => `${p.description} (≈ ${gib(p.estimate.peakBytes + p.estimate.contextBytes)}${p.setup.gpus > 1 ? ' per GPU' : ''})`)];
  if (ways.length) parts.push(`What would fit: ${ways.join('; or ')}.`);
  else parts.push('Nothing we can change in the config fits, even on 8 of these GPUs with offload.');
  if (!a.smallestGpu) parts.push('As it is, no single GPU holds it.');
  const path = a.adapted.sources.model ?? a.adapted.sources.microBatchSize;
  if (!path) return [];
  const fixes = a.options
    .filter((o) => o.edits && o.edits.length)
    .slice(0, 6)
    .map((o, i) => ({ title: o.title + (o.fits ? '' : ' — still too large alone'), preferred: i === 0 && o.fits && o.kind === 'checkpointing', edits: o.edits! }));
  return [{ code: VRAM_CODES.exceeds, path, on: 'value', severity: 'warning', message: parts.join(' '), fixes }];
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
      return s.microBatchSize > 1 ? against({ microBatchSize: Math.max(1, Math.floor(s.microBatchSize / 2)) }, `micro batch ${Math.max(1, Math.floor(s.microBatchSize / 2))}`) : `the micro batch: activations ${gib(c.activations, 2)} and logits ${gib(c.logits, 2)} grow in proportion to it`;
    case 'sequenceLength':
      return against({ sequenceLength: Math.max(128, Math.floor(s.sequenceLength / 2)) }, `${Math.max(128, Math.floor(s.sequenceLength / 2))} tokens`);
    case 'gradientCheckpointing':
      return against({ gradientCheckpointing: !s.gradientCheckpointing }, s.gradientCheckpointing ? 'no checkpointing' : 'checkpointing');
    case 'quantization':
      return s.quantization === 'none' ? undefined : against({ method: 'lora', quantization: 'none' }, 'LoRA on 16-bit weights');
    case 'method':
      return s.method === 'full' ? against({ method: 'lora', quantization: 'none' }, 'LoRA') : s.method === 'qlora' ? against({ method: 'lora', quantization: 'none' }, 'LoRA on 16-bit weights') : against({ method: 'full', quantization: 'none' }, 'full fine-tuning');
    case 'precision':
      return s.precision === 'fp32' ? against({ precision: 'bf16-mixed' }, 'bf16-mixed') : against({ precision: 'fp32' }, 'fp32');
    case 'optimizer':
      return s.optimizer === 'adamw' ? against({ optimizer: 'adamw-8bit' }, '8-bit AdamW') : against({ optimizer: 'adamw' }, 'AdamW');
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
