/** Config → TrainingSetup: TRL and Hugging Face TrainingArguments configs. (index.ts gives the conventions every format follows.) */
import type { AdaptedSetup, AdapterContext, NoSetup } from '../adapterTypes';
import type { Sharding } from '../setup';
import {
  hfBatch,
  hfPrecision,
  hfQuantization,
  loadDtype,
  loraTargets,
  modulesToSave,
  noModel,
  preferenceNotes,
  readDeepSpeed,
  readHfFsdp,
  setAttention,
  setCheckpointImpl,
  setLoss,
  setOptimizer,
  setPacked,
} from './common';
import { Reader } from './reader';

// TRL CLI and plain HF TrainingArguments

type TrlKind = 'sft' | 'dpo' | 'orpo' | 'kto' | 'grpo' | 'rloo' | 'rm' | 'gkd';

function trlKind(r: Reader): TrlKind {
  // The file's name and folders name the trainer (`recipes/.../dpo/config.yaml`, `grpo_config.yaml`); the most
  // specific word wins ("R1-Distill-...__grpo__" is GRPO).
  const where = r.ctx.path.toLowerCase().split(/[\\/]/).slice(-3).join('/');
  for (const k of ['grpo', 'rloo', 'dpo', 'orpo', 'kto', 'gkd', 'reward', 'sft']) {
    if (new RegExp(`(?:^|[\\/_.-])${k}(?=[\\/_.-]|$)`).test(where)) return k === 'reward' ? 'rm' : (k as TrlKind);
  }
  if (r.has(['teacher_model_name_or_path'])) return 'gkd';
  if (['num_generations', 'reward_funcs', 'max_completion_length', 'use_vllm'].some((k) => r.has([k]))) return 'grpo';
  if (['beta', 'precompute_ref_log_probs', 'rpo_alpha', 'ref_model_init_kwargs', 'max_prompt_length'].some((k) => r.has([k]))) return 'dpo';
  return 'sft';
}

/**
 * A training script's own method keys, as `ftw new --format script` writes them: PEFT's `peft_type: PREFIX_TUNING`
 * with `num_virtual_tokens`, or LLaMA-Factory's `freeze_trainable_layers` (the last N layers train).
 */
function scriptMethod(r: Reader, peft: boolean): void {
  const type = r.text(['peft_type'])?.toUpperCase();
  if (peft && type === 'PREFIX_TUNING') {
    r.set('method', 'prefix', 'method', ['peft_type']);
    delete r.setup.lora;
    const n = r.int(['num_virtual_tokens']);
    if (n !== undefined) r.set('prefix', { virtualTokens: n }, 'prefix', ['num_virtual_tokens']);
  } else if (peft && type && type !== 'LORA') {
    r.note(`method: peft_type ${type} is not modelled; estimated as LoRA.`);
  } else if (!peft && r.has(['freeze_trainable_layers'])) {
    const n = r.int(['freeze_trainable_layers']);
    if (n === undefined) return;
    r.set('method', 'freeze', 'method', ['freeze_trainable_layers']);
    r.set('trainableLayers', n, 'trainableLayers', ['freeze_trainable_layers']);
  }
}

