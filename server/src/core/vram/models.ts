/**
 * Models: the built-in catalog, dimensions given explicitly, or a Hugging Face `config.json` from the local cache
 * (read by the server, never downloaded). Also the parameter counts the estimator needs per part of the model.
 */
import { MODEL_CATALOG } from './catalogData';
import type { CatalogModel, ModelDims } from './modelTypes';
import type { ModelRef } from './setup';

export interface ResolvedModel {
  /** The id as written, or the name given with explicit dimensions. */
  name: string;
  dims: ModelDims;
  /** "catalog", "hf-cache", "explicit" or "settings": shown in the breakdown. */
  origin: 'catalog' | 'hf-cache' | 'explicit' | 'settings';
  source: string;
}

export interface ModelLookup {
  /** Dimensions from the local Hugging Face cache, when the model is there. */
  hfCache?: (id: string) => ModelDims | undefined;
  /** Models defined in settings (`finetune.models`). */
  custom?: CatalogModel[];
}

export class UnknownModelError extends Error {}

const REQUIRED: Array<keyof ModelDims> = ['hiddenSize', 'layers', 'attentionHeads', 'vocabSize', 'intermediateSize'];

function key(id: string): string {
  return id.trim().toLowerCase();
}

/** The part after the organisation, without suffixes that do not change the architecture. */
function stem(id: string): string {
  let s = key(id).split('/').pop() ?? '';
  const suffix = /[-_.](hf|instruct|chat|it|base|sft|bnb[-_]4bit|4bit|8bit|bf16|fp16|awq|gptq|unsloth|dpo|v\d+(?:\.\d+)?)$/;
  for (let i = 0; i < 6 && suffix.test(s); i++) s = s.replace(suffix, '');
  return s.replace(/^meta-(?=llama)/, '');
}

let index: Map<string, CatalogModel> | undefined;
let stems: Map<string, CatalogModel> | undefined;

function buildIndex(models: CatalogModel[]): { byId: Map<string, CatalogModel>; byStem: Map<string, CatalogModel> } {
  const byId = new Map<string, CatalogModel>();
  const byStem = new Map<string, CatalogModel>();
  for (const m of models) {
    for (const id of [m.id, ...(m.aliases ?? [])]) {
      byId.set(key(id), m);
      if (!byStem.has(stem(id))) byStem.set(stem(id), m);
    }
  }
  return { byId, byStem };
}

export function catalogModel(id: string, custom: CatalogModel[] = []): CatalogModel | undefined {
  if (custom.length) {
    const c = buildIndex(custom);
    const hit = c.byId.get(key(id)) ?? c.byStem.get(stem(id));
    if (hit) return hit;
  }
  if (!index || !stems) ({ byId: index, byStem: stems } = buildIndex(MODEL_CATALOG));
  return index.get(key(id)) ?? stems.get(stem(id));
}

/**
 * The family a model belongs to: models that share an architecture and a tokenizer and differ in size (Llama 2 7B,
 * 13B, 70B), so one can stand in for another in a smaller size. undefined when the id names no known family.
 */
export function familyOf(id: string): string | undefined {
  const s = key(id);
  const families: Array<[RegExp, string]> = [
    [/llama-?2/, 'llama-2'],
    [/llama-?3|llama-3\.[123]/, 'llama-3'],
    [/llama-?4/, 'llama-4'],
    [/mixtral/, 'mixtral'],
    [/mistral-7b|mistral-small|mistral-nemo/, 'mistral'],
    [/qwen2\.5|deepseek-r1-distill-qwen/, 'qwen2.5'],
    [/qwen3-\d/, 'qwen3'],
    [/gemma-3/, 'gemma-3'],
    [/gemma-2/, 'gemma-2'],
    [/gemma-(2b|7b)/, 'gemma'],
    [/phi-?3/, 'phi-3'],
    [/smollm2/, 'smollm2'],
    [/gpt-oss/, 'gpt-oss'],
    [/falcon/, 'falcon'],
    [/gpt2/, 'gpt2'],
    [/bert-(base|large)/, 'bert'],
    [/flan-t5/, 'flan-t5'],
    [/(^|\/)t5-/, 't5'],
  ];
  return families.find(([re]) => re.test(s))?.[1];
}

