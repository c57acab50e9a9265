/**
 * Making a setup fit: what-if variants of a setup (QLoRA, checkpointing, half the micro batch with twice the
 * accumulation, shorter sequences, an 8-bit optimizer, sdpa attention, ZeRO-3/FSDP with offload, more GPUs), each
 * estimated, ranked by memory saved, and written as edits in the config's own format.
 */
import { relative, sep } from 'node:path';
import type { ValuePath } from '../config/ast';
import type { FormatId } from '../config/formats';
import { deepspeedTemplate } from '../config/rules/deepspeedTemplate';
import type { EditSpec } from '../config/rules/types';
import { GPUS, type GpuInfo } from '../gpus/catalog';
import type { AdaptedSetup } from './adapterTypes';
import { estimate, type Estimate, type EstimateOptions } from './estimate';
import { gib } from './report';
import type { TrainingSetup } from './setup';

export type FitKind = 'qlora' | 'checkpointing' | 'halfBatch' | 'shorterSequence' | 'optimizer8bit' | 'sdpa' | 'shardOffload' | 'moreGpus';

export interface FitOption {
  kind: FitKind;
  /** "Turn on gradient checkpointing (≈ 14.2 GiB)". */
  title: string;
  setup: TrainingSetup;
  estimate: Estimate;
  /** Bytes per GPU saved against the current setup (peak + context). */
  savedBytes: number;
  /** Whether it fits every target GPU. */
  fits: boolean;
  /** The config edits, when the format can express the change. */
  edits?: EditSpec[];
  /** Something the user must also do (launch on more GPUs). */
  also?: string;
}

export interface FitContext {
  format: FormatId;
  adapted: AdaptedSetup;
  /** Absolute path of the config, to place a new DeepSpeed file next to it. */
  path: string;
  /** The loaded config. */
  value: Record<string, unknown>;
  /** Workspace folders: tools resolve a config's relative paths from where they are launched, the repo root. */
  roots?: string[];
  estimateOptions: EstimateOptions;
}

/** Formats that shard with FSDP only (torchtune's distributed recipes): no DeepSpeed. */
const FSDP_ONLY: FormatId[] = ['torchtune'];

const total = (e: Estimate) => e.peakBytes + e.contextBytes;
const fitsAll = (e: Estimate) => e.gpus.length > 0 && e.gpus.every((g) => g.fits);

/** The variants worth trying for this setup. */
function variants(s: TrainingSetup, fsdpOnly = false): Array<{ kind: FitKind; setup: TrainingSetup; label: string; also?: string }> {
  const out: Array<{ kind: FitKind; setup: TrainingSetup; label: string; also?: string }> = [];
  if (s.method === 'lora' || s.method === 'full' || s.method === 'freeze') {
    if (s.quantization === 'none' && s.sharding !== 'zero3') {
      out.push({
        kind: 'qlora',
        setup: { ...s, method: 'qlora', quantization: 'nf4', doubleQuant: true, lora: s.lora ?? { rank: 16, alpha: 32, targets: 'all-linear', trainEmbeddings: false } },
        label: s.method === 'lora' ? 'Load the base model in 4 bits (QLoRA)' : 'Train LoRA adapters on a 4-bit base model (QLoRA)',
      });
    }
  }
  if (!s.gradientCheckpointing) out.push({ kind: 'checkpointing', setup: { ...s, gradientCheckpointing: true }, label: 'Turn on gradient checkpointing' });
  if (s.microBatchSize >= 2) {
    const m = Math.floor(s.microBatchSize / 2);
    out.push({ kind: 'halfBatch', setup: { ...s, microBatchSize: m }, label: `Micro batch ${m} with twice the gradient accumulation (same effective batch)` });
  }
  if (s.sequenceLength > 512) {
    const len = Math.max(512, 2 ** Math.floor(Math.log2(s.sequenceLength - 1)));
    out.push({ kind: 'shorterSequence', setup: { ...s, sequenceLength: len }, label: `Sequences of ${len} tokens (longer samples are truncated or dropped)` });
  }
  if ((s.optimizer === 'adamw' || s.optimizer === 'paged-adamw') && (s.method === 'full' || s.method === 'freeze' || s.method === 'distillation')) {
    out.push({ kind: 'optimizer8bit', setup: { ...s, optimizer: 'adamw-8bit' }, label: '8-bit AdamW (bitsandbytes)' });
  }
  if (s.attention === 'eager') out.push({ kind: 'sdpa', setup: { ...s, attention: 'sdpa' }, label: 'PyTorch SDPA attention instead of eager' });
  if (s.offload !== 'all' && !(s.method === 'qlora' && s.gpus === 1)) {
    const sharding = s.quantization !== 'none' || fsdpOnly || s.sharding === 'fsdp' ? 'fsdp' : 'zero3';
    out.push({ kind: 'shardOffload', setup: { ...s, sharding, offload: 'all' }, label: sharding === 'fsdp' ? 'FSDP with CPU offload of parameters, gradients and optimizer' : 'DeepSpeed ZeRO-3 with CPU offload of parameters and optimizer' });
  }
  return out;
}

