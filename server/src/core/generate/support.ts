/**
 * Which format can express which approach and method, and why not where it cannot (issue #7). Where no tool's config
 * covers a classifier, the generator writes the code instead: `script`, a transformers + PEFT training script with
 * its YAML (issue #11).
 *
 * Approaches:
 * - `classifier`: a task-specific model with a sequence-classification head (one label per example), trained on
 *   enough labelled data for high task accuracy and batch inference.
 * - `prompt-template`: causal-LM supervised fine-tuning with a prompt or chat template on a small dataset
 *   (zero/few-shot behaviour, structured output, fast prototyping).
 *
 * Every cell has a `summary` that fits one line of a quick pick, and the full `how` or `reason` for the CLI, the docs
 * and the wizard's "Why?". The facts come from the tools' own keys (../shared/reference/*.tsv,
 * ../shared/research/config-formats.md) and PEFT's task types (peft.TaskType.SEQ_CLS).
 */
import type { Method } from '../vram';

export type Approach = 'classifier' | 'prompt-template';
/** The formats a tool reads as a config file (and the ensemble writer handles). */
export type ConfigGenFormat = 'axolotl' | 'llamafactory' | 'trl' | 'torchtune' | 'hf-args';
/** What `ftw new` writes: a config for a tool, or a training script with its YAML. */
export type GenFormat = ConfigGenFormat | 'script';

export const APPROACHES: readonly Approach[] = ['classifier', 'prompt-template'];
export const CONFIG_GEN_FORMATS: readonly ConfigGenFormat[] = ['axolotl', 'llamafactory', 'trl', 'torchtune', 'hf-args'];
export const GEN_FORMATS: readonly GenFormat[] = [...CONFIG_GEN_FORMATS, 'script'];
/** The config format a tool (and the VRAM adapter) reads: the script's YAML is a TrainingArguments file. */
export const configFormat = (f: GenFormat): ConfigGenFormat => (f === 'script' ? 'hf-args' : f);
export const GEN_METHODS: readonly Method[] = ['full', 'freeze', 'lora', 'qlora', 'adapter', 'prefix', 'distillation'];

export const APPROACH_LABELS: Record<Approach, string> = {
  classifier: 'Task-specific classifier (a classification head on a base model, enough labelled data, batch inference)',
  'prompt-template': 'Prompt-template model (causal LM with a prompt/chat template, little data, zero/few-shot, structured output)',
};

export const METHOD_LABELS: Record<Method, string> = {
  full: 'Full fine-tuning (every parameter)',
  freeze: 'Freeze all but the last layers',
  lora: 'LoRA adapters',
  qlora: 'QLoRA (LoRA on a 4-bit base model)',
  adapter: 'Bottleneck adapters (Houlsby/Pfeiffer)',
  prefix: 'Prefix tuning',
  distillation: 'Knowledge distillation from a teacher model',
};

export const FORMAT_LABELS: Record<GenFormat, string> = {
  axolotl: 'Axolotl',
  llamafactory: 'LLaMA-Factory',
  trl: 'TRL CLI',
  torchtune: 'torchtune',
  'hf-args': 'HF TrainingArguments (run_classification.py)',
  script: 'Python script (transformers + PEFT Trainer)',
};

export type Support = { supported: true; summary: string; how: string } | { supported: false; summary: string; reason: string };

const yes = (summary: string, how: string): Support => ({ supported: true, summary, how });
const no = (summary: string, reason: string): Support => ({ supported: false, summary, reason });

