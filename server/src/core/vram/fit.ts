/**
 * Making a config fit, as edits in its own format: single what-if changes (QLoRA, checkpointing, half the micro batch
 * with twice the accumulation, shorter sequences, an 8-bit optimizer, sdpa attention, ZeRO-3/FSDP with offload), each
 * estimated and ranked by memory saved, and the planner's answers (plan.ts) written as one edit each.
 */
import { relative, withSlashes } from '../common/paths';
import type { ValuePath } from '../common/valuePath';
import type { FormatId } from '../common/formats';
import { deepspeedTemplate } from '../config';
import type { EditSpec } from '../common/findings';
import type { AdaptedSetup } from './adapterTypes';
import { estimate, type Estimate, type EstimateOptions } from './estimate';
import type { PlanAnswer } from './plan';
import { estimateRange } from './report';
import type { TrainingSetup } from './setup';

export type FitKind = 'qlora' | 'checkpointing' | 'halfBatch' | 'evalBatch' | 'shorterSequence' | 'optimizer8bit' | 'sdpa' | 'shardOffload';

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
/** Fits every target with the bound (verdict "fits"), not merely by the estimate. */
const fitsAll = (e: Estimate) => e.gpus.length > 0 && e.gpus.every((g) => g.verdict === 'fits');

/** The variants worth trying for this setup. */
function variants(s: TrainingSetup, fsdpOnly = false): Array<{ kind: FitKind; setup: TrainingSetup; label: string; also?: string }> {
  const out: Array<{ kind: FitKind; setup: TrainingSetup; label: string; also?: string }> = [];
  if (s.method === 'lora' || s.method === 'full' || s.method === 'freeze') {
    if (s.quantization === 'none' && s.sharding !== 'zero3') {
      out.push({
        kind: 'qlora',
        setup: {
          ...s,
          method: 'qlora',
          quantization: 'nf4',
          doubleQuant: true,
          lora: s.lora ?? { rank: 16, alpha: 32, targets: 'all-linear', trainEmbeddings: false },
        },
        label: s.method === 'lora' ? 'Load the base model in 4 bits (QLoRA)' : 'Train LoRA adapters on a 4-bit base model (QLoRA)',
      });
    }
  }
  if (!s.gradientCheckpointing) out.push({ kind: 'checkpointing', setup: { ...s, gradientCheckpointing: true }, label: 'Turn on gradient checkpointing' });
  if (s.microBatchSize >= 2) {
    const m = Math.floor(s.microBatchSize / 2);
    out.push({ kind: 'halfBatch', setup: { ...s, microBatchSize: m }, label: `Micro batch ${m} with twice the gradient accumulation (same effective batch)` });
  }
  if (s.evalMicroBatchSize !== undefined && s.evalMicroBatchSize > s.microBatchSize) {
    out.push({
      kind: 'evalBatch',
      setup: { ...s, evalMicroBatchSize: s.microBatchSize },
      label: `Eval batch ${s.microBatchSize}, the training micro batch (evaluation only; training is unchanged)`,
    });
  }
  if (s.sequenceLength > 512) {
    const len = Math.max(512, 2 ** Math.floor(Math.log2(s.sequenceLength - 1)));
    out.push({ kind: 'shorterSequence', setup: { ...s, sequenceLength: len }, label: `Sequences of ${len} tokens (longer samples are truncated or dropped)` });
  }
  if (
    (s.optimizer === 'adamw' || s.optimizer === 'adamw-fused' || s.optimizer === 'paged-adamw') &&
    (s.method === 'full' || s.method === 'freeze' || s.method === 'distillation')
  ) {
    out.push({ kind: 'optimizer8bit', setup: { ...s, optimizer: 'adamw-8bit' }, label: '8-bit AdamW (bitsandbytes)' });
  }
  if (s.attention === 'eager') out.push({ kind: 'sdpa', setup: { ...s, attention: 'sdpa' }, label: 'PyTorch SDPA attention instead of eager' });
  if (s.offload !== 'all' && !(s.method === 'qlora' && s.gpus === 1)) {
    const sharding = s.quantization !== 'none' || fsdpOnly || s.sharding === 'fsdp' ? 'fsdp' : 'zero3';
    out.push({
      kind: 'shardOffload',
      setup: { ...s, sharding, offload: 'all' },
      label:
        sharding === 'fsdp' ? 'FSDP with CPU offload of parameters, gradients and optimizer' : 'DeepSpeed ZeRO-3 with CPU offload of parameters and optimizer',
    });
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
    const edits = editsFor(v.kind, v.setup, ctx, current.setup);
    options.push({
      kind: v.kind,
      title: `${v.label} (${estimateRange(e)})`,
      setup: v.setup,
      estimate: e,
      savedBytes: saved,
      fits: fitsAll(e),
      ...(edits ? { edits } : {}),
    });
  }
  return options.sort((a, b) => Number(b.fits) - Number(a.fits) || b.savedBytes - a.savedBytes);
}

