import { CONFIG_FORMAT_IDS } from '../formats';
import { own } from '../own';
import type { ValueHistory } from '../schema';
import { atOrAfter } from '../versions';
import type { Finding, Rule } from './types';

// Values that some releases of a tool accept and others refuse (TRL's `packing_strategy: ffd` was 0.19's name for
// what 0.20 calls `bfd`). The schema's enum lists what the newest release takes; `x-ftw-valueHistory` on a
// top-level key says which releases take each value, and this rule judges the value for the project's release.
// A fix to another value is safe (preferred) only when the project's release is known and accepts it.

/** Does `version` accept the value? Undefined when the pin cannot tell (a "<0.20" pin against a 0.19 boundary). */
function accepts(h: ValueHistory, version: string): boolean | undefined {
  const from = h.since ? atOrAfter(version, h.since) : true;
  const before = h.until ? atOrAfter(version, h.until) : false;
  if (from === false || before === true) return false;
  if (from === undefined || before === undefined) return undefined;
  return true;
}

const releases = (h: ValueHistory) => (h.since && h.until ? `from ${h.since} up to, not including, ${h.until}` : h.since ? `since ${h.since}` : h.until ? `before ${h.until}` : 'in every release');

export const valueHistoryRule: Rule = {
  codes: ['FT103', 'FT110', 'FT111'],
  formats: CONFIG_FORMAT_IDS,
  check({ value, schema, version }) {
    const out: Finding[] = [];
    const props = schema?.properties;
    if (!props) return out;
    const tool = schema['x-ftw-tool'] ?? 'the tool';
    for (const key of Object.keys(value)) {
      const table = own(props, key)?.['x-ftw-valueHistory'];
      const v = own(value, key);
      if (!table || typeof v !== 'string') continue;
      const h = own(table, v);
      if (!h) continue;
      const pinned = version && version.source !== 'newest';
      const release = version?.version ?? schema['x-ftw-version'] ?? '';
      const uses = pinned ? `${tool} ${release} (${version!.source === 'setting' ? 'finetune.versions' : version!.source})` : undefined;
      const ok = accepts(h, release);
      if (ok === undefined) continue;
      const target = h.replacement ? own(table, h.replacement) : undefined;
      // The replacement is safe to write only where the known release takes it.
      const safe = Boolean(pinned && h.replacement && (!target || accepts(target, release) === true));
      const fixes = h.replacement ? [{ title: `Change to '${h.replacement}'`, preferred: safe, edits: [{ kind: 'set' as const, path: [key], text: h.replacement }] }] : [];
      if (ok) {
        if (!h.deprecated || atOrAfter(release, h.deprecated) !== true) continue;
        out.push({
          code: 'FT110',
          path: [key],
          on: 'value',
          severity: 'information',
          message: `'${key}: ${v}' is deprecated since ${tool} ${h.deprecated}${h.deprecation ? ` (${h.deprecation})` : ''}${uses ? `; it still works in ${uses}` : ''}.${h.replacement ? ` Use '${h.replacement}'${pinned ? '' : ` (${tool} ${target?.since ?? h.deprecated} or later)`}.` : ''}`,
          fixes,
        });
        continue;
      }
      const newer = h.since && atOrAfter(release, h.since) === false;
      if (newer && !pinned) continue; // the newest release we know does not know it: a schema gap, not the user's
      out.push({
        code: newer ? 'FT111' : 'FT103',
        path: [key],
        on: 'value',
        severity: 'warning',
        message: newer
          ? `'${key}: ${v}' is accepted by ${tool} ${releases(h)}; your project uses ${uses}, which refuses it${h.refused ? `: ${h.refused}` : ''}.`
          : `'${key}: ${v}' is accepted only by ${tool} releases ${releases(h)}${h.refused ? `; later ones refuse it (${h.refused})` : ''}. ${uses ? `Your project uses ${uses}.` : `The project pins no ${tool} release, so the newest (${release}) is assumed.`}${h.replacement ? ` Use '${h.replacement}'${pinned ? '' : ` with ${tool} ${target?.since ?? h.until} or later`}.` : ''}`,
        fixes,
      });
    }
    return out;
  },
};
