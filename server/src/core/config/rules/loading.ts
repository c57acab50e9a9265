import { closest } from '../suggest';
import type { Finding, Rule } from './types';
import { asNumber, get } from './values';

// Checks the tools run when they load the model, minutes into a run (after the download): found before it starts.

/** Axolotl's built-in adapters (loaders/adapter.py load_adapter, v0.16.1 to v0.18.0+). */
const AXOLOTL_ADAPTERS = ['lora', 'qlora', 'llama-adapter'];

export const adapterRule: Rule = {
  codes: ['FT217'],
  formats: ['axolotl'],
  check({ value }) {
    const adapter = get(value, 'adapter');
    if (typeof adapter !== 'string' || !adapter || AXOLOTL_ADAPTERS.includes(adapter)) return [];
    // A plugin may register an adapter (PLUGIN_MANAGER.load_adapter / get_adapter_capability): only without one is
    // the name certainly unknown.
    const plugins = get(value, 'plugins');
    if (Array.isArray(plugins) && plugins.length) return [];
    const near = closest(adapter, AXOLOTL_ADAPTERS, 1)[0];
    return [{
      code: 'FT217',
      path: ['adapter'],
      on: 'value',
      severity: 'error',
      message: `'adapter: ${adapter}' is not an adapter Axolotl has (lora, qlora, llama-adapter) and no plugin is listed to register it: Axolotl stops with "is not built in and was not registered by a plugin" when it loads the model.${near ? ` Did you mean '${near}'?` : ''}`,
      fixes: near ? [{ title: `Change to '${near}'`, preferred: true, edits: [{ kind: 'set', path: ['adapter'], text: near }] }] : [],
    }];
  },
};

/**
 * LLaMA-Factory's on-the-fly quantization (model/model_utils/quantization.py, configure_quantization, v0.9.4 to
 * v0.9.5+): bitsandbytes takes 4 or 8 bits, HQQ 1-6 or 8, EETQ 8; each raises a ValueError otherwise.
 */
const LF_BITS: Record<string, { bits: number[]; says: string }> = {
  bnb: { bits: [4, 8], says: 'Bitsandbytes only accepts 4-bit or 8-bit quantization.' },
  hqq: { bits: [1, 2, 3, 4, 5, 6, 8], says: 'HQQ only accepts 1/2/3/4/5/6/8-bit quantization.' },
  eetq: { bits: [8], says: 'EETQ only accepts 8-bit quantization.' },
};

export const quantizationBitRule: Rule = {
  codes: ['FT218'],
  formats: ['llamafactory'],
  check({ value }) {
    const bit = asNumber(get(value, 'quantization_bit'));
    if (bit === undefined) return [];
    const method = get(value, 'quantization_method') ?? 'bnb';
    const allowed = typeof method === 'string' && Object.prototype.hasOwnProperty.call(LF_BITS, method) ? LF_BITS[method]! : undefined;
    if (!allowed || allowed.bits.includes(bit)) return [];
    const out: Finding[] = [{
      code: 'FT218',
      path: ['quantization_bit'],
      on: 'value',
      severity: 'error',
      message: `'quantization_bit: ${bit}' with ${method === 'bnb' ? 'bitsandbytes (the default quantization_method)' : `quantization_method: ${String(method)}`}: LLaMA-Factory stops with "${allowed.says}" when it loads the model. Use ${allowed.bits.length === 1 ? allowed.bits[0] : `one of ${allowed.bits.join(', ')}`}.`,
    }];
    return out;
  },
};
