import type { Rule } from './types';
import { get } from './values';

// LightningCLI YAML says what Python does: Lightning 2.x still takes `precision: 16` and `bf16` "for historical
// reasons" with a warning (lightning/fabric/connector.py; the alias table in fabric/plugins/precision/precision.py),
// the same values FT305 reports in Trainer(...) calls. 32 and 64 are accepted without a warning: not reported.
const ALIASES: Record<string, string> = { '16': '16-mixed', bf16: 'bf16-mixed' };

export const lightningPrecisionRule: Rule = {
  codes: ['FT308'],
  formats: ['lightning-cli'],
  check({ value }) {
    const p = get(value, 'trainer.precision');
    const key = typeof p === 'number' || typeof p === 'string' ? String(p) : '';
    const to = Object.prototype.hasOwnProperty.call(ALIASES, key) ? ALIASES[key] : undefined;
    if (!to) return [];
    return [
      {
        code: 'FT308',
        path: ['trainer', 'precision'],
        on: 'value',
        severity: 'warning',
        message: `'precision: ${key}' is a Lightning 1.x value: 2.x still takes it "for historical reasons" with a warning. Use '${to}'.`,
        fixes: [{ title: `Change to '${to}'`, preferred: true, edits: [{ kind: 'set', path: ['trainer', 'precision'], text: to }] }],
      },
    ];
  },
};