export function trl(ctx: AdapterContext, hfOnly: boolean): AdaptedSetup | NoSetup {
  const tool = hfOnly ? 'the training script' : 'TRL';
  const r = new Reader(ctx, hfOnly ? 'HF Trainer' : 'TRL');
  const model = r.text(['model_name_or_path']);
  if (!model) {
    if (hfOnly)
      return {
        reason: "No model is named: plain TrainingArguments files leave the model to the training script (add 'model_name_or_path' to estimate its memory).",
      };
    return noModel('model_name_or_path', tool);
  }
  r.set('model', model, 'model', ['model_name_or_path']);

  const peft = r.flag(['use_peft']) === true;
  if (peft) {
    r.set('method', 'lora', 'method', ['use_peft']);
    const rank = r.int(['lora_r']);
    if (rank !== undefined) r.lora('rank', rank, ['lora_r']);
    else if (!hfOnly) r.lora('rank', 16);
    const alpha = r.num(['lora_alpha']);
    if (alpha !== undefined) r.lora('alpha', alpha);
    else if (!hfOnly) r.lora('alpha', 32);
    if (!hfOnly && (rank === undefined || alpha === undefined)) r.note("LoRA: TRL's defaults are lora_r 16 and lora_alpha 32.");
    if (r.has(['lora_target_modules'])) loraTargets(r, ['lora_target_modules']);
    else if (!hfOnly) {
      r.lora('targets', 'all-linear');
      r.note("LoRA targets: lora_target_modules is not set; TRL's CLI then adapts every linear layer (all-linear).");
    }
    modulesToSave(r, ['lora_modules_to_save']);
  } else {
    r.set('method', 'full');
  }
  if (hfOnly) scriptMethod(r, peft);
  hfQuantization(r, peft);

  hfBatch(r);
  const kind: TrlKind = hfOnly ? 'sft' : trlKind(r);
  let seqSet = false;
  if (kind === 'grpo' || kind === 'rloo') {
    const prompt = r.int(['max_prompt_length']);
    const completion = r.int(['max_completion_length']) ?? (r.has(['max_completion_length']) ? undefined : 512);
    if (completion !== undefined) {
      const total = (prompt ?? 0) + completion;
      r.set(
        'sequenceLength',
        total,
        'sequenceLength',
        r.has(['max_completion_length']) ? ['max_completion_length'] : prompt !== undefined ? ['max_prompt_length'] : undefined,
      );
      r.note(
        prompt !== undefined
          ? `sequence length: max_prompt_length ${prompt} + max_completion_length ${completion}.`
          : `sequence length: max_completion_length ${completion} only; the prompt's length is not in the config.`,
      );
      seqSet = true;
    }
  }
  if (!seqSet) {
    for (const key of hfOnly ? ['max_length', 'max_seq_length', 'model_max_length', 'block_size'] : ['max_length', 'max_seq_length']) {
      if (!r.has([key])) continue;
      const n = r.int([key]);
      if (n !== undefined) {
        r.set('sequenceLength', n, 'sequenceLength', [key]);
        seqSet = true;
      }
      break;
    }
    if (!seqSet && !hfOnly && !r.sources.sequenceLength && !r.has(['max_length']) && !r.has(['max_seq_length'])) {
      r.set('sequenceLength', 1024);
      r.note("sequence length: max_length is not set; TRL's default is 1024.");
    }
    if (!seqSet && hfOnly) r.note('sequence length: TrainingArguments do not set one; the estimate uses 2048.');
  }

  if (!hfOnly && (kind === 'sft' || kind === 'gkd')) setPacked(r, ['packing']);
  if (r.flag(['use_liger_kernel']) === true) setLoss(r, 'fused', ['use_liger_kernel'], "use_liger_kernel (Liger's fused linear cross-entropy)");

  const gc = r.flag(['gradient_checkpointing']);
  if (gc !== undefined) r.set('gradientCheckpointing', gc, 'gradientCheckpointing', ['gradient_checkpointing']);
  else if (!hfOnly) {
    r.set('gradientCheckpointing', true);
    r.note("gradient checkpointing: TRL's configs turn it on by default.");
  }
  setCheckpointImpl(r, ['gradient_checkpointing_kwargs', 'use_reentrant']);

  const load = hfOnly
    ? loadDtype(r, 'fp32', 'precision: the config does not say which dtype the script loads the model in; assumed fp32 (bf16/fp16 then mean mixed precision).')
    : loadDtype(r, 'fp32', "precision: dtype is not set; TRL's CLI loads the model in float32 (its default).");
  hfPrecision(r, load, !hfOnly);
  if (!hfOnly && load.dtype === 'fp32' && r.raw(['bf16']) == null && r.flag(['fp16']) !== true)
    r.note("precision: bf16 is not set; TRL's configs turn it on unless fp16 is set.");

  if (r.has(['optim'])) setOptimizer(r, ['optim']);
  if (r.has(['attn_implementation'])) setAttention(r, ['attn_implementation']);
  readDeepSpeed(r, ['deepspeed']);
  if (!r.setup.sharding) readHfFsdp(r, ['fsdp'], ['fsdp_config']);
  if (!r.setup.sharding && !hfOnly) {
    const acc = r.text(['accelerate_config'])?.toLowerCase();
    const presets: Record<string, [Sharding, 'none' | 'optimizer' | 'all'] | undefined> = {
      zero1: ['zero1', 'none'],
      zero2: ['zero2', 'none'],
      zero3: ['zero3', 'none'],
      fsdp1: ['fsdp', 'none'],
      fsdp2: ['fsdp', 'none'],
      multi_gpu: ['ddp', 'none'],
    };
    const p = acc ? presets[acc] : undefined;
    if (p) r.set('sharding', p[0], 'sharding', ['accelerate_config']);
    else if (acc && acc !== 'single_gpu')
      r.note(`sharding: accelerate_config ${acc} is an Accelerate file; its sharding is read where it is launched, not here.`);
  }

  if (kind === 'gkd') {
    const teacher = r.text(['teacher_model_name_or_path']);
    if (teacher) {
      r.set('teacher', teacher, 'teacher', ['teacher_model_name_or_path']);
      if (!peft) r.set('method', 'distillation', 'method', ['teacher_model_name_or_path']);
    }
  } else if (kind !== 'sft') {
    const refFree = r.flag(['precompute_ref_log_probs']) === true;
    preferenceNotes(r, kind, kind === 'rm' ? 'Reward modelling' : kind.toUpperCase(), peft, refFree);
    if (refFree && kind === 'dpo')
      r.note('DPO reference model: precompute_ref_log_probs computes its log-probabilities before training; no reference model during the step.');
    if (kind === 'grpo' && r.setup.microBatchSize !== undefined)
      r.note('GRPO: per_device_train_batch_size counts completions (prompt + completion sequences).');
    if (kind === 'grpo') {
      const beta = r.num(['beta']);
      if (beta !== undefined && beta > 0 && !peft) r.note(`GRPO reference model: beta ${beta} keeps a frozen copy of the model, not counted.`);
    }
  }
  return r.finish();
}