/**
 * Options that make the setup fit, best first: those that fit before those that do not, then by memory saved.
 * Each is applied alone; `combination` below stacks them for the "what would work" answer.
 */
export function fitOptions(ctx: FitContext, current: Estimate): FitOption[] {
  const options: FitOption[] = [];
  for (const v of variants(current.setup, FSDP_ONLY.includes(ctx.format))) {
    let e: Estimate;
    try {
      e = estimate(v.setup, ctx.estimateOptions);
    } catch {
      continue;
    }
    const saved = total(current) - total(e);
    if (saved <= 0.02 * total(current)) continue;
    const edits = editsFor(v.kind, v.setup, ctx);
    options.push({ kind: v.kind, title: `${v.label} (≈ ${gib(total(e))})`, setup: v.setup, estimate: e, savedBytes: saved, fits: fitsAll(e), ...(edits ? { edits } : {}) });
  }
  const more = moreGpus(ctx, current);
  if (more) options.push(more);
  return options.sort((a, b) => Number(b.fits) - Number(a.fits) || b.savedBytes - a.savedBytes);
}

/** The fewest GPUs of the target kind that fit with FSDP/ZeRO-3 sharding (and offload if needed). */
function moreGpus(ctx: FitContext, current: Estimate): FitOption | undefined {
  const s = current.setup;
  if (!ctx.estimateOptions.gpus?.length) return undefined;
  for (const n of [2, 4, 8].filter((k) => k > s.gpus)) {
    for (const offload of ['none', 'all'] as const) {
      const sharding = s.quantization !== 'none' || s.sharding === 'fsdp' || FSDP_ONLY.includes(ctx.format) ? 'fsdp' : 'zero3';
      const setup: TrainingSetup = { ...s, gpus: n, sharding, offload: offload === 'all' ? 'all' : s.offload === 'all' ? 'all' : s.offload };
      let e: Estimate;
      try {
        e = estimate(setup, ctx.estimateOptions);
      } catch {
        return undefined;
      }
      if (!fitsAll(e)) continue;
      const how = `${n} GPUs with ${sharding === 'fsdp' ? 'FSDP' : 'ZeRO-3'}${setup.offload === 'all' ? ' and CPU offload' : ''}`;
      const edits = s.sharding === sharding && s.offload === setup.offload ? [] : editsFor('shardOffload', setup, ctx);
      return {
        kind: 'moreGpus',
        title: `${how} (≈ ${gib(total(e))} per GPU)`,
        setup,
        estimate: e,
        savedBytes: total(current) - total(e),
        fits: true,
        ...(edits ? { edits } : {}),
        also: `launch on ${n} GPUs (torchrun --nproc-per-node ${n}, accelerate launch --num_processes ${n}, or the Launch command's GPU count)`,
      };
    }
  }
  return undefined;
}

/** One way to make the config fit: changes stacked on the config, on the target GPUs or others. */
export interface Plan {
  /** "QLoRA + gradient checkpointing on 2× RTX 3090 24GB with FSDP and CPU offload". */
  description: string;
  setup: TrainingSetup;
  estimate: Estimate;
}

const IN_CONFIG: FitKind[] = ['checkpointing', 'qlora', 'halfBatch', 'optimizer8bit', 'sdpa'];

const SHORT: Record<FitKind, (s: TrainingSetup) => string> = {
  qlora: () => 'QLoRA (4-bit base)',
  checkpointing: () => 'gradient checkpointing',
  halfBatch: (s) => `micro batch ${s.microBatchSize} (more accumulation)`,
  shorterSequence: (s) => `${s.sequenceLength}-token sequences`,
  optimizer8bit: () => '8-bit AdamW',
  sdpa: () => 'SDPA attention',
  shardOffload: () => 'CPU offload',
  moreGpus: () => 'more GPUs',
};