// ---- edits per format ----------------------------------------------------------------------------------------

type KeyRole = 'gradientCheckpointing' | 'microBatchSize' | 'evalBatch' | 'gradientAccumulation' | 'sequenceLength' | 'deepspeed' | 'optimizer' | 'attention';

/** Where each format keeps a setting when the config does not have it yet (top-level keys only: they can be added). */
const KEYS: Partial<Record<FormatId, Partial<Record<KeyRole, string>>>> = {
  axolotl: {
    gradientCheckpointing: 'gradient_checkpointing',
    microBatchSize: 'micro_batch_size',
    evalBatch: 'eval_batch_size',
    gradientAccumulation: 'gradient_accumulation_steps',
    sequenceLength: 'sequence_len',
    deepspeed: 'deepspeed',
    optimizer: 'optimizer',
    attention: 'sdp_attention',
  },
  llamafactory: {
    microBatchSize: 'per_device_train_batch_size',
    evalBatch: 'per_device_eval_batch_size',
    gradientAccumulation: 'gradient_accumulation_steps',
    sequenceLength: 'cutoff_len',
    deepspeed: 'deepspeed',
    optimizer: 'optim',
    attention: 'flash_attn',
  },
  trl: {
    gradientCheckpointing: 'gradient_checkpointing',
    microBatchSize: 'per_device_train_batch_size',
    evalBatch: 'per_device_eval_batch_size',
    gradientAccumulation: 'gradient_accumulation_steps',
    sequenceLength: 'max_length',
    deepspeed: 'deepspeed',
    optimizer: 'optim',
    attention: 'attn_implementation',
  },
  'hf-args': {
    gradientCheckpointing: 'gradient_checkpointing',
    microBatchSize: 'per_device_train_batch_size',
    evalBatch: 'per_device_eval_batch_size',
    gradientAccumulation: 'gradient_accumulation_steps',
    deepspeed: 'deepspeed',
    optimizer: 'optim',
  },
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
  const value = root ? withSlashes(relative(root, `${dir}/${file}`)) : file;
  return [
    { kind: 'createFile', file: `${dir}/${file}`, content },
    { kind: 'set', path: keyPath ?? [key], text: value },
  ];
}

