/** Config → TrainingSetup: torchtune recipe configs. (index.ts gives the conventions every format follows.) */
import { basename } from '../../common/paths';
import type { ValuePath } from '../../common/valuePath';
import type { AdaptedSetup, AdapterContext, NoSetup } from '../adapterTypes';
import type { Method } from '../setup';
import { preferenceNotes, setLoss, setOptimizer, setPacked } from './common';
import { Reader, isObj } from './reader';

// torchtune

/** torchtune builder (without lora_/qlora_) → Hugging Face id. */
const TORCHTUNE_MODELS: Record<string, string> = {
  llama2_7b: 'meta-llama/Llama-2-7b-hf',
  llama2_13b: 'meta-llama/Llama-2-13b-hf',
  llama2_70b: 'meta-llama/Llama-2-70b-hf',
  llama3_8b: 'meta-llama/Meta-Llama-3-8B',
  llama3_70b: 'meta-llama/Meta-Llama-3-70B',
  llama3_1_8b: 'meta-llama/Llama-3.1-8B',
  llama3_1_70b: 'meta-llama/Llama-3.1-70B',
  llama3_1_405b: 'meta-llama/Llama-3.1-405B',
  llama3_2_1b: 'meta-llama/Llama-3.2-1B',
  llama3_2_3b: 'meta-llama/Llama-3.2-3B',
  llama3_2_vision_11b: 'meta-llama/Llama-3.2-11B-Vision',
  llama3_2_vision_90b: 'meta-llama/Llama-3.2-90B-Vision',
  llama3_3_70b: 'meta-llama/Llama-3.3-70B-Instruct',
  llama4_scout_17b_16e: 'meta-llama/Llama-4-Scout-17B-16E',
  llama4_maverick_17b_128e: 'meta-llama/Llama-4-Maverick-17B-128E',
  gemma_2b: 'google/gemma-2b',
  gemma_7b: 'google/gemma-7b',
  gemma2_2b: 'google/gemma-2-2b',
  gemma2_9b: 'google/gemma-2-9b',
  gemma2_27b: 'google/gemma-2-27b',
  mistral_7b: 'mistralai/Mistral-7B-v0.1',
  phi3_mini: 'microsoft/Phi-3-mini-4k-instruct',
  phi4_14b: 'microsoft/phi-4',
  qwen2_0_5b: 'Qwen/Qwen2-0.5B',
  qwen2_1_5b: 'Qwen/Qwen2-1.5B',
  qwen2_7b: 'Qwen/Qwen2-7B',
  qwen2_5_0_5b: 'Qwen/Qwen2.5-0.5B',
  qwen2_5_1_5b_base: 'Qwen/Qwen2.5-1.5B',
  qwen2_5_1_5b_instruct: 'Qwen/Qwen2.5-1.5B-Instruct',
  qwen2_5_3b: 'Qwen/Qwen2.5-3B',
  qwen2_5_7b_base: 'Qwen/Qwen2.5-7B',
  qwen2_5_7b_instruct: 'Qwen/Qwen2.5-7B-Instruct',
  qwen2_5_14b_base: 'Qwen/Qwen2.5-14B',
  qwen2_5_14b_instruct: 'Qwen/Qwen2.5-14B-Instruct',
  qwen2_5_32b_base: 'Qwen/Qwen2.5-32B',
  qwen2_5_32b_instruct: 'Qwen/Qwen2.5-32B-Instruct',
  qwen2_5_72b_base: 'Qwen/Qwen2.5-72B',
  qwen2_5_72b_instruct: 'Qwen/Qwen2.5-72B-Instruct',
  qwen3_0_6b_base: 'Qwen/Qwen3-0.6B-Base',
  qwen3_0_6b_instruct: 'Qwen/Qwen3-0.6B',
  qwen3_1_7b_base: 'Qwen/Qwen3-1.7B-Base',
  qwen3_1_7b_instruct: 'Qwen/Qwen3-1.7B',
  qwen3_4b_base: 'Qwen/Qwen3-4B-Base',
  qwen3_4b_instruct: 'Qwen/Qwen3-4B',
  qwen3_8b_base: 'Qwen/Qwen3-8B-Base',
  qwen3_8b_instruct: 'Qwen/Qwen3-8B',
  qwen3_14b_base: 'Qwen/Qwen3-14B-Base',
  qwen3_14b_instruct: 'Qwen/Qwen3-14B',
  qwen3_32b: 'Qwen/Qwen3-32B',
  smollm2_135m: 'HuggingFaceTB/SmolLM2-135M',
  smollm2_360m: 'HuggingFaceTB/SmolLM2-360M',
  smollm2_1_7b: 'HuggingFaceTB/SmolLM2-1.7B',
};

