import { own } from '../own';
import type { Finding, Rule } from './types';
import { get, modelFamily } from './values';

// New tokens get new rows in the embedding and the LM head. With LoRA those layers are frozen, so the new rows
// stay random and are not saved with the adapter: Axolotl stops at load time and asks for them in
// lora_modules_to_save (loaders/utils.py, PR #787); LLaMA-Factory trains them through `additional_target`.
const EMBEDDINGS = ['embed_tokens', 'lm_head'];

function listOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v === 'string')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return [];
}

/** Chat templates tied to one model family (Axolotl's chat_template names); generic ones (chatml, jinja...) fit any. */
const TEMPLATE_FAMILY: Record<string, string> = {
  llama3: 'llama3',
  llama3_2_vision: 'llama3',
  llama4: 'llama4',
  mistral_v1: 'mistral',
  mistral_v2v3: 'mistral',
  mistral_v3_tekken: 'mistral',
  mistral_v7_tekken: 'mistral',
  gemma: 'gemma',
  gemma3: 'gemma3',
  gemma3n: 'gemma3',
  qwen_25: 'qwen2',
  qwen3: 'qwen3',
  qwen3_5: 'qwen3',
  qwen2_vl: 'qwen2',
  phi_3: 'phi3',
  phi_35: 'phi3',
  deepseek_v2: 'deepseek',
  deepseek_v3: 'deepseek',
  falcon_h1: 'falcon',
  cohere: 'cohere',
  command_a: 'cohere',
  aya: 'cohere',
};
const SUGGESTED: Record<string, string> = {
  llama3: 'llama3',
  mistral: 'mistral_v7_tekken',
  gemma3: 'gemma3',
  gemma: 'gemma',
  qwen2: 'qwen_25',
  qwen3: 'qwen3',
  phi3: 'phi_3',
  deepseek: 'deepseek_v3',
  cohere: 'cohere',
};

/**
 * The special tokens of each family's tokenizer (from their tokenizer_config.json on the Hugging Face Hub):
 * an eos/bos override outside these is a new token, not the model's own.
 */
const FAMILY_TOKENS: Record<string, { bos?: string[]; eos: string[] }> = {
  llama3: { bos: ['<|begin_of_text|>'], eos: ['<|end_of_text|>', '<|eot_id|>', '<|eom_id|>'] },
  llama2: { bos: ['<s>'], eos: ['</s>'] },
  mistral: { bos: ['<s>'], eos: ['</s>'] },
  qwen2: { eos: ['<|endoftext|>', '<|im_end|>'] },
  qwen3: { eos: ['<|endoftext|>', '<|im_end|>'] },
  gemma: { bos: ['<bos>'], eos: ['<eos>', '<end_of_turn>'] },
  gemma2: { bos: ['<bos>'], eos: ['<eos>', '<end_of_turn>'] },
  gemma3: { bos: ['<bos>'], eos: ['<eos>', '<end_of_turn>'] },
  phi3: { bos: ['<s>'], eos: ['<|endoftext|>', '<|end|>'] },
};

/** LLaMA-Factory template names tied to one family (src/llamafactory/data/template.py). */
const LF_TEMPLATE_FAMILY: Record<string, string> = {
  llama3: 'llama3',
  llama2: 'llama2',
  mistral: 'mistral',
  qwen: 'qwen2',
  qwen2_vl: 'qwen2',
  qwen3: 'qwen3',
  qwen3_nothink: 'qwen3',
  gemma: 'gemma',
  gemma3: 'gemma3',
  phi: 'phi3',
  phi4: 'phi4',
  deepseek3: 'deepseek',
  cohere: 'cohere',
};

function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