function editsFor(kind: FitKind, setup: TrainingSetup, ctx: FitContext, start: TrainingSetup): EditSpec[] | undefined {
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
      // The same effective batch: accumulation grows as the micro batch shrinks.
      const acc = ctx.adapted.gradientAccumulation?.value ?? 1;
      edits.push(setAt(ctx, 'microBatchSize', src.microBatchSize, String(setup.microBatchSize)));
      edits.push(
        setAt(ctx, 'gradientAccumulation', ctx.adapted.gradientAccumulation?.path, String(Math.round((acc * start.microBatchSize) / setup.microBatchSize))),
      );
      break;
    }
    case 'evalBatch': {
      // The key the eval batch came from, when it is the batch key itself (not eval_strategy or val_set_size, which
      // only turned evaluation on): otherwise the format's eval batch key is added.
      const from = src.evalMicroBatchSize;
      const known = from && ['eval_batch_size', 'per_device_eval_batch_size'].includes(String(from[from.length - 1])) ? from : undefined;
      edits.push(setAt(ctx, 'evalBatch', known, String(setup.evalMicroBatchSize)));
      break;
    }
    case 'shorterSequence':
      edits.push(setAt(ctx, 'sequenceLength', src.sequenceLength, String(setup.sequenceLength)));
      break;
    case 'optimizer8bit':
      const paged = setup.optimizer === 'paged-adamw-8bit';
      if (f === 'torchtune')
        edits.push(
          src.optimizer ? { kind: 'set', path: src.optimizer, text: paged ? 'bitsandbytes.optim.PagedAdamW8bit' : 'bitsandbytes.optim.AdamW8bit' } : undefined,
        );
      else edits.push(setAt(ctx, 'optimizer', src.optimizer, paged ? 'paged_adamw_8bit' : 'adamw_bnb_8bit'));
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
        if (ctx.adapted.setup.method !== 'lora')
          edits.push(
            { kind: 'set', path: ['lora_r'], text: '16' },
            { kind: 'set', path: ['lora_alpha'], text: '32' },
            { kind: 'set', path: ['lora_target_linear'], text: 'true' },
          );
      } else if (f === 'llamafactory') {
        edits.push({ kind: 'set', path: ['quantization_bit'], text: '4' });
        if (ctx.adapted.setup.method !== 'lora')
          edits.push({ kind: 'set', path: ['finetuning_type'], text: 'lora' }, { kind: 'set', path: ['lora_target'], text: 'all' });
      } else if (f === 'trl') {
        edits.push(
          { kind: 'set', path: ['load_in_4bit'], text: 'true' },
          { kind: 'set', path: ['use_peft'], text: 'true' },
          { kind: 'set', path: ['bnb_4bit_quant_type'], text: 'nf4' },
          { kind: 'set', path: ['use_bnb_nested_quant'], text: 'true' },
        );
      } else if (f === 'torchtune') {
        // torchtune picks QLoRA by builder: torchtune.models.llama3_1.lora_llama3_1_8b -> qlora_llama3_1_8b.
        const path = src.model;
        const builder = path ? valueAt(ctx.value, path) : undefined;
        if (!path || typeof builder !== 'string' || !/\.lora_\w+$/.test(builder)) return undefined;
        edits.push({ kind: 'set', path, text: builder.replace(/\.lora_(\w+)$/, '.qlora_$1') });
      } else return undefined;
      break;
    case 'shardOffload':
      if (f === 'torchtune') {
        if (setup.offload === 'all') edits.push({ kind: 'set', path: ['fsdp_cpu_offload'], text: 'True' });
        else return undefined;
      } else if (setup.sharding === 'fsdp') {
        // transformers' fsdp options (Axolotl passes its list through): full_shard, auto_wrap, and offload for CPU
        // offload of parameters, gradients and optimizer states. LLaMA-Factory takes FSDP from an Accelerate file.
        const options = ['full_shard', 'auto_wrap', ...(setup.offload === 'all' ? ['offload'] : [])];
        if (f === 'axolotl') edits.push({ kind: 'set', path: ['fsdp'], text: `[${options.join(', ')}]` });
        else if (f === 'trl' || f === 'hf-args') edits.push({ kind: 'set', path: ['fsdp'], text: `"${options.join(' ')}"` });
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

/** The plan's answer as one set of edits (its changes to the config, and the sharding it runs with), when the
 *  format can express all of them. */
export function answerEdits(ctx: FitContext, start: TrainingSetup, a: PlanAnswer): EditSpec[] | undefined {
  const kinds: Record<string, FitKind> = {
    checkpointing: 'checkpointing',
    evalBatch: 'evalBatch',
    microBatch: 'halfBatch',
    sequence: 'shorterSequence',
    optimizer: 'optimizer8bit',
    qlora: 'qlora',
  };
  const edits: EditSpec[] = [];
  for (const step of a.steps) {
    const e = editsFor(kinds[step.kind], a.setup, ctx, start);
    if (!e) return undefined;
    edits.push(...e);
  }
  if (a.setup.offload !== start.offload || a.setup.sharding !== start.sharding) {
    const e = editsFor('shardOffload', a.setup, ctx, start);
    if (!e) return undefined;
    edits.push(...e);
  }
  return edits.length ? edits : undefined;
}
