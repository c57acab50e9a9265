import { FORMATS, isFormatId, type FormatId } from '../common/formats';
import { matchesGlob } from './glob';
import { hasOwn, own } from './own';
import { detectHydra, hasTarget } from './hydra/detect';
import type { FileAccess } from './rules/types';

export type DetectionSource = 'override' | 'modeline' | 'setting' | 'link' | 'content' | 'path' | 'none';

export interface Detection {
  format: FormatId;
  source: DetectionSource;
  /** One sentence for the status bar tooltip and `ftw detect --explain`. */
  reason: string;
}

export interface DetectionInput {
  /** File system path or URI path; used for path hints and glob settings. */
  path: string;
  text: string;
  /** The loaded value, when the caller has parsed the text already. */
  value: unknown;
  /** `finetune.formatAssociations`: glob -> format. Globs are matched against `relativePath` when given. */
  associations?: Record<string, string>;
  relativePath?: string;
  /** The user's explicit choice for this file (status bar switcher). */
  override?: FormatId | null;
  /** Set when another config references this file, e.g. `deepspeed: ds_config.json` in an Axolotl config. */
  linkedAs?: FormatId | null;
  /** Set when the tools would refuse the text (a syntax error): its name and folder are then enough to tell. */
  unloaded?: boolean;
  /** Reads the files next to it: a Hydra `defaults:` list is recognised by the config-group files it names. */
  files?: FileAccess;
}

const MODELINE = /^\s*#\s*ftw:\s*format\s*=\s*([\w-]+)/m;
const SCHEMA_MODELINE = /^\s*#\s*yaml-language-server:\s*\$schema=(\S+)/m;

/** Detection order of DESIGN §3: override, modeline, setting, links, content, path hints. */
export function detectFormat(input: DetectionInput): Detection {
  if (input.override) return { format: input.override, source: 'override', reason: `Chosen for this file (${label(input.override)}).` };

  const lower = input.path.toLowerCase();
  if (lower.endsWith('.py')) return detectPython(input.text);

  const head = input.text.slice(0, 4096);
  const ours = MODELINE.exec(head);
  if (ours && isFormatId(ours[1])) return { format: ours[1], source: 'modeline', reason: `The modeline "# ftw: format=${ours[1]}" says so.` };
  const schemaUrl = SCHEMA_MODELINE.exec(head)?.[1] ?? jsonSchemaKey(input.value);
  if (schemaUrl) {
    const format = formatFromSchemaUrl(schemaUrl);
    return format
      ? { format, source: 'modeline', reason: `Its $schema points to the ${label(format)} schema.` }
      : { format: 'none', source: 'modeline', reason: `Its $schema (${schemaUrl}) names another schema.` };
  }

  for (const [glob, format] of Object.entries(input.associations ?? {})) {
    if (isFormatId(format) && (matchesGlob(glob, input.relativePath ?? input.path) || matchesGlob(glob, input.path))) {
      return { format, source: 'setting', reason: `finetune.formatAssociations maps "${glob}" to ${label(format)}.` };
    }
  }

  if (input.linkedAs) return { format: input.linkedAs, source: 'link', reason: `Another config references this file as its ${label(input.linkedAs)} config.` };

  const scored = scoreContent(input.value, input.text);
  // LightningCLI refuses `_target_` (jsonargparse): a `trainer:` section with `_target_` blocks is a Hydra config.
  if (scored?.format === 'lightning-cli' && hasTarget(input.value))
    return { format: 'hydra', source: 'content', reason: 'It has `_target_` blocks, as hydra.utils.instantiate reads them (LightningCLI would refuse them).' };
  if (scored) return scored;

  const hinted = pathHint(lower, input.value, input.unloaded ?? false);
  if (hinted) return hinted;
  // Last, so that no other format's detection changes: `_target_` blocks or a defaults list with group files.
  const hydra = detectHydra(input.value, input.path, input.files, input.unloaded ? { text: input.text } : undefined);
  if (hydra) return { format: 'hydra', source: 'content', reason: hydra };
  return { format: 'none', source: 'none', reason: 'Not recognised as a fine-tuning config.' };
}

function label(format: FormatId): string {
  return FORMATS[format].label;
}

function jsonSchemaKey(value: unknown): string | undefined {
  const v = isObject(value) ? value['$schema'] : undefined;
  return typeof v === 'string' ? v : undefined;
}

