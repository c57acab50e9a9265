import { dirname, isAbsolute, join, resolve } from '../../common/paths';
import { deepspeedTemplate } from './deepspeedTemplate';
import type { Finding, Rule, RuleContext } from './types';
import { asNumber, get, isAuto, isSet } from './values';

// Loading a DeepSpeed JSON is the tool's business, but the path and the pair of files are ours to check:
// a missing file stops the run after the model download; disagreeing batch sizes stop the HF integration
// ("Please correct the following DeepSpeed config values that mismatch TrainingArguments values"), and a
// DeepSpeed `scheduler` silently replaces the training YAML's lr scheduler (Axolotl PR #909).

/** Where each format names its DeepSpeed file. */
function deepspeedKey(ctx: RuleContext): string[] | null {
  if (ctx.format === 'accelerate') return ['deepspeed_config', 'deepspeed_config_file'];
  if (['axolotl', 'llamafactory', 'trl', 'hf-args'].includes(ctx.format)) return ['deepspeed'];
  return null;
}

/** Candidates for a relative path: next to the config, then each workspace folder (tools run from the repo root). */
export function candidatesFor(ctx: RuleContext, file: string): string[] {
  if (isAbsolute(file)) return [file];
  return [resolve(dirname(ctx.path), file), ...ctx.roots.map((r) => join(r, file))];
}

/**
 * The DeepSpeed config a training config launches with: the mapping written inline under `deepspeed:` (TrainingArguments
 * takes a dict too), or the JSON file it names when that file is in the workspace and parses. Undefined otherwise.
 */
