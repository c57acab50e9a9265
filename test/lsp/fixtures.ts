/** An Axolotl LoRA config of a 1B model at micro batch 2 × 2048: about 18 GiB, too much for a 12 GB RTX 3060. */
export const LORA_1B = [
  'base_model: NousResearch/Llama-3.2-1B',
  'adapter: lora',
  'lora_r: 8',
  'lora_alpha: 16',
  'lora_target_modules: [q_proj, v_proj]',
  'sequence_len: 2048',
  'micro_batch_size: 2',
  'gradient_accumulation_steps: 2',
  'bf16: true',
  'learning_rate: 0.0002',
  'datasets:',
  '  - path: tatsu-lab/alpaca',
  '    type: alpaca',
  'output_dir: ./out',
].join('\n');