const CLASSIFIER_NO_HEAD: Record<Exclude<ConfigGenFormat, 'hf-args'>, [string, string]> = {
  axolotl: [
    'Axolotl has no N-label classification head',
    "Axolotl has no N-label classification head: `reward_model: true` (with `num_labels`) loads AutoModelForSequenceClassification only for pairwise chosen/rejected reward modelling (TRL's RewardTrainer), `process_reward_model` is token classification, and its dataset strategies produce token labels, never one class per example. Use --format script (or hf-args for full fine-tuning).",
  ],
  llamafactory: [
    'LLaMA-Factory has no classification stage',
    'LLaMA-Factory has no classification stage: `stage` is pt|sft|rm|ppo|dpo|kto, and `stage: rm` adds a scalar value head trained on pairwise preferences, not N labels. Use --format script (or hf-args for full fine-tuning).',
  ],
  trl: [
    "TRL's CLI has no classifier trainer",
    "TRL's CLI has no classifier trainer: `trl reward` trains AutoModelForSequenceClassification with num_labels=1 on chosen/rejected pairs, and no key sets a label count or reads labelled examples. Use --format script (or hf-args for full fine-tuning).",
  ],
  torchtune: [
    'torchtune has no recipe that trains a classifier',
    'torchtune has classifier builders (e.g. torchtune.models.llama2.llama2_classifier with `num_classes`), but no recipe trains them on labels: the PPO recipe uses them as reward/value models (`reward_and_value_model`). Use --format script (or hf-args for full fine-tuning).',
  ],
};

/** The classifier written as code: AutoModelForSequenceClassification, PEFT with task_type SEQ_CLS, Trainer. */
function classifierScript(method: Method): Support {
  switch (method) {
    case 'full':
      return yes(
        'AutoModelForSequenceClassification + Trainer, every weight trained',
        'a training script (AutoModelForSequenceClassification + Trainer) and its YAML: every parameter trains.',
      );
    case 'freeze':
      return yes(
        'the script freezes all but the last 2 layers and the head',
        'a training script that sets requires_grad=False on every weight but the last 2 transformer layers, the pooler and the classification head (`freeze_trainable_layers: 2` in its YAML).',
      );
    case 'lora':
      return yes(
        'PEFT LoraConfig(task_type=SEQ_CLS) on every linear layer',
        'a training script: PEFT LoraConfig(task_type=SEQ_CLS, target_modules="all-linear"); the classification head trains in full (PEFT saves it with the adapter).',
      );
    case 'qlora':
      return yes(
        'PEFT LoRA on a 4-bit NF4 base (bitsandbytes, CUDA)',
        'a training script: the base loaded in 4 bits (BitsAndBytesConfig, NF4, double quantization), prepare_model_for_kbit_training, then LoRA with task_type SEQ_CLS. Needs bitsandbytes and a CUDA GPU.',
      );
    case 'prefix':
      return yes(
        'PEFT PrefixTuningConfig(task_type=SEQ_CLS)',
        'a training script: PEFT PrefixTuningConfig(task_type=SEQ_CLS, num_virtual_tokens=20): trained key/value prefixes in every layer, the base frozen, the head trained.',
      );
    case 'adapter':
      return no(
        'PEFT has no bottleneck adapters',
        'PEFT, which the script uses, has no bottleneck (Houlsby/Pfeiffer) adapters: its methods are LoRA and its variants, prefix/prompt tuning and IA3. Use --method lora, which trains as few parameters.',
      );
    case 'distillation':
      return no(
        'needs a teacher classifier trained on your labels',
        'Distilling a classifier needs a teacher that already classifies your labels (a fine-tuned model with the same label set); the generator cannot pick one. Train the larger model first (--method full or lora), then distil with a custom Trainer loss.',
      );
  }
}

