/**
 * One builder per format: the complete config (as the value the tool loads, plus comments on its keys) for an
 * approach, a method, a model and the values the VRAM search picked. Shapes copied from each tool's own examples
 * (../shared/corpus/configs/<format>/).
 */
import type { GpuInfo } from '../gpus';
import type { Method, ModelDims } from '../vram';
import { axolotlChatTemplate, family, isInstruct, llamafactoryTemplate, torchtuneModel, type TorchtuneModel } from './modelFacts';
import type { Approach, GenFormat } from './support';
import { DATASET_NOTE, opt, Out, SCRIPT_KEY } from './configOut';
import type { KeyComment, KeyPath } from './yamlOut';
import { classifierScriptConfig, classifierTrainingArguments, SCRIPT_LENGTH } from './classifierScript';

/** The values the VRAM search chooses. */
export interface Knobs {
  microBatch: number;
  accumulation: number;
  sequenceLength: number;
  checkpointing: boolean;
  /** bitsandbytes 8-bit AdamW instead of fp32 AdamW states (full-parameter methods only). */
  optimizer8bit: boolean;
  /** The paged variant of the 8-bit optimizer (its states spill to CPU RAM under pressure). */
  paged?: boolean;
}

/** Why each chosen value was chosen, one comment line each (with the estimate). */
export interface Explanations {
  batch?: string;
  sequence?: string;
  checkpointing?: string;
  quantization?: string;
  optimizer?: string;
  precision?: string;
  method?: string;
}

export interface BuildContext {
  approach: Approach;
  method: Method;
  model: string;
  dims: ModelDims;
  gpu: GpuInfo;
  /** bf16 on Ampere and newer (compute capability 8.0), fp16 before. */
  half: 'bf16' | 'fp16';
  teacher?: string;
  /** Names the output directory. */
  runName: string;
}

export interface Built {
  value: Record<string, unknown>;
  comments: KeyComment[];
  /** The command that trains it, with FILE for the config's path. */
  command: string;
  /** A word the file name should carry so `ftw launch` picks the right recipe or trainer ("lora", "kd", "distillation"). */
  fileWord?: string;
  /** Set when the format fixes the length the estimate uses (TRL distillation). */
  fixedSequence?: number;
  /** How the format treats samples longer than the sequence length (for comments and docs). */
  lengthBehaviour: string;
  /** Where the sequence length lives. */
  sequencePath?: KeyPath;
  /** Extra header lines (placeholders to replace, downloads). */
  notes: string[];
}

const lr = (method: Method) => (method === 'lora' || method === 'qlora' ? 0.0002 : 0.00002);

// ---- Axolotl ----------------------------------------------------------------------------------------------------

