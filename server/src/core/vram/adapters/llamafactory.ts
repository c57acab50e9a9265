/** Config → TrainingSetup: LLaMA-Factory configs (v0 and v1). (index.ts gives the conventions every format follows.) */
import type { ValuePath } from '../../common/valuePath';
import type { AdaptedSetup, AdapterContext, NoSetup } from '../adapterTypes';
import type { Attention, Method, Sharding } from '../setup';
import {
  type TrainingKind,
  attentionFromName,
  hfBatch,
  loraTargets,
  modulesToSave,
  noModel,
  preferenceNotes,
  readDeepSpeed,
  readHfFsdp,
  setCheckpointImpl,
  setLoss,
  setOptimizer,
  setPacked,
} from './common';
import { Reader, isObj } from './reader';

// LLaMA-Factory

export function llamafactory(ctx: AdapterContext): AdaptedSetup | NoSetup {
  if (
    ctx.value.model_name_or_path === undefined &&
    (typeof ctx.value.model === 'string' || isObj(ctx.value.peft_config) || ctx.value.micro_batch_size !== undefined)
  )
    return llamafactoryV1(ctx);
  const r = new Reader(ctx, 'LLaMA-Factory');
  const model = r.text(['model_name_or_path']);
  if (!model) return noModel('model_name_or_path', 'LLaMA-Factory');
  if (r.flag(['do_train']) === false || (!r.has(['dataset']) && r.flag(['do_train']) !== true)) {
    return {
      reason:
        "No training here: without 'dataset' (or with do_train: false) this is an inference, evaluation or export config for llamafactory-cli chat/eval/export.",
    };
  }
  r.set('model', model, 'model', ['model_name_or_path']);

  const typeRaw = r.text(['finetuning_type'])?.toLowerCase();
  const type = typeRaw ?? 'lora';
  const bits = r.int(['quantization_bit']);
  let method: Method;
  if (type === 'full') method = 'full';
  else if (type === 'freeze') method = 'freeze';
  else {
    method = 'lora';
    if (type !== 'lora') r.note(`method: finetuning_type ${type} is not modelled; estimated as LoRA.`);
  }
  if (!typeRaw) r.note("method: finetuning_type is not set; LLaMA-Factory's default is lora.");
  if (bits !== undefined && method !== 'lora') {
    r.note(`quantization: quantization_bit needs finetuning_type lora (LLaMA-Factory refuses quantized ${type}); ignored.`);
  } else if (bits !== undefined) {
    const qmethod = r.text(['quantization_method'])?.toLowerCase() ?? 'bnb';
    if (bits === 8) r.set('quantization', 'int8', 'quantization', ['quantization_bit']);
    else if (bits <= 4) {
      method = 'qlora';
      const qt = r.text(['quantization_type'])?.toLowerCase();
      r.set('quantization', qt === 'fp4' ? 'fp4' : 'nf4', 'quantization', qt ? ['quantization_type'] : ['quantization_bit']);
      const dq = r.flag(['double_quantization']);
      r.set('doubleQuant', dq ?? true, 'doubleQuant', dq !== undefined ? ['double_quantization'] : undefined);
      if (bits < 4) r.note(`quantization: ${bits}-bit (HQQ) weights estimated as 4-bit.`);
    } else r.note(`quantization_bit: ${bits} is not 2–8; ignored.`);
    if (qmethod !== 'bnb') r.note(`quantization: quantization_method ${qmethod} estimated as bitsandbytes ${bits === 8 ? 'int8' : '4-bit'} weights.`);
  }
  r.set(
    'method',
    method,
    'method',
    r.has(['finetuning_type']) ? ['finetuning_type'] : bits !== undefined && method === 'qlora' ? ['quantization_bit'] : undefined,
  );

  if (method === 'lora' || method === 'qlora') {
    const rank = r.int(['lora_rank']);
    if (rank !== undefined) r.lora('rank', rank, ['lora_rank']);
    const alpha = r.num(['lora_alpha']);
    if (alpha !== undefined) r.lora('alpha', alpha);
    else r.lora('alpha', (rank ?? 8) * 2);
    if (r.has(['lora_target'])) loraTargets(r, ['lora_target']);
    else {
      r.lora('targets', 'all-linear');
      r.note("LoRA targets: lora_target is not set; LLaMA-Factory's default is all (every linear layer).");
    }
    modulesToSave(r, ['additional_target']);
    if (r.flag(['resize_vocab']) === true && !r.has(['additional_target'])) {
      r.lora('trainEmbeddings', true, ['resize_vocab']);
      r.note('LoRA: resize_vocab makes LLaMA-Factory train the embeddings and LM head in full.');
    }
  } else if (method === 'freeze') {
    const n = r.int(['freeze_trainable_layers'], Number.MIN_SAFE_INTEGER);
    if (n !== undefined && n !== 0) {
      r.set('trainableLayers', Math.abs(n), 'trainableLayers', ['freeze_trainable_layers']);
      if (n < 0)
        r.note(
          `method: freeze_trainable_layers ${n} trains the first ${-n} layers; the estimate keeps activations as for the last ${-n} (an underestimate: backward then runs through every layer).`,
        );
    } else if (n === undefined && !r.has(['freeze_trainable_layers'])) {
      r.set('trainableLayers', 2);
      r.note("method: freeze_trainable_layers is not set; LLaMA-Factory's default is the last 2 layers.");
    }
    const extra = r.text(['freeze_extra_modules']);
    if (extra) r.note(`method: freeze_extra_modules (${extra}) also trains those modules; not counted.`);
  }

  hfBatch(r);
  const cut = r.int(['cutoff_len']);
  if (cut !== undefined) r.set('sequenceLength', cut, 'sequenceLength', ['cutoff_len']);
  setPacked(r, r.flag(['neat_packing']) === true ? ['neat_packing'] : ['packing']);
  if (r.flag(['enable_liger_kernel']) === true) setLoss(r, 'fused', ['enable_liger_kernel'], "enable_liger_kernel (Liger's fused linear cross-entropy)");
  // LLaMA-Factory turns gradient checkpointing on unless disable_gradient_checkpointing is set.
  const noGc = r.flag(['disable_gradient_checkpointing']);
  r.set('gradientCheckpointing', noGc !== true, 'gradientCheckpointing', noGc !== undefined ? ['disable_gradient_checkpointing'] : undefined);
  if (noGc === undefined) r.note('gradient checkpointing: LLaMA-Factory turns it on unless disable_gradient_checkpointing is true.');
  setCheckpointImpl(r, ['use_reentrant_gc']);

  // Precision: the model loads in the compute dtype (bf16/fp16, else the checkpoint's); trainable parameters are
  // then upcast to fp32 unless pure_bf16 (model/adapter.py). So full FT is bf16-mixed, pure_bf16 bf16-true.
  const pure = r.flag(['pure_bf16']) === true;
  const bf = r.flag(['bf16']) === true;
  const fp = r.flag(['fp16']) === true;
  if (method === 'full') {
    if (pure) r.set('precision', 'bf16-true', 'precision', ['pure_bf16']);
    else if (bf) {
      r.set('precision', 'bf16-mixed', 'precision', ['bf16']);
      r.note('precision: LLaMA-Factory upcasts the trainable weights to fp32 and trains with bf16 autocast (pure_bf16 would keep them bf16).');
    } else if (fp) r.set('precision', 'fp16-mixed', 'precision', ['fp16']);
    else {
      r.set('precision', 'fp32', 'precision', r.has(['bf16']) ? ['bf16'] : undefined);
      r.note('precision: neither bf16 nor fp16 is on; trainable weights are upcast to fp32 and train in fp32.');
    }
  } else {
    const path: ValuePath | undefined = pure ? ['pure_bf16'] : bf ? ['bf16'] : fp ? ['fp16'] : undefined;
    r.set('precision', fp && !bf && !pure ? 'fp16-true' : 'bf16-true', 'precision', path);
    if (!path) r.note("precision: neither bf16 nor fp16 is on; LLaMA-Factory loads the model in the checkpoint's dtype, assumed bf16.");
    if (!pure)
      r.note(
        `precision: the frozen weights stay ${fp && !bf ? 'fp16' : 'bf16'}; LLaMA-Factory upcasts the trainable ${method === 'freeze' ? 'layers' : 'LoRA weights'} to fp32.`,
      );
  }

  if (r.has(['optim'])) setOptimizer(r, ['optim']);
  for (const k of ['use_galore', 'use_apollo', 'use_badam', 'use_adam_mini', 'use_muon']) {
    if (r.flag([k]) === true) r.note(`optimizer: ${k} changes the optimizer's memory; not modelled (estimated as ${r.setup.optimizer ?? 'adamw'}).`);
  }
  const fa = r.text(['flash_attn'])?.toLowerCase();
  if (fa) {
    const map: Record<string, Attention> = { disabled: 'eager', sdpa: 'sdpa', fa2: 'flash', fa3: 'flash' };
    if (map[fa]) r.set('attention', map[fa], 'attention', ['flash_attn']);
    else if (fa !== 'auto') r.note(`flash_attn: ${JSON.stringify(fa)} is not auto, disabled, sdpa, fa2 or fa3; ignored.`);
  }

  readDeepSpeed(r, ['deepspeed']);
  if (!r.setup.sharding) readHfFsdp(r, ['fsdp'], ['fsdp_config']);

  const stage = r.text(['stage'])?.toLowerCase();
  if (stage && stage !== 'sft' && stage !== 'pt') {
    const loss = r.text(['pref_loss'])?.toLowerCase() ?? 'sigmoid';
    const kind: TrainingKind =
      stage === 'dpo'
        ? loss === 'orpo' || loss === 'simpo'
          ? 'orpo'
          : 'dpo'
        : stage === 'kto'
          ? 'kto'
          : stage === 'ppo'
            ? 'ppo'
            : stage === 'rm'
              ? 'rm'
              : 'other';
    const label = stage === 'dpo' && kind === 'orpo' ? loss.toUpperCase() : stage.toUpperCase();
    // The reference model loads in the compute dtype and is never upcast: 2 bytes per parameter.
    preferenceNotes(r, kind, label, method === 'lora' || method === 'qlora', ['orpo', 'simpo'].includes(loss), 2);
  }
  return r.finish();
}

