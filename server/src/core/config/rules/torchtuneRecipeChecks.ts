import { own } from '../own';
import { pinnedBefore } from '../../common/versions';
import type { Finding, Rule } from './types';
import { get } from './values';

// What a torchtune recipe refuses in its __init__ (and PPO's _setup_training_parameters), from the config alone:
// the run stops after `tune run` has started the processes, before training. Read in recipes/<name>.py of
// pytorch/torchtune at v0.5.0, v0.6.0, v0.6.1 and main (bd2a0fc7); each check below is in every one of those for
// the recipes listed (a recipe newer than v0.5.0 has it since it exists). v0.4.0 differs (fewer recipes check), so a
// project pinned before 0.5.0 is not judged. The recipe is the one the config's `tune run` comment names; with
// several names, a check applies only when every named recipe runs it.

/** `dtype: fp16` → training.get_dtype → torch.float16: "full fp16 training is not supported with this recipe". */
const REFUSES_FP16 = [
  'full_finetune_single_device',
  'full_finetune_distributed',
  'full_dpo_distributed',
  'lora_finetune_distributed',
  'lora_dpo_distributed',
  'qat_distributed',
  'qat_lora_finetune_distributed',
  'ppo_full_finetune_single_device',
];
/** `optimizer_in_bwd: true` with a `clip_grad_norm` that is not null. */
const OPT_IN_BWD_NO_CLIP = ['full_finetune_single_device', 'full_finetune_distributed', 'full_dpo_distributed', 'qat_distributed', 'qat_single_device'];
/** `optimizer_in_bwd: true` with `gradient_accumulation_steps` above 1. */
const OPT_IN_BWD_NO_ACCUMULATION = [...OPT_IN_BWD_NO_CLIP, 'ppo_full_finetune_single_device'];
/** `enable_activation_offloading: true` without `enable_activation_checkpointing: true` (both default to False). */
const OFFLOADING_NEEDS_CHECKPOINTING = [
  'full_finetune_single_device',
  'full_finetune_distributed',
  'full_dpo_distributed',
  'lora_finetune_single_device',
  'lora_finetune_distributed',
  'lora_dpo_single_device',
  'lora_dpo_distributed',
  'qat_distributed',
  'qat_single_device',
  'qat_lora_finetune_distributed',
];

/** A `collate_fn` naming left_pad_sequence (`"left_pad_sequence" in collate_fn`, _setup_data, after the model loads). */
const NO_LEFT_PAD_COLLATOR = [
  'full_finetune_single_device',
  'full_finetune_distributed',
  'lora_finetune_single_device',
  'lora_finetune_distributed',
  'qat_distributed',
  'qat_lora_finetune_distributed',
  'qat_single_device',
];

/** Recipes younger than v0.5.0: full_dpo_distributed arrived in v0.6.0, qat_single_device is on main only. */
const RECIPE_SINCE: Record<string, string> = { full_dpo_distributed: '0.6.0', qat_single_device: 'main' };

const RECIPES = new Set([...REFUSES_FP16, ...OPT_IN_BWD_NO_ACCUMULATION, ...OFFLOADING_NEEDS_CHECKPOINTING, ...NO_LEFT_PAD_COLLATOR]);

/** The recipes the config's `tune run [options] <recipe>` comments name (any recipe name counts, ours or not). */
function namedRecipes(text: string, known: Record<string, unknown> | undefined): string[] {
  const named = new Set<string>();
  for (const m of text.matchAll(/\btune\s+run\s+([^\n]*)/g)) {
    const recipe = m[1].split(/\s+/).find((w) => RECIPES.has(w) || (known !== undefined && own(known, w) !== undefined) || /^[a-z]+(?:_[a-z0-9]+)+$/.test(w));
    if (recipe) named.add(recipe);
  }
  return [...named];
}