/** The in-config changes, stacked greedily (most saved first), each step kept with its setup. */
function inConfigStack(ctx: FitContext, current: Estimate): Array<{ setup: TrainingSetup; estimate: Estimate; label: string }> {
  const steps: Array<{ setup: TrainingSetup; estimate: Estimate; label: string }> = [];
  let e = current;
  const noTargets = { ...ctx.estimateOptions, gpus: [] };
  for (let round = 0; round < 8; round++) {
    let best: { setup: TrainingSetup; estimate: Estimate; label: string } | undefined;
    for (const v of variants(e.setup, FSDP_ONLY.includes(ctx.format))) {
      if (!IN_CONFIG.includes(v.kind)) continue;
      let next: Estimate;
      try {
        next = estimate(v.setup, noTargets);
      } catch {
        continue;
      }
      if (total(next) < total(e) * 0.98 && (!best || total(next) < total(best.estimate))) best = { setup: v.setup, estimate: next, label: SHORT[v.kind](v.setup) };
    }
    if (!best) break;
    steps.push(best);
    e = best.estimate;
  }
  return steps;
}

function joinLabels(labels: string[]): string {
  // A repeated "micro batch" step keeps only its last value.
  const out: string[] = [];
  for (const l of labels) {
    const i = out.findIndex((o) => o.startsWith('micro batch') && l.startsWith('micro batch'));
    if (i >= 0) out[i] = l;
    else out.push(l);
  }
  return out.join(' + ');
}

/**
 * What would work, best first: the config's own changes on the target GPU; the same on more GPUs of that kind
 * with sharding (and CPU offload if needed); and the smallest single GPU that holds it with the fewest changes.
 */
export function plans(ctx: FitContext, current: Estimate): Plan[] {
  const targets = ctx.estimateOptions.gpus ?? [];
  if (!targets.length) return [];
  const stack = inConfigStack(ctx, current);
  const prefixes = [{ setup: current.setup, labels: [] as string[] }, ...stack.map((st, i) => ({ setup: st.setup, labels: stack.slice(0, i + 1).map((x) => x.label) }))];
  const out: Plan[] = [];
  const tryEstimate = (setup: TrainingSetup, gpus: GpuInfo[]) => {
    try {
      return estimate(setup, { ...ctx.estimateOptions, gpus });
    } catch {
      return undefined;
    }
  };
  const target = targets[0]!;
  const name = shortName(target.name);
  // 1. On the target GPU, changing only the config.
  for (const p of prefixes.slice(1)) {
    const e = tryEstimate(p.setup, targets);
    if (e && fitsAll(e)) {
      out.push({ description: `${joinLabels(p.labels)} on the ${name}`, setup: p.setup, estimate: e });
      break;
    }
  }
  // 2. More GPUs of the same kind, sharded, then with CPU offload.
  if (!out.length) {
    search: for (const n of [2, 4, 8].filter((k) => k > current.setup.gpus)) {
      for (const offload of [false, true]) {
        for (const p of prefixes) {
          const sharding = p.setup.quantization !== 'none' || current.setup.sharding === 'fsdp' || FSDP_ONLY.includes(ctx.format) ? 'fsdp' : 'zero3';
          const setup: TrainingSetup = { ...p.setup, gpus: n, sharding, offload: offload ? 'all' : p.setup.offload };
          const e = tryEstimate(setup, targets);
          if (!e || !fitsAll(e)) continue;
          const how = `${sharding === 'fsdp' ? 'FSDP' : 'ZeRO-3'}${offload ? ` and CPU offload (≈ ${gib(e.cpuBytes, 0)} of CPU RAM)` : ''}`;
          out.push({ description: `${p.labels.length ? `${joinLabels(p.labels)} on ` : ''}${n}× ${name} with ${how}`, setup, estimate: e });
          break search;
        }
      }
    }
  }
  // 3. One bigger GPU, with the fewest changes that bring it within an 80 GB card (else the fewest changes).
  const bigger = prefixes
    .map((p) => ({ p, e: tryEstimate(p.setup, []) }))
    .map(({ p, e }) => ({ p, e, gpu: e && smallestFittingGpu(e) }))
    .filter((x) => x.e && x.gpu && x.gpu.smiMiB > target.smiMiB);
  const pick = bigger.find((x) => x.gpu!.memoryGiB <= 80) ?? bigger[0];
  for (const { p, e, gpu } of pick ? [pick] : []) {
    if (e && gpu) {
      const withGpu = tryEstimate(p.setup, [gpu])!;
      out.push({ description: `${p.labels.length ? `${joinLabels(p.labels)} on ` : ''}one ${shortName(gpu.name)}`, setup: p.setup, estimate: withGpu });
      break;
    }
  }
  return out;
}

