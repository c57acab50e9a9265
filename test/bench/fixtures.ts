// Deterministic Axolotl configs for the benchmarks: a ~150-line file (what people write) and a ~3,000-line one
// (a data-mixing config with many `datasets:` items, long token lists and per-layer LoRA targets). Content is
// modelled on ../shared/corpus/configs/axolotl/*.yaml. Both carry a few real mistakes so that every validator
// has something to report; `plantedMistakes` lists them (the first three are real errors).

export interface Fixture {
  /** Short name used in tables and results.json. */
  name: string;
  /** File name; the URI and the yaml-language-server schema association both use it. */
  fileName: string;
  text: string;
  lines: number;
  plantedMistakes: string[];
  /** The edit each didChange makes (default: the `seed:` value, a small top-level key). */
  edit?: (text: string, n: number) => string;
}

/** Mulberry32: a tiny seeded PRNG, so the large fixture varies without being random between runs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MISTAKES = [
  '`lora_droput` — typo of lora_dropout (unknown key)',
  '`chat_template: llama_3` — not in the enum (llama3)',
  '`warmup_steps: 0.1` — integer expected (confused with warmup_ratio)',
  'plus keys deprecated upstream, as in older corpus files: flash_attention, xformers_attention, eval_table_size',
];

const HEADER = `# Llama-3.1-8B QLoRA on a mix of chat datasets
#
# Launch:
#   accelerate launch -m axolotl.cli.train qlora-mix.yml
#
# Tuned for a single 24 GB card; see the VRAM lens for other GPUs.

base_model: meta-llama/Llama-3.1-8B-Instruct
# optionally might have model_type or tokenizer_type
model_type: AutoModelForCausalLM
tokenizer_type: AutoTokenizer
# Automatically upload checkpoint and final model to HF
# hub_model_id: username/custom_model_name
trust_remote_code: false

load_in_8bit: false
load_in_4bit: true
strict: false
`;

function smallDatasets(): string {
  return `
datasets:
  - path: mlabonne/FineTome-100k
    type: chat_template
    split: train[:20%]
    field_messages: conversations
    message_property_mappings:
      role: from
      content: value
    roles_to_train: ["gpt"]
    train_on_eos: turn
  - path: fozziethebeat/alpaca_messages_2k_test
    type: chat_template
    chat_template: llama3
  - path: teknium/GPT4-LLM-Cleaned
    type: alpaca
    shards: 4
dataset_prepared_path: last_run_prepared
val_set_size: 0.05
output_dir: ./outputs/qlora-out
`;
}

/** The training block shared by both fixtures; it holds the three planted mistakes. */
function trainingBlock(loraTargets: string[]): string {
  return `
chat_template: llama_3

sequence_len: 4096
sample_packing: true
eval_sample_packing: false
pad_to_sequence_len: true

adapter: qlora
lora_model_dir:
lora_r: 32
lora_alpha: 16
lora_droput: 0.05
lora_target_linear: false
lora_target_modules:
${loraTargets.map((m) => `  - ${m}`).join('\n')}
lora_modules_to_save:
  - embed_tokens
  - lm_head

wandb_project: qlora-mix
wandb_entity:
wandb_watch:
wandb_name: llama31-8b-qlora
wandb_log_model:

gradient_accumulation_steps: 4
micro_batch_size: 2
num_epochs: 3
optimizer: adamw_bnb_8bit
lr_scheduler: cosine
learning_rate: 0.0002
weight_decay: 0.0
max_grad_norm: 1.0

train_on_inputs: false
group_by_length: false
bf16: auto
fp16:
tf32: false

gradient_checkpointing: true
gradient_checkpointing_kwargs:
  use_reentrant: false
early_stopping_patience:
resume_from_checkpoint:
local_rank:
logging_steps: 1
xformers_attention:
flash_attention: true

# bump seed to rerun the same mix with another shuffle
seed: 42
warmup_steps: 0.1
evals_per_epoch: 4
eval_table_size:
saves_per_epoch: 1
save_total_limit: 3
debug:
deepspeed:
fsdp:
fsdp_config:

plugins:
  - axolotl.integrations.liger.LigerPlugin
  - axolotl.integrations.cut_cross_entropy.CutCrossEntropyPlugin
liger_rope: true
liger_rms_norm: true
liger_glu_activation: true
liger_layer_norm: true
`;
}

