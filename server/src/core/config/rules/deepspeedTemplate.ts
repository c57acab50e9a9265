/**
 * A DeepSpeed JSON for the Hugging Face integration: every batch and precision value "auto", so that the training
 * config stays the one source of truth (the HF integration fills "auto" from TrainingArguments).
 */
export function deepspeedTemplate(stage: 2 | 3, offload: 'none' | 'optimizer' | 'all' = 'none'): string {
  const device = '{ "device": "cpu", "pin_memory": true }';
  const zero = [
    `"stage": ${stage}`,
    ...(offload !== 'none' ? [`"offload_optimizer": ${device}`] : []),
    ...(offload === 'all' && stage === 3 ? [`"offload_param": ${device}`] : []),
    '"overlap_comm": true',
    '"contiguous_gradients": true',
    '"reduce_bucket_size": "auto"',
    ...(stage === 3
      ? ['"stage3_prefetch_bucket_size": "auto"', '"stage3_param_persistence_threshold": "auto"', '"stage3_gather_16bit_weights_on_model_save": true']
      : []),
  ];
  return `{
  "zero_optimization": {
${zero.map((l) => `    ${l}`).join(',\n')}
  },
  "bf16": { "enabled": "auto" },
  "fp16": { "enabled": "auto" },
  "gradient_accumulation_steps": "auto",
  "gradient_clipping": "auto",
  "train_batch_size": "auto",
  "train_micro_batch_size_per_gpu": "auto"
}
`;
}