function shortName(name: string): string {
  return name.replace(/^(GeForce|Tesla|Quadro|NVIDIA)\s+/i, '');
}

/** The smallest catalog GPU (by memory) that fits the setup as it is. */
export function smallestFittingGpu(current: Estimate): GpuInfo | undefined {
  const need = total(current);
  // By marketed size, then the older (more common, cheaper) generation: A100 80GB before H100 80GB.
  // bf16 needs compute capability 8.0 (Ampere): a Turing card is no answer for a bf16 config.
  const bf16 = current.setup.precision.startsWith('bf16');
  return [...GPUS]
    .sort((a, b) => a.memoryGiB - b.memoryGiB || a.computeCapability - b.computeCapability)
    .find((g) => g.smiMiB * 2 ** 20 >= need && (!bf16 || g.computeCapability >= 8));
}

// ---- edits per format ----------------------------------------------------------------------------------------

type KeyRole = 'gradientCheckpointing' | 'microBatchSize' | 'gradientAccumulation' | 'sequenceLength' | 'deepspeed' | 'optimizer' | 'attention';

/** Where each format keeps a setting when the config does not have it yet (top-level keys only: they can be added). */
const KEYS: Partial<Record<FormatId, Partial<Record<KeyRole, string>>>> = {
  axolotl: { gradientCheckpointing: 'gradient_checkpointing', microBatchSize: 'micro_batch_size', gradientAccumulation: 'gradient_accumulation_steps', sequenceLength: 'sequence_len', deepspeed: 'deepspeed', optimizer: 'optimizer', attention: 'sdp_attention' },
  llamafactory: { microBatchSize: 'per_device_train_batch_size', gradientAccumulation: 'gradient_accumulation_steps', sequenceLength: 'cutoff_len', deepspeed: 'deepspeed', optimizer: 'optim', attention: 'flash_attn' },
  trl: { gradientCheckpointing: 'gradient_checkpointing', microBatchSize: 'per_device_train_batch_size', gradientAccumulation: 'gradient_accumulation_steps', sequenceLength: 'max_length', deepspeed: 'deepspeed', optimizer: 'optim', attention: 'attn_implementation' },
  'hf-args': { gradientCheckpointing: 'gradient_checkpointing', microBatchSize: 'per_device_train_batch_size', gradientAccumulation: 'gradient_accumulation_steps', deepspeed: 'deepspeed', optimizer: 'optim' },
  torchtune: { gradientCheckpointing: 'enable_activation_checkpointing', microBatchSize: 'batch_size', gradientAccumulation: 'gradient_accumulation_steps' },
};

