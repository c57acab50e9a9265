/** The config formats the workbench recognises, with the facts each part of the core needs about them. */
export type FormatId =
  | 'axolotl'
  | 'llamafactory'
  | 'trl'
  | 'torchtune'
  | 'lightning-cli'
  | 'accelerate'
  | 'deepspeed'
  | 'hf-args'
  | 'hydra'
  | 'python-lightning'
  | 'none';

export interface FormatInfo {
  id: FormatId;
  /** Shown in the status bar and messages. */
  label: string;
  /** The program that reads the file; messages say what *it* does with a problem. */
  tool: string;
  /** Whether a bundled JSON Schema validates it (others are detected and shown, and validated in later versions). */
  schema?: string;
  /** PyYAML-style YAML (1.1) or JSON. */
  syntax: 'yaml' | 'json' | 'python' | 'any';
  /** What the tool does with duplicate keys. */
  duplicateKeys: 'last-wins' | 'rejected';
}

export const FORMATS: Record<FormatId, FormatInfo> = {
  axolotl: { id: 'axolotl', label: 'Axolotl', tool: 'Axolotl', schema: 'axolotl', syntax: 'yaml', duplicateKeys: 'last-wins' },
  deepspeed: { id: 'deepspeed', label: 'DeepSpeed', tool: 'DeepSpeed', schema: 'deepspeed', syntax: 'any', duplicateKeys: 'rejected' },
  llamafactory: { id: 'llamafactory', label: 'LLaMA-Factory', tool: 'LLaMA-Factory', schema: 'llamafactory', syntax: 'any', duplicateKeys: 'last-wins' },
  trl: { id: 'trl', label: 'TRL', tool: 'TRL', schema: 'trl', syntax: 'yaml', duplicateKeys: 'last-wins' },
  torchtune: { id: 'torchtune', label: 'torchtune', tool: 'torchtune', schema: 'torchtune', syntax: 'yaml', duplicateKeys: 'last-wins' },
  'lightning-cli': { id: 'lightning-cli', label: 'Lightning CLI', tool: 'LightningCLI', schema: 'lightning-cli', syntax: 'yaml', duplicateKeys: 'last-wins' },
  accelerate: { id: 'accelerate', label: 'Accelerate', tool: 'Accelerate', schema: 'accelerate', syntax: 'any', duplicateKeys: 'last-wins' },
  'hf-args': { id: 'hf-args', label: 'HF TrainingArguments', tool: 'HfArgumentParser', schema: 'hf-args', syntax: 'any', duplicateKeys: 'last-wins' },
  // Checked by hydra/ against the callables its `_target_` blocks name (schemas/hydra.schema.json), not by one schema.
  hydra: { id: 'hydra', label: 'Hydra / OmegaConf', tool: 'Hydra', syntax: 'yaml', duplicateKeys: 'last-wins' },
  'python-lightning': { id: 'python-lightning', label: 'Lightning (Python)', tool: 'Lightning', syntax: 'python', duplicateKeys: 'last-wins' },
  none: { id: 'none', label: 'Not a fine-tuning config', tool: '', syntax: 'any', duplicateKeys: 'last-wins' },
};

export const CONFIG_FORMAT_IDS = Object.keys(FORMATS).filter((f) => f !== 'python-lightning') as FormatId[];

export function isFormatId(value: unknown): value is FormatId {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(FORMATS, value);
}