/** Parameters implied by the dimensions: embeddings, attention and MLP linears, norms. */
export function parametersFromDims(d: Omit<ModelDims, 'parameters'>): number {
  const embed = d.vocabSize * d.hiddenSize * (d.tiedEmbeddings ? 1 : 2);
  return embed + d.layers * (attentionParams(d) + mlpParams(d) + 2 * d.hiddenSize) + d.hiddenSize;
}

export function attentionParams(d: Omit<ModelDims, 'parameters'>): number {
  const q = d.attentionHeads * d.headDim;
  const kv = d.kvHeads * d.headDim;
  return d.hiddenSize * q + 2 * d.hiddenSize * kv + q * d.hiddenSize;
}

export function mlpParams(d: Omit<ModelDims, 'parameters'>): number {
  return (d.mlp === 'gated' ? 3 : 2) * d.hiddenSize * d.intermediateSize * (d.experts ?? 1);
}

/** Completes partial dimensions (kvHeads = heads, headDim = hidden / heads, parameters from the dims). */
export function completeDims(d: Partial<ModelDims>, what: string): ModelDims {
  const missing = REQUIRED.filter((k) => typeof d[k] !== 'number');
  if (missing.length) {
    throw new UnknownModelError(
      `${what} needs ${missing.join(', ')} (as in its config.json: hidden_size, num_hidden_layers, num_attention_heads, vocab_size, intermediate_size)`,
    );
  }
  const base = {
    hiddenSize: d.hiddenSize!,
    layers: d.layers!,
    attentionHeads: d.attentionHeads!,
    kvHeads: d.kvHeads ?? d.attentionHeads!,
    headDim: d.headDim ?? Math.round(d.hiddenSize! / d.attentionHeads!),
    intermediateSize: d.intermediateSize!,
    vocabSize: d.vocabSize!,
    tiedEmbeddings: d.tiedEmbeddings ?? false,
    mlp: d.mlp ?? 'gated',
    ...(d.experts ? { experts: d.experts, expertsPerToken: d.expertsPerToken ?? 2 } : {}),
    ...(d.dropout !== undefined ? { dropout: d.dropout } : {}),
    ...(d.architecture ? { architecture: d.architecture } : {}),
  };
  return { ...base, parameters: d.parameters ?? parametersFromDims(base) };
}

