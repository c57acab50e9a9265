/** Config → TrainingSetup: Axolotl configs. (index.ts gives the conventions every format follows.) */
import type { ValuePath } from '../../common/valuePath';
import type { AdaptedSetup, AdapterContext, NoSetup } from '../adapterTypes';
import type { Attention, Method, Quantization } from '../setup';
import {
  TrainingKind,
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
import { Reader, isObj } from './reader';

// Axolotl

/** Layers named by `unfrozen_parameters` patterns such as `model.layers.2[6-9].*`; "all" when a pattern covers every index. */
function unfrozenLayers(patterns: string[]): { layers: number[] | 'all'; other: boolean } {
  const layers = new Set<number>();
  let all = false;
  let other = false;
  for (const p of patterns) {
    const m = /layers\\?\.(.+?)\\?\.|layers\\?\.(.+)$/.exec(p);
    if (!m) {
      // no layer index: the whole language model (e.g. `model.language_model.*`) or a non-layer module
      if (/language_model|^\^?model\.\*|^\.\*$|^\^?\.\*/.test(p)) all = true;
      else other = true;
      continue;
    }
    const seg = (m[1] ?? m[2] ?? '').replace(/\$$/, '');
    if (/^\.?\*/.test(seg)) {
      all = true;
      continue;
    }
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${seg})$`);
    } catch {
      other = true;
      continue;
    }
    let hits = 0;
    for (let i = 0; i < 160; i++) {
      if (re.test(String(i))) {
        layers.add(i);
        hits++;
      }
    }
    if (hits >= 150) all = true;
  }
  return { layers: all ? 'all' : [...layers].sort((a, b) => a - b), other };
}

export function axolotl(ctx: AdapterContext): AdaptedSetup | NoSetup {
  const r = new Reader(ctx, 'Axolotl');
  const model = r.text(['base_model']);
  if (!model) return noModel('base_model', 'Axolotl');
  r.set('model', model, 'model', ['base_model']);

  // Method and quantization
  const adapter = r.text(['adapter'])?.toLowerCase();
  const q4 = r.flag(['load_in_4bit']) === true;
  const q8 = r.flag(['load_in_8bit']) === true;
  let method: Method = 'full';
  if (adapter === 'lora' || adapter === 'qlora') {
    method = adapter === 'qlora' || q4 ? 'qlora' : 'lora';
    r.set('method', method, 'method', ['adapter']);
    if (adapter === 'lora' && q4) r.note('method: adapter lora with load_in_4bit trains LoRA on a 4-bit base, i.e. QLoRA.');
    if (q4 || (adapter === 'qlora' && !q8)) {
      const kwargs = r.raw(['bnb_config_kwargs']);
      const type = isObj(kwargs) && typeof kwargs.bnb_4bit_quant_type === 'string' ? kwargs.bnb_4bit_quant_type.toLowerCase() : undefined;
      const quant: Quantization = type === 'fp4' ? 'fp4' : 'nf4';
      r.set('quantization', quant, 'quantization', type ? ['bnb_config_kwargs', 'bnb_4bit_quant_type'] : q4 ? ['load_in_4bit'] : ['adapter']);
      if (adapter === 'qlora' && !q4) r.note('quantization: adapter qlora without load_in_4bit: true (Axolotl refuses to start); estimated as 4-bit NF4.');
      const dq = isObj(kwargs) ? kwargs.bnb_4bit_use_double_quant : undefined;
      if (typeof dq === 'boolean') r.set('doubleQuant', dq, 'doubleQuant', ['bnb_config_kwargs', 'bnb_4bit_use_double_quant']);
      else {
        r.set('doubleQuant', true);
        r.note('quantization: Axolotl quantizes 4-bit weights with NF4 and double quantization unless bnb_config_kwargs says otherwise.');
      }
    } else if (q8) {
      r.set('quantization', 'int8', 'quantization', ['load_in_8bit']);
    }
    const rank = r.int(['lora_r']);
    if (rank !== undefined) r.lora('rank', rank, ['lora_r']);
    const alpha = r.num(['lora_alpha']);
    if (alpha !== undefined) r.lora('alpha', alpha);
    if (r.flag(['lora_target_linear']) === true) r.lora('targets', 'all-linear', ['lora_target_linear']);
    else loraTargets(r, ['lora_target_modules']);
    modulesToSave(r, ['lora_modules_to_save']);
    if (r.flag(['peft_use_dora']) === true) r.note('method: DoRA (peft_use_dora) adds a magnitude vector and a norm per adapted layer; estimated as LoRA.');
    if (r.has(['unfrozen_parameters'])) r.note('unfrozen_parameters: ignored with an adapter; the estimate counts the adapter only.');
  } else if (adapter) {
    if (adapter === 'llama-adapter') r.note('method: llama-adapter (adaption prompts) is estimated as prefix tuning.');
    else r.note(`method: adapter ${adapter} is not modelled; estimated as LoRA.`);
    method = adapter === 'llama-adapter' ? 'prefix' : 'lora';
    r.set('method', method, 'method', ['adapter']);
  } else {
    if (q4 || q8)
      r.note(`quantization: ${q4 ? 'load_in_4bit' : 'load_in_8bit'} without an adapter cannot train the quantized weights (Axolotl refuses); ignored.`);
    const unfrozen = r.raw(['unfrozen_parameters']);
    if (Array.isArray(unfrozen) && unfrozen.length) {
      const pats = unfrozen.filter((s): s is string => typeof s === 'string');
      const { layers, other } = unfrozenLayers(pats);
      if (layers === 'all') {
        r.set('method', 'full', 'method', ['unfrozen_parameters']);
        r.note('method: unfrozen_parameters covers every decoder layer; estimated as full fine-tuning.');
      } else if (layers.length) {
        method = 'freeze';
        r.set('method', 'freeze', 'method', ['unfrozen_parameters']);
        r.set('trainableLayers', layers.length, 'trainableLayers', ['unfrozen_parameters']);
        r.note(
          `method: unfrozen_parameters trains layers ${layers.join(', ')}; estimated as ${layers.length} fully trainable layers${other ? ' (plus the other modules it names, not counted)' : ''}, activations kept from the first trainable layer as for the last ${layers.length}.`,
        );
      } else {
        r.note('method: unfrozen_parameters names no decoder layers that could be counted; estimated as full fine-tuning.');
      }
    } else {
      r.set('method', 'full');
    }
  }

  // Batch and length
  const micro = r.int(['micro_batch_size']);
  if (micro !== undefined) r.set('microBatchSize', micro, 'microBatchSize', ['micro_batch_size']);
  r.accumulation(['gradient_accumulation_steps']);
  const seq = r.int(['sequence_len']);
  if (seq !== undefined) r.set('sequenceLength', seq, 'sequenceLength', ['sequence_len']);
  else if (!r.has(['sequence_len'])) {
    r.set('sequenceLength', 512);
    r.note("sequence length: sequence_len is not set; Axolotl's default is 512.");
  }
  setPacked(r, ['sample_packing']);
  const pluginList = Array.isArray(r.raw(['plugins'])) ? (r.raw(['plugins']) as unknown[]).filter((p): p is string => typeof p === 'string') : [];
  if (pluginList.some((p) => /cut_cross_entropy/i.test(p)) && r.flag(['cut_cross_entropy']) !== false)
    setLoss(r, 'fused', r.has(['cut_cross_entropy']) ? ['cut_cross_entropy'] : ['plugins'], 'Cut Cross-Entropy');
  else if (pluginList.some((p) => /liger/i.test(p)) && r.flag(['liger_fused_linear_cross_entropy']) === true)
    setLoss(r, 'fused', ['liger_fused_linear_cross_entropy'], "Liger's fused linear cross-entropy");
  else if (pluginList.some((p) => /liger/i.test(p)) && r.flag(['liger_cross_entropy']) === true)
    setLoss(r, 'chunked', ['liger_cross_entropy'], "Liger's cross-entropy");
  else if (r.flag(['chunked_cross_entropy']) === true) setLoss(r, 'chunked', ['chunked_cross_entropy'], 'chunked_cross_entropy');

  // Evaluation: a val_set_size split or test_datasets (src/axolotl/core/builders/base.py: eval_strategy "no" only
  // without either), with eval_batch_size, which defaults to micro_batch_size (utils/config/__init__.py).
  const valSize = r.num(['val_set_size']);
  const testSets = r.raw(['test_datasets']);
  const evaluates = (valSize !== undefined && valSize > 0) || (Array.isArray(testSets) && testSets.length > 0);
  // Evaluating the training batch needs less than a training step (no gradients, 10 bytes of logits per entry
  // against 14), except where the loss is fused only in training (Liger): its evaluation makes the whole logits.
  if (evaluates && r.text(['eval_strategy'])?.trim().toLowerCase() !== 'no') {
    const cce = r.setup.loss === 'fused' && pluginList.some((p) => /cut_cross_entropy/i.test(p));
    const evalBatch = r.int(['eval_batch_size']);
    if (cce) r.note('evaluation: Cut Cross-Entropy computes the eval loss without logits too; evaluation needs no more than a step.');
    else if (evalBatch !== undefined) r.set('evalMicroBatchSize', evalBatch, 'evalMicroBatchSize', ['eval_batch_size']);
    else if (r.setup.loss === 'fused') {
      r.set('evalMicroBatchSize', micro ?? 1, 'evalMicroBatchSize', ['micro_batch_size']);
      r.note("evaluation: eval_batch_size follows micro_batch_size; Liger fuses the loss only in training, so evaluation makes the eval batch's whole logits.");
    }
  }

  // Memory savers
  const gc = r.raw(['gradient_checkpointing']);
  if (typeof gc === 'string' && /^offload(_disk)?$/.test(gc.trim())) {
    r.set('gradientCheckpointing', true, 'gradientCheckpointing', ['gradient_checkpointing']);
    r.note(`gradient checkpointing: ${gc.trim()} also moves the checkpoints off the GPU; the estimate keeps them on it.`);
  } else {
    const on = r.flag(['gradient_checkpointing']);
    if (on !== undefined) r.set('gradientCheckpointing', on, 'gradientCheckpointing', ['gradient_checkpointing']);
  }
  setCheckpointImpl(r, ['gradient_checkpointing_kwargs', 'use_reentrant']);

  // Precision: Axolotl loads the model in bf16 when bf16 is on (fp16 with fp16/float16), so the base weights are
  // bf16 for every method; full fine-tuning then trains bf16 weights (no fp32 master copy).
  const bfRaw = r.raw(['bf16']);
  const bf = typeof bfRaw === 'string' && /^(auto|full)$/i.test(bfRaw.trim()) ? (bfRaw.trim().toLowerCase() === 'full' ? true : 'auto') : r.flag(['bf16']);
  const bfloat = r.flag(['bfloat16']) === true;
  const fp16 = r.flag(['fp16']) === true || r.flag(['float16']) === true;
  const fpKey: ValuePath = r.flag(['fp16']) === true ? ['fp16'] : ['float16'];
  if (bf === true || bfloat) r.set('precision', 'bf16-true', 'precision', bf === true ? ['bf16'] : ['bfloat16']);
  else if (fp16) r.set('precision', 'fp16-true', 'precision', fpKey);
  else if (bf === false) r.set('precision', 'fp32', 'precision', ['bf16']);
  else {
    r.set('precision', 'bf16-true', 'precision', r.has(['bf16']) ? ['bf16'] : undefined);
    r.note('precision: bf16: auto (the default) turns bf16 on for Ampere or newer GPUs; assumed on, so the weights are bf16.');
  }
  if (r.setup.precision === 'bf16-true' && (method === 'lora' || method === 'qlora'))
    r.note('precision: the base weights load in bf16; the LoRA weights stay fp32 (PEFT upcasts them).');

  // Optimizer and attention
  if (r.has(['optimizer'])) setOptimizer(r, ['optimizer']);
  if (r.has(['attn_implementation'])) setAttention(r, ['attn_implementation']);
  else {
    const legacy: Array<[string, Attention]> = [
      ['flash_attention', 'flash'],
      ['sdp_attention', 'sdpa'],
      ['xformers_attention', 'flash'],
      ['flex_attention', 'flash'],
      ['sage_attention', 'flash'],
      ['eager_attention', 'eager'],
    ];
    const hit = legacy.find(([k]) => r.flag([k]) === true);
    if (hit) {
      r.set('attention', hit[1], 'attention', [hit[0]]);
      if (hit[0] !== 'flash_attention' && hit[1] === 'flash')
        r.note(`attention: ${hit[0]} does not keep the attention matrix, like FlashAttention; estimated as flash.`);
    }
  }

  // Distributed
  readDeepSpeed(r, ['deepspeed']);
  if (!r.setup.sharding) readHfFsdp(r, ['fsdp'], ['fsdp_config']);

  // Training mode
  const rl = r.text(['rl'])?.toLowerCase();
  if (rl) {
    const kind: TrainingKind =
      rl === 'dpo' || rl === 'ipo' || rl === 'gdpo'
        ? 'dpo'
        : rl === 'orpo' || rl === 'simpo'
          ? 'orpo'
          : rl === 'kto'
            ? 'kto'
            : rl === 'grpo'
              ? 'grpo'
              : 'other';
    preferenceNotes(r, kind, rl.toUpperCase(), method === 'lora' || method === 'qlora', false);
    if (kind === 'other') r.note(`rl: ${rl} is not modelled; the estimate covers a plain training step.`);
  }
  const plugins = r.raw(['plugins']);
  if (Array.isArray(plugins) && plugins.some((p) => typeof p === 'string' && /\.kd\./.test(p))) {
    r.note("Knowledge distillation (KDPlugin) reads the teacher's logprobs from the dataset or a server: no teacher model on the GPU, not counted.");
  }
  return r.finish();
}