/** The whole matrix, as data: approach → format → method → support. */
export function support(approach: Approach, format: GenFormat, method: Method): Support {
  if (approach === 'classifier') {
    if (format === 'script') return classifierScript(method);
    if (format !== 'hf-args') return no(...CLASSIFIER_NO_HEAD[format]);
    switch (method) {
      case 'full':
        return yes(
          "transformers' run_classification.py, every weight trained",
          "transformers' examples/pytorch/text-classification/run_classification.py: AutoModelForSequenceClassification, every parameter trained; the YAML holds its ModelArguments/DataTrainingArguments keys and TrainingArguments.",
        );
      case 'freeze':
        return no(
          'run_classification.py cannot freeze layers',
          'run_classification.py has no option to freeze layers, and TrainingArguments has none either: every parameter trains. Use --format script, which freezes all but the last layers.',
        );
      case 'lora':
      case 'qlora':
      case 'adapter':
      case 'prefix':
        return no(
          'run_classification.py does not use PEFT',
          `run_classification.py does not use PEFT and TrainingArguments has no adapter keys, so ${METHOD_LABELS[method]} cannot be expressed. Use --format script: it writes a script that wraps the model with PEFT (task_type SEQ_CLS).`,
        );
      case 'distillation':
        return no(
          'run_classification.py has no teacher model',
          'run_classification.py has no teacher model option: knowledge distillation needs a custom Trainer loss.',
        );
    }
  }
  if (format === 'script')
    return no(
      'the script trains a classifier, not a prompt-template model',
      'The generated script trains a sequence classifier (AutoModelForSequenceClassification); a prompt-template model is written as a config for axolotl, llamafactory, trl or torchtune.',
    );
  // prompt-template: causal-LM SFT with a prompt/chat template
  switch (format) {
    case 'axolotl':
      switch (method) {
        case 'full':
          return yes('no `adapter`: every weight trains', 'no `adapter`: every parameter trains.');
        case 'freeze':
          return yes(
            '`unfrozen_parameters`: the last 2 layers train',
            '`unfrozen_parameters` lists the last layers (regexes); every other parameter gets requires_grad=False.',
          );
        case 'lora':
          return yes('`adapter: lora` on every linear layer', '`adapter: lora` with `lora_r`, `lora_alpha`, `lora_target_linear`.');
        case 'qlora':
          return yes('`adapter: qlora` with `load_in_4bit: true`', '`adapter: qlora` with `load_in_4bit: true` (NF4 with double quantization by default).');
        case 'adapter':
          return no(
            'Axolotl has no bottleneck adapters',
            "Axolotl has no bottleneck adapters: the built-in `adapter` values are lora, qlora and llama-adapter (LLaMA-Adapter's adaption prompts); any other value is refused unless a plugin registers it.",
          );
        case 'prefix':
          return no(
            'Axolotl has no prefix tuning',
            'Axolotl has no prefix tuning (and no P-tuning): the closest, `adapter: llama-adapter` (PEFT AdaptionPrompt), is a different method, and its `peft_adapter.len`/`peft_adapter.layers` keys are not declared in the config schema, so validation drops them.',
          );
        case 'distillation':
          return yes(
            'the KD plugin: offline, from stored teacher logprobs',
            'the KD plugin (`plugins: [axolotl.integrations.kd.KDPlugin]`, `kd_trainer`, `kd_alpha`, `kd_temperature`): offline distillation from teacher logprobs stored in the dataset (`type: axolotl.integrations.kd.chat_template`, `logprobs_field`); no teacher on the GPU.',
          );
      }
      break;
    case 'llamafactory':
      switch (method) {
        case 'full':
          return yes('`finetuning_type: full`', '`finetuning_type: full`.');
        case 'freeze':
          return yes(
            '`finetuning_type: freeze`: the last 2 layers train',
            '`finetuning_type: freeze` with `freeze_trainable_layers` (the last N layers train).',
          );
        case 'lora':
          return yes('`finetuning_type: lora`, `lora_target: all`', '`finetuning_type: lora` with `lora_rank`, `lora_alpha`, `lora_target: all`.');
        case 'qlora':
          return yes(
            '`finetuning_type: lora` with `quantization_bit: 4`',
            '`finetuning_type: lora` with `quantization_bit: 4` (bitsandbytes NF4, double quantization on by default).',
          );
        case 'adapter':
          return no(
            'LLaMA-Factory has no bottleneck adapters',
            'LLaMA-Factory has no bottleneck adapters: `finetuning_type` is lora|oft|freeze|full, and OFT (orthogonal fine-tuning) is not an adapter.',
          );
        case 'prefix':
          return no('LLaMA-Factory has no prefix tuning', 'LLaMA-Factory has no prefix or P-tuning: `finetuning_type` is lora|oft|freeze|full.');
        case 'distillation':
          return no(
            'LLaMA-Factory has no knowledge distillation',
            'LLaMA-Factory has no knowledge distillation: `stage` is pt|sft|rm|ppo|dpo|kto and no key names a teacher model.',
          );
      }
      break;
    case 'trl':
      switch (method) {
        case 'full':
          return yes('`trl sft` without `use_peft`', '`trl sft` without `use_peft`.');
        case 'freeze':
          return no(
            "TRL's CLI has no layer-freezing key",
            "TRL's CLI has no layer-freezing key: ModelConfig only builds a LoRA config (`lora_modules_to_save` unfreezes modules only next to LoRA, with `use_peft`).",
          );
        case 'lora':
          return yes('`trl sft` with `use_peft: true`', '`trl sft` with `use_peft: true`, `lora_r`, `lora_alpha` (ModelConfig).');
        case 'qlora':
          return yes(
            '`trl sft` with `use_peft` and `load_in_4bit`',
            '`trl sft` with `use_peft: true`, `load_in_4bit: true`, `bnb_4bit_quant_type: nf4`, `use_bnb_nested_quant: true`.',
          );
        case 'adapter':
        case 'prefix':
          return no(
            "TRL's CLI builds a LoraConfig only",
            `TRL's CLI cannot express ${method === 'adapter' ? 'bottleneck adapters' : 'prefix tuning'}: ModelConfig's PEFT keys (use_peft, lora_r, lora_alpha, lora_target_modules, ...) build a LoraConfig only; anything else needs a Python script passing peft_config to the trainer.`,
          );
        case 'distillation':
          return yes(
            '`trl distillation` (trl ≥ 1.13), teacher forward only',
            '`trl distillation` (trl ≥ 1.13; DistillationConfig): `teacher_model_name_or_path`, `temperature`, `beta`, on-policy completions of `max_completion_length`; the student trains in full, the teacher runs forward only.',
          );
      }
      break;
    case 'torchtune':
      switch (method) {
        case 'full':
          return yes(
            '`full_finetune_single_device`',
            '`full_finetune_single_device` with the plain model builder (e.g. torchtune.models.llama3_2.llama3_2_1b).',
          );
        case 'lora':
          return yes(
            '`lora_finetune_single_device`, lora_* builder',
            '`lora_finetune_single_device` with the lora_* builder (`lora_rank`, `lora_alpha`, `lora_attn_modules`, `apply_lora_to_mlp`).',
          );
        case 'qlora':
          return yes(
            '`lora_finetune_single_device`, qlora_* builder',
            '`lora_finetune_single_device` with the qlora_* builder, or the lora_* builder with quantize_base: True where the family has no qlora_* one (NF4 base weights).',
          );
        case 'freeze':
          return no(
            'torchtune cannot freeze layers',
            'torchtune has no freeze-the-first-layers option: its recipes train every parameter (full builders) or only adapters (lora/qlora builders).',
          );
        case 'adapter':
        case 'prefix':
          return no(
            `torchtune has no ${method === 'adapter' ? 'bottleneck adapters' : 'prefix tuning'}`,
            `torchtune has no ${method === 'adapter' ? 'bottleneck adapters' : 'prefix tuning'}: its PEFT builders are LoRA, QLoRA and DoRA only.`,
          );
        case 'distillation':
          return yes(
            '`knowledge_distillation_single_device`, LoRA student',
            '`knowledge_distillation_single_device` with `teacher_model`, `teacher_checkpointer`, `kd_loss` (ForwardKLWithChunkedOutputLoss) and `kd_ratio`; the recipe trains a LoRA student.',
          );
      }
      break;
    case 'hf-args':
      return no(
        'run_clm.py has no prompt template and no PEFT',
        "Plain TrainingArguments with transformers' run_clm.py train on raw text blocks: there is no prompt or chat template and no PEFT. Use --format trl (TrainingArguments plus a chat template and LoRA keys).",
      );
  }
  return no('not supported', 'not supported');
}

export interface MatrixRow {
  approach: Approach;
  format: GenFormat;
  method: Method;
  support: Support;
}

/** Every approach × format × method, for docs, tests and a wizard that greys out what a format cannot do. */
export function supportMatrix(): MatrixRow[] {
  const rows: MatrixRow[] = [];
  for (const approach of APPROACHES)
    for (const format of GEN_FORMATS) for (const method of GEN_METHODS) rows.push({ approach, format, method, support: support(approach, format, method) });
  return rows;
}