function specialTokens(extra: string[]): string {
  const lines = ['special_tokens:', '  bos_token: "<|begin_of_text|>"', '  eos_token: "<|eot_id|>"', '  pad_token: "<|finetune_right_pad_id|>"'];
  if (extra.length > 0) {
    lines.push('  additional_special_tokens:');
    for (const t of extra) lines.push(`    - "${t}"`);
  }
  return lines.join('\n') + '\n';
}

const SMALL_TARGETS = ['gate_proj', 'down_proj', 'up_proj', 'q_proj', 'v_proj', 'k_proj', 'o_proj'];

/** ~150 lines: a typical hand-written QLoRA config. */
export function smallAxolotl(): Fixture {
  const text =
    HEADER +
    smallDatasets() +
    trainingBlock(SMALL_TARGETS) +
    '\n' +
    specialTokens(['<|reserved_special_token_0|>', '<|reserved_special_token_1|>']) +
    `tokens:
  - "<tool_call>"
  - "</tool_call>"
  - "<think>"
  - "</think>"

# Data loading and evaluation
dataloader_num_workers: 4
dataloader_pin_memory: true
dataloader_prefetch_factor: 8
eval_causal_lm_metrics:
  - sacrebleu
  - chrf
loss_watchdog_threshold: 5.0
loss_watchdog_patience: 3

# Evaluate on a held-out slice after every epoch
test_datasets:
  - path: mlabonne/FineTome-100k
    type: chat_template
    split: train[95%:]
    field_messages: conversations
    message_property_mappings:
      role: from
      content: value
`;
  return fixture('axolotl-150', 'bench-axolotl-150.yaml', text);
}

/** ~300 lines: the hand-written config above with a data mix of a dozen more sources. */
export function mediumAxolotl(): Fixture {
  const small = smallAxolotl().text;
  const rnd = seededRandom(20241207);
  const items: string[] = [];
  for (let i = 0, used = 0; used < 300 - count(small); i++) {
    const item = datasetItem(i, rnd);
    items.push(item);
    used += count(item) + 1;
  }
  return fixture('axolotl-300', 'bench-axolotl-300.yaml', small.replace(/^datasets:\n/m, `datasets:\n${items.join('\n')}\n`));
}

const HF_ORGS = ['mlabonne', 'teknium', 'HuggingFaceH4', 'Open-Orca', 'allenai', 'nvidia', 'argilla', 'openbmb', 'Magpie-Align', 'cognitivecomputations'];
const HF_SETS = [
  'FineTome-100k',
  'OpenHermes-2.5',
  'ultrachat_200k',
  'SlimOrca',
  'tulu-3-sft-mixture',
  'HelpSteer2',
  'magpie-ultra-v1.0',
  'UltraInteract_sft',
  'dolphin',
  'orca-math-word-problems-200k',
  'MetaMathQA',
  'CodeFeedback',
];
const CHAT_TEMPLATES = ['llama3', 'chatml', 'qwen_25', 'tokenizer_default'];
const TRAIN_ON = ['turn', 'last', 'all'];

/** One realistic `datasets:` item (8 to 17 lines), chosen by the seeded generator. */
function datasetItem(i: number, rnd: () => number): string {
  const org = HF_ORGS[Math.floor(rnd() * HF_ORGS.length)];
  const set = HF_SETS[Math.floor(rnd() * HF_SETS.length)];
  const kind = rnd();
  const lines: string[] = [`  # source ${i + 1}: ${org}/${set}`];
  if (kind < 0.55) {
    lines.push(
      `  - path: ${org}/${set}`,
      '    type: chat_template',
      `    chat_template: ${CHAT_TEMPLATES[Math.floor(rnd() * CHAT_TEMPLATES.length)]}`,
      `    split: train[:${5 + Math.floor(rnd() * 90)}%]`,
      '    field_messages: conversations',
      '    message_property_mappings:',
      '      role: from',
      '      content: value',
      '    roles_to_train: ["gpt", "assistant"]',
      `    train_on_eos: ${TRAIN_ON[Math.floor(rnd() * TRAIN_ON.length)]}`,
    );
    // A short commit hash; an all-digit one would load as an int (a real mistake, but not one we plant).
    if (rnd() < 0.5)
      lines.push(
        `    revision: ${'abcdef'[Math.floor(rnd() * 6)]}${Math.floor(rnd() * 0xffffff)
          .toString(16)
          .padStart(6, '0')}`,
      );
    if (rnd() < 0.4) lines.push(`    shards: ${2 + Math.floor(rnd() * 14)}`);
  } else if (kind < 0.8) {
    lines.push(`  - path: ${org}/${set}`, '    type: alpaca', `    name: default`, `    split: train`);
    if (rnd() < 0.5)
      lines.push(
        '    # keep the reviewed subset only',
        `    data_files:`,
        `      - data/train-0000${i % 10}-of-00010.parquet`,
        `      - data/train-0000${(i + 1) % 10}-of-00010.parquet`,
      );
  } else {
    lines.push(
      `  - path: ./data/${set.toLowerCase()}-${i}.jsonl`,
      '    ds_type: json',
      '    type:',
      '      system_prompt: "You are a helpful assistant."',
      '      field_system: system',
      '      field_instruction: instruction',
      '      field_input: input',
      '      field_output: output',
      '      format: "[INST] {instruction} {input} [/INST]"',
      '      no_input_format: "[INST] {instruction} [/INST]"',
    );
  }
  return lines.join('\n');
}

