/**
 * Every diagnostic code the config engine emits. Codes are stable: tools, docs/rules.md and users' suppressions
 * depend on them. Add new codes at the end of a block; never reuse a retired one.
 */
export const CODES = {
  syntax: 'FT001',
  duplicateKey: 'FT002',
  notValidated: 'FT003',
  aliasBomb: 'FT004',
  multipleDocuments: 'FT005',
  unsafeTag: 'FT006',
  tooManyProblems: 'FT007',
  unknownKey: 'FT101',
  wrongType: 'FT102',
  notAllowed: 'FT103',
  outOfRange: 'FT104',
  missingRequired: 'FT105',
  emptyValue: 'FT106',
  renamedKey: 'FT107',
  pluginNotEnabled: 'FT108',
  schemaConstraint: 'FT109',
  deprecatedKey: 'FT110',
  tooNew: 'FT111',
  scriptKeys: 'FT112',
  qloraWithout4bit: 'FT201',
  fourAndEightBit: 'FT202',
  quantizedFullFinetune: 'FT203',
  packingAttention: 'FT204',
  bf16Hardware: 'FT205',
  fp16AndBf16: 'FT206',
  deepspeedAndFsdp: 'FT207',
  deepspeedBatchMismatch: 'FT208',
  deepspeedScheduler: 'FT209',
  missingLinkedFile: 'FT210',
  newTokensWithLora: 'FT211',
  specialTokenNotTheModels: 'FT212',
  chatTemplateFamily: 'FT213',
  distillationFamilies: 'FT214',
  distillationRange: 'FT215',
  acceleratePluginConflict: 'FT216',
  vramExceeds: 'FT401',
  vramUnknownModel: 'FT402',
  vramOomLastRun: 'FT403',
  vramTight: 'FT404',
} as const;

export type Code = (typeof CODES)[keyof typeof CODES];

/** One line per code, for SARIF rule metadata and `ftw` help; docs/rules.md explains each at length. */
export const CODE_TITLES: Record<Code, string> = {
  FT001: 'Syntax error (YAML as PyYAML reads it, or strict JSON)',
  FT002: 'Duplicate key',
  FT003: 'File not validated (too large or too deeply nested)',
  FT004: 'YAML alias or merge-key expansion too large (alias bomb)',
  FT005: 'More than one YAML document in a config file',
  FT006: 'YAML tag that yaml.safe_load refuses (!!python/...)',
  FT007: 'More problems than are shown (at most 200 per file)',
  FT101: 'Unknown key (with "did you mean")',
  FT102: 'Value of the wrong type',
  FT103: 'Value not among the allowed values',
  FT104: 'Number out of range',
  FT105: 'Required key missing',
  FT106: 'Empty value where one is required',
  FT107: 'Renamed or removed key',
  FT108: 'Plugin key without its plugin enabled',
  FT109: 'Other schema constraint',
  FT110: 'Deprecated key',
  FT111: 'Key newer than the tool version the project uses',
  FT112: 'Keys only a recipe script of its own reads (open-r1, alignment-handbook)',
  FT201: 'QLoRA without 4-bit loading',
  FT202: '4-bit and 8-bit loading together',
  FT203: 'Quantized base model without an adapter',
  FT204: 'Sample packing with attention that mixes samples',
  FT205: 'bf16 on a GPU older than Ampere',
  FT206: 'fp16 and bf16 both on',
  FT207: 'DeepSpeed and FSDP together',
  FT208: 'DeepSpeed batch sizes disagree with the training config',
  FT209: 'DeepSpeed scheduler overrides the training config',
  FT210: 'Referenced config file not found or not a regular file',
  FT211: 'New tokens with LoRA without training the embeddings',
  FT212: 'eos/bos override that is not a special token of the model',
  FT213: 'Chat template of another model family',
  FT214: 'Distillation between different tokenizers',
  FT215: 'Distillation temperature or ratio out of range',
  FT216: 'Accelerate deepspeed_config_file with inline DeepSpeed settings',
  FT401: 'Estimated GPU memory exceeds the target GPU',
  FT402: 'No VRAM estimate: the model is unknown',
  FT403: 'CUDA out of memory in the last run',
  FT404: 'Tight fit: the estimate fits the target GPU, its bound does not',
};

export const SOURCE = 'finetune';

/** Link shown next to the code in the Problems panel. */
export function codeDescriptionUrl(code: string): string {
  return `https://github.com/finetune-workbench/finetune-workbench/blob/main/docs/rules.md#${code.toLowerCase()}`;
}
