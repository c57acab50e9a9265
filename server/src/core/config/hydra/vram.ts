import type { ValuePath } from '../ast';
import { isDeferred, lookupCallable, shortName, type CallableTable } from './callables';

/**
 * VRAM hints for a Hydra config: its TrainingArguments (or TRL config) block, a model name the estimator can look up,
 * and the PEFT and bitsandbytes blocks beside them, seen as the flat TrainingArguments file the estimator's
 * `hf-args`/`trl` adapters read. Every key of that view remembers where it is in the Hydra file, so hints, hover
 * and fixes land on the real keys.
 */
export interface TrainingView {
  format: 'hf-args' | 'trl';
  value: Record<string, unknown>;
  /** View key → its path in the Hydra file. */
  paths: Map<string, ValuePath>;
}

type Obj = Record<string, unknown>;
const MAX_NODES = 5000;
/** Where Hydra configs name the model: `from_pretrained` blocks first, then keys training scripts commonly read. */
const MODEL_KEYS = ['pretrained_model_name_or_path', 'model_name_or_path', 'base_model', 'model_name', 'model_id'];
const TRL_CONFIGS = new Set(['SFTConfig', 'DPOConfig', 'GRPOConfig', 'KTOConfig', 'RewardConfig', 'RLOOConfig']);

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A Hugging Face id or a local path: what `from_pretrained` takes. */
function modelName(v: unknown): string | undefined {
  return typeof v === 'string' && !isDeferred(v) && /^[\w.-]+\/[\w.-]+$/.test(v.trim()) ? v.trim() : undefined;
}

export function trainingView(root: unknown, table: CallableTable): TrainingView | undefined {
  let args: { obj: Obj; path: ValuePath; format: TrainingView['format'] } | undefined;
  let lora: { obj: Obj; path: ValuePath } | undefined;
  let bnb: { obj: Obj; path: ValuePath } | undefined;
  const models: Array<{ name: string; path: ValuePath; rank: number; block?: Obj; blockPath?: ValuePath }> = [];
  const stack: Array<[unknown, ValuePath]> = [[root, []]];
  for (let seen = 0; stack.length && seen < MAX_NODES; seen++) {
    const [node, path] = stack.pop()!;
    if (Array.isArray(node)) node.forEach((v, i) => stack.push([v, [...path, i]]));
    if (!isObj(node)) continue;
    const target = typeof node['_target_'] === 'string' ? node['_target_'].trim() : undefined;
    const known = target ? lookupCallable(table, target) : undefined;
    const cls = known ? shortName(known.name) : undefined;
    if (known && !args && (cls === 'TrainingArguments' || cls === 'Seq2SeqTrainingArguments')) args = { obj: node, path, format: 'hf-args' };
    else if (known && !args && known.info.package === 'trl' && TRL_CONFIGS.has(cls!)) args = { obj: node, path, format: 'trl' };
    else if (known?.name === 'peft.LoraConfig' && !lora) lora = { obj: node, path };
    else if (known?.name === 'transformers.BitsAndBytesConfig' && !bnb) bnb = { obj: node, path };
    for (const key of MODEL_KEYS) {
      const name = modelName(node[key]);
      if (name)
        models.push({ name, path: [...path, key], rank: target?.endsWith('.from_pretrained') ? 0 : 1 + MODEL_KEYS.indexOf(key), block: node, blockPath: path });
    }
    for (const [k, v] of Object.entries(node)) if (typeof v === 'object' && v !== null) stack.push([v, [...path, k]]);
  }
  if (!args || !models.length) return undefined;
  models.sort((a, b) => a.rank - b.rank);
  const model = models[0];
  const value: Obj = {};
  const paths = new Map<string, ValuePath>();
  const put = (key: string, v: unknown, path: ValuePath) => {
    if (v === undefined || v === null || isDeferred(v)) return;
    value[key] = v;
    paths.set(key, path);
  };
  for (const [k, v] of Object.entries(args.obj)) if (!/^_\w+_$/.test(k)) put(k, v, [...args.path, k]);
  put('model_name_or_path', model.name, model.path);
  for (const key of ['torch_dtype', 'dtype', 'attn_implementation']) if (model.block && model.blockPath) put(key, model.block[key], [...model.blockPath, key]);
  if (lora) {
    put('use_peft', true, [...lora.path, '_target_']);
    put('lora_r', lora.obj['r'], [...lora.path, 'r']);
    put('lora_alpha', lora.obj['lora_alpha'], [...lora.path, 'lora_alpha']);
    put('lora_target_modules', lora.obj['target_modules'], [...lora.path, 'target_modules']);
    put('lora_modules_to_save', lora.obj['modules_to_save'], [...lora.path, 'modules_to_save']);
  }
  if (bnb) {
    for (const key of ['load_in_4bit', 'load_in_8bit', 'bnb_4bit_quant_type']) put(key, bnb.obj[key], [...bnb.path, key]);
    put('use_bnb_nested_quant', bnb.obj['bnb_4bit_use_double_quant'], [...bnb.path, 'bnb_4bit_use_double_quant']);
  }
  return { format: args.format, value, paths };
}
