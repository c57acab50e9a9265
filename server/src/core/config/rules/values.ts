/** Reading config values the way the tools read them (YAML 1.1 booleans, numbers as strings). */
import { own } from '../own';

export { asNumber, isAuto } from '../../common/values';

export function get(value: Record<string, unknown>, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = own(current as Record<string, unknown>, key);
  }
  return current;
}

export function isTrue(v: unknown): boolean {
  return v === true || (typeof v === 'string' && /^(?:true|yes|on|1)$/i.test(v.trim())) || v === 1;
}

export function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false && v !== '';
}

/** The model family a Hugging Face id or torchtune builder belongs to, for template and tokenizer checks. */
export function modelFamily(id: unknown): string | undefined {
  if (typeof id !== 'string') return undefined;
  const s = id.toLowerCase();
  const table: Array<[RegExp, string]> = [
    [/llama[-_ ]?3|llama3/, 'llama3'],
    [/llama[-_ ]?2|llama2/, 'llama2'],
    [/mistral|mixtral|magistral|devstral/, 'mistral'],
    [/qwen[-_ ]?3|qwen3/, 'qwen3'],
    [/qwen[-_ ]?2(?:[._]5)?|qwen2/, 'qwen2'],
    [/gemma[-_ ]?3|gemma3/, 'gemma3'],
    [/gemma[-_ ]?2|gemma2/, 'gemma2'],
    [/gemma/, 'gemma'],
    [/phi[-_ ]?3|phi3/, 'phi3'],
    [/phi[-_ ]?4|phi4/, 'phi4'],
    [/deepseek/, 'deepseek'],
    [/falcon/, 'falcon'],
    [/command[-_ ]?r|cohere|aya/, 'cohere'],
  ];
  return table.find(([re]) => re.test(s))?.[1];
}
