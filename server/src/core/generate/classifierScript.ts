/**
 * `--format script` for a classifier (issue #11): no tool's config trains a classification head with PEFT, so the
 * generator writes the code (classifierPython.ts) and this, the YAML it reads. The YAML is a TrainingArguments file
 * (format hf-args) plus the script's own keys, named as TRL's ModelConfig (use_peft, lora_r, load_in_4bit, ...),
 * LLaMA-Factory (freeze_trainable_layers) and PEFT (peft_type, num_virtual_tokens) name them, so the VRAM adapter
 * reads the method from it like any other config.
 */
import type { Method } from '../vram';
import type { BuildContext, Built, Explanations, Knobs } from './builders';
import { DATASET_NOTE, opt, Out, SCRIPT_KEY } from './configOut';

/** Layers the freeze method trains, as LLaMA-Factory's default (freeze_trainable_layers: 2). */
export const FROZEN_TRAINABLE_LAYERS = 2;
/** What the script does with a text longer than max_seq_length. */
export const SCRIPT_LENGTH = 'The script truncates every text to max_seq_length tokens; nothing is dropped and there is no minimum-length filter.';

/** Prefix length: PEFT's prefix-tuning examples for sequence classification use 20 virtual tokens. */
export const PREFIX_TOKENS = 20;

/** Starting learning rates: 2e-5 when every weight moves (BERT's fine-tuning range), higher for few new weights. */
function learningRate(method: Method): { value: number; why: string } {
  if (method === 'lora' || method === 'qlora') return { value: 0.0002, why: 'LoRA trains small new matrices: a higher rate than full fine-tuning.' };
  if (method === 'prefix') return { value: 0.005, why: 'Prefix tuning learns its virtual tokens from scratch: it needs a far higher rate than fine-tuning.' };
  return { value: 0.00002, why: 'Every trained weight is pretrained: a small rate keeps what it knows.' };
}

/**
 * The TrainingArguments of a classifier's run, from the micro batch on: the script's YAML and run_classification.py's
 * (builders.ts) differ only in the learning rate.
 */
export function classifierTrainingArguments(o: Out, ctx: BuildContext, k: Knobs, e: Explanations, rate: { value: number; why?: string }): void {
  o.set('per_device_train_batch_size', k.microBatch, opt(e, 'batch'));
  o.set('per_device_eval_batch_size', k.microBatch);
  o.set('gradient_accumulation_steps', k.accumulation);
  o.set('gradient_checkpointing', k.checkpointing, opt(e, 'checkpointing'));
  if (k.checkpointing)
    o.set(
      'gradient_checkpointing_kwargs',
      { use_reentrant: false },
      'Non-reentrant checkpointing: gradients reach the trained weights when the embeddings are frozen.',
    );
  o.set('learning_rate', rate.value, rate.why);
  o.set('num_train_epochs', 3);
  o.set('lr_scheduler_type', 'linear');
  o.set('warmup_steps', 10);
  o.set(ctx.half === 'bf16' ? 'bf16' : 'fp16', true, opt(e, 'precision'));
  o.set('optim', k.optimizer8bit ? (k.paged ? 'paged_adamw_8bit' : 'adamw_bnb_8bit') : 'adamw_torch', opt(e, 'optimizer'));
  o.set('eval_strategy', 'epoch', 'Accuracy on the validation split after every epoch.');
  o.set('save_strategy', 'epoch');
  o.set('logging_steps', 10);
  o.set('report_to', 'none');
}

export function classifierScriptConfig(ctx: BuildContext, k: Knobs, e: Explanations): Built {
  const o = new Out();
  const m = ctx.method;
  const own = (key: string, value: unknown, before?: string | string[]) => o.set(key, value, before, SCRIPT_KEY);
  const peft = m === 'lora' || m === 'qlora' || m === 'prefix';
  own('model_name_or_path', ctx.model, 'AutoModelForSequenceClassification adds a classification head sized to the labels the data has.');
  // A frozen base can load in bf16 where the GPU has it; trained weights stay fp32 under fp16 autocast (its grad
  // scaler refuses fp16 weights), and PEFT keeps its adapter weights in fp32.
  const bf16Base = peft && ctx.half === 'bf16';
  own(
    'dtype',
    bf16Base ? 'bfloat16' : 'float32',
    bf16Base ? 'The frozen base in bf16.' : 'Weights in fp32; the forward pass runs in 16 bits (precision below).',
  );
  o.section('model_name_or_path', '---- model and method: the keys the script reads itself (TrainingArguments does not declare them)');
  if (peft) own('use_peft', true, opt(e, 'method'));
  if (m === 'lora' || m === 'qlora') {
    own('lora_r', 16, 'LoRA rank 16 / alpha 32 on every linear layer; the head trains in full.');
    own('lora_alpha', 32);
    own('lora_dropout', 0.1);
    own('lora_target_modules', 'all-linear');
  }
  if (m === 'qlora') {
    own('load_in_4bit', true, opt(e, 'quantization'));
    own('bnb_4bit_quant_type', 'nf4');
    own('use_bnb_nested_quant', true);
  }
  if (m === 'prefix') {
    own(
      'peft_type',
      'PREFIX_TUNING',
      `${PREFIX_TOKENS} trained virtual tokens in front of every layer's keys and values; the base is frozen, the head trains.`,
    );
    own('num_virtual_tokens', PREFIX_TOKENS);
  }
  if (m === 'freeze')
    own(
      'freeze_trainable_layers',
      FROZEN_TRAINABLE_LAYERS,
      [e.method ?? '', `The last ${FROZEN_TRAINABLE_LAYERS} of ${ctx.dims.layers} layers, the pooler and the head train; every other weight is frozen.`].filter(
        Boolean,
      ),
    );
  if (m === 'full' && e.method) o.comment(['model_name_or_path'], undefined, e.method);

  own('dataset_name', 'stanfordnlp/imdb', [
    DATASET_NOTE,
    'IMDb: a text column and a 0/1 label column. Local files instead: train_file / validation_file (.jsonl or .csv).',
  ]);
  o.section('dataset_name', '---- data');
  own('train_split', 'train');
  own('validation_split', 'test');
  own('text_column', 'text', 'A second text column (sentence pairs): text_pair_column.');
  own('label_column', 'label');
  own('max_seq_length', k.sequenceLength, opt(e, 'sequence'));

  o.set(
    'output_dir',
    `./outputs/${ctx.runName}`,
    m === 'full' || m === 'freeze' ? 'The trained model and tokenizer.' : 'The adapter and the head (adapter_model.safetensors), not the base model.',
  );
  o.section('output_dir', '---- TrainingArguments');
  classifierTrainingArguments(o, ctx, k, e, learningRate(m));
  return {
    value: o.value,
    comments: o.comments,
    command: 'python SCRIPT',
    lengthBehaviour: SCRIPT_LENGTH,
    sequencePath: ['max_seq_length'],
    notes: [`SCRIPT reads this file: the keys marked ${SCRIPT_KEY} are its own, every other key is a TrainingArguments field.`],
  };
}
