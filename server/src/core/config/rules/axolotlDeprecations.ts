import type { Finding, Rule } from './types';
import { atOrAfter } from '../../common/versions';
import { get, isTrue } from './values';

// Deprecations Axolotl prints itself at startup (utils/schemas/validation.py, v0.18.0): it still runs, and the
// setting will stop working in a later release. Each from the release that added the warning.

export const axolotlDeprecationsRule: Rule = {
  codes: ['FT110'],
  formats: ['axolotl'],
  check({ value, version }) {
    const since = (release: string) => !version || atOrAfter(version.version, release) !== false;
    const out: Finding[] = [];
    // check_gradient_checkpointing_w_offload (v0.12.0): `offload` becomes gradient checkpointing + activation offloading.
    const gc = get(value, 'gradient_checkpointing');
    if ((gc === 'offload' || gc === 'offload_disk') && since('0.12.0')) {
      const offloading = gc === 'offload' ? 'true' : 'disk';
      const has = get(value, 'activation_offloading') !== undefined;
      out.push({
        code: 'FT110',
        path: ['gradient_checkpointing'],
        on: 'value',
        severity: 'warning',
        message: `'gradient_checkpointing: ${gc}' is deprecated since Axolotl v0.12.0 (Axolotl warns and reads it as 'gradient_checkpointing: true' with 'activation_offloading: ${offloading}'). Write those two instead.`,
        fixes: has
          ? []
          : [
              {
                title: `Use 'gradient_checkpointing: true' and 'activation_offloading: ${offloading}'`,
                preferred: true,
                edits: [
                  { kind: 'set', path: ['gradient_checkpointing'], text: 'true' },
                  { kind: 'addKey', key: 'activation_offloading', text: offloading },
                ],
              },
            ],
      });
    }
    // check_pretraining_streaming_deprecation (v0.13.0): streaming is turned on for pretraining_dataset, for now.
    if (get(value, 'pretraining_dataset') && !isTrue(get(value, 'streaming')) && since('0.13.0')) {
      const unset = get(value, 'streaming') === undefined || get(value, 'streaming') === null;
      out.push({
        code: 'FT110',
        path: ['pretraining_dataset'],
        severity: 'warning',
        message:
          "'pretraining_dataset' without 'streaming: true' is deprecated since Axolotl v0.13.0: streaming is still turned on for you, but a later release will stop doing so. Set 'streaming: true'.",
        // Only where it is unset: what an explicit `streaming: false` does today is not this fix's to decide.
        fixes: unset ? [{ title: "Set 'streaming: true'", preferred: true, edits: [{ kind: 'set', path: ['streaming'], text: 'true' }] }] : [],
      });
    }
    // check_fsdp_version (v0.18.0): FSDP1 is deprecated (transformers plans to drop it in v5.20).
    const fsdp = get(value, 'fsdp_config');
    if (fsdp && typeof fsdp === 'object' && !Array.isArray(fsdp) && Object.keys(fsdp).length && since('0.18.0')) {
      const v = get(value, 'fsdp_version') ?? get(value, 'fsdp_config.fsdp_version') ?? get(value, 'fsdp_config.version');
      if (String(v) !== '2') {
        out.push({
          code: 'FT110',
          path:
            v === undefined
              ? ['fsdp_config']
              : get(value, 'fsdp_version') !== undefined
                ? ['fsdp_version']
                : ['fsdp_config', get(value, 'fsdp_config.fsdp_version') !== undefined ? 'fsdp_version' : 'version'],
          severity: 'warning',
          message: `FSDP1${v === undefined ? " (no 'fsdp_version', so version 1)" : ''} is deprecated since Axolotl v0.18.0 and will be removed (transformers plans to drop it in v5.20); Axolotl warns at startup. Migrate to 'fsdp_version: 2' (its keys differ: see Axolotl's multi-GPU docs).`,
        });
      }
    }
    return out;
  },
};
