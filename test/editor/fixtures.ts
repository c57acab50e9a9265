/** Workspace files shared by the editor test and the activation benchmark. */

/** A small QLoRA config in the shape of Axolotl's examples/llama-3/qlora-1b.yml, with one misspelt key. */
export const QLORA_YML = `base_model: NousResearch/Llama-3.2-1B
model_type: AutoModelForCausalLM
tokenizer_type: AutoTokenizer

load_in_8bit: false
load_in_4bit: true

datasets:
  - path: mhenrichsen/alpaca_2k_test
    type: alpaca
dataset_prepared_path: last_run_prepared
val_set_size: 0.1
output_dir: ./outputs/qlora-out

adapter: qlora
lora_r: 32
lora_alpha: 16
lora_dropuot: 0.05
lora_target_linear: true

sequence_len: 2048
sample_packing: true
pad_to_sequence_len: true

gradient_accumulation_steps: 4
micro_batch_size: 2
num_epochs: 1
optimizer: paged_adamw_8bit
lr_scheduler: cosine
learning_rate: 0.0002

bf16: auto
gradient_checkpointing: true
logging_steps: 1
warmup_steps: 10
saves_per_epoch: 1
`;

/** A LoRA config whose estimate gets all three verdicts on the representative GPUs: ✗ RTX 3060, ⚠ RTX 3090 (the
 *  estimate fits, its bound does not), ✓ A100 80GB. */
export const TIGHT_YML = `base_model: NousResearch/Llama-3.2-1B
adapter: lora
lora_r: 16
lora_alpha: 32
lora_target_linear: true
datasets:
  - path: mhenrichsen/alpaca_2k_test
    type: alpaca
output_dir: ./outputs/lora-out
sequence_len: 3072
micro_batch_size: 1
gradient_accumulation_steps: 4
learning_rate: 0.0002
bf16: auto
gradient_checkpointing: false
`;

export const TYPO_KEY = 'lora_dropuot';
export const FIXED_KEY = 'lora_dropout';

/** 1-based line of the misspelt key in QLORA_YML. */
export const TYPO_LINE = QLORA_YML.split('\n').findIndex((l) => l.startsWith(`${TYPO_KEY}:`)) + 1;
