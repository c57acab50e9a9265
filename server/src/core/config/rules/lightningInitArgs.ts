import { userSignature } from '../hydra/userClass';
import { own } from '../own';
import { closest } from '../suggest';
import type { Finding, Rule } from './types';

// LightningCLI builds `model:` and `data:` (and any other top-level `class_path:` section) with jsonargparse, which
// reads the class's __init__ signature and refuses an `init_args` key it has no parameter for: the CLI stops before
// training. When the class's source is in the workspace we read its __init__ with tree-sitter (hydra/userClass.ts) and
// report such keys; `**kwargs` in the signature accepts anything (jsonargparse then follows it into the parent class,
// which we do not), and a class we cannot find or read stays silent.

export const lightningInitArgsRule: Rule = {
  codes: ['FT101'],
  formats: ['lightning-cli'],
  check({ value, path, roots, files, python }) {
    if (!files || !python) return [];
    const out: Finding[] = [];
    for (const section of Object.keys(value)) {
      const entry = own(value, section);
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
      const classPath = own(entry as Record<string, unknown>, 'class_path');
      const initArgs = own(entry as Record<string, unknown>, 'init_args');
      if (typeof classPath !== 'string' || typeof initArgs !== 'object' || initArgs === null || Array.isArray(initArgs)) continue;
      const signature = userSignature(classPath, path, roots, files, python, { followBases: true });
      if (!signature || signature.kwargs) continue;
      const where = signature.file.split('/').slice(-2).join('/');
      const keys = Object.keys(initArgs);
      for (const key of keys) {
        if (signature.params.includes(key)) continue;
        const near = closest(key, signature.params.filter((p) => !keys.includes(p)), 3);
        out.push({
          code: 'FT101',
          path: [section, 'init_args', key],
          severity: 'warning',
          message: `Unknown argument '${key}' of ${signature.label} (${where}): LightningCLI checks init_args against the __init__ signature and stops before training.${near.length ? ` Did you mean '${near[0]}'?` : ` It takes: ${signature.params.join(', ') || 'no arguments'}.`}`,
          fixes: near.map((n, i) => ({ title: `Change '${key}' to '${n}'`, preferred: i === 0 && near.length === 1, edits: [{ kind: 'renameKey' as const, path: [section, 'init_args', key], to: n }] })),
        });
      }
    }
    return out;
  },
};