/**
 * Axolotl's check_model_config (loaders/utils.py, v0.10.0 to v0.18.0+; utils/models.py v0.4.0 to v0.9.2), run when
 * it reads the model's config.json at startup: with any `adapter` and `tokens`, `lora_modules_to_save` must hold all
 * of get_linear_embedding_layers(model_type): embed_in/embed_out for gpt_neox, word_embeddings/lm_head for falcon,
 * embeddings/lm_head for nemotron_h (v0.16.0+), embed_tokens/lm_head for every other model type.
 */
const EMBEDDING_SETS = [EMBEDDINGS, ['embed_in', 'embed_out'], ['word_embeddings', 'lm_head'], ['embeddings', 'lm_head']];
/** Compressed-tensors checkpoints (llm-compressor's W4A16/W8A8/FP8/NVFP4 exports): check_model_config returns before
 *  the tokens check (v0.10.0+). Their config.json says so; their names usually do too, and then we stay silent. */
const COMPRESSED_TENSORS = /w\d+a\d+|fp8|nvfp4|compressed|quantized/i;

function newTokensWithoutEmbeddings(value: Record<string, unknown>): Finding | undefined {
  const adapter = get(value, 'adapter');
  const tokens = listOf(get(value, 'tokens'));
  if (typeof adapter !== 'string' || !adapter || !tokens.length) return undefined;
  const saved = listOf(get(value, 'lora_modules_to_save'));
  // The model type decides which pair is needed: a config that lists any whole pair may be right for its model.
  if (EMBEDDING_SETS.some((set) => set.every((m) => saved.includes(m)))) return undefined;
  const model = get(value, 'base_model_config') ?? get(value, 'base_model');
  if (typeof model === 'string' && COMPRESSED_TENSORS.test(model)) return undefined;
  const missing = EMBEDDINGS.filter((m) => !saved.includes(m));
  // embed_tokens/lm_head is the pair of every family we recognise by name except Falcon (falcon-7b/40b are
  // model_type falcon, Falcon3 is llama): only there is the fix certainly right, and only there is it preferred.
  const family = modelFamily(model);
  const sure = family !== undefined && family !== 'falcon';
  return {
    code: 'FT211',
    path: ['tokens'],
    severity: 'error',
    message: `${tokens.length} new token${tokens.length === 1 ? '' : 's'} with 'adapter: ${adapter}': their embedding rows must be trained and saved, so 'lora_modules_to_save' needs ${missing.map((m) => `'${m}'`).join(' and ')} (embed_in and embed_out for GPT-NeoX models, word_embeddings and lm_head for Falcon). Axolotl stops with "\`lora_modules_to_save\` not properly set when adding new tokens." when it reads the model's config.`,
    fixes: [
      {
        title: 'Train and save embed_tokens and lm_head',
        preferred: sure,
        edits: [{ kind: 'set', path: ['lora_modules_to_save'], text: `\n  - ${[...new Set([...saved, ...EMBEDDINGS])].join('\n  - ')}` }],
      },
    ],
  };
}