export const torchtuneRecipeChecksRule: Rule = {
  codes: ['FT219'],
  formats: ['torchtune'],
  check({ value, text, version, schema }) {
    if (!text || (version && pinnedBefore(version, '0.5.0'))) return [];
    const table = schema?.['x-ftw-recipeKeys'] as Record<string, { recipes: Record<string, unknown> }> | undefined;
    const anyRelease = table ? Object.values(table)[0]?.recipes : undefined;
    const named = namedRecipes(text, anyRelease);
    if (!named.length) return [];
    const all = (list: string[]): boolean => named.every((r) => list.includes(r));
    const since = named.map((r) => own(RECIPE_SINCE, r) ?? '0.5.0');
    // A pinned release that does not have the recipe yet: `tune run` stops before any of this, with its own error.
    if (version && version.source !== 'newest' && since.some((s) => (s === 'main' ? pinnedBefore(version, '0.6.2') : pinnedBefore(version, s)))) return [];
    const where = since.includes('main')
      ? `torchtune main at bd2a0fc7`
      : since.includes('0.6.0')
        ? 'torchtune 0.6.0 to 0.6.1 and main'
        : 'torchtune 0.5.0 to 0.6.1 and main';
    const recipes = named.join(' / ');
    const out: Finding[] = [];
    const say = (quote: string, when = 'when it starts'): string => `the ${recipes} recipe stops with "${quote}" ${when} (${where}).`;
    if (get(value, 'dtype') === 'fp16' && all(REFUSES_FP16)) {
      out.push({
        code: 'FT219',
        path: ['dtype'],
        on: 'value',
        severity: 'error',
        message: `'dtype: fp16': ${say('full fp16 training is not supported with this recipe. Please use bf16 or fp32 instead.')}`,
      });
    }
    if (get(value, 'optimizer_in_bwd') === true) {
      const clip = get(value, 'clip_grad_norm');
      if (clip !== undefined && clip !== null && all(OPT_IN_BWD_NO_CLIP)) {
        out.push({
          code: 'FT219',
          path: ['clip_grad_norm'],
          on: 'value',
          severity: 'error',
          message: `'clip_grad_norm' with 'optimizer_in_bwd: true': ${say('Gradient clipping is not supported with optimizer in bwd.')} Set clip_grad_norm: null, or optimizer_in_bwd: false.`,
        });
      }
      const steps = get(value, 'gradient_accumulation_steps');
      if (typeof steps === 'number' && steps > 1 && all(OPT_IN_BWD_NO_ACCUMULATION)) {
        out.push({
          code: 'FT219',
          path: ['gradient_accumulation_steps'],
          on: 'value',
          severity: 'error',
          message: `'gradient_accumulation_steps: ${steps}' with 'optimizer_in_bwd: true': ${say('Gradient accumulation is not supported with optimizer in bwd.')} Set gradient_accumulation_steps: 1, or optimizer_in_bwd: false.`,
        });
      }
    }
    if (get(value, 'enable_activation_offloading') === true && get(value, 'enable_activation_checkpointing') !== true && all(OFFLOADING_NEEDS_CHECKPOINTING)) {
      out.push({
        code: 'FT219',
        path: ['enable_activation_offloading'],
        on: 'value',
        severity: 'error',
        message: `'enable_activation_offloading: true' without 'enable_activation_checkpointing: true': ${say('enable_activation_offloading should only be True when enable_activation_checkpointing is True')}`,
        // Turning offloading off is as right as turning checkpointing on: the user chooses (never fix-all).
        fixes: [
          {
            title: 'Set enable_activation_checkpointing: true',
            preferred: false,
            edits: [{ kind: 'set', path: ['enable_activation_checkpointing'], text: 'true' }],
          },
        ],
      });
    }
    const collate = get(value, 'collate_fn');
    if (typeof collate === 'string' && collate.includes('left_pad_sequence') && all(NO_LEFT_PAD_COLLATOR)) {
      out.push({
        code: 'FT219',
        path: ['collate_fn'],
        on: 'value',
        severity: 'error',
        message: `'collate_fn: ${collate}': ${say('left_pad_sequence collator is only for inference.', 'when it sets up the data, after loading the model')} Leave collate_fn unset (torchtune.data.padded_collate_sft).`,
      });
    }
    return out;
  },
};