/** ~3,000 lines: a large data mix, per-layer LoRA targets and long token lists. */
export function largeAxolotl(targetLines = 3000): Fixture {
  const rnd = seededRandom(20240607);
  const layerTargets: string[] = [];
  for (let layer = 0; layer < 32; layer++) {
    for (const m of ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj']) {
      layerTargets.push(`model.layers.${layer}.${m}`);
    }
  }
  const reserved = Array.from({ length: 250 }, (_, i) => `<|reserved_special_token_${i + 2}|>`);
  const tokens = Array.from({ length: 200 }, (_, i) => `"<tool_${i}>"`);
  const tail =
    trainingBlock(layerTargets) +
    '\n' +
    specialTokens(reserved) +
    '# Domain tokens added to the vocabulary (embed_tokens and lm_head are saved above)\ntokens:\n' +
    tokens.map((t) => `  - ${t}`).join('\n') +
    '\n';
  const head = HEADER + '\n# A data mix of many sources; each item is one dataset.\ndatasets:\n';
  const middle = 'dataset_prepared_path: last_run_prepared\nval_set_size: 0.02\noutput_dir: ./outputs/qlora-mix-out\n';
  const budget = targetLines - count(head) - count(middle) - count(tail);
  const items: string[] = [];
  let used = 0;
  for (let i = 0; used < budget; i++) {
    const item = datasetItem(i, rnd);
    items.push(item);
    used += count(item) + 1;
  }
  return fixture('axolotl-3000', 'bench-axolotl-3000.yaml', head + items.join('\n') + '\n' + middle + tail);
}

function count(s: string): number {
  return s.split('\n').length - 1;
}

function fixture(name: string, fileName: string, text: string): Fixture {
  return { name, fileName, text, lines: count(text), plantedMistakes: MISTAKES };
}

/**
 * A one-token edit that keeps the line count: the `seed:` value becomes `n`. Every call with a new `n` gives new
 * content, so no cache keyed on URI, version or text can answer without validating.
 */
export function withSeed(text: string, n: number): string {
  const out = text.replace(/^seed: \d+$/m, `seed: ${n}`);
  if (out === text && !/^seed: \d+$/m.test(text)) throw new Error('fixture has no `seed:` line to edit');
  return out;
}

/**
 * The worst case for incremental parsing: the edit lands inside the largest top-level block (`datasets:`),
 * so that block is parsed again on every keystroke. The first `split: train[:NN%]` of a dataset item changes.
 */
export function withDatasetEdit(text: string, n: number): string {
  const out = text.replace(/^( {4}split: train\[:)\d+(%\])$/m, `$1${n % 100}$2`);
  if (out === text && !/^ {4}split: train\[:\d+%\]$/m.test(text)) throw new Error('fixture has no dataset `split:` line to edit');
  return out;
}

/** The large fixture, edited inside its 2,000-line `datasets:` block. */
export function largeAxolotlDatasetEdit(): Fixture {
  return { ...largeAxolotl(), name: 'axolotl-3000/datasets', fileName: 'axolotl-3000-datasets.yml', edit: withDatasetEdit };
}