/** A torchtune model component → model id and LoRA kind; the checkpoint folder's name when the builder is unknown. */
function torchtuneModel(
  r: Reader,
  key: string,
  checkpointerKey: string,
): { id: string; path: ValuePath; kind: 'full' | 'lora' | 'qlora'; builder: string } | undefined {
  const comp = r.text([key, '_component_']);
  const builder = comp?.split('.').pop() ?? '';
  const kind = builder.startsWith('qlora_') ? 'qlora' : builder.startsWith('lora_') ? 'lora' : 'full';
  const base = builder.replace(/^q?lora_/, '');
  // Own properties only: a builder named `constructor` or `toString` is no model (the name is the user's text).
  const id = Object.prototype.hasOwnProperty.call(TORCHTUNE_MODELS, base) ? TORCHTUNE_MODELS[base] : undefined;
  if (id) return { id, path: [key, '_component_'], kind, builder };
  const dir = r.text([checkpointerKey, 'checkpoint_dir']);
  if (dir && !dir.includes('${')) {
    const name = basename(dir.replace(/[\\/]+$/, ''));
    if (name) {
      if (comp)
        r.note(`model: the builder ${builder} is not in the table of torchtune models; the model is named after ${checkpointerKey}.checkpoint_dir (${name}).`);
      return { id: name, path: [checkpointerKey, 'checkpoint_dir'], kind, builder };
    }
  }
  return undefined;
}