/** Finds a model: settings, then the catalog, then the local Hugging Face cache; explicit dimensions as given. */
export function resolveModel(ref: ModelRef, lookup: ModelLookup = {}): ResolvedModel {
  if (typeof ref === 'string') {
    const custom = lookup.custom?.length ? catalogModel(ref, lookup.custom) : undefined;
    if (custom && lookup.custom?.includes(custom)) return { name: ref, dims: completeDims(custom.dims, ref), origin: 'settings', source: custom.source };
    const cached = lookup.hfCache?.(ref);
    const known = catalogModel(ref);
    // An exact id in the cache wins over a catalog entry found only by its stem (a fine-tune may change the vocab).
    if (known && (!cached || [known.id, ...(known.aliases ?? [])].some((a) => key(a) === key(ref)))) {
      return { name: ref, dims: known.dims, origin: 'catalog', source: known.source };
    }
    if (cached) return { name: ref, dims: cached, origin: 'hf-cache', source: 'config.json in the local Hugging Face cache' };
    throw new UnknownModelError(
      `the model '${ref}' is not in the built-in catalog or the local Hugging Face cache. Download it once (its config.json is enough), ` +
        `add it to the setting "finetune.models" with its dimensions, or give the dimensions in the setup.`,
    );
  }
  const { name, ...dims } = ref;
  const base = name ? catalogModel(name) : undefined;
  // Changed dimensions change the count: recompute it unless the setup gives one.
  const changesShape =
    base && Object.keys(dims).some((k) => k !== 'parameters' && (dims as Record<string, unknown>)[k] !== (base.dims as unknown as Record<string, unknown>)[k]);
  const merged = base ? { ...base.dims, ...(changesShape && dims.parameters === undefined ? { parameters: undefined } : {}), ...dims } : dims;
  return {
    name: name ?? 'custom model',
    dims: completeDims(merged, name ? `the model '${name}'` : 'a model given by its dimensions'),
    origin: 'explicit',
    source: base ? base.source : 'dimensions in the setup',
  };
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

const GATED_ACTIVATIONS = /silu|swiglu|geglu|gelu_pytorch_tanh|gelu_new/;
const PLAIN_ARCHITECTURES = /^(gpt2|gpt_neox|gptj|bert|roberta|deberta|distilbert|falcon|phi|opt|bloom|stablelm_alpha|mpt|gpt_bigcode|starcoder)/;

/**
 * Dimensions from a Hugging Face `config.json` (and the parameter count from `model.safetensors.index.json`'s
 * metadata when given). Key names vary by architecture: GPT-2 (`n_embd`, `n_layer`, `n_head`, `n_inner`),
 * T5 (`d_model`, `num_layers` + `num_decoder_layers`, `d_ff`, `d_kv`), the rest like Llama.
 */
/** The first of a config's values that is a string (config.json fields written by hand may be anything). */
function firstText(...values: unknown[]): string {
  return values.find((v): v is string => typeof v === 'string') ?? '';
}

export function dimsFromHfConfig(config: Record<string, unknown>, index?: Record<string, unknown>): ModelDims | undefined {
  const text = (config.text_config && typeof config.text_config === 'object' ? config.text_config : config) as Record<string, unknown>;
  const modelType = firstText(text.model_type, config.model_type).toLowerCase();
  const hidden = num(text.hidden_size) ?? num(text.n_embd) ?? num(text.d_model);
  const encoderLayers = num(text.num_layers);
  const layers =
    num(text.num_hidden_layers) ?? num(text.n_layer) ?? (encoderLayers ? encoderLayers + (num(text.num_decoder_layers) ?? encoderLayers) : undefined);
  const heads = num(text.num_attention_heads) ?? num(text.n_head) ?? num(text.num_heads);
  const vocab = num(text.vocab_size);
  if (!hidden || !layers || !heads || !vocab) return undefined;
  const experts = num(text.num_local_experts) ?? num(text.num_experts) ?? num(text.n_routed_experts);
  const intermediate =
    (experts ? num(text.moe_intermediate_size) : undefined) ??
    num(text.intermediate_size) ??
    num(text.n_inner) ??
    num(text.d_ff) ??
    num(text.ffn_dim) ??
    4 * hidden;
  const kv = text.multi_query === true ? 1 : (num(text.num_key_value_heads) ?? num(text.num_kv_heads) ?? heads);
  const act = firstText(text.hidden_act, text.activation_function, text.feed_forward_proj).toLowerCase();
  const gated = /gated/.test(act) || (!PLAIN_ARCHITECTURES.test(modelType) && GATED_ACTIVATIONS.test(act));
  const isT5 = /^(t5|mt5|umt5)/.test(modelType);
  const isEncoder = /^(bert|roberta|deberta|distilbert|electra|xlm-roberta)/.test(modelType);
  const partial: Partial<ModelDims> = {
    hiddenSize: hidden,
    layers,
    attentionHeads: heads,
    kvHeads: kv,
    headDim: num(text.head_dim) ?? num(text.d_kv) ?? Math.round(hidden / heads),
    intermediateSize: intermediate,
    vocabSize: vocab,
    // PretrainedConfig defaults tie_word_embeddings to true.
    tiedEmbeddings: (text.tie_word_embeddings ?? config.tie_word_embeddings ?? true) !== false,
    mlp: gated ? 'gated' : 'plain',
    ...(experts ? { experts, expertsPerToken: num(text.num_experts_per_tok) ?? 2 } : {}),
    ...(isT5 || isEncoder || /^gpt2/.test(modelType) ? { dropout: true } : {}),
    architecture: isT5 ? 'encoder-decoder' : isEncoder ? 'encoder' : 'decoder',
  };
  const meta = (index?.metadata ?? {}) as Record<string, unknown>;
  const total = num(meta.total_parameters);
  if (total) partial.parameters = total;
  else if (num(meta.total_size)) {
    const dtype = firstText(config.torch_dtype, config.dtype) || 'bfloat16';
    partial.parameters = Math.round(num(meta.total_size)! / (/float32/.test(dtype) ? 4 : 2));
  }
  return completeDims(partial, 'config.json');
}