export function linkedDeepspeedConfig(ctx: RuleContext): { config: Record<string, unknown>; name: string } | undefined {
  const ds = get(ctx.value, 'deepspeed');
  if (typeof ds === 'object' && ds !== null && !Array.isArray(ds)) return { config: ds as Record<string, unknown>, name: "the inline 'deepspeed' mapping" };
  if (typeof ds !== 'string' || !ctx.files || !/\.json$/i.test(ds)) return undefined;
  for (const p of candidatesFor(ctx, ds)) {
    const text = ctx.files.read(p);
    if (text === undefined) continue;
    try {
      const parsed = JSON.parse(text) as unknown;
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? { config: parsed as Record<string, unknown>, name: ds } : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const TEMPLATE = deepspeedTemplate(2);

// Accelerate's DeepSpeedPlugin raises a ValueError when a deepspeed_config_file comes with the inline keys it
// would otherwise fill the JSON from ("the following accelerate config variables will be ignored").
const INLINE_DEEPSPEED_KEYS = [
  'zero_stage',
  'gradient_accumulation_steps',
  'gradient_clipping',
  'offload_optimizer_device',
  'offload_param_device',
  'offload_optimizer_nvme_path',
  'offload_param_nvme_path',
  'zero3_save_16bit_model',
  'mixed_precision',
];
const TRL_ACCELERATE_PRESETS = new Set(['fsdp1', 'fsdp2', 'multi_gpu', 'single_gpu', 'zero1', 'zero2', 'zero3']);

export const deepspeedLinkRule: Rule = {
  codes: ['FT207', 'FT208', 'FT209', 'FT210', 'FT216'],
  formats: ['axolotl', 'llamafactory', 'trl', 'hf-args', 'accelerate'],
  check(ctx) {
    const out: Finding[] = [];
    const v = ctx.value;
    if (
      ['axolotl', 'hf-args', 'trl', 'llamafactory'].includes(ctx.format) &&
      isSet(get(v, 'deepspeed')) &&
      (isSet(get(v, 'fsdp')) || isSet(get(v, 'fsdp_config')))
    ) {
      const fsdpKey = isSet(get(v, 'fsdp_config')) ? 'fsdp_config' : 'fsdp';
      out.push({
        code: 'FT207',
        path: [fsdpKey],
        severity: 'error',
        message: `DeepSpeed and FSDP are both configured ('deepspeed' and '${fsdpKey}'): they shard the model in different ways and cannot run together. Keep one.`,
      });
    }
    if (ctx.format === 'accelerate' && isSet(get(v, 'deepspeed_config.deepspeed_config_file'))) {
      const inline = INLINE_DEEPSPEED_KEYS.filter((k) => isSet(get(v, `deepspeed_config.${k}`)));
      if (inline.length) {
        out.push({
          code: 'FT216',
          path: ['deepspeed_config', inline[0]],
          severity: 'error',
          message: `With 'deepspeed_config_file', Accelerate refuses the inline DeepSpeed settings ${inline.map((k) => `'${k}'`).join(', ')} ("will be ignored... specify them in the DeepSpeed config file"): move them into the JSON.`,
        });
      }
    }
    if (ctx.format === 'trl' && ctx.files) {
      const acc = get(v, 'accelerate_config');
      if (typeof acc === 'string' && !TRL_ACCELERATE_PRESETS.has(acc) && !candidatesFor(ctx, acc).some((p) => ctx.files!.read(p) !== undefined)) {
        out.push({
          code: 'FT210',
          path: ['accelerate_config'],
          on: 'value',
          severity: 'warning',
          message: `'${acc}' is neither a TRL preset (${[...TRL_ACCELERATE_PRESETS].join(', ')}) nor a file next to this config or in the workspace: \`trl\` stops when it opens it.`,
        });
      }
    }
    const keyPath = deepspeedKey(ctx);
    const file = keyPath ? get(v, keyPath.join('.')) : undefined;
    if (!keyPath || typeof file !== 'string' || !ctx.files || !/\.json$/i.test(file)) return out;
    const found = candidatesFor(ctx, file)
      .map((p) => ({ p, text: ctx.files!.read(p) }))
      .find((c) => c.text !== undefined);
    const unread = found
      ? undefined
      : candidatesFor(ctx, file)
          .map((p) => ctx.files!.problem?.(p))
          .find(Boolean);
    if (unread?.kind === 'notAFile') {
      // A FIFO or a device would block the tool, or feed it forever: we neither read it nor offer to create it.
      out.push({
        code: 'FT210',
        path: keyPath,
        on: 'value',
        severity: 'error',
        message: `'${file}' is ${unread.reason.replace(/, not read$/, '')}: the run blocks or fails when it opens it. It was not read.`,
      });
      return out;
    }
    if (unread) return out; // there, but too large to read: no cross-file checks
    if (!found) {
      out.push({
        code: 'FT210',
        path: keyPath,
        on: 'value',
        severity: 'warning',
        message: `'${file}' was not found next to this config or in the workspace: the run stops when it opens it (after the model has downloaded).`,
        fixes: [
          {
            title: `Create '${file}' from a ZeRO-2 template`,
            preferred: false,
            edits: [{ kind: 'createFile', file: candidatesFor(ctx, file)[0], content: TEMPLATE }],
          },
        ],
      });
      return out;
    }
    let ds: Record<string, unknown>;
    try {
      const parsed = JSON.parse(found.text!) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return out;
      ds = parsed as Record<string, unknown>;
    } catch {
      return out; // its own diagnostics say what is wrong with it
    }
    if (ctx.format === 'accelerate') return out;
    const micro = asNumber(get(v, ctx.format === 'axolotl' ? 'micro_batch_size' : 'per_device_train_batch_size'));
    const accum = asNumber(get(v, 'gradient_accumulation_steps')) ?? 1;
    const microKey = ctx.format === 'axolotl' ? 'micro_batch_size' : 'per_device_train_batch_size';
    const mismatches: string[] = [];
    const dsMicro = get(ds, 'train_micro_batch_size_per_gpu');
    if (micro !== undefined && dsMicro !== undefined && !isAuto(dsMicro) && asNumber(dsMicro) !== micro)
      mismatches.push(`train_micro_batch_size_per_gpu is ${JSON.stringify(dsMicro)} but ${microKey} is ${micro}`);
    const dsAccum = get(ds, 'gradient_accumulation_steps');
    if (dsAccum !== undefined && !isAuto(dsAccum) && asNumber(dsAccum) !== accum)
      mismatches.push(`gradient_accumulation_steps is ${JSON.stringify(dsAccum)} but this config has ${accum}`);
    const dsTotal = asNumber(get(ds, 'train_batch_size'));
    if (dsTotal !== undefined && micro !== undefined && dsTotal % (micro * accum) !== 0)
      mismatches.push(`train_batch_size ${dsTotal} is not ${microKey} × gradient_accumulation_steps (${micro * accum}) × any number of GPUs`);
    if (mismatches.length) {
      out.push({
        code: 'FT208',
        path: keyPath,
        on: 'value',
        severity: 'error',
        message: `The DeepSpeed config disagrees with this one: ${mismatches.join('; ')}. The Hugging Face integration stops with "values that mismatch TrainingArguments"; set them to "auto" in ${file}.`,
      });
    }
    const schedulerKey = ctx.format === 'axolotl' ? 'lr_scheduler' : 'lr_scheduler_type';
    if (isSet(get(ds, 'scheduler')) && isSet(get(v, schedulerKey))) {
      out.push({
        code: 'FT209',
        path: [schedulerKey],
        severity: 'warning',
        message: `${file} has its own 'scheduler' block, which replaces '${schedulerKey}: ${String(get(v, schedulerKey))}' here without a word. Remove one of the two.`,
      });
    }
    return out;
  },
};
