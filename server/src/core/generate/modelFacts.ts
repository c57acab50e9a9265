/**
 * What the generator needs to know about a base model beyond its dimensions: its context length, whether it is an
 * instruct/chat variant, the LLaMA-Factory and Axolotl template names for it, torchtune's builder for it, and a
 * teacher for distillation (same tokenizer, more parameters).
 */
import { catalogModel, MODEL_CATALOG, type ModelDims, type ModelLookup, resolveModel } from '../vram';

/** Context lengths of families shorter than the 2048 tokens the generator starts from. */
const SHORT_CONTEXT: Array<[RegExp, number]> = [
  [/bert|roberta|deberta|electra|(^|\/)t5|flan-t5|mt0|t0_/i, 512],
  [/gpt2|phi-1/i, 1024],
];

export function contextLength(id: string): number | undefined {
  for (const [re, n] of SHORT_CONTEXT) if (re.test(id)) return n;
  return undefined;
}

export function isInstruct(id: string): boolean {
  return /instruct|chat|-it\b|(^|\/)qwen3-\d+(\.\d+)?b$/i.test(id);
}

export function family(id: string): 'llama3' | 'llama2' | 'qwen2' | 'qwen3' | 'mistral' | 'gemma' | 'other' {
  const s = id.toLowerCase();
  if (/llama-?3/.test(s)) return 'llama3';
  if (/llama-?2/.test(s)) return 'llama2';
  if (/qwen3/.test(s)) return 'qwen3';
  if (/qwen2/.test(s) || /deepseek-r1-distill-qwen/.test(s)) return 'qwen2';
  if (/mistral/.test(s)) return 'mistral';
  if (/gemma/.test(s)) return 'gemma';
  return 'other';
}

/** LLaMA-Factory `template`: the model's own chat template for instruct models, `alpaca` for base models. */
export function llamafactoryTemplate(id: string): { template: string; why: string } {
  if (!isInstruct(id))
    return {
      template: 'alpaca',
      why: 'a base model has no chat template of its own: the Alpaca prompt template (### Instruction / ### Response) works with any tokenizer',
    };
  const byFamily: Record<string, string> = { llama3: 'llama3', llama2: 'llama2', qwen2: 'qwen', qwen3: 'qwen3', mistral: 'mistral', gemma: 'gemma' };
  const t = byFamily[family(id)];
  return t
    ? { template: t, why: `the chat template ${id} was instruction-tuned with` }
    : { template: 'alpaca', why: 'no LLaMA-Factory template is known for this model: the Alpaca prompt template works with any tokenizer' };
}

/** Axolotl `chat_template` for chat-formatted datasets (the KD dataset). */
export function axolotlChatTemplate(id: string): string {
  const f = family(id);
  if (f === 'llama3') return 'llama3';
  if (f === 'qwen2') return 'qwen_25';
  if (f === 'qwen3') return 'qwen3';
  if (f === 'gemma') return 'gemma';
  return 'tokenizer_default';
}

export interface TorchtuneModel {
  /** `torchtune.models.<module>` */
  module: string;
  /** Full-model builder name; `lora_<builder>` and `qlora_<builder>` are the PEFT builders. */
  builder: string;
  tokenizer: { component: string; files: 'tokenizer.model' | 'original/tokenizer.model' | 'vocab+merges' };
  modelType: string;
  shards: number;
  /** Hugging Face id whose files the checkpointer reads. */
  hfId: string;
}