export function torchtune(ctx: AdapterContext): AdaptedSetup | NoSetup {
  const r = new Reader(ctx, 'torchtune');
  if (!isObj(ctx.value.optimizer) && !isObj(ctx.value.policy_model))
    return { reason: 'No training here: a torchtune config without an optimizer is for generation, evaluation or quantization.' };
  const m = torchtuneModel(r, 'model', 'checkpointer');
  if (!m)
    return {
      reason: "No model could be identified: 'model._component_' is not a known torchtune builder and 'checkpointer.checkpoint_dir' names no model folder.",
    };
  r.set('model', m.id, 'model', m.path);
  let method: Method = m.kind;
  if (m.kind !== 'full') {
    if (r.flag(['model', 'quantize_base']) === true) method = 'qlora';
    r.set('method', method, 'method', ['model', '_component_']);
    if (method === 'qlora') {
      r.set('quantization', 'nf4', 'quantization', r.has(['model', 'quantize_base']) ? ['model', 'quantize_base'] : ['model', '_component_']);
      r.set('doubleQuant', true);
      r.note("quantization: torchtune's QLoRA stores the base in torchao NF4, whose scales are quantized again (like double quantization).");
    }
    const rank = r.int(['model', 'lora_rank']);
    if (rank !== undefined) r.lora('rank', rank, ['model', 'lora_rank']);
    const alpha = r.num(['model', 'lora_alpha']);
    if (alpha !== undefined) r.lora('alpha', alpha);
    const attn = r.raw(['model', 'lora_attn_modules']);
    const targets: string[] = [];
    if (Array.isArray(attn)) for (const a of attn) if (typeof a === 'string') targets.push(a === 'output_proj' ? 'o_proj' : a);
    if (r.flag(['model', 'apply_lora_to_mlp']) === true) targets.push('gate_proj', 'up_proj', 'down_proj');
    if (r.flag(['model', 'apply_lora_to_output']) === true) targets.push('lm_head');
    if (targets.length) {
      r.lora('targets', targets, ['model', Array.isArray(attn) ? 'lora_attn_modules' : 'apply_lora_to_mlp']);
      if (targets.includes('o_proj') || targets.includes('gate_proj'))
        r.note("LoRA targets: torchtune's output_proj and MLP w1/w2/w3 are named o_proj and gate/up/down_proj as in Hugging Face models.");
    }
    if (r.flag(['model', 'use_dora']) === true) r.note('method: DoRA (use_dora) adds a magnitude vector and a norm per adapted layer; estimated as LoRA.');
  } else {
    r.set('method', 'full', 'method', m.path[0] === 'model' ? ['model', '_component_'] : undefined);
  }

  const teacher = r.has(['teacher_model']) ? torchtuneModel(r, 'teacher_model', 'teacher_checkpointer') : undefined;
  if (teacher) {
    r.set('teacher', teacher.id, 'teacher', teacher.path);
    if (method === 'full') r.set('method', 'distillation', 'method', teacher.path);
    r.note(`distillation: the teacher ${teacher.id} runs forward only, in the training dtype.`);
  } else if (r.has(['teacher_model'])) r.note('distillation: the teacher_model builder is not known; the teacher is not counted.');

  const micro = r.int(['batch_size']);
  if (micro !== undefined) r.set('microBatchSize', micro, 'microBatchSize', ['batch_size']);
  r.accumulation(['gradient_accumulation_steps']);
  const seqKey: ValuePath | undefined = r.has(['tokenizer', 'max_seq_len'])
    ? ['tokenizer', 'max_seq_len']
    : r.has(['max_seq_len'])
      ? ['max_seq_len']
      : undefined;
  const seq = seqKey ? r.int(seqKey) : undefined;
  if (seqKey && seq !== undefined) r.set('sequenceLength', seq, 'sequenceLength', seqKey);
  else if (!seqKey)
    r.note('sequence length: tokenizer.max_seq_len is not set, so samples are not truncated; the estimate uses 2048 (set max_seq_len to bound it).');
  setPacked(r, ['dataset', 'packed']);
  const gc = r.flag(['enable_activation_checkpointing']);
  if (gc !== undefined) r.set('gradientCheckpointing', gc, 'gradientCheckpointing', ['enable_activation_checkpointing']);
  // torchtune wraps layers with checkpoint_wrapper(CheckpointImpl.NO_REENTRANT) (torchtune/training/activations.py).
  r.set('checkpointing', 'non-reentrant');
  if (r.flag(['enable_activation_offloading']) === true)
    r.note('gradient checkpointing: enable_activation_offloading moves the checkpoints to the CPU; the estimate keeps them on the GPU.');

  // torchtune trains in the dtype it loads (no fp32 master weights, no autocast).
  const dt = r.text(['dtype'])?.toLowerCase();
  if (dt === 'bf16') r.set('precision', 'bf16-true', 'precision', ['dtype']);
  else if (dt === 'fp32') r.set('precision', 'fp32', 'precision', ['dtype']);
  else if (dt === 'fp16') {
    r.set('precision', 'fp16-true', 'precision', ['dtype']);
    r.note("precision: torchtune's main recipes refuse fp16.");
  } else if (dt) r.note(`dtype: ${JSON.stringify(dt)} is not bf16, fp32 or fp16; ignored.`);

  const opt = r.text(['optimizer', '_component_']);
  if (opt) setOptimizer(r, ['optimizer', '_component_'], true);
  if (r.setup.optimizer === 'adamw' && r.flag(['optimizer', 'fused']) === true) {
    r.set('optimizer', 'adamw-fused', 'optimizer', ['optimizer', 'fused']);
    r.note('optimizer: fused AdamW steps one tensor at a time (no foreach temporaries).');
  }
  if (r.flag(['optimizer_in_bwd']) === true)
    r.note('optimizer_in_bwd steps each parameter during backward and frees its gradient; the estimate counts all gradients (an overestimate).');
  const loss = r.text(['loss', '_component_']) ?? '';
  if (/LinearCrossEntropy/.test(loss)) setLoss(r, 'fused', ['loss', '_component_'], loss.split('.').pop()!);
  else if (/Chunked/.test(loss)) setLoss(r, 'chunked', ['loss', '_component_'], loss.split('.').pop()!);

  // Distributed recipes shard with FSDP; a config alone does not say which recipe runs it.
  const offload = r.flag(['fsdp_cpu_offload']);
  const single = /single_device/.test(basename(ctx.path));
  if (offload === true) {
    r.set('sharding', 'fsdp', 'sharding', ['fsdp_cpu_offload']);
    r.set('offload', 'all', 'offload', ['fsdp_cpu_offload']);
  } else if (!single && ctx.launcherGpus !== undefined && ctx.launcherGpus > 1) {
    r.set('sharding', 'fsdp');
    r.note("sharding: torchtune's distributed recipes shard the model with FSDP over the launcher's GPUs.");
  } else if (!single) {
    r.note(
      "sharding: torchtune's distributed recipes shard with FSDP over the GPUs given to `tune run --nproc_per_node`; the config alone does not say, so no sharding is assumed.",
    );
  }
  const file = basename(ctx.path).toLowerCase();
  if (/ppo/.test(file) || r.has(['reward_and_value_model'])) preferenceNotes(r, 'ppo', 'PPO', false, false);
  else if (/grpo/.test(file)) preferenceNotes(r, 'grpo', 'GRPO', false, false);
  else if (/DPO/i.test(loss) || /dpo/.test(file)) preferenceNotes(r, 'dpo', 'DPO', r.setup.method === 'lora' || r.setup.method === 'qlora', false);
  return r.finish();
}