function formatFromSchemaUrl(url: string): FormatId | null {
  const name = /([\w-]+)\.schema\.json$/.exec(url)?.[1];
  return name && isFormatId(name) && FORMATS[name].schema ? name : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function detectPython(text: string): Detection {
  return /^\s*(?:from|import)\s+(?:pytorch_lightning|lightning)\b/m.test(text)
    ? { format: 'python-lightning', source: 'content', reason: 'It imports Lightning.' }
    : { format: 'none', source: 'none', reason: 'A Python file that does not import Lightning.' };
}

// Key sets from ../shared/research/config-formats.md §3.7, 4.7, 5.7, 6.7, 7.6, 8.6, 9.6.
const AXOLOTL_SUPPORT = [
  'datasets',
  'micro_batch_size',
  'sequence_len',
  'num_epochs',
  'val_set_size',
  'dataset_prepared_path',
  'adapter',
  'lora_r',
  'sample_packing',
  'special_tokens',
  'gradient_accumulation_steps',
  'output_dir',
  'learning_rate',
];
/** Keys only Axolotl uses: enough of them mark a config whose `base_model` is not written yet. */
const AXOLOTL_ONLY = [
  'micro_batch_size',
  'sequence_len',
  'num_epochs',
  'val_set_size',
  'dataset_prepared_path',
  'lora_target_linear',
  'sample_packing',
  'pad_to_sequence_len',
  'lora_r',
  'lora_model_dir',
  'eval_sample_packing',
  'load_in_4bit',
  'special_tokens',
  'wandb_project',
];
const LLAMAFACTORY_MARKERS = ['stage', 'finetuning_type', 'template', 'cutoff_len', 'lora_target', 'dataset_dir', 'preprocessing_num_workers'];
// ClusterConfig and SageMakerConfig top-level keys (reference/accelerate.tsv); Accelerate refuses any other.
const ACCELERATE_KEYS = [
  'compute_environment',
  'distributed_type',
  'mixed_precision',
  'use_cpu',
  'debug',
  'num_processes',
  'machine_rank',
  'num_machines',
  'gpu_ids',
  'main_process_ip',
  'main_process_port',
  'rdzv_backend',
  'same_network',
  'main_training_function',
  'enable_cpu_affinity',
  'fp8_config',
  'deepspeed_config',
  'fsdp_config',
  'parallelism_config',
  'megatron_lm_config',
  'mpirun_config',
  'downcast_bf16',
  'tpu_name',
  'tpu_zone',
  'tpu_use_cluster',
  'tpu_use_sudo',
  'command_file',
  'commands',
  'tpu_vm',
  'tpu_env',
  'dynamo_config',
  'ec2_instance_type',
  'iam_role_name',
  'image_uri',
  'profile',
  'region',
  'base_job_name',
  'pytorch_version',
  'transformers_version',
  'py_version',
  'sagemaker_inputs_file',
  'sagemaker_metrics_file',
  'additional_args',
  'fp16',
  'dynamo_backend',
  'ipex_config',
  'tp_config',
];
const LLAMAFACTORY_COMPANIONS = ['template', 'adapter_name_or_path', 'export_dir', 'infer_backend', 'finetuning_type', 'dataset_dir'];
const DEEPSPEED_KEYS = [
  'zero_optimization',
  'train_micro_batch_size_per_gpu',
  'train_batch_size',
  'gradient_accumulation_steps',
  'gradient_clipping',
  'steps_per_print',
  'wall_clock_breakdown',
  'zero_allow_untested_optimizer',
  'fp16',
  'bf16',
  'optimizer',
  'scheduler',
  'activation_checkpointing',
  'communication_data_type',
  'prescale_gradients',
  'aio',
  'flops_profiler',
];
const LIGHTNING_KEYS = [
  'trainer',
  'model',
  'data',
  'optimizer',
  'lr_scheduler',
  'ckpt_path',
  'seed_everything',
  'fit',
  'validate',
  'test',
  'predict',
  'config',
];
const TRAINING_ARGS = [
  'output_dir',
  'per_device_train_batch_size',
  'per_device_eval_batch_size',
  'learning_rate',
  'num_train_epochs',
  'max_steps',
  'gradient_accumulation_steps',
  'logging_steps',
  'save_steps',
  'eval_strategy',
  'save_strategy',
  'bf16',
  'fp16',
  'warmup_ratio',
  'warmup_steps',
  'lr_scheduler_type',
  'gradient_checkpointing',
  'report_to',
  'weight_decay',
  'optim',
  'seed',
];

function count(keys: Set<string>, list: string[]): number {
  let n = 0;
  for (const k of list) if (keys.has(k)) n++;
  return n;
}

function isClassPath(v: unknown): boolean {
  return isObject(v) && typeof v['class_path'] === 'string';
}

function hasEnabledSection(value: Record<string, unknown>): boolean {
  return ['fp16', 'bf16', 'bfloat16'].some((k) => isObject(value[k]) && 'enabled' in (value[k] as object));
}

function hasTypedSection(value: Record<string, unknown>): boolean {
  return ['optimizer', 'scheduler'].some((k) => isObject(value[k]) && 'type' in (value[k] as object) && 'params' in (value[k] as object));
}

/**
 * Token vocabularies (`vocab.json`: token -> id), id maps and catalogues (`dataset_info.json`: name -> entry) are
 * maps of data, not configs: their keys are data, so a token such as `template` or `stage` says nothing. Real
 * configs have at most a few dozen top-level keys (58 in the largest of the corpus), all of a config's kinds.
 */
export function dataMapReason(value: unknown): string | null {
  if (!isObject(value)) return null;
  let keys = 0;
  let numbers = 0;
  let mappings = 0;
  for (const k in value) {
    if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
    keys++;
    const v = value[k];
    if (typeof v === 'number') numbers++;
    else if (isObject(v)) mappings++;
  }
  if (keys > MAX_CONFIG_KEYS) return `A map of ${keys} keys is data (a vocabulary, a catalogue), not a config.`;
  if (keys >= 32 && numbers === keys) return `A map of ${keys} names to numbers is data (a vocabulary or an id map), not a config.`;
  if (keys >= 64 && mappings === keys) return `A map of ${keys} entries is a catalogue of data, not a config.`;
  return null;
}

/** More top-level keys than any config has: the file is data. */
const MAX_CONFIG_KEYS = 256;

const TOP_LEVEL_KEY_LINE = /^(?:"[^"\n]*"|'[^'\n]*'|[^\s#\-?:{}\[\]'"|>!&*%@`][^\n:]*?)[ \t]*:(?:[ \t]|$)/gm;

/**
 * For YAML too large to parse quickly: more lines of the form `key: ...` at column 0 than any config has keys (a
 * vocabulary written as YAML). Counted without parsing; stops as soon as the answer is known.
 */
export function yamlDataMapReason(text: string): string | null {
  TOP_LEVEL_KEY_LINE.lastIndex = 0;
  let keys = 0;
  while (TOP_LEVEL_KEY_LINE.exec(text)) if (++keys > MAX_CONFIG_KEYS) return `More than ${MAX_CONFIG_KEYS} top-level keys: a map of data, not a config.`;
  return null;
}

function scoreContent(value: unknown, text: string): Detection | null {
  if (!isObject(value)) return null;
  const data = dataMapReason(value);
  if (data) return { format: 'none', source: 'none', reason: data };
  const keys = new Set(Object.keys(value));
  if (keys.size === 0) return null;
  const found = (format: FormatId, reason: string): Detection => ({ format, source: 'content', reason });

  if (Object.values(value).some((v) => isObject(v) && '_component_' in v)) return found('torchtune', 'A top-level value is a `_component_` builder.');
  // One stray key (a typo being typed) must not make the file stop being recognised.
  if (keys.has('distributed_type') && (count(keys, ACCELERATE_KEYS) >= 3 || keys.size - count(keys, ACCELERATE_KEYS) <= 1))
    return found('accelerate', 'It has `distributed_type` and `accelerate config` keys.');
  if (typeof value['base_model'] === 'string' && count(keys, AXOLOTL_SUPPORT) >= 1)
    return found('axolotl', 'It has a top-level `base_model` with Axolotl keys.');
  if (!keys.has('base_model') && !keys.has('model_name_or_path') && count(keys, AXOLOTL_ONLY) >= 3)
    return found('axolotl', 'It has Axolotl keys (`micro_batch_size`, `sequence_len`, ...), though no `base_model` yet.');
  const dsScore = count(keys, DEEPSPEED_KEYS);
  if ((keys.has('zero_optimization') || keys.has('train_micro_batch_size_per_gpu')) && dsScore >= 2)
    return found('deepspeed', 'It has `zero_optimization` or `train_micro_batch_size_per_gpu`.');
  if ((hasEnabledSection(value) || hasTypedSection(value)) && dsScore >= 2 && !keys.has('model_name_or_path'))
    return found('deepspeed', 'It has DeepSpeed precision or optimizer sections.');
  if (typeof value['model'] === 'string' && (keys.has('model_class') || keys.has('peft_config') || keys.has('dist_config')))
    return found('llamafactory', 'It has LLaMA-Factory v1 keys (`model` with `peft_config`/`dist_config`).');
  const lf = count(keys, LLAMAFACTORY_MARKERS);
  if (
    lf >= 2 ||
    (keys.has('model_name_or_path') && (keys.has('lora_rank') || typeof value['lora_target'] === 'string' || count(keys, LLAMAFACTORY_COMPANIONS) >= 1))
  )
    return found('llamafactory', 'It has LLaMA-Factory keys (`stage`, `finetuning_type`, `template`, `cutoff_len`).');
  const strayLightning = keys.size - count(keys, LIGHTNING_KEYS);
  if (isObject(value['trainer']) && strayLightning <= (keys.size > 2 ? 1 : 0))
    return found('lightning-cli', 'It has a `trainer` section and LightningCLI top-level keys.');
  if ([...keys].some((k) => isClassPath(value[k])) && count(keys, LIGHTNING_KEYS) >= 1 && strayLightning <= 1)
    return found('lightning-cli', 'Its `model`/`data` are `class_path`/`init_args` entries, as LightningCLI reads them.');
  if (/^#\s*lightning\.pytorch==/m.test(text.slice(0, 2048))) return found('lightning-cli', 'It starts with the header LightningCLI writes.');
  const hasDataset =
    keys.has('dataset_name') ||
    keys.has('dataset_mixture') ||
    keys.has('dataset_mixer') ||
    (Array.isArray(value['datasets']) && value['datasets'].some((d) => isObject(d) && 'path' in d));
  if (keys.has('model_name_or_path') && hasDataset) return found('trl', 'It has `model_name_or_path` and a dataset, as TRL scripts read them.');
  if (keys.has('output_dir') && count(keys, TRAINING_ARGS) >= 4) return found('hf-args', 'It has Hugging Face TrainingArguments keys.');
  return null;
}

function pathHint(lowerPath: string, value: unknown, unloaded: boolean): Detection | null {
  const keys = new Set(isObject(value) ? Object.keys(value) : []);
  if (!unloaded && !keys.size) return null;
  const name = lowerPath.slice(lowerPath.lastIndexOf('/') + 1);
  const dsName = /^(ds_config|ds_z\d|zero\d|zero_stage|deepspeed)[^/]*\.json$/.test(name) || /\/deepspeed(_configs|_config_templates)?\//.test(lowerPath);
  // A file the tools cannot load is judged by its name and folder alone, so that its syntax error is reported.
  if (dsName && (unloaded || count(keys, DEEPSPEED_KEYS) >= 1))
    return {
      format: 'deepspeed',
      source: 'path',
      reason: unloaded ? 'Its name looks like a DeepSpeed config (it does not load, so its name decides).' : 'Its name and keys look like a DeepSpeed config.',
    };
  if (/\/accelerate_configs\//.test(lowerPath) && (unloaded || count(keys, ACCELERATE_KEYS) >= 2))
    return {
      format: 'accelerate',
      source: 'path',
      reason: unloaded
        ? 'It lives in accelerate_configs/ (it does not load, so its folder decides).'
        : 'It lives in accelerate_configs/ and has Accelerate keys.',
    };
  return null;
}

/**
 * A LLaMA-Factory v1 config (src/llamafactory/v1, run with USE_V1=1): v1's ModelArguments names the model `model`,
 * v0's `model_name_or_path`, and each refuses the other's key. A file with both is judged as v0.
 */
export function isLlamaFactoryV1(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return typeof own(value as Record<string, unknown>, 'model') === 'string' && !hasOwn(value, 'model_name_or_path');
}