function axolotl(ctx: BuildContext, k: Knobs, e: Explanations): Built {
  const o = new Out();
  const m = ctx.method;
  o.set('base_model', ctx.model);
  if (family(ctx.model) === 'llama3' && !isInstruct(ctx.model)) {
    o.set(
      'special_tokens',
      { pad_token: '<|end_of_text|>' },
      'Llama 3 base tokenizers have no pad token: reuse an existing token (no new embeddings to train).',
    );
  }
  if (m === 'lora' || m === 'qlora') {
    o.set('adapter', m, opt(e, 'method'));
    if (m === 'qlora') o.set('load_in_4bit', true, opt(e, 'quantization'));
    o.set('lora_r', 16, 'LoRA rank 16 / alpha 32 on every linear layer: a common starting point for small datasets.');
    o.set('lora_alpha', 32);
    o.set('lora_dropout', 0.05);
    o.set('lora_target_linear', true);
  } else if (m === 'freeze') {
    const L = ctx.dims.layers;
    o.set(
      'unfrozen_parameters',
      [`^model\\.layers\\.${L - 2}\\..*`, `^model\\.layers\\.${L - 1}\\..*`],
      [e.method ?? '', `Only the last 2 of ${L} decoder layers train; every other parameter is frozen.`].filter(Boolean),
    );
  } else if (m === 'distillation') {
    o.set(
      'plugins',
      ['axolotl.integrations.kd.KDPlugin'],
      [
        e.method ?? '',
        `Offline distillation: the teacher's top-k logprobs come from the dataset (no teacher on the GPU).`,
        `Teacher: ${ctx.teacher ?? 'the model that produced the logprobs'}; its logprobs must use this model's tokenizer.`,
      ].filter(Boolean),
    );
    o.set('kd_trainer', true);
    o.set('kd_ce_alpha', 0.1, 'Loss = 0.1 × cross-entropy on the labels + 0.9 × KL to the teacher, at temperature 1.');
    o.set('kd_alpha', 0.9);
    o.set('kd_temperature', 1.0);
    o.set('chat_template', axolotlChatTemplate(ctx.model));
  } else if (e.method) o.comment(['base_model'], undefined, e.method);
  const methodKey = ['adapter', 'unfrozen_parameters', 'plugins'].find((key) => key in o.value);
  if (methodKey) o.section(methodKey, '---- method');
  if (m === 'distillation') {
    o.set(
      'datasets',
      [
        {
          path: 'axolotl-ai-co/evolkit-logprobs-pipeline-75k-v2-sample',
          type: 'axolotl.integrations.kd.chat_template',
          field_messages: 'messages_combined',
          logprobs_field: 'llm_text_generation_vllm_logprobs',
          temperature: 1.0,
        },
      ],
      [DATASET_NOTE, 'Each row carries chat messages and the teacher logprobs of every assistant token (logprobs_field).'],
    );
    o.set('val_set_size', 0.0);
  } else {
    o.set(
      'datasets',
      [{ path: 'mhenrichsen/alpaca_2k_test', type: 'alpaca' }],
      [DATASET_NOTE, 'type: alpaca is the prompt template (### Instruction / ### Input / ### Response); 2,000 examples.'],
    );
    o.set('val_set_size', 0.05, 'Hold out 5% to watch for overfitting on a small dataset.');
  }
  o.section('datasets', '---- data');
  o.set('dataset_prepared_path', 'last_run_prepared');
  o.set('output_dir', `./outputs/${ctx.runName}`);
  o.set('sequence_len', k.sequenceLength, opt(e, 'sequence'), undefined, true);
  o.set('sample_packing', false, 'One sample per sequence (no packing): the estimate holds per sample.');
  o.set('micro_batch_size', k.microBatch, opt(e, 'batch'), undefined, true);
  o.set('gradient_accumulation_steps', k.accumulation);
  o.set('num_epochs', 3);
  o.set('optimizer', k.optimizer8bit ? (k.paged ? 'paged_adamw_8bit' : 'adamw_bnb_8bit') : 'adamw_torch_fused', opt(e, 'optimizer'));
  o.set('lr_scheduler', 'cosine');
  o.set('learning_rate', lr(m));
  o.set('warmup_steps', 10);
  o.set('weight_decay', 0.0);
  if (ctx.half === 'bf16') o.set('bf16', true, opt(e, 'precision'));
  else {
    o.set('bf16', false, opt(e, 'precision'));
    o.set('fp16', true);
  }
  o.set('gradient_checkpointing', k.checkpointing, opt(e, 'checkpointing'));
  if (k.checkpointing)
    o.set(
      'gradient_checkpointing_kwargs',
      { use_reentrant: false },
      m === 'freeze' ? 'Axolotl requires use_reentrant: false with unfrozen_parameters.' : undefined,
    );
  o.set('attn_implementation', 'sdpa', 'PyTorch SDPA attention: no extra package; flash_attention_2 saves more if installed.');
  o.set('logging_steps', 10);
  o.set('saves_per_epoch', 1);
  o.section('sequence_len', '---- training');
  return { value: o.value, comments: o.comments, command: 'axolotl train FILE', lengthBehaviour: LENGTH.axolotl, sequencePath: ['sequence_len'], notes: [] };
}

