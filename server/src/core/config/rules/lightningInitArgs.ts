import { userSignature } from '../hydra/userClass';
import { own } from '../own';
import { closest } from '../suggest';
import type { Finding, Rule } from './types';

// LightningCLI builds `model:` and `data:` (and every other `class_path:` entry: callbacks, loggers, a model's nested
// backbone) with jsonargparse, which reads the class's __init__ signature and refuses an `init_args` key it has no
// parameter for: the CLI stops before training (an entry jsonargparse leaves as a dict is built later with the same
// keyword arguments, and stops there). When the class's source is in the workspace we read its __init__ with tree-sitter (hydra/userClass.ts) and
// report such keys; `**kwargs` in the signature accepts anything (jsonargparse then follows it into the parent class,
// which we do not), and a class we cannot find or read stays silent.

const MAX_DEPTH = 8;

/** Every `{class_path, init_args}` mapping of the config, with its path: `model`, `data`, `trainer.callbacks[0]`,
 *  and those nested in another one's init_args (a backbone of the model). */
function classEntries(
  value: unknown,
  path: Array<string | number>,
  out: Array<{ path: Array<string | number>; classPath: string; initArgs: Record<string, unknown> }>,
): void {
  if (path.length > MAX_DEPTH || typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => classEntries(v, [...path, i], out));
    return;
  }
  const record = value as Record<string, unknown>;
  const classPath = own(record, 'class_path');
  const initArgs = own(record, 'init_args');
  if (typeof classPath === 'string' && typeof initArgs === 'object' && initArgs !== null && !Array.isArray(initArgs)) {
    out.push({ path, classPath, initArgs: initArgs as Record<string, unknown> });
  }
  for (const key of Object.keys(record)) classEntries(record[key], [...path, key], out);
}

export const lightningInitArgsRule: Rule = {
  codes: ['FT101'],
  formats: ['lightning-cli'],
  check({ value, path, roots, files, python }) {
    if (!files || !python) return [];
    const out: Finding[] = [];
    const entries: Parameters<typeof classEntries>[2] = [];
    classEntries(value, [], entries);
    for (const entry of entries) {
      const signature = userSignature(entry.classPath, path, roots, files, python, { followBases: true });
      if (!signature || signature.kwargs) continue;
      const where = signature.file.split('/').slice(-2).join('/');
      const keys = Object.keys(entry.initArgs);
      for (const key of keys) {
        if (signature.params.includes(key)) continue;
        const near = closest(
          key,
          signature.params.filter((p) => !keys.includes(p)),
          3,
        );
        const at = [...entry.path, 'init_args', key];
        out.push({
          code: 'FT101',
          path: at,
          severity: 'warning',
          message: `Unknown argument '${key}' of ${signature.label} (${where}): LightningCLI checks init_args against the __init__ signature and stops before training.${near.length ? ` Did you mean '${near[0]}'?` : ` It takes: ${signature.params.join(', ') || 'no arguments'}.`}`,
          fixes: near.map((n, i) => ({
            title: `Change '${key}' to '${n}'`,
            preferred: i === 0 && near.length === 1,
            edits: [{ kind: 'renameKey' as const, path: at, to: n }],
          })),
        });
      }
    }
    return out;
  },
};