export const tokensRule: Rule = {
  codes: ['FT211', 'FT212', 'FT213'],
  formats: ['axolotl', 'llamafactory'],
  check({ format, value, tokenizerConfig }) {
    const out: Finding[] = [];
    // eos/bos overrides that are not the model's own tokens: the local Hugging Face cache first, else the table.
    const model = format === 'axolotl' ? get(value, 'base_model') : get(value, 'model_name_or_path');
    const cached = typeof model === 'string' ? tokenizerConfig?.(model) : undefined;
    const family = modelFamily(model);
    const known = cached
      ? {
          bos: [tokenText(cached['bos_token'])].filter((t): t is string => Boolean(t)),
          eos: [
            tokenText(cached['eos_token']),
            ...Object.values((cached['added_tokens_decoder'] ?? {}) as Record<string, { content?: string; special?: boolean }>)
              .filter((t) => t.special)
              .map((t) => t.content),
          ].filter((t): t is string => Boolean(t)),
        }
      : family
        ? own(FAMILY_TOKENS, family)
        : undefined;
    // A deliberate new format (ChatML on a base model) trains the new rows: full fine-tuning with `tokens:`, or
    // LoRA that saves the embeddings. Only an override that stays untrained is a mistake.
    const adapter = get(value, 'adapter');
    const trainsEmbeddings = !adapter || EMBEDDINGS.every((m) => listOf(get(value, 'lora_modules_to_save')).includes(m));
    const deliberate = listOf(get(value, 'tokens')).length > 0 && trainsEmbeddings;
    if (known && format === 'axolotl' && !deliberate) {
      for (const [key, list] of [
        ['eos_token', known.eos],
        ['bos_token', known.bos ?? []],
      ] as const) {
        const set = get(value, `special_tokens.${key}`);
        if (typeof set === 'string' && list.length && !list.includes(set)) {
          const source = cached ? 'its tokenizer_config.json in the local Hugging Face cache' : `the ${family} tokenizer`;
          out.push({
            code: 'FT212',
            path: ['special_tokens', key],
            on: 'value',
            severity: 'warning',
            message: `'${set}' is not a special token of '${String(model)}' (${source} has ${list.map((t) => `'${t}'`).join(', ')}): Axolotl adds it as a new token whose embedding starts untrained, and the model never learned to stop on it.`,
            fixes: [{ title: `Use '${list[0]}'`, preferred: false, edits: [{ kind: 'set', path: ['special_tokens', key], text: JSON.stringify(list[0]) }] }],
          });
        }
      }
    }
    if (format === 'llamafactory') {
      const template = get(value, 'template');
      const tf = typeof template === 'string' ? own(LF_TEMPLATE_FAMILY, template) : undefined;
      if (family && tf && tf !== family && !(family.startsWith(tf) || tf.startsWith(family))) {
        out.push({
          code: 'FT213',
          path: ['template'],
          on: 'value',
          severity: 'warning',
          message: `'template: ${String(template)}' is the ${tf} prompt format, but '${String(model)}' is a ${family} model: it is trained on a turn format and special tokens it does not know.`,
        });
      }
    }
    if (format === 'axolotl') {
      const finding = newTokensWithoutEmbeddings(value);
      if (finding) out.push(finding);
      const template = get(value, 'chat_template');
      const family = modelFamily(get(value, 'base_model'));
      const templateFamily = typeof template === 'string' ? own(TEMPLATE_FAMILY, template) : undefined;
      if (family && templateFamily && templateFamily !== family && !(family.startsWith(templateFamily) || templateFamily.startsWith(family))) {
        const better = own(SUGGESTED, family);
        out.push({
          code: 'FT213',
          path: ['chat_template'],
          on: 'value',
          severity: 'warning',
          message: `'chat_template: ${String(template)}' is the ${templateFamily} format, but '${String(get(value, 'base_model'))}' is a ${family} model: the model is trained on special tokens it does not know.${better ? ` Use '${better}' (or 'tokenizer_default').` : " Use 'tokenizer_default'."}`,
          fixes: better ? [{ title: `Use '${better}'`, preferred: false, edits: [{ kind: 'set', path: ['chat_template'], text: better }] }] : [],
        });
      }
    }
    if (format === 'llamafactory') {
      const added =
        listOf(get(value, 'new_special_tokens')).length || listOf(get(value, 'add_special_tokens')).length || listOf(get(value, 'add_tokens')).length;
      if (added && get(value, 'finetuning_type') === 'lora') {
        const targets = listOf(get(value, 'additional_target'));
        const missing = EMBEDDINGS.filter((m) => !targets.includes(m));
        if (missing.length && !get(value, 'resize_vocab')) {
          out.push({
            code: 'FT211',
            path: ['finetuning_type'],
            on: 'value',
            severity: 'warning',
            message: `New special tokens with LoRA: the new embedding rows stay untrained unless 'additional_target' lists ${missing.map((m) => `'${m}'`).join(' and ')} (and 'resize_vocab: true').`,
          });
        }
      }
    }
    return out;
  },
};