// ---- LLaMA-Factory --------------------------------------------------------------------------------------------

function llamafactory(ctx: BuildContext, k: Knobs, e: Explanations): Built {
  const o = new Out();
  const m = ctx.method;
  o.set('model_name_or_path', ctx.model);
  o.set('trust_remote_code', true);
  o.section('model_name_or_path', '### model');
  o.set('stage', 'sft', 'Supervised fine-tuning of the causal LM with a prompt template.');
  o.set('do_train', true);
  o.set('finetuning_type', m === 'qlora' ? 'lora' : m, opt(e, 'method'));
  if (m === 'lora' || m === 'qlora') {
    o.set('lora_rank', 16, 'LoRA rank 16 / alpha 32 on every linear layer: a common starting point for small datasets.');
    o.set('lora_alpha', 32);
    o.set('lora_target', 'all');
    if (m === 'qlora') {
      o.set('quantization_bit', 4, opt(e, 'quantization'));
      o.set('quantization_method', 'bnb');
    }
  } else if (m === 'freeze') {
    o.set('freeze_trainable_layers', 2, `The last 2 of ${ctx.dims.layers} layers train; the rest is frozen.`);
    o.set('freeze_trainable_modules', 'all');
  }
  o.section('stage', '### method');
  const t = llamafactoryTemplate(ctx.model);
  o.set('dataset', 'alpaca_en_demo', [DATASET_NOTE, "alpaca_en_demo ships in LLaMA-Factory's data/dataset_info.json (1,000 examples); register yours there."]);
  o.set('template', t.template, `template ${t.template}: ${t.why}.`);
  o.set('cutoff_len', k.sequenceLength, opt(e, 'sequence'));
  o.set('overwrite_cache', true);
  o.set('preprocessing_num_workers', 8);
  o.section('dataset', '### dataset');
  o.set('output_dir', `saves/${ctx.runName}`);
  o.set('logging_steps', 10);
  o.set('save_steps', 500);
  o.set('plot_loss', true);
  o.set('report_to', 'none');
  o.section('output_dir', '### output');
  o.set('per_device_train_batch_size', k.microBatch, opt(e, 'batch'));
  o.set('gradient_accumulation_steps', k.accumulation);
  o.set('learning_rate', lr(m));
  o.set('num_train_epochs', 3.0);
  o.set('lr_scheduler_type', 'cosine');
  o.set('warmup_steps', 10);
  if (ctx.half === 'bf16') o.set('bf16', true, opt(e, 'precision'));
  else o.set('fp16', true, opt(e, 'precision'));
  o.set('disable_gradient_checkpointing', !k.checkpointing, opt(e, 'checkpointing'));
  o.set('optim', k.optimizer8bit ? (k.paged ? 'paged_adamw_8bit' : 'adamw_bnb_8bit') : 'adamw_torch', opt(e, 'optimizer'));
  o.set('ddp_timeout', 180000000);
  o.section('per_device_train_batch_size', '### train');
  return {
    value: o.value,
    comments: o.comments,
    command: 'llamafactory-cli train FILE',
    lengthBehaviour: LENGTH.llamafactory,
    sequencePath: ['cutoff_len'],
    notes: [],
  };
}

// ---- TRL --------------------------------------------------------------------------------------------------------

/** TRL distillation has no max_length: the adapter (and `ftw vram`) assume TRL's default of 1024 tokens. */
export const TRL_DISTILLATION_SEQUENCE = 1024;

