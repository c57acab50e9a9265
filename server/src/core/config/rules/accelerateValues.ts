import type { Rule } from './types';
import { get } from './values';

// `accelerate launch` copies fp8_config values onto its arguments with setattr, without the argparse `type` that
// turns "a,b,c" into a tuple (commands/launch.py); setup_fp8_env (utils/launch.py) then indexes the value:
// `str(value[0])`, `str(value[1])`, `str(value[2])` become ACCELERATE_FP8_OVERRIDE_FPROP/DGRAD/WGRAD, which
// TERecipeKwargs reads with str_to_bool. A string is indexed by character: "(false, false, false)" gives "(", and
// str_to_bool raises "invalid truth value". Only a YAML list works.
const KEYS = ['override_linear_precision', 'fp8_override_linear_precision'];

export const accelerateValuesRule: Rule = {
  codes: ['FT102'],
  formats: ['accelerate'],
  check({ value }) {
    const out = [];
    for (const key of KEYS) {
      const v = get(value, `fp8_config.${key}`);
      if (typeof v !== 'string') continue;
      const tuple = /^\s*\((.*)\)\s*$/.exec(v);
      const items = (tuple ? tuple[1] : v)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const list = items.length === 3 && items.every((s) => /^(?:true|false)$/i.test(s)) ? `[${items.map((s) => s.toLowerCase()).join(', ')}]` : undefined;
      out.push({
        code: 'FT102',
        path: ['fp8_config', key],
        on: 'value' as const,
        severity: 'error' as const,
        message: `'fp8_config.${key}' is the string ${JSON.stringify(v)}${tuple ? ', which only looks like a tuple' : ''}: Accelerate indexes it character by character (value[0] is ${JSON.stringify(v[0])}) and stops with "invalid truth value". Write a list of three booleans${list ? `: ${list}` : ''}.`,
        fixes: list
          ? [{ title: `Write it as a list: ${list}`, preferred: true, edits: [{ kind: 'set' as const, path: ['fp8_config', key], text: list }] }]
          : [],
      });
    }
    return out;
  },
};