/** LLaMA-Factory v1 (USE_V1=1): `model`, `peft_config`, `quant_config`, `dist_config`, `micro_batch_size`. */
function llamafactoryV1(ctx: AdapterContext): AdaptedSetup | NoSetup {
  const r = new Reader(ctx, 'LLaMA-Factory');
  const model = r.text(['model']);
  if (!model) return noModel('model', 'LLaMA-Factory');
  if (!r.has(['train_dataset'])) return { reason: "No training here: without 'train_dataset' this LLaMA-Factory v1 config exports, merges or serves a model." };
  r.set('model', model, 'model', ['model']);
  const peft = r.text(['peft_config', 'name'])?.toLowerCase();
  let method: Method = 'full';
  if (peft === 'lora') {
    method = 'lora';
    const rank = r.int(['peft_config', 'r']);
    if (rank !== undefined) r.lora('rank', rank, ['peft_config', 'r']);
    const alpha = r.num(['peft_config', 'lora_alpha']);
    if (alpha !== undefined) r.lora('alpha', alpha);
    loraTargets(r, ['peft_config', 'target_modules']);
  } else if (peft === 'freeze') {
    method = 'freeze';
    const n = r.int(['peft_config', 'freeze_trainable_layers'], Number.MIN_SAFE_INTEGER);
    if (n !== undefined && n !== 0) r.set('trainableLayers', Math.abs(n), 'trainableLayers', ['peft_config', 'freeze_trainable_layers']);
  } else if (peft) r.note(`method: peft_config.name ${peft} is not modelled; estimated as full fine-tuning.`);
  const bits = r.int(['quant_config', 'quantization_bit']);
  if (bits !== undefined && method === 'lora') {
    if (bits === 8) r.set('quantization', 'int8', 'quantization', ['quant_config', 'quantization_bit']);
    else {
      method = 'qlora';
      r.set('quantization', 'nf4', 'quantization', ['quant_config', 'quantization_bit']);
    }
  }
  r.set('method', method, 'method', peft ? ['peft_config', 'name'] : undefined);
  const micro = r.int(['micro_batch_size']);
  if (micro !== undefined) r.set('microBatchSize', micro, 'microBatchSize', ['micro_batch_size']);
  const cut = r.int(['cutoff_len']);
  if (cut !== undefined) r.set('sequenceLength', cut, 'sequenceLength', ['cutoff_len']);
  const gc = r.flag(['enable_activation_checkpointing']);
  r.set('gradientCheckpointing', gc ?? true, 'gradientCheckpointing', gc !== undefined ? ['enable_activation_checkpointing'] : undefined);
  const bf = r.flag(['bf16']);
  const bfPath: ValuePath | undefined = bf !== undefined ? ['bf16'] : undefined;
  if (bf === false) r.set('precision', 'fp32', 'precision', bfPath);
  else {
    r.set('precision', method === 'full' ? 'bf16-mixed' : 'bf16-true', 'precision', bfPath);
    r.note(
      `precision: bf16${bf === undefined ? ' (on by default in LLaMA-Factory v1)' : ''}; assumed ${method === 'full' ? 'fp32 trainable weights with bf16 compute' : 'bf16 frozen weights'}.`,
    );
  }
  // v1's AttentionFunction (v1/utils/types.py): eager, sdpa, flash_attention_2; not v0's disabled/fa2/fa3.
  const fa = r.text(['flash_attn']);
  const attention = fa ? attentionFromName(fa) : undefined;
  if (attention) r.set('attention', attention.value, 'attention', ['flash_attn']);
  else if (fa) r.note(`flash_attn: ${JSON.stringify(fa)} is not eager, sdpa or flash_attention_2 (LLaMA-Factory v1); ignored.`);
  const dist = r.text(['dist_config', 'name'])?.toLowerCase();
  if (dist && /fsdp/.test(dist)) r.set('sharding', 'fsdp', 'sharding', ['dist_config', 'name']);
  else if (dist === 'deepspeed') {
    const stage = r.int(['dist_config', 'stage'], 0);
    if (stage !== undefined && stage <= 3) r.set('sharding', stage === 0 ? 'ddp' : (`zero${stage}` as Sharding), 'sharding', ['dist_config', 'stage']);
    else r.note('sharding: dist_config deepspeed without a stage; the estimate assumes no sharding.');
  }
  r.note('LLaMA-Factory v1 format (USE_V1=1).');
  return r.finish();
}