function trl(ctx: BuildContext, k: Knobs, e: Explanations): Built {
  const o = new Out();
  const m = ctx.method;
  const distill = m === 'distillation';
  o.set('model_name_or_path', ctx.model);
  const fullParam = m === 'full' || distill;
  const dtype = ctx.half === 'bf16' ? 'bfloat16' : fullParam ? 'float32' : 'float16';
  o.set(
    'dtype',
    dtype,
    ctx.half === 'bf16'
      ? "Load the weights in bf16 (TRL's CLI default is float32)."
      : fullParam
        ? 'fp32 master weights with fp16 autocast: fp16 weights cannot be trained with a grad scaler.'
        : 'Frozen base in fp16 (this GPU has no bf16).',
  );
  o.set('attn_implementation', 'sdpa');
  if (distill) {
    o.set(
      'teacher_model_name_or_path',
      ctx.teacher,
      [e.method ?? '', "The teacher runs forward only, in the same dtype; it must share the student's tokenizer."].filter(Boolean),
    );
    o.set('temperature', 1.0);
    o.set('beta', 1.0, "beta interpolates the loss between forward (0) and reverse (1) KL; TRL's default.");
  }
  if (m === 'lora' || m === 'qlora') {
    o.set('use_peft', true, opt(e, 'method'));
    o.set('lora_r', 16, 'LoRA rank 16 / alpha 32; lora_target_modules unset: TRL adapts every linear layer (all-linear).');
    o.set('lora_alpha', 32);
    o.set('lora_dropout', 0.05);
    if (m === 'qlora') {
      o.set('load_in_4bit', true, opt(e, 'quantization'));
      o.set('bnb_4bit_quant_type', 'nf4');
      o.set('use_bnb_nested_quant', true);
    }
  } else if (m === 'full' && e.method) o.comment(['model_name_or_path'], undefined, e.method);
  o.section('dtype', '---- model');
  const chat = isInstruct(ctx.model);
  if (distill) {
    o.set('dataset_name', 'trl-lib/chatbot_arena_completions', [DATASET_NOTE, 'Prompts in chat format; the student writes the completions (on-policy).']);
    o.set('max_completion_length', 512, opt(e, 'sequence'));
  } else {
    o.set('dataset_name', chat ? 'trl-lib/Capybara' : 'trl-lib/tldr', [
      DATASET_NOTE,
      chat
        ? "Conversations: the tokenizer's own chat template formats them."
        : 'Prompt/completion pairs ("TL;DR:" prompt template); a base model has no chat template, so no conversations.',
    ]);
    o.set('max_length', k.sequenceLength, opt(e, 'sequence'));
    o.set('packing', false, 'One sample per sequence (no packing): the estimate holds per sample.');
  }
  o.section('dataset_name', '---- data');
  o.set('output_dir', `./outputs/${ctx.runName}`);
  o.set('per_device_train_batch_size', k.microBatch, opt(e, 'batch'));
  o.set('gradient_accumulation_steps', k.accumulation);
  o.set('gradient_checkpointing', k.checkpointing, opt(e, 'checkpointing'));
  o.set('learning_rate', lr(m));
  o.set('num_train_epochs', 3);
  o.set('lr_scheduler_type', 'cosine');
  o.set('warmup_steps', 10);
  if (ctx.half === 'bf16') o.set('bf16', true, opt(e, 'precision'));
  else {
    o.set('bf16', false, opt(e, 'precision'));
    o.set('fp16', true);
  }
  o.set('optim', k.optimizer8bit ? (k.paged ? 'paged_adamw_8bit' : 'adamw_bnb_8bit') : 'adamw_torch', opt(e, 'optimizer'));
  o.set('logging_steps', 10);
  o.set('report_to', 'none');
  o.section('output_dir', '---- training');
  return {
    value: o.value,
    comments: o.comments,
    command: distill ? 'trl distillation --config FILE' : 'trl sft --config FILE',
    ...(distill ? { fileWord: 'distillation', fixedSequence: TRL_DISTILLATION_SEQUENCE } : {}),
    lengthBehaviour: distill ? LENGTH['trl-distillation'] : LENGTH.trl,
    ...(distill ? {} : { sequencePath: ['max_length'] }),
    notes: distill ? ['Needs trl >= 1.13 (the `trl distillation` command).'] : [],
  };
}

// ---- torchtune --------------------------------------------------------------------------------------------------

