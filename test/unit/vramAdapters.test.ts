import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FormatId } from '../../server/src/core/common/formats';
import { parseConfig } from '../../server/src/core/config/parse';
import type { AdaptedSetup, NoSetup } from '../../server/src/core/vram/adapterTypes';
import { setupFromConfig } from '../../server/src/core/vram/adapters';
import { resolveSetup } from '../../server/src/core/vram/setup';
import { CORPUS, needsCorpus } from '../corpus';

const CONFIGS = CORPUS && join(CORPUS, 'configs');
const ON_CORPUS = needsCorpus('VRAM adapters on the real public configs');
const GPU_NOTE = 'GPUs: the config does not say how many GPUs the run uses (the launcher does); the estimate is per GPU, for 1 GPU.';

function adapt(
  format: FormatId,
  text: string,
  opts: { path?: string; files?: Record<string, string>; launcherGpus?: number; syntax?: 'yaml' | 'json' } = {},
): AdaptedSetup | NoSetup {
  const parsed = parseConfig(text, opts.syntax ?? 'yaml');
  const files = opts.files;
  return setupFromConfig({
    format,
    value: parsed.value as Record<string, unknown>,
    path: opts.path ?? '/w/train.yml',
    roots: ['/w'],
    files: files ? { read: (p: string) => files[p] } : undefined,
    launcherGpus: opts.launcherGpus,
  });
}

function ok(r: AdaptedSetup | NoSetup): AdaptedSetup {
  assert.ok(!('reason' in r), `expected a setup, got: ${'reason' in r ? r.reason : ''}`);
  return r;
}

function reason(r: AdaptedSetup | NoSetup): string {
  assert.ok('reason' in r, `expected no setup, got ${JSON.stringify(r)}`);
  return r.reason;
}

// ---------------------------------------------------------------------------------------------------------
// Inline configs: exact setup, sources and notes.

interface Row {
  name: string;
  format: FormatId;
  text: string;
  setup: Record<string, unknown>;
  sources?: Record<string, Array<string | number>>;
  notes?: string[];
  accumulation?: number;
  path?: string;
  launcherGpus?: number;
}