/** torchtune builders by Hugging Face id (lower case), from torchtune's shipped configs. */
const TORCHTUNE: Record<string, TorchtuneModel> = {};
function tt(ids: string[], module: string, builder: string, tokenizer: TorchtuneModel['tokenizer'], modelType: string, shards: number): void {
  for (const id of ids) TORCHTUNE[id.toLowerCase()] = { module, builder, tokenizer, modelType, shards, hfId: id };
}
const LLAMA3_TOK = { component: 'torchtune.models.llama3.llama3_tokenizer', files: 'original/tokenizer.model' } as const;
const QWEN25_TOK = { component: 'torchtune.models.qwen2_5.qwen2_5_tokenizer', files: 'vocab+merges' } as const;
tt(
  ['meta-llama/Llama-3.2-1B', 'meta-llama/Llama-3.2-1B-Instruct', 'NousResearch/Llama-3.2-1B', 'unsloth/Llama-3.2-1B', 'unsloth/Llama-3.2-1B-Instruct'],
  'llama3_2',
  'llama3_2_1b',
  LLAMA3_TOK,
  'LLAMA3_2',
  1,
);
tt(
  ['meta-llama/Llama-3.2-3B', 'meta-llama/Llama-3.2-3B-Instruct', 'unsloth/Llama-3.2-3B', 'unsloth/Llama-3.2-3B-Instruct'],
  'llama3_2',
  'llama3_2_3b',
  LLAMA3_TOK,
  'LLAMA3_2',
  2,
);
tt(
  [
    'meta-llama/Llama-3.1-8B',
    'meta-llama/Llama-3.1-8B-Instruct',
    'meta-llama/Meta-Llama-3.1-8B',
    'meta-llama/Meta-Llama-3.1-8B-Instruct',
    'NousResearch/Meta-Llama-3.1-8B',
    'NousResearch/Meta-Llama-3.1-8B-Instruct',
    'unsloth/Llama-3.1-8B',
    'unsloth/Meta-Llama-3.1-8B',
  ],
  'llama3_1',
  'llama3_1_8b',
  LLAMA3_TOK,
  'LLAMA3',
  4,
);
tt(
  ['meta-llama/Meta-Llama-3-8B', 'meta-llama/Meta-Llama-3-8B-Instruct', 'NousResearch/Meta-Llama-3-8B', 'NousResearch/Meta-Llama-3-8B-Instruct'],
  'llama3',
  'llama3_8b',
  LLAMA3_TOK,
  'LLAMA3',
  4,
);
tt(['Qwen/Qwen2.5-0.5B', 'Qwen/Qwen2.5-0.5B-Instruct'], 'qwen2_5', 'qwen2_5_0_5b', QWEN25_TOK, 'QWEN2', 1);
tt(['Qwen/Qwen2.5-1.5B'], 'qwen2_5', 'qwen2_5_1_5b_base', QWEN25_TOK, 'QWEN2', 1);
tt(['Qwen/Qwen2.5-1.5B-Instruct'], 'qwen2_5', 'qwen2_5_1_5b_instruct', QWEN25_TOK, 'QWEN2', 1);
tt(['Qwen/Qwen2.5-3B', 'Qwen/Qwen2.5-3B-Instruct'], 'qwen2_5', 'qwen2_5_3b', QWEN25_TOK, 'QWEN2', 2);
tt(['Qwen/Qwen2.5-7B'], 'qwen2_5', 'qwen2_5_7b_base', QWEN25_TOK, 'QWEN2', 4);
tt(['Qwen/Qwen2.5-7B-Instruct'], 'qwen2_5', 'qwen2_5_7b_instruct', QWEN25_TOK, 'QWEN2', 4);
tt(['Qwen/Qwen2.5-14B'], 'qwen2_5', 'qwen2_5_14b_base', QWEN25_TOK, 'QWEN2', 8);
tt(['Qwen/Qwen2.5-14B-Instruct'], 'qwen2_5', 'qwen2_5_14b_instruct', QWEN25_TOK, 'QWEN2', 8);
tt(['Qwen/Qwen2.5-32B'], 'qwen2_5', 'qwen2_5_32b_base', QWEN25_TOK, 'QWEN2', 17);
tt(['Qwen/Qwen2.5-32B-Instruct'], 'qwen2_5', 'qwen2_5_32b_instruct', QWEN25_TOK, 'QWEN2', 17);
tt(
  ['mistralai/Mistral-7B-v0.1', 'mistralai/Mistral-7B-Instruct-v0.1'],
  'mistral',
  'mistral_7b',
  { component: 'torchtune.models.mistral.mistral_tokenizer', files: 'tokenizer.model' },
  'MISTRAL',
  2,
);

export function torchtuneModel(id: string): TorchtuneModel | undefined {
  return TORCHTUNE[id.toLowerCase()];
}

export function torchtuneModelIds(): string[] {
  return Object.values(TORCHTUNE).map((m) => m.hfId);
}

export interface ModelInfo {
  id: string;
  dims: ModelDims;
  origin: string;
}

/** The model's dimensions (catalog, settings or the local HF cache), or why it cannot be found. */
export function modelInfo(id: string, lookup: ModelLookup = {}): ModelInfo | { reason: string } {
  try {
    const m = resolveModel(id, lookup);
    return { id, dims: m.dims, origin: m.origin };
  } catch (e) {
    return { reason: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * A teacher for distillation: the smallest catalog model with the student's vocabulary (same tokenizer), the same
 * family and more parameters; `accept` filters what the format can load (torchtune needs a builder).
 */
export function pickTeacher(student: string, dims: ModelDims, accept: (id: string) => boolean = () => true): string | undefined {
  const fam = family(student);
  const own = catalogModel(student);
  const candidates: Array<{ id: string; params: number }> = [];
  for (const m of MODEL_CATALOG) {
    if (m === own || m.dims.vocabSize !== dims.vocabSize || m.dims.parameters <= dims.parameters) continue;
    if (m.dims.architecture && m.dims.architecture !== 'decoder') continue;
    const ids = [m.id, ...(m.aliases ?? [])].filter((id) => family(id) === fam && !/gptq|awq|aqlm|bnb|4bit|int4|8bit/i.test(id));
    // Keep the student's flavour (instruct teacher for an instruct student) when the catalog has it.
    const pick = ids.find((id) => isInstruct(id) === isInstruct(student) && accept(id)) ?? ids.find(accept);
    if (pick) candidates.push({ id: pick, params: m.dims.parameters });
  }
  candidates.sort((a, b) => a.params - b.params);
  return candidates[0]?.id;
}
