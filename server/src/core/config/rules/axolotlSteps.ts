import { pinnedBefore } from '../../common/versions';
import type { Finding, Rule } from './types';
import { get } from './values';

// Axolotl's check_saves and check_evals (utils/schemas/validation.py lines 302-369 at v0.18.0; the same from v0.6.0,
// where they became pydantic `mode="before"` validators on the raw config): save and eval schedules that exclude
// each other stop the run as the config is validated. They read the raw values with Python truthiness.

/** Python truthiness of a YAML value (as PyYAML loads it). */
function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

export const axolotlStepsRule: Rule = {
  codes: ['FT222'],
  formats: ['axolotl'],
  check({ value, version }) {
    if (version && pinnedBefore(version, '0.6.0')) return []; // validate_config on the normalised cfg before that
    const out: Finding[] = [];
    const stop = (key: string, on: 'key' | 'value', what: string, says: string): void => {
      out.push({ code: 'FT222', path: [key], on, severity: 'error', message: `${what}: Axolotl stops with "${says}" as it validates the config.` });
    };
    const saveStrategy = get(value, 'save_strategy');
    if (truthy(saveStrategy) && truthy(get(value, 'save_steps')) && saveStrategy !== 'steps') {
      stop(
        'save_strategy',
        'value',
        `'save_strategy: ${String(saveStrategy)}' with 'save_steps'`,
        "save_strategy and save_steps mismatch. Please set save_strategy to 'steps' or remove save_steps.",
      );
    } else if (truthy(get(value, 'saves_per_epoch')) && truthy(get(value, 'save_steps'))) {
      stop(
        'saves_per_epoch',
        'key',
        "'saves_per_epoch' with 'save_steps'",
        'save_steps and saves_per_epoch are mutually exclusive and cannot be used together.',
      );
    }
    const evalStrategy = get(value, 'eval_strategy');
    const evalSteps = get(value, 'eval_steps');
    const perEpoch = get(value, 'evals_per_epoch');
    if (truthy(evalStrategy) && truthy(evalSteps) && evalStrategy !== 'steps') {
      stop(
        'eval_strategy',
        'value',
        `'eval_strategy: ${String(evalStrategy)}' with 'eval_steps'`,
        "eval_strategy and eval_steps mismatch. Please set eval_strategy to 'steps' or remove eval_steps.",
      );
    } else if (
      get(value, 'val_set_size') === 0 &&
      (truthy(evalSteps) || truthy(evalStrategy)) &&
      !truthy(get(value, 'test_datasets')) &&
      evalStrategy !== 'no'
    ) {
      // Since v0.9.0 `eval_strategy: "no"` is exempt; before, it was refused too (not reported: the safe side).
      stop(
        'val_set_size',
        'value',
        `'val_set_size: 0' with '${truthy(evalSteps) ? 'eval_steps' : 'eval_strategy'}' and no test_datasets`,
        'eval_steps and eval_strategy are not supported with val_set_size == 0',
      );
    } else if (truthy(perEpoch) && truthy(evalSteps)) {
      stop(
        'evals_per_epoch',
        'key',
        "'evals_per_epoch' with 'eval_steps'",
        'eval_steps and evals_per_epoch are mutually exclusive and cannot be used together.',
      );
    } else if (truthy(perEpoch) && truthy(evalStrategy) && evalStrategy !== 'steps') {
      stop(
        'eval_strategy',
        'value',
        `'eval_strategy: ${String(evalStrategy)}' with 'evals_per_epoch'`,
        'eval_strategy must be empty or set to `steps` when used with evals_per_epoch.',
      );
    }
    return out;
  },
};