function ttDir(t: TorchtuneModel): string {
  return `./models/${t.hfId.split('/').pop()}`;
}

function ttTokenizer(t: TorchtuneModel, seq: number): Record<string, unknown> {
  const dir = ttDir(t);
  if (t.tokenizer.files === 'vocab+merges')
    return { _component_: t.tokenizer.component, path: `${dir}/vocab.json`, merges_file: `${dir}/merges.txt`, max_seq_len: seq };
  return { _component_: t.tokenizer.component, path: `${dir}/${t.tokenizer.files}`, max_seq_len: seq };
}

function ttCheckpointer(t: TorchtuneModel): Record<string, unknown> {
  const n = t.shards;
  const files =
    n === 1
      ? ['model.safetensors']
      : Array.from({ length: n }, (_, i) => `model-${String(i + 1).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.safetensors`);
  return {
    _component_: 'torchtune.training.FullModelHFCheckpointer',
    checkpoint_dir: `${ttDir(t)}/`,
    checkpoint_files: files,
    recipe_checkpoint: null,
    output_dir: '${output_dir}',
    model_type: t.modelType,
  };
}

/**
 * The `qlora_*` builders torchtune has (every `torchtune/models/<family>/__init__.py` at pytorch/torchtune bd2a0fc7).
 * Other families do QLoRA with their `lora_*` builder and `quantize_base: True`, which every `lora_*` builder takes:
 * a `qlora_qwen2_5_7b_base` does not exist, and torchtune stops with "Error loading" on it (FT103).
 */
const TORCHTUNE_QLORA = new Set([
  'gemma.qlora_gemma_7b',
  'gemma.qlora_gemma_2b',
  'gemma2.qlora_gemma2_2b',
  'gemma2.qlora_gemma2_9b',
  'gemma2.qlora_gemma2_27b',
  'llama2.qlora_llama2_reward_7b',
  'llama2.qlora_llama2_7b',
  'llama2.qlora_llama2_70b',
  'llama2.qlora_llama2_13b',
  'llama3.qlora_llama3_8b',
  'llama3.qlora_llama3_70b',
  'llama3_1.qlora_llama3_1_405b',
  'llama3_1.qlora_llama3_1_8b',
  'llama3_1.qlora_llama3_1_70b',
  'llama3_2.qlora_llama3_2_3b',
  'llama3_2.qlora_llama3_2_1b',
  'llama3_2_vision.qlora_llama3_2_vision_11b',
  'llama3_2_vision.qlora_llama3_2_vision_90b',
  'llama3_3.qlora_llama3_3_70b',
  'mistral.qlora_mistral_reward_7b',
  'mistral.qlora_mistral_7b',
  'phi3.qlora_phi3_mini',
  'phi4.qlora_phi4_14b',
]);

