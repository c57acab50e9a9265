import type { Finding, Rule } from './types';
import { get, modelFamily } from './values';

// New tokens get new rows in the embedding and the LM head. With LoRA those layers are frozen, so the new rows
// stay random and are not saved with the adapter: Axolotl stops at load time and asks for them in
// lora_modules_to_save (loaders/utils.py, PR #787); LLaMA-Factory trains them through `additional_target`.
const EMBEDDINGS = ['embed_tokens', 'lm_head'];

function listOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  return [];
}

/** Chat templates tied to one model family (Axolotl's chat_template names); generic ones (chatml, jinja...) fit any. */
const TEMPLATE_FAMILY: Record<string, string> = {
  llama3: 'llama3', llama3_2_vision: 'llama3', llama4: 'llama4',
  mistral_v1: 'mistral', mistral_v2v3: 'mistral', mistral_v3_tekken: 'mistral', mistral_v7_tekken: 'mistral',
  gemma: 'gemma', gemma3: 'gemma3', gemma3n: 'gemma3',
  qwen_25: 'qwen2', qwen3: 'qwen3', qwen3_5: 'qwen3', qwen2_vl: 'qwen2',
  phi_3: 'phi3', phi_35: 'phi3', deepseek_v2: 'deepseek', deepseek_v3: 'deepseek', falcon_h1: 'falcon', cohere: 'cohere', command_a: 'cohere', aya: 'cohere',
};
const SUGGESTED: Record<string, string> = { llama3: 'llama3', mistral: 'mistral_v7_tekken', gemma3: 'gemma3', gemma: 'gemma', qwen2: 'qwen_25', qwen3: 'qwen3', phi3: 'phi_3', deepseek: 'deepseek_v3', cohere: 'cohere' };

export const tokensRule: Rule = {
  codes: ['FT211', 'FT213'],
  formats: ['axolotl', 'llamafactory'],
  check({ format, value }) {
    const out: Finding[] = [];
    if (format === 'axolotl') {
      const adapter = get(value, 'adapter');
      const tokens = listOf(get(value, 'tokens'));
      if ((adapter === 'lora' || adapter === 'qlora') && tokens.length) {
        const saved = listOf(get(value, 'lora_modules_to_save'));
        const missing = EMBEDDINGS.filter((m) => !saved.includes(m));
        if (missing.length) {
          out.push({
            code: 'FT211',
            path: ['tokens'],
            severity: 'error',
            message: `${tokens.length} new token${tokens.length === 1 ? '' : 's'} with ${adapter === 'qlora' ? 'QLoRA' : 'LoRA'}: their embedding rows must be trained and saved, so 'lora_modules_to_save' needs ${missing.map((m) => `'${m}'`).join(' and ')}. Axolotl stops at load time otherwise.`,
            fixes: [{ title: 'Train and save embed_tokens and lm_head', preferred: true, edits: [{ kind: 'set', path: ['lora_modules_to_save'], text: `\n  - ${[...new Set([...saved, ...EMBEDDINGS])].join('\n  - ')}` }] }],
          });
        }
      }
      const template = get(value, 'chat_template');
      const family = modelFamily(get(value, 'base_model'));
      const templateFamily = typeof template === 'string' ? TEMPLATE_FAMILY[template] : undefined;
      if (family && templateFamily && templateFamily !== family && !(family.startsWith(templateFamily) || templateFamily.startsWith(family))) {
        const better = SUGGESTED[family];
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
      const added = listOf(get(value, 'new_special_tokens')).length || listOf(get(value, 'add_special_tokens')).length || listOf(get(value, 'add_tokens')).length;
      if (added && get(value, 'finetuning_type') === 'lora') {
        const targets = listOf(get(value, 'additional_target'));
        const missing = EMBEDDINGS.filter((m) => !targets.includes(m));
        if (missing.length && !get(value, 'resize_vocab')) {
          out.push({ code: 'FT211', path: ['finetuning_type'], on: 'value', severity: 'warning', message: `New special tokens with LoRA: the new embedding rows stay untrained unless 'additional_target' lists ${missing.map((m) => `'${m}'`).join(' and ')} (and 'resize_vocab: true').` });
        }
      }
    }
    return out;
  },
};