const ROWS: Row[] = [
  {
    name: 'axolotl QLoRA: keys, defaults and notes',
    format: 'axolotl',
    text: [
      'base_model: NousResearch/Llama-3.2-1B',
      'adapter: qlora',
      'load_in_4bit: true',
      'lora_r: 16',
      'lora_alpha: 32',
      'lora_target_modules: [q_proj, v_proj]',
      'lora_modules_to_save: [embed_tokens, lm_head]',
      'micro_batch_size: "2"',
      'gradient_accumulation_steps: 4',
      'sequence_len: 4096',
      'gradient_checkpointing: true',
      'bf16: true',
      'optimizer: paged_adamw_8bit',
      'flash_attention: true',
      'learning_rate: 2e-4',
    ].join('\n'),
    setup: {
      model: 'NousResearch/Llama-3.2-1B',
      method: 'qlora',
      quantization: 'nf4',
      doubleQuant: true,
      lora: { rank: 16, alpha: 32, targets: ['q_proj', 'v_proj'], trainEmbeddings: true },
      microBatchSize: 2,
      sequenceLength: 4096,
      gradientCheckpointing: true,
      precision: 'bf16-true',
      optimizer: 'paged-adamw-8bit',
      attention: 'flash',
    },
    sources: {
      model: ['base_model'],
      method: ['adapter'],
      quantization: ['load_in_4bit'],
      'lora.rank': ['lora_r'],
      'lora.targets': ['lora_target_modules'],
      'lora.trainEmbeddings': ['lora_modules_to_save'],
      microBatchSize: ['micro_batch_size'],
      sequenceLength: ['sequence_len'],
      gradientCheckpointing: ['gradient_checkpointing'],
      precision: ['bf16'],
      optimizer: ['optimizer'],
      attention: ['flash_attention'],
    },
    notes: [
      'quantization: Axolotl quantizes 4-bit weights with NF4 and double quantization unless bnb_config_kwargs says otherwise.',
      'precision: the base weights load in bf16; the LoRA weights stay fp32 (PEFT upcasts them).',
      GPU_NOTE,
    ],
    accumulation: 4,
  },
  {
    name: 'axolotl full fine-tune with defaults: bf16 auto, sequence_len 512, fp4 through bnb_config_kwargs ignored without adapter',
    format: 'axolotl',
    text: 'base_model: Qwen/Qwen2.5-0.5B\noptimizer: adamw_torch_fused\nattn_implementation: sdpa',
    setup: { model: 'Qwen/Qwen2.5-0.5B', method: 'full', sequenceLength: 512, precision: 'bf16-true', optimizer: 'adamw-fused', attention: 'sdpa' },
    sources: { model: ['base_model'], optimizer: ['optimizer'], attention: ['attn_implementation'] },
    notes: [
      "sequence length: sequence_len is not set; Axolotl's default is 512.",
      'precision: bf16: auto (the default) turns bf16 on for Ampere or newer GPUs; assumed on, so the weights are bf16.',
      GPU_NOTE,
    ],
  },
  {
    name: 'axolotl lora + load_in_4bit is QLoRA; bnb_config_kwargs fp4 without double quant; lora_target_linear',
    format: 'axolotl',
    text: 'base_model: m/x\nadapter: lora\nload_in_4bit: true\nbnb_config_kwargs:\n  bnb_4bit_quant_type: fp4\n  bnb_4bit_use_double_quant: false\nlora_target_linear: true\nbf16: false\nfp16: true',
    setup: {
      model: 'm/x',
      method: 'qlora',
      quantization: 'fp4',
      doubleQuant: false,
      lora: { targets: 'all-linear' },
      sequenceLength: 512,
      precision: 'fp16-true',
    },
    sources: {
      model: ['base_model'],
      method: ['adapter'],
      quantization: ['bnb_config_kwargs', 'bnb_4bit_quant_type'],
      doubleQuant: ['bnb_config_kwargs', 'bnb_4bit_use_double_quant'],
      'lora.targets': ['lora_target_linear'],
      precision: ['fp16'],
    },
    notes: [
      'method: adapter lora with load_in_4bit trains LoRA on a 4-bit base, i.e. QLoRA.',
      "sequence length: sequence_len is not set; Axolotl's default is 512.",
      GPU_NOTE,
    ],
  },
  {
    name: 'axolotl unfrozen_parameters with layer patterns → freeze, counted layers',
    format: 'axolotl',
    text: 'base_model: m/x\nsequence_len: 1024\nbf16: true\nunfrozen_parameters:\n  - model.layers.2[6-9].*\n  - model.layers.3[01].mlp\n',
    setup: { model: 'm/x', method: 'freeze', trainableLayers: 6, sequenceLength: 1024, precision: 'bf16-true' },
    sources: {
      model: ['base_model'],
      method: ['unfrozen_parameters'],
      trainableLayers: ['unfrozen_parameters'],
      sequenceLength: ['sequence_len'],
      precision: ['bf16'],
    },
    notes: [
      'method: unfrozen_parameters trains layers 26, 27, 28, 29, 30, 31; estimated as 6 fully trainable layers, activations kept from the first trainable layer as for the last 6.',
      GPU_NOTE,
    ],
  },
  {
    name: 'axolotl unfrozen_parameters covering the whole language model → full',
    format: 'axolotl',
    text: 'base_model: m/x\nsequence_len: 1024\nbf16: true\nunfrozen_parameters: ["model.language_model.*", lm_head]',
    setup: { model: 'm/x', method: 'full', sequenceLength: 1024, precision: 'bf16-true' },
    notes: ['method: unfrozen_parameters covers every decoder layer; estimated as full fine-tuning.', GPU_NOTE],
  },
  {
    name: 'axolotl DPO with LoRA doubles the micro batch; regex targets; gradient_checkpointing offload',
    format: 'axolotl',
    text: "base_model: m/x\nrl: dpo\nadapter: lora\nlora_r: 8\nlora_target_modules: 'model.layers.[\\d]+.(mlp|self_attn).(up|down|q|v)_proj'\nmicro_batch_size: 3\nsequence_len: 2048\nbf16: true\ngradient_checkpointing: offload",
    setup: {
      model: 'm/x',
      method: 'lora',
      lora: { rank: 8, targets: ['up_proj', 'down_proj', 'q_proj', 'v_proj'] },
      microBatchSize: 6,
      sequenceLength: 2048,
      gradientCheckpointing: true,
      precision: 'bf16-true',
    },
    sources: {
      model: ['base_model'],
      method: ['adapter'],
      'lora.rank': ['lora_r'],
      'lora.targets': ['lora_target_modules'],
      microBatchSize: ['micro_batch_size'],
      sequenceLength: ['sequence_len'],
      gradientCheckpointing: ['gradient_checkpointing'],
      precision: ['bf16'],
    },
    notes: [
      'lora_target_modules: a regular expression; read as the modules up_proj, down_proj, q_proj, v_proj in every layer.',
      'gradient checkpointing: offload also moves the checkpoints off the GPU; the estimate keeps them on it.',
      'precision: the base weights load in bf16; the LoRA weights stay fp32 (PEFT upcasts them).',
      'micro batch: DPO runs the chosen and rejected sequences of each pair together: 3 pairs = 6 sequences.',
      'DPO reference model: the base model with the adapter disabled; no extra memory.',
      GPU_NOTE,
    ],
  },
  {
    name: 'axolotl inline deepspeed with optimizer offload; launcher GPUs',
    format: 'axolotl',
    text: 'base_model: m/x\nsequence_len: 1024\nbf16: true\ndeepspeed:\n  zero_optimization:\n    stage: 2\n    offload_optimizer: {device: cpu}',
    launcherGpus: 4,
    setup: { model: 'm/x', method: 'full', sequenceLength: 1024, precision: 'bf16-true', sharding: 'zero2', offload: 'optimizer', gpus: 4 },
    sources: { model: ['base_model'], sequenceLength: ['sequence_len'], precision: ['bf16'], sharding: ['deepspeed'], offload: ['deepspeed'] },
    notes: [],
  },
  {
    name: 'axolotl legacy fsdp list with offload in fsdp_config',
    format: 'axolotl',
    text: 'base_model: m/x\nsequence_len: 1024\nbf16: true\nfsdp: [full_shard, auto_wrap]\nfsdp_config:\n  fsdp_offload_params: true',
    setup: { model: 'm/x', method: 'full', sequenceLength: 1024, precision: 'bf16-true', sharding: 'fsdp', offload: 'all' },
    sources: {
      model: ['base_model'],
      sequenceLength: ['sequence_len'],
      precision: ['bf16'],
      sharding: ['fsdp'],
      offload: ['fsdp_config', 'fsdp_offload_params'],
    },
  },
  {
    name: 'llamafactory LoRA: defaults (alpha 2×rank), comma targets, additional_target, gradient checkpointing on',
    format: 'llamafactory',
    text: 'model_name_or_path: Qwen/Qwen3-4B\nstage: sft\ndo_train: true\ndataset: alpaca_en_demo\nfinetuning_type: lora\nlora_rank: 16\nlora_target: q_proj,v_proj\nadditional_target: embed_tokens\nper_device_train_batch_size: 2\ngradient_accumulation_steps: 8\ncutoff_len: 1024\nbf16: true\nflash_attn: fa2\noptim: adamw_bnb_8bit',
    setup: {
      model: 'Qwen/Qwen3-4B',
      method: 'lora',
      lora: { rank: 16, alpha: 32, targets: ['q_proj', 'v_proj'], trainEmbeddings: true },
      microBatchSize: 2,
      sequenceLength: 1024,
      gradientCheckpointing: true,
      precision: 'bf16-true',
      optimizer: 'adamw-8bit',
      attention: 'flash',
    },
    sources: {
      model: ['model_name_or_path'],
      method: ['finetuning_type'],
      'lora.rank': ['lora_rank'],
      'lora.targets': ['lora_target'],
      'lora.trainEmbeddings': ['additional_target'],
      microBatchSize: ['per_device_train_batch_size'],
      sequenceLength: ['cutoff_len'],
      precision: ['bf16'],
      optimizer: ['optim'],
      attention: ['flash_attn'],
    },
    notes: [
      'gradient checkpointing: LLaMA-Factory turns it on unless disable_gradient_checkpointing is true.',
      'precision: the frozen weights stay bf16; LLaMA-Factory upcasts the trainable LoRA weights to fp32.',
      GPU_NOTE,
    ],
    accumulation: 8,
  },
  {
    name: 'llamafactory freeze with negative layers, pure_bf16, checkpointing disabled',
    format: 'llamafactory',
    text: 'model_name_or_path: m/x\ndataset: d\nfinetuning_type: freeze\nfreeze_trainable_layers: -4\ndisable_gradient_checkpointing: true\npure_bf16: true\nper_device_train_batch_size: 1',
    setup: { model: 'm/x', method: 'freeze', trainableLayers: 4, microBatchSize: 1, gradientCheckpointing: false, precision: 'bf16-true' },
    sources: {
      model: ['model_name_or_path'],
      method: ['finetuning_type'],
      trainableLayers: ['freeze_trainable_layers'],
      microBatchSize: ['per_device_train_batch_size'],
      gradientCheckpointing: ['disable_gradient_checkpointing'],
      precision: ['pure_bf16'],
    },
    notes: [
      'method: freeze_trainable_layers -4 trains the first 4 layers; the estimate keeps activations as for the last 4 (an underestimate: backward then runs through every layer).',
      GPU_NOTE,
    ],
  },
  {
    name: 'llamafactory full bf16 is bf16-mixed; quantization_bit 4 with full is ignored; DPO full counts the reference in a note',
    format: 'llamafactory',
    text: 'model_name_or_path: m/x\ndataset: d\nstage: dpo\nfinetuning_type: full\nquantization_bit: 4\nbf16: true\nper_device_train_batch_size: 2\ndeepspeed: ds_z3_config.json',
    setup: { model: 'm/x', method: 'full', microBatchSize: 4, gradientCheckpointing: true, precision: 'bf16-mixed', sharding: 'zero3' },
    notes: [
      'quantization: quantization_bit needs finetuning_type lora (LLaMA-Factory refuses quantized full); ignored.',
      'gradient checkpointing: LLaMA-Factory turns it on unless disable_gradient_checkpointing is true.',
      'precision: LLaMA-Factory upcasts the trainable weights to fp32 and trains with bf16 autocast (pure_bf16 would keep them bf16).',
      'sharding: ds_z3_config.json was not found next to this config or in the workspace; its ZeRO stage is guessed from its name.',
      'micro batch: DPO runs the chosen and rejected sequences of each pair together: 2 pairs = 4 sequences.',
      'DPO reference model: a frozen second copy of the model (about 2 bytes per parameter) is not counted in this estimate.',
      "GPUs: the config does not say how many GPUs the run uses (the launcher does); the estimate is per GPU, for 1 GPU. ZeRO-3 divides its share by the GPU count, so give the launcher's count for a multi-GPU run.",
    ],
  },
  {
    name: 'llamafactory QLoRA 4-bit fp4 without double quantization, default batch 8',
    format: 'llamafactory',
    text: 'model_name_or_path: m/x\ndataset: d\nquantization_bit: 4\nquantization_type: fp4\ndouble_quantization: false\nbf16: true',
    setup: {
      model: 'm/x',
      quantization: 'fp4',
      doubleQuant: false,
      method: 'qlora',
      lora: { alpha: 16, targets: 'all-linear' },
      microBatchSize: 8,
      gradientCheckpointing: true,
      precision: 'bf16-true',
    },
    sources: {
      model: ['model_name_or_path'],
      quantization: ['quantization_type'],
      doubleQuant: ['double_quantization'],
      method: ['quantization_bit'],
      precision: ['bf16'],
    },
  },
  {
    name: 'trl SFT with PEFT and 4-bit: TRL defaults filled in',
    format: 'trl',
    text: 'model_name_or_path: Qwen/Qwen2.5-0.5B\nuse_peft: true\nload_in_4bit: true\nuse_bnb_nested_quant: true\ndtype: bfloat16\nper_device_train_batch_size: 4\nattn_implementation: flash_attention_2\noptim: paged_adamw_32bit',
    setup: {
      model: 'Qwen/Qwen2.5-0.5B',
      method: 'qlora',
      lora: { rank: 16, alpha: 32, targets: 'all-linear' },
      quantization: 'nf4',
      doubleQuant: true,
      microBatchSize: 4,
      sequenceLength: 1024,
      gradientCheckpointing: true,
      precision: 'bf16-true',
      optimizer: 'paged-adamw',
      attention: 'flash',
    },
    sources: {
      model: ['model_name_or_path'],
      method: ['load_in_4bit'],
      quantization: ['load_in_4bit'],
      doubleQuant: ['use_bnb_nested_quant'],
      microBatchSize: ['per_device_train_batch_size'],
      precision: ['dtype'],
      optimizer: ['optim'],
      attention: ['attn_implementation'],
    },
    notes: [
      "LoRA: TRL's defaults are lora_r 16 and lora_alpha 32.",
      "LoRA targets: lora_target_modules is not set; TRL's CLI then adapts every linear layer (all-linear).",
      "sequence length: max_length is not set; TRL's default is 1024.",
      "gradient checkpointing: TRL's configs turn it on by default.",
      GPU_NOTE,
    ],
  },
  {
    name: 'trl DPO (from the file name), full, float32 load: bf16-mixed and a reference-model note',
    format: 'trl',
    path: '/w/recipes/dpo/config.yaml',
    text: 'model_name_or_path: m/x\nper_device_train_batch_size: 2\nmax_length: 512\nbf16: true\ngradient_checkpointing: false',
    setup: { model: 'm/x', method: 'full', microBatchSize: 4, sequenceLength: 512, gradientCheckpointing: false, precision: 'bf16-mixed' },
    sources: {
      model: ['model_name_or_path'],
      microBatchSize: ['per_device_train_batch_size'],
      sequenceLength: ['max_length'],
      gradientCheckpointing: ['gradient_checkpointing'],
      precision: ['bf16'],
    },
    notes: [
      "precision: dtype is not set; TRL's CLI loads the model in float32 (its default).",
      'micro batch: DPO runs the chosen and rejected sequences of each pair together: 2 pairs = 4 sequences.',
      'DPO reference model: a frozen second copy of the model (about 4 bytes per parameter) is not counted in this estimate.',
      GPU_NOTE,
    ],
  },
  {
    name: 'trl GKD with a teacher and no PEFT is distillation; accelerate_config preset',
    format: 'trl',
    text: 'model_name_or_path: Qwen/Qwen2.5-0.5B\nteacher_model_name_or_path: Qwen/Qwen2.5-7B\ndtype: bfloat16\nmax_length: 2048\nper_device_train_batch_size: 1\naccelerate_config: zero3',
    launcherGpus: 8,
    setup: {
      model: 'Qwen/Qwen2.5-0.5B',
      method: 'distillation',
      teacher: 'Qwen/Qwen2.5-7B',
      microBatchSize: 1,
      sequenceLength: 2048,
      gradientCheckpointing: true,
      precision: 'bf16-true',
      sharding: 'zero3',
      gpus: 8,
    },
    sources: {
      model: ['model_name_or_path'],
      method: ['teacher_model_name_or_path'],
      teacher: ['teacher_model_name_or_path'],
      microBatchSize: ['per_device_train_batch_size'],
      sequenceLength: ['max_length'],
      precision: ['dtype'],
      sharding: ['accelerate_config'],
    },
  },
  {
    name: 'hf-args: TrainingArguments defaults (fp32 load assumed, no checkpointing), fsdp string with offload',
    format: 'hf-args',
    text: 'model_name_or_path: gpt2\noutput_dir: out\nper_device_train_batch_size: 4\nfp16: true\nfsdp: "full_shard auto_wrap offload"',
    setup: { model: 'gpt2', method: 'full', microBatchSize: 4, precision: 'fp16-mixed', sharding: 'fsdp', offload: 'all' },
    sources: { model: ['model_name_or_path'], microBatchSize: ['per_device_train_batch_size'], precision: ['fp16'], sharding: ['fsdp'], offload: ['fsdp'] },
    notes: [
      'sequence length: TrainingArguments do not set one; the estimate uses 2048.',
      'precision: the config does not say which dtype the script loads the model in; assumed fp32 (bf16/fp16 then mean mixed precision).',
      "GPUs: the config does not say how many GPUs the run uses (the launcher does); the estimate is per GPU, for 1 GPU. FSDP divides its share by the GPU count, so give the launcher's count for a multi-GPU run.",
    ],
  },
  {
    name: 'hf-args shard_grad_op is ZeRO-2-like',
    format: 'hf-args',
    text: 'model_name_or_path: gpt2\nfsdp: [shard_grad_op]\nbf16: true\ntorch_dtype: bfloat16\nmax_seq_length: 256',
    setup: { model: 'gpt2', method: 'full', microBatchSize: 8, sequenceLength: 256, precision: 'bf16-true', sharding: 'zero2' },
  },
  {
    name: 'torchtune LoRA builder: targets renamed, dtype bf16, optimizer component, distributed note',
    format: 'torchtune',
    path: '/w/8B_lora.yaml',
    text: [
      'model:',
      '  _component_: torchtune.models.llama3_1.lora_llama3_1_8b',
      "  lora_attn_modules: ['q_proj', 'v_proj', 'output_proj']",
      '  apply_lora_to_mlp: True',
      '  apply_lora_to_output: False',
      '  lora_rank: 8',
      '  lora_alpha: 16',
      'tokenizer:',
      '  _component_: torchtune.models.llama3.llama3_tokenizer',
      '  max_seq_len: 4096',
      'batch_size: 2',
      'gradient_accumulation_steps: 8',
      'optimizer:',
      '  _component_: bitsandbytes.optim.PagedAdamW8bit',
      '  lr: 3e-4',
      'dtype: bf16',
      'enable_activation_checkpointing: True',
    ].join('\n'),
    setup: {
      checkpointing: 'non-reentrant',
      model: 'meta-llama/Llama-3.1-8B',
      method: 'lora',
      lora: { rank: 8, alpha: 16, targets: ['q_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] },
      microBatchSize: 2,
      sequenceLength: 4096,
      gradientCheckpointing: true,
      precision: 'bf16-true',
      optimizer: 'paged-adamw-8bit',
    },
    sources: {
      model: ['model', '_component_'],
      method: ['model', '_component_'],
      'lora.rank': ['model', 'lora_rank'],
      'lora.targets': ['model', 'lora_attn_modules'],
      microBatchSize: ['batch_size'],
      sequenceLength: ['tokenizer', 'max_seq_len'],
      gradientCheckpointing: ['enable_activation_checkpointing'],
      precision: ['dtype'],
      optimizer: ['optimizer', '_component_'],
    },
    notes: [
      "LoRA targets: torchtune's output_proj and MLP w1/w2/w3 are named o_proj and gate/up/down_proj as in Hugging Face models.",
      "sharding: torchtune's distributed recipes shard with FSDP over the GPUs given to `tune run --nproc_per_node`; the config alone does not say, so no sharding is assumed.",
      GPU_NOTE,
    ],
    accumulation: 8,
  },
  {
    name: 'torchtune with launcher GPUs shards with FSDP',
    format: 'torchtune',
    path: '/w/8B_full.yaml',
    launcherGpus: 4,
    text: 'model:\n  _component_: torchtune.models.qwen2_5.qwen2_5_7b_instruct\noptimizer:\n  _component_: torch.optim.AdamW\ndtype: bf16\nbatch_size: 1',
    setup: {
      checkpointing: 'non-reentrant',
      model: 'Qwen/Qwen2.5-7B-Instruct',
      method: 'full',
      microBatchSize: 1,
      precision: 'bf16-true',
      optimizer: 'adamw',
      sharding: 'fsdp',
      gpus: 4,
    },
  },
  {
    name: 'lightning-cli: model from init_args, precision, devices × nodes, deepspeed stage 3 offload',
    format: 'lightning-cli',
    text: [
      'trainer:',
      '  precision: bf16-mixed',
      '  devices: 4',
      '  num_nodes: 2',
      '  strategy: deepspeed_stage_3_offload',
      '  accumulate_grad_batches: 2',
      'model:',
      '  class_path: my.Module',
      '  init_args:',
      '    model_name_or_path: meta-llama/Llama-2-7b-hf',
      'data:',
      '  class_path: my.Data',
      '  init_args:',
      '    batch_size: 4',
      '    max_length: 512',
      'optimizer:',
      '  class_path: torch.optim.SGD',
    ].join('\n'),
    setup: {
      model: 'meta-llama/Llama-2-7b-hf',
      method: 'full',
      precision: 'bf16-mixed',
      gpus: 8,
      sharding: 'zero3',
      offload: 'all',
      microBatchSize: 4,
      sequenceLength: 512,
      optimizer: 'sgd',
    },
    sources: {
      model: ['model', 'init_args', 'model_name_or_path'],
      precision: ['trainer', 'precision'],
      gpus: ['trainer', 'devices'],
      sharding: ['trainer', 'strategy'],
      offload: ['trainer', 'strategy'],
      microBatchSize: ['data', 'init_args', 'batch_size'],
      sequenceLength: ['data', 'init_args', 'max_length'],
      optimizer: ['optimizer', 'class_path'],
    },
    notes: ['method: LoRA or quantization inside the LightningModule are invisible to the config; estimated as full fine-tuning.'],
    accumulation: 2,
  },
];

for (const row of ROWS) {
  test(`adapter: ${row.name}`, () => {
    const r = ok(adapt(row.format, row.text, { path: row.path, launcherGpus: row.launcherGpus }));
    assert.deepEqual(r.setup, row.setup);
    if (row.sources) assert.deepEqual(r.sources, row.sources);
    if (row.notes) assert.deepEqual(r.notes, row.notes);
    assert.equal(r.gradientAccumulation?.value, row.accumulation);
    resolveSetup(r.setup); // every adapted setup is valid input for the estimator
  });
}

test('adapter: gradient accumulation carries its key path', () => {
  const r = ok(adapt('axolotl', 'base_model: m/x\ngradient_accumulation_steps: 4'));
  assert.deepEqual(r.gradientAccumulation, { value: 4, path: ['gradient_accumulation_steps'] });
  const t = ok(
    adapt(
      'torchtune',
      'model:\n  _component_: torchtune.models.llama3_2.llama3_2_1b\noptimizer:\n  _component_: torch.optim.AdamW\ngradient_accumulation_steps: 2',
    ),
  );
  assert.deepEqual(t.gradientAccumulation, { value: 2, path: ['gradient_accumulation_steps'] });
});

test('adapter: evaluation during training sets the eval batch where it can outgrow a step', () => {
  const evalOf = (format: FormatId, text: string) => {
    const r = ok(adapt(format, text));
    return { batch: r.setup.evalMicroBatchSize, source: r.sources.evalMicroBatchSize, notes: r.notes };
  };
  // TrainingArguments family: eval_strategy on, per_device_eval_batch_size or its default of 8.
  const trl = 'model_name_or_path: m/x\nper_device_train_batch_size: 2\n';
  assert.deepEqual(evalOf('trl', trl).batch, undefined);
  assert.deepEqual(evalOf('trl', `${trl}eval_strategy: "no"`).batch, undefined);
  const byDefault = evalOf('trl', `${trl}eval_strategy: steps`);
  assert.equal(byDefault.batch, 8);
  assert.deepEqual(byDefault.source, ['eval_strategy']);
  assert.ok(
    byDefault.notes.some((n) => n.includes("TrainingArguments' default of 8")),
    byDefault.notes.join('\n'),
  );
  const explicit = evalOf('trl', `${trl}evaluation_strategy: epoch\nper_device_eval_batch_size: 4`);
  assert.equal(explicit.batch, 4);
  assert.deepEqual(explicit.source, ['per_device_eval_batch_size']);
  assert.equal(
    evalOf(
      'llamafactory',
      'model_name_or_path: m/x\nstage: sft\ndataset: alpaca\nfinetuning_type: lora\nval_size: 0.1\neval_strategy: steps\nper_device_eval_batch_size: 2',
    ).batch,
    2,
  );
  // DPO: pairs of sequences in evaluation too.
  assert.equal(evalOf('trl', `${trl}eval_strategy: steps\nper_device_eval_batch_size: 4\nbeta: 0.1`).batch, 8);
  // Axolotl: an explicit eval_batch_size; the default (the micro batch) only with Liger's training-only fused loss;
  // Cut Cross-Entropy evaluates without logits.
  const ax = 'base_model: m/x\nmicro_batch_size: 2\nval_set_size: 0.05\n';
  assert.equal(evalOf('axolotl', ax).batch, undefined);
  assert.deepEqual(evalOf('axolotl', `${ax}eval_batch_size: 16`).source, ['eval_batch_size']);
  assert.equal(evalOf('axolotl', `${ax}eval_batch_size: 16`).batch, 16);
  assert.equal(evalOf('axolotl', 'base_model: m/x\nmicro_batch_size: 2\neval_batch_size: 16').batch, undefined); // no eval split
  assert.equal(evalOf('axolotl', `${ax}eval_batch_size: 16\neval_strategy: "no"`).batch, undefined);
  const liger = `${ax}plugins: [axolotl.integrations.liger.LigerPlugin]\nliger_fused_linear_cross_entropy: true`;
  assert.equal(evalOf('axolotl', liger).batch, 2);
  const cce = evalOf('axolotl', `${ax}eval_batch_size: 16\nplugins: [axolotl.integrations.cut_cross_entropy.CutCrossEntropyPlugin]`);
  assert.equal(cce.batch, undefined);
  assert.ok(cce.notes.some((n) => n.startsWith('evaluation: Cut Cross-Entropy')));
});

test("adapter: LLaMA-Factory v1 reads flash_attn with v1's values (eager, sdpa, flash_attention_2), not v0's", () => {
  const v1 = (fa: string) =>
    ok(adapt('llamafactory', `model: Qwen/Qwen3-4B\ntrain_dataset: data/v1_sft_demo.yaml\nmicro_batch_size: 2\ncutoff_len: 1024\nflash_attn: ${fa}`));
  for (const [fa, attention] of [
    ['flash_attention_2', 'flash'],
    ['sdpa', 'sdpa'],
    ['eager', 'eager'],
  ] as const) {
    const r = v1(fa);
    assert.equal(r.setup.attention, attention, fa);
    assert.deepEqual(r.sources.attention, ['flash_attn']);
  }
  const old = v1('fa2');
  assert.equal(old.setup.attention, undefined);
  assert.ok(old.notes.includes('flash_attn: "fa2" is not eager, sdpa or flash_attention_2 (LLaMA-Factory v1); ignored.'), old.notes.join('\n'));
});

test('adapter: the model name of a pre-quantized checkpoint makes LoRA QLoRA', () => {
  const r = ok(adapt('llamafactory', 'model_name_or_path: TechxGenus/Meta-Llama-3-8B-Instruct-GPTQ\ndataset: d\nfinetuning_type: lora\nbf16: true'));
  assert.equal(r.setup.method, 'qlora');
  assert.equal(r.setup.quantization, 'nf4');
  assert.ok(r.notes.includes('quantization: the model name says its weights are already quantized (GPTQ); estimated as QLoRA on 4-bit weights.'));
});

// ---------------------------------------------------------------------------------------------------------
// No setup: why.

test('adapter: no model, or a file without one, gives a reason', () => {
  assert.equal(
    reason(adapt('axolotl', 'datasets:\n  - path: x\nmicro_batch_size: 1')),
    "No model is named ('base_model' is missing or empty), so Axolotl's memory cannot be estimated.",
  );
  assert.equal(
    reason(adapt('trl', 'per_device_train_batch_size: 2')),
    "No model is named ('model_name_or_path' is missing or empty), so TRL's memory cannot be estimated.",
  );
  assert.equal(
    reason(adapt('hf-args', 'output_dir: out\nper_device_train_batch_size: 2')),
    "No model is named: plain TrainingArguments files leave the model to the training script (add 'model_name_or_path' to estimate its memory).",
  );
  assert.equal(
    reason(adapt('deepspeed', '{"zero_optimization": {"stage": 3}}', { syntax: 'json', path: '/w/ds.json' })),
    'A DeepSpeed file has no model: the estimate shows on the training config that references it.',
  );
  assert.equal(
    reason(adapt('accelerate', 'distributed_type: MULTI_GPU\nnum_processes: 2')),
    'An Accelerate config has no model: the estimate shows on the training config launched with it.',
  );
  assert.equal(
    reason(adapt('lightning-cli', 'trainer:\n  precision: bf16-mixed\nmodel:\n  class_path: m.M\n  init_args:\n    lr: 0.1')),
    "No Hugging Face model is named in the LightningModule's arguments (model.init_args.model_name_or_path / pretrained_model_name_or_path / model_name), so its memory cannot be estimated from the config.",
  );
  assert.equal(
    reason(adapt('torchtune', 'model:\n  _component_: my.custom_builder\noptimizer:\n  _component_: torch.optim.AdamW')),
    "No model could be identified: 'model._component_' is not a known torchtune builder and 'checkpointer.checkpoint_dir' names no model folder.",
  );
  // A builder named like an Object.prototype member is not a model (keys are data).
  for (const builder of ['constructor', 'lora_toString', 'qlora___proto__']) {
    assert.equal(
      reason(adapt('torchtune', `model:\n  _component_: torchtune.models.llama2.${builder}\noptimizer:\n  _component_: torch.optim.AdamW`)),
      "No model could be identified: 'model._component_' is not a known torchtune builder and 'checkpointer.checkpoint_dir' names no model folder.",
      builder,
    );
  }
  assert.equal(
    reason(adapt('llamafactory', 'model_name_or_path: m/x\nadapter_name_or_path: saves/x\ninfer_backend: huggingface')),
    "No training here: without 'dataset' (or with do_train: false) this is an inference, evaluation or export config for llamafactory-cli chat/eval/export.",
  );
  assert.equal(reason(adapt('axolotl', '')), 'The file is empty or not a mapping of settings, so it names no model to estimate.');
  assert.equal(reason(adapt('axolotl', '- a\n- b')), 'The file is empty or not a mapping of settings, so it names no model to estimate.');
});

// ---------------------------------------------------------------------------------------------------------
// A DeepSpeed JSON linked from the config, read through FileAccess from a real folder.

test('adapter: DeepSpeed JSON next to an Axolotl config sets ZeRO stage and offload, and is reported', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftw-vram-'));
  try {
    const ds = join(dir, 'ds_z3_offload.json');
    writeFileSync(
      ds,
      JSON.stringify({
        zero_optimization: { stage: 3, offload_optimizer: { device: 'cpu' }, offload_param: { device: 'cpu' } },
        train_micro_batch_size_per_gpu: 'auto',
      }),
    );
    const cfg = join(dir, 'train.yml');
    const parsed = parseConfig('base_model: m/x\nsequence_len: 1024\nbf16: true\ndeepspeed: ds_z3_offload.json', 'yaml');
    const read = (p: string) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    };
    const r = ok(setupFromConfig({ format: 'axolotl', value: parsed.value as Record<string, unknown>, path: cfg, roots: [dir], files: { read } }));
    assert.equal(r.setup.sharding, 'zero3');
    assert.equal(r.setup.offload, 'all');
    assert.deepEqual(r.sources.sharding, ['deepspeed']);
    assert.deepEqual(r.deepspeedFile, { path: ds, keyPath: ['deepspeed'] });
    resolveSetup(r.setup);

    // Stage 2 with offload_param: only ZeRO-3 offloads parameters.
    writeFileSync(ds, JSON.stringify({ zero_optimization: { stage: '2', offload_param: { device: 'cpu' }, offload_optimizer: { device: 'nvme' } } }));
    const r2 = ok(setupFromConfig({ format: 'axolotl', value: parsed.value as Record<string, unknown>, path: cfg, roots: [dir], files: { read } }));
    assert.equal(r2.setup.sharding, 'zero2');
    assert.equal(r2.setup.offload, 'optimizer');
    assert.ok(r2.notes.includes('offload: ds_z3_offload.json sets offload_param, which only ZeRO-3 uses; ignored.'));

    // Broken JSON: stage from the name, with a note.
    writeFileSync(ds, '{ not json');
    const r3 = ok(setupFromConfig({ format: 'axolotl', value: parsed.value as Record<string, unknown>, path: cfg, roots: [dir], files: { read } }));
    assert.equal(r3.setup.sharding, 'zero3');
    assert.equal(r3.setup.offload, undefined);
    assert.ok(r3.notes.includes('sharding: ds_z3_offload.json could not be read as a JSON object; its ZeRO stage is guessed from its name.'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('adapter: a DeepSpeed file found in a workspace folder (tools run from the repo root)', () => {
  const r = ok(
    adapt('llamafactory', 'model_name_or_path: m/x\ndataset: d\nfinetuning_type: full\nbf16: true\ndeepspeed: examples/ds.json', {
      path: '/w/examples/train/cfg.yaml',
      files: { '/w/examples/ds.json': '{"zero_optimization": {"stage": 1}}' },
    }),
  );
  assert.equal(r.setup.sharding, 'zero1');
  assert.deepEqual(r.deepspeedFile, { path: '/w/examples/ds.json', keyPath: ['deepspeed'] });
});

// ---------------------------------------------------------------------------------------------------------
// Hostile values never throw; they are ignored with a note.

test('adapter: hostile values are ignored with notes', () => {
  const r = ok(
    adapt(
      'axolotl',
      'base_model: m/x\nadapter: lora\nlora_r: [1, 2]\nlora_alpha: auto\nmicro_batch_size: auto\nsequence_len: -5\ngradient_accumulation_steps: 1e-4\ngradient_checkpointing: maybe\nbf16: 3\noptimizer: {a: 1}\nlora_target_modules: 7\ndeepspeed: 12\nunfrozen_parameters: ["(["]\n',
    ),
  );
  assert.deepEqual(r.setup, { model: 'm/x', method: 'lora', precision: 'bf16-true' });
  assert.deepEqual(r.notes, [
    'lora_r: [1,2] is not a whole number ≥ 1; ignored.',
    'lora_alpha: "auto" is decided at run time; ignored.',
    'lora_target_modules: 7 is not a list of module names; ignored.',
    'unfrozen_parameters: ignored with an adapter; the estimate counts the adapter only.',
    'micro_batch_size: "auto" is decided at run time; ignored.',
    'gradient_accumulation_steps: "1e-4" is not a whole number ≥ 1; ignored.',
    'sequence_len: -5 is not a whole number ≥ 1; ignored.',
    'gradient_checkpointing: "maybe" is not true or false; ignored.',
    'bf16: 3 is not true or false; ignored.',
    'precision: bf16: auto (the default) turns bf16 on for Ampere or newer GPUs; assumed on, so the weights are bf16.',
    'precision: the base weights load in bf16; the LoRA weights stay fp32 (PEFT upcasts them).',
    'optimizer: {"a":1} is not a string; ignored.',
    'deepspeed: 12 is not a file path; ignored.',
    GPU_NOTE,
  ]);
  resolveSetup(r.setup);
});

test('adapter: YAML 1.1 strings where numbers are expected are read as the tools coerce them', () => {
  const r = ok(adapt('trl', 'model_name_or_path: m/x\nper_device_train_batch_size: "4"\nmax_length: 1e3\ngradient_accumulation_steps: "2"'));
  assert.equal(r.setup.microBatchSize, 4);
  assert.equal(r.setup.sequenceLength, 1000);
  assert.equal(r.gradientAccumulation?.value, 2);
});

test('adapter: odd shapes in every format never throw', () => {
  const hostile = [
    'model: [1, 2]\noptimizer: 5\ntokenizer: x\nbatch_size: {a: 1}\ndtype: [bf16]\nfsdp_cpu_offload: auto',
    'model_name_or_path: {a: 1}\nbase_model: [x]',
    'model_name_or_path: m/x\ndataset: d\nfinetuning_type: [lora]\nquantization_bit: auto\nlora_target: 5\nfsdp: 3\nfsdp_config: [1]\ndeepspeed: {zero_optimization: 5}\nflash_attn: 7\nstage: [dpo]',
    'base_model: m/x\nfsdp_config: {offload_params: true}\nfsdp: yes\nrl: [dpo]\nplugins: 5\nbnb_config_kwargs: [1]\nload_in_4bit: true\nadapter: qlora',
    'trainer: {devices: [0, 1], strategy: {class_path: lightning.pytorch.strategies.DeepSpeedStrategy, init_args: {stage: auto}}, precision: 99}\nmodel: {model_name: m/x}\ndata: {batch_size: "x"}',
    'model: {_component_: torchtune.models.llama3_2.qlora_llama3_2_1b, lora_attn_modules: q_proj}\noptimizer: {_component_: 5}\nteacher_model: {_component_: nope.nope}\ntokenizer: {max_seq_len: null}',
    '',
    '42',
  ];
  for (const format of [
    'axolotl',
    'llamafactory',
    'trl',
    'hf-args',
    'torchtune',
    'lightning-cli',
    'deepspeed',
    'accelerate',
    'python-lightning',
    'none',
  ] as FormatId[]) {
    for (const text of hostile) {
      const r = adapt(format, text);
      if (!('reason' in r)) {
        assert.doesNotThrow(() => resolveSetup(r.setup), `${format}: ${text}`);
      }
    }
  }
});

// ---------------------------------------------------------------------------------------------------------
// Real files from the conformance corpus (test/corpus.ts): exact setups.

const CORPUS_ROWS: Array<[FormatId, string, Record<string, unknown> | string]> = [
  [
    'axolotl',
    'examples__llama-3__qlora.yml',
    {
      model: 'NousResearch/Meta-Llama-3-8B',
      method: 'qlora',
      quantization: 'nf4',
      doubleQuant: true,
      lora: { rank: 32, alpha: 16, targets: 'all-linear' },
      microBatchSize: 2,
      sequenceLength: 4096,
      gradientCheckpointing: true,
      packed: true,
      precision: 'bf16-true',
      optimizer: 'paged-adamw',
      attention: 'flash',
    },
  ],
  [
    'axolotl',
    'examples__mistral__bigstral__bigstral-ds-zero3.yaml',
    {
      model: 'mistral-community/Mixtral-8x22B-v0.1',
      method: 'freeze',
      trainableLayers: 12,
      microBatchSize: 1,
      sequenceLength: 2048,
      gradientCheckpointing: true,
      packed: true,
      precision: 'bf16-true',
      optimizer: 'adamw-8bit',
      attention: 'flash',
      sharding: 'zero3',
    },
  ],
  [
    'axolotl',
    'examples__llama-3__instruct-dpo-lora-8b.yml',
    {
      model: 'meta-llama/Meta-Llama-3-8B-Instruct',
      method: 'lora',
      quantization: 'int8',
      lora: { rank: 32, alpha: 16, targets: 'all-linear' },
      microBatchSize: 4,
      sequenceLength: 4096,
      gradientCheckpointing: true,
      precision: 'bf16-true',
      optimizer: 'adamw-8bit',
      attention: 'flash',
    },
  ],
  [
    'axolotl',
    'examples__gpt-oss__gpt-oss-120b-fft-fsdp2-offload.yaml',
    {
      model: 'axolotl-ai-co/gpt-oss-120b-dequantized',
      method: 'full',
      microBatchSize: 1,
      sequenceLength: 4096,
      gradientCheckpointing: true,
      packed: true,
      loss: 'fused',
      precision: 'bf16-true',
      optimizer: 'adamw-fused',
      attention: 'flash',
      sharding: 'fsdp',
      offload: 'all',
    },
  ],
  [
    'llamafactory',
    'examples__train_lora__qwen3_lora_sft.yaml',
    {
      model: 'Qwen/Qwen3-4B-Instruct-2507',
      method: 'lora',
      lora: { rank: 8, alpha: 16, targets: 'all-linear' },
      microBatchSize: 1,
      sequenceLength: 2048,
      gradientCheckpointing: true,
      precision: 'bf16-true',
    },
  ],
  [
    'llamafactory',
    'examples__extras__fsdp_qlora__llama3_lora_sft.yaml',
    {
      model: 'meta-llama/Meta-Llama-3-8B-Instruct',
      quantization: 'nf4',
      doubleQuant: true,
      method: 'qlora',
      lora: { rank: 8, alpha: 16, targets: 'all-linear' },
      microBatchSize: 1,
      sequenceLength: 2048,
      gradientCheckpointing: true,
      precision: 'bf16-true',
    },
  ],
  [
    'llamafactory',
    'examples__train_full__qwen3_full_sft.yaml',
    {
      model: 'Qwen/Qwen3-4B-Instruct-2507',
      method: 'full',
      microBatchSize: 1,
      sequenceLength: 2048,
      gradientCheckpointing: true,
      precision: 'bf16-mixed',
      sharding: 'zero3',
    },
  ],
  [
    'llamafactory',
    'examples__inference__qwen3_lora_sft.yaml',
    "No training here: without 'dataset' (or with do_train: false) this is an inference, evaluation or export config for llamafactory-cli chat/eval/export.",
  ],
  [
    'llamafactory',
    'examples__v1__train_freeze__train_freeze_sft.yaml',
    {
      model: 'Qwen/Qwen3-4B',
      trainableLayers: 2,
      method: 'freeze',
      microBatchSize: 1,
      sequenceLength: 2048,
      gradientCheckpointing: true,
      precision: 'bf16-true',
      sharding: 'fsdp',
    },
  ],
  [
    'trl',
    'alignment-handbook__recipes__zephyr-7b-beta__sft__config_qlora.yaml',
    {
      model: 'mistralai/Mistral-7B-v0.1',
      method: 'qlora',
      lora: { rank: 16, alpha: 16, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] },
      quantization: 'nf4',
      microBatchSize: 4,
      // eval_strategy epoch with per_device_eval_batch_size 8
      evalMicroBatchSize: 8,
      sequenceLength: 2048,
      gradientCheckpointing: true,
      checkpointing: 'non-reentrant',
      precision: 'bf16-true',
      attention: 'flash',
    },
  ],
  [
    'trl',
    'alignment-handbook__recipes__zephyr-7b-beta__dpo__config_full.yaml',
    {
      model: 'alignment-handbook/zephyr-7b-sft-full',
      method: 'full',
      microBatchSize: 16,
      // eval_strategy steps with per_device_eval_batch_size 8: 8 pairs, chosen and rejected together
      evalMicroBatchSize: 16,
      sequenceLength: 1024,
      gradientCheckpointing: true,
      checkpointing: 'non-reentrant',
      precision: 'bf16-mixed',
      optimizer: 'adamw',
    },
  ],
  [
    'trl',
    'open-r1__recipes__Qwen2.5-1.5B-Instruct__grpo__config_demo.yaml',
    {
      model: 'Qwen/Qwen2.5-1.5B-Instruct',
      method: 'full',
      microBatchSize: 16,
      sequenceLength: 1536,
      gradientCheckpointing: true,
      checkpointing: 'non-reentrant',
      precision: 'bf16-true',
      attention: 'flash',
    },
  ],
  [
    'torchtune',
    'recipes__configs__llama3_1__8B_qlora_single_device.yaml',
    {
      model: 'meta-llama/Llama-3.1-8B',
      method: 'qlora',
      quantization: 'nf4',
      doubleQuant: true,
      lora: { rank: 8, alpha: 16, targets: ['q_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] },
      microBatchSize: 2,
      checkpointing: 'non-reentrant',
      gradientCheckpointing: true,
      loss: 'fused',
      precision: 'bf16-true',
      optimizer: 'adamw-fused',
    },
  ],
  [
    'torchtune',
    'recipes__configs__llama3_2__8B_to_1B_KD_lora_single_device.yaml',
    {
      model: 'meta-llama/Llama-3.2-1B',
      method: 'lora',
      lora: { rank: 64, alpha: 128, targets: ['q_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] },
      teacher: 'meta-llama/Llama-3.1-8B',
      microBatchSize: 4,
      checkpointing: 'non-reentrant',
      gradientCheckpointing: false,
      loss: 'chunked',
      precision: 'bf16-true',
      optimizer: 'adamw-fused',
    },
  ],
  [
    'torchtune',
    'recipes__configs__llama3__70B_full.yaml',
    {
      model: 'meta-llama/Meta-Llama-3-70B',
      method: 'full',
      microBatchSize: 2,
      checkpointing: 'non-reentrant',
      gradientCheckpointing: true,
      loss: 'fused',
      precision: 'bf16-true',
      optimizer: 'adamw',
      sharding: 'fsdp',
      offload: 'all',
    },
  ],
  [
    'torchtune',
    'recipes__configs__generation.yaml',
    'No training here: a torchtune config without an optimizer is for generation, evaluation or quantization.',
  ],
  [
    'lightning-cli',
    'tests__conf__eurosat.yaml',
    "No Hugging Face model is named in the LightningModule's arguments (model.init_args.model_name_or_path / pretrained_model_name_or_path / model_name), so its memory cannot be estimated from the config.",
  ],
  [
    'lightning-cli',
    'tests__conf__ftw.yaml',
    "No Hugging Face model is named in the LightningModule's arguments (model.init_args.model_name_or_path / pretrained_model_name_or_path / model_name), so its memory cannot be estimated from the config.",
  ],
  ['deepspeed', 'axolotl__deepspeed_configs__zero3.json', 'A DeepSpeed file has no model: the estimate shows on the training config that references it.'],
  ['accelerate', 'trl__trl__accelerate_configs__zero2.yaml', 'An Accelerate config has no model: the estimate shows on the training config launched with it.'],
];

function corpusAdapt(format: FormatId, file: string): AdaptedSetup | NoSetup {
  const path = join(CONFIGS!, format, file);
  const parsed = parseConfig(readFileSync(path, 'utf8'), file.endsWith('.json') ? 'json' : 'yaml');
  return setupFromConfig({ format, value: parsed.value as Record<string, unknown>, path, roots: [] });
}

for (const [format, file, expected] of CORPUS_ROWS) {
  test(`adapter corpus: ${format}/${file}`, ON_CORPUS, () => {
    const r = corpusAdapt(format, file);
    if (typeof expected === 'string') assert.equal(reason(r), expected);
    else {
      assert.deepEqual(ok(r).setup, expected);
      resolveSetup(ok(r).setup);
    }
  });
}

test('adapter corpus: the DPO recipe notes its reference model; the KD recipe its teacher', ON_CORPUS, () => {
  const dpo = ok(corpusAdapt('trl', 'alignment-handbook__recipes__zephyr-7b-beta__dpo__config_full.yaml'));
  assert.deepEqual(dpo.sources.microBatchSize, ['per_device_train_batch_size']);
  assert.ok(dpo.notes.includes('micro batch: DPO runs the chosen and rejected sequences of each pair together: 8 pairs = 16 sequences.'));
  assert.ok(dpo.notes.includes('DPO reference model: a frozen second copy of the model (about 4 bytes per parameter) is not counted in this estimate.'));
  const kd = ok(corpusAdapt('torchtune', 'recipes__configs__llama3_2__8B_to_1B_KD_lora_single_device.yaml'));
  assert.deepEqual(kd.sources.teacher, ['teacher_model', '_component_']);
  assert.ok(kd.notes.includes('distillation: the teacher meta-llama/Llama-3.1-8B runs forward only, in the training dtype.'));
});

test('adapter corpus: every file either maps to a valid setup or says why not', ON_CORPUS, () => {
  let setups = 0;
  for (const format of ['axolotl', 'llamafactory', 'trl', 'torchtune', 'lightning-cli', 'deepspeed', 'accelerate'] as FormatId[]) {
    for (const file of readdirSync(join(CONFIGS!, format)).filter((f) => /\.(ya?ml|json)$/.test(f))) {
      const r = corpusAdapt(format, file);
      if ('reason' in r) {
        assert.ok(r.reason.length > 20, `${format}/${file}`);
        continue;
      }
      setups++;
      assert.doesNotThrow(() => resolveSetup(r.setup), `${format}/${file}`);
      for (const [field, path] of Object.entries(r.sources)) assert.ok(Array.isArray(path) && path.length > 0, `${format}/${file} ${field}`);
    }
  }
  assert.ok(setups > 250, `only ${setups} setups`);
});