function torchtune(ctx: BuildContext, k: Knobs, e: Explanations): Built {
  const t = torchtuneModel(ctx.model);
  if (!t) throw new Error(`no torchtune builder for ${ctx.model}`);
  const o = new Out();
  const m = ctx.method;
  const peft = m === 'lora' || m === 'qlora' || m === 'distillation';
  o.set('output_dir', `./outputs/${ctx.runName}`);
  const qloraBuilder = m === 'qlora' && TORCHTUNE_QLORA.has(`${t.module}.qlora_${t.builder}`);
  const builder = `torchtune.models.${t.module}.${qloraBuilder ? 'qlora_' : peft ? 'lora_' : ''}${t.builder}`;
  const lora = {
    _component_: builder,
    lora_attn_modules: ['q_proj', 'k_proj', 'v_proj', 'output_proj'],
    apply_lora_to_mlp: true,
    apply_lora_to_output: false,
    lora_rank: 16,
    lora_alpha: 32,
    lora_dropout: 0.0,
  };
  o.set(
    'model',
    peft ? (m === 'qlora' && !qloraBuilder ? { ...lora, quantize_base: true } : lora) : { _component_: builder },
    [e.method ?? '', m === 'qlora' ? (e.quantization ?? '') : '', peft ? 'LoRA rank 16 / alpha 32 on attention and MLP projections.' : ''].filter(Boolean),
    undefined,
    true,
  );
  o.set('tokenizer', ttTokenizer(t, k.sequenceLength), `Download the model: tune download ${t.hfId} --output-dir ${ttDir(t)}`);
  o.comment(['tokenizer', 'max_seq_len'], opt(e, 'sequence'));
  o.set('checkpointer', ttCheckpointer(t));
  o.set('resume_from_checkpoint', false);
  if (peft) o.set('save_adapter_weights_only', false);
  let teacher: TorchtuneModel | undefined;
  if (m === 'distillation') {
    teacher = ctx.teacher ? torchtuneModel(ctx.teacher) : undefined;
    if (!teacher) throw new Error(`no torchtune builder for the teacher ${ctx.teacher}`);
    o.set(
      'teacher_model',
      { _component_: `torchtune.models.${teacher.module}.${teacher.builder}` },
      [
        `Teacher ${teacher.hfId}: forward only, in ${ctx.half === 'bf16' ? 'bf16' : 'fp32'}; it shares the student's tokenizer.`,
        `Download it: tune download ${teacher.hfId} --output-dir ${ttDir(teacher)}`,
      ],
      undefined,
      true,
    );
    o.set('teacher_checkpointer', ttCheckpointer(teacher));
  }
  o.set(
    'dataset',
    { _component_: 'torchtune.datasets.alpaca_cleaned_dataset', packed: false },
    [DATASET_NOTE, 'alpaca_cleaned_dataset applies the Alpaca prompt template; packed: false keeps one sample per sequence.'],
    undefined,
    true,
  );
  o.set('seed', null);
  o.set('shuffle', true);
  o.set('batch_size', k.microBatch, opt(e, 'batch'), undefined, true);
  o.set('gradient_accumulation_steps', k.accumulation);
  o.set('epochs', 3);
  o.set('max_steps_per_epoch', null);
  o.set(
    'optimizer',
    k.optimizer8bit
      ? { _component_: 'bitsandbytes.optim.PagedAdamW8bit', lr: lr(m) }
      : { _component_: 'torch.optim.AdamW', fused: true, weight_decay: 0.01, lr: peft ? 0.0003 : lr(m) },
    opt(e, 'optimizer'),
  );
  if (peft) o.set('lr_scheduler', { _component_: 'torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup', num_warmup_steps: 100 });
  // The KD recipes refuse the linear (fused) losses.
  o.set('loss', { _component_: m === 'distillation' ? 'torchtune.modules.loss.CEWithChunkedOutputLoss' : 'torchtune.modules.loss.LinearCrossEntropyLoss' });
  if (m === 'distillation') {
    o.set(
      'kd_loss',
      { _component_: 'torchtune.modules.loss.ForwardKLWithChunkedOutputLoss' },
      'Loss = 0.5 × cross-entropy + 0.5 × forward KL to the teacher (kd_ratio).',
    );
    o.set('kd_ratio', 0.5);
  }
  o.set('clip_grad_norm', null);
  o.set('compile', false);
  o.set('device', 'cuda', undefined, undefined, true);
  o.set(
    'dtype',
    ctx.half === 'bf16' ? 'bf16' : 'fp32',
    ctx.half === 'bf16' ? opt(e, 'precision') : ["This GPU has no bf16 and torchtune's recipes refuse fp16: fp32."],
  );
  o.set('enable_activation_checkpointing', k.checkpointing, opt(e, 'checkpointing'));
  o.set('enable_activation_offloading', false);
  o.set('metric_logger', { _component_: 'torchtune.training.metric_logging.DiskLogger', log_dir: '${output_dir}/logs' });
  o.set('log_every_n_steps', 1);
  o.set('log_peak_memory_stats', true);
  const recipe = m === 'distillation' ? 'knowledge_distillation_single_device' : peft ? 'lora_finetune_single_device' : 'full_finetune_single_device';
  return {
    value: o.value,
    comments: o.comments,
    command: `tune run ${recipe} --config FILE`,
    fileWord: m === 'distillation' ? 'kd' : m === 'qlora' ? 'qlora' : peft ? 'lora' : 'full',
    lengthBehaviour: LENGTH.torchtune,
    sequencePath: ['tokenizer', 'max_seq_len'],
    notes: [],
  };
}

