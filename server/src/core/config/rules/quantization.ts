import type { Finding, Rule } from './types';
import { get, isTrue } from './values';

// Axolotl's own startup checks (schemas/peft.py validate_qlora / validate_adapter; research §3.5).
export const quantizationRule: Rule = {
  codes: ['FT201', 'FT202', 'FT203'],
  formats: ['axolotl', 'trl'],
  check({ format, value }) {
    const out: Finding[] = [];
    const four = isTrue(get(value, 'load_in_4bit'));
    const eight = isTrue(get(value, 'load_in_8bit'));
    if (four && eight) {
      out.push({
        code: 'FT202',
        path: ['load_in_8bit'],
        severity: 'error',
        message: `'load_in_4bit' and 'load_in_8bit' are both on: a model loads in one precision. ${format === 'axolotl' ? 'Axolotl' : 'bitsandbytes'} refuses the pair; keep 4-bit for QLoRA.`,
        fixes: [{ title: "Set 'load_in_8bit: false'", preferred: true, edits: [{ kind: 'set', path: ['load_in_8bit'], text: 'false' }] }],
      });
    }
    if (format !== 'axolotl') return out;
    const adapter = get(value, 'adapter');
    if (adapter === 'qlora' && !four) {
      const where = 'load_in_4bit' in value ? (['load_in_4bit'] as const) : (['adapter'] as const);
      out.push({
        code: 'FT201',
        path: [...where],
        on: where[0] === 'adapter' ? 'value' : 'key',
        severity: 'error',
        message: `'adapter: qlora' trains LoRA on a 4-bit base model, so it needs 'load_in_4bit: true': Axolotl refuses to start without it.`,
        fixes: [
          {
            title: "Set 'load_in_4bit: true'",
            preferred: true,
            edits: ['load_in_4bit' in value ? { kind: 'set', path: ['load_in_4bit'], text: 'true' } : { kind: 'addKey', key: 'load_in_4bit', text: 'true' }],
          },
        ],
      });
    }
    if ((four || eight) && !adapter) {
      out.push({
        code: 'FT203',
        path: [four ? 'load_in_4bit' : 'load_in_8bit'],
        severity: 'error',
        message: `A ${four ? '4' : '8'}-bit base model cannot be fine-tuned in full: set 'adapter: ${four ? 'qlora' : 'lora'}', or turn quantized loading off. Axolotl refuses to start otherwise.`,
        fixes: [
          { title: `Add 'adapter: ${four ? 'qlora' : 'lora'}'`, preferred: false, edits: [{ kind: 'addKey', key: 'adapter', text: four ? 'qlora' : 'lora' }] },
        ],
      });
    }
    return out;
  },
};