function valueAt(root: unknown, path: ValuePath): unknown {
  let v = root;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

function setAt(ctx: FitContext, role: KeyRole, known: ValuePath | undefined, text: string): EditSpec | undefined {
  if (known) return { kind: 'set', path: known, text };
  const key = KEYS[ctx.format]?.[role];
  return key ? { kind: 'set', path: [key], text } : undefined;
}

function deepspeedZero3(ctx: FitContext, setup: TrainingSetup): EditSpec[] | undefined {
  const key = KEYS[ctx.format]?.deepspeed;
  if (!key) return undefined;
  const content = deepspeedTemplate(3, setup.offload === 'all' ? 'all' : 'optimizer');
  // A new file beside the config (an existing DeepSpeed JSON is left as it is; the key points to the new one).
  const dir = ctx.path.replace(/[\\/][^\\/]*$/, '');
  const existing = ctx.adapted.deepspeedFile?.path.replace(/^.*[\\/]/, '');
  const file = existing === 'ds_zero3_offload.json' ? 'ds_zero3_offload_all.json' : 'ds_zero3_offload.json';
  const keyPath = ctx.adapted.deepspeedFile?.keyPath;
  const root = ctx.roots?.find((r) => dir === r || dir.startsWith(`${r.replace(/[\\/]$/, '')}/`));
  const value = root ? relative(root, `${dir}/${file}`).split(sep).join('/') : file;
  return [{ kind: 'createFile', file: `${dir}/${file}`, content }, { kind: 'set', path: keyPath ?? [key], text: value }];
}

function editsFor(kind: FitKind, setup: TrainingSetup, ctx: FitContext): EditSpec[] | undefined {
  const src = ctx.adapted.sources;
  const f = ctx.format;
  const edits: Array<EditSpec | undefined> = [];
  switch (kind) {
    case 'checkpointing':
      if (f === 'llamafactory') {
        // LLaMA-Factory checkpoints by default; only `disable_gradient_checkpointing: true` turns it off.
        if (!src.gradientCheckpointing) return undefined;
        edits.push({ kind: 'set', path: src.gradientCheckpointing, text: 'false' });
      } else edits.push(setAt(ctx, 'gradientCheckpointing', src.gradientCheckpointing, f === 'torchtune' ? 'True' : 'true'));
      break;
    case 'halfBatch': {
      const acc = ctx.adapted.gradientAccumulation?.value ?? 1;
      edits.push(setAt(ctx, 'microBatchSize', src.microBatchSize, String(setup.microBatchSize)));
      edits.push(setAt(ctx, 'gradientAccumulation', ctx.adapted.gradientAccumulation?.path, String(acc * 2)));
      break;
    }
    case 'shorterSequence':
      edits.push(setAt(ctx, 'sequenceLength', src.sequenceLength, String(setup.sequenceLength)));
      break;
    case 'optimizer8bit':
      if (f === 'torchtune') edits.push(src.optimizer ? { kind: 'set', path: src.optimizer, text: 'bitsandbytes.optim.AdamW8bit' } : undefined);
      else edits.push(setAt(ctx, 'optimizer', src.optimizer, 'adamw_bnb_8bit'));
      break;
    case 'sdpa':
      if (f === 'axolotl') {
        edits.push(src.attention ? { kind: 'set', path: src.attention, text: 'false' } : undefined, { kind: 'set', path: ['sdp_attention'], text: 'true' });
      } else if (f === 'llamafactory') edits.push(setAt(ctx, 'attention', src.attention, 'sdpa'));
      else if (f === 'trl') edits.push(setAt(ctx, 'attention', src.attention, 'sdpa'));
      else return undefined;
      break;
    case 'qlora':
      if (f === 'axolotl') {
        edits.push({ kind: 'set', path: ['adapter'], text: 'qlora' }, { kind: 'set', path: ['load_in_4bit'], text: 'true' });
        if (ctx.adapted.setup.method !== 'lora') edits.push({ kind: 'set', path: ['lora_r'], text: '16' }, { kind: 'set', path: ['lora_alpha'], text: '32' }, { kind: 'set', path: ['lora_target_linear'], text: 'true' });
      } else if (f === 'llamafactory') {
        edits.push({ kind: 'set', path: ['quantization_bit'], text: '4' });
        if (ctx.adapted.setup.method !== 'lora') edits.push({ kind: 'set', path: ['finetuning_type'], text: 'lora' }, { kind: 'set', path: ['lora_target'], text: 'all' });
      } else if (f === 'trl') {
        edits.push({ kind: 'set', path: ['load_in_4bit'], text: 'true' }, { kind: 'set', path: ['use_peft'], text: 'true' }, { kind: 'set', path: ['bnb_4bit_quant_type'], text: 'nf4' }, { kind: 'set', path: ['use_bnb_nested_quant'], text: 'true' });
      } else if (f === 'torchtune') {
        // torchtune picks QLoRA by builder: torchtune.models.llama3_1.lora_llama3_1_8b -> qlora_llama3_1_8b.
        const path = src.model;
        const builder = path ? valueAt(ctx.value, path) : undefined;
        if (!path || typeof builder !== 'string' || !/\.lora_\w+$/.test(builder)) return undefined;
        edits.push({ kind: 'set', path, text: builder.replace(/\.lora_(\w+)$/, '.qlora_$1') });
      } else return undefined;
      break;
    case 'shardOffload':
    case 'moreGpus':
      if (f === 'torchtune') {
        if (setup.offload === 'all') edits.push({ kind: 'set', path: ['fsdp_cpu_offload'], text: 'True' });
        else return undefined;
      } else {
        const ds = deepspeedZero3(ctx, setup);
        if (!ds) return undefined;
        edits.push(...ds);
      }
      break;
  }
  if (edits.some((e) => e === undefined) || !edits.length) return undefined;
  return edits as EditSpec[];
}