// ---- HF TrainingArguments + run_classification.py ------------------------------------------------------------

function hfArgs(ctx: BuildContext, k: Knobs, e: Explanations): Built {
  const o = new Out();
  const script = (key: string, value: unknown, before?: string | string[]) => o.set(key, value, before, SCRIPT_KEY);
  script(
    'model_name_or_path',
    ctx.model,
    [e.method ?? '', 'run_classification.py adds a classification head (AutoModelForSequenceClassification) sized to the labels it finds.'].filter(Boolean),
  );
  o.section('model_name_or_path', '---- run_classification.py ModelArguments and DataTrainingArguments (the script declares these keys)');
  script('dataset_name', 'stanfordnlp/imdb', [DATASET_NOTE, 'IMDb: a text column and a 0/1 label column, train and test splits.']);
  script('text_column_names', 'text');
  script('label_column_name', 'label');
  script('train_split_name', 'train');
  script('validation_split_name', 'test');
  script('max_seq_length', k.sequenceLength, opt(e, 'sequence'));
  script('shuffle_train_dataset', true);
  script('metric_name', 'accuracy');
  o.set('do_train', true, undefined, undefined, true);
  o.section('do_train', '---- TrainingArguments');
  o.set('do_eval', true);
  o.set('output_dir', `./outputs/${ctx.runName}`);
  classifierTrainingArguments(o, ctx, k, e, { value: 0.00002 });
  return {
    value: o.value,
    comments: o.comments,
    command: 'python run_classification.py FILE',
    lengthBehaviour: LENGTH['hf-args'],
    sequencePath: ['max_seq_length'],
    notes: [
      "run_classification.py is transformers' examples/pytorch/text-classification/run_classification.py (pip install transformers datasets evaluate accelerate).",
    ],
  };
}

// ---- shared ----------------------------------------------------------------------------------------------------

/** What each format does with a sample longer than its sequence length (and what length filter it has). */
export const LENGTH: Record<GenFormat | 'trl-distillation', string> = {
  axolotl: 'Axolotl drops samples longer than sequence_len (excess_length_strategy: drop, the default).',
  llamafactory:
    'LLaMA-Factory truncates every sample to cutoff_len tokens (no sample is dropped, and there is no minimum-length filter): a longer sample trains on its first cutoff_len tokens.',
  trl: "TRL's SFT truncates each sample to max_length tokens (truncation_mode keep_start); nothing is dropped and there is no minimum-length filter.",
  'trl-distillation': "TRL's distillation trainer caps only completions (max_completion_length); prompts are not truncated, and there is no length filter.",
  torchtune: "torchtune's tokenizer truncates every sample to tokenizer.max_seq_len tokens; nothing is dropped and there is no minimum-length filter.",
  'hf-args': 'run_classification.py truncates every text to max_seq_length tokens; nothing is dropped and there is no minimum-length filter.',
  script: SCRIPT_LENGTH,
};

export function build(format: GenFormat, ctx: BuildContext, knobs: Knobs, explanations: Explanations = {}): Built {
  switch (format) {
    case 'axolotl':
      return axolotl(ctx, knobs, explanations);
    case 'llamafactory':
      return llamafactory(ctx, knobs, explanations);
    case 'trl':
      return trl(ctx, knobs, explanations);
    case 'torchtune':
      return torchtune(ctx, knobs, explanations);
    case 'hf-args':
      return hfArgs(ctx, knobs, explanations);
    case 'script':
      return classifierScriptConfig(ctx, knobs, explanations);
  }
}
