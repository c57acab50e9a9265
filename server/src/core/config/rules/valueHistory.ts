import { CONFIG_FORMAT_IDS } from '../../common/formats';
import { own } from '../own';
import type { ValueHistory } from '../schema';
import { atOrAfter, type ToolVersion } from '../../common/versions';
import type { Finding, Rule } from './types';

// Values that some releases of a tool accept and others refuse (TRL's `packing_strategy: ffd` was 0.19's name for
// what 0.20 calls `bfd`). The schema's enum lists what the newest release takes; `x-ftw-valueHistory` on a key says
// which releases take each value, and the value is judged for the project's release: here for top-level keys, and
// by the Hydra checks for a `_target_`'s arguments. A fix to another value is safe (preferred) only when the
// project's release is known and takes it.

/** Does `version` accept the value? Undefined when the pin cannot tell (a "<0.20" pin against a 0.19 boundary). */
function accepts(h: ValueHistory, version: string): boolean | undefined {
  const from = h.since ? atOrAfter(version, h.since) : true;
  const before = h.until ? atOrAfter(version, h.until) : false;
  if (from === false || before === true) return false;
  if (from === undefined || before === undefined) return undefined;
  return true;
}

const releases = (h: ValueHistory) =>
  h.since && h.until ? `from ${h.since} up to, not including, ${h.until}` : h.since ? `since ${h.since}` : h.until ? `before ${h.until}` : 'in every release';

export interface ValueJudgement {
  code: 'FT103' | 'FT110' | 'FT111';
  severity: 'warning' | 'information';
  message: string;
  /** The value to write instead, and whether that is safe for the project's release. */
  replacement?: { value: string; safe: boolean };
}

/**
 * What to say about `key: value` whose history is `table[value]`, for the project's release of `tool` (a pin or
 * setting; `version.source === 'newest'` or no version: the newest release we know, `newest`). Null: nothing to say.
 */
export function judgeValue(
  key: string,
  value: string,
  table: Record<string, ValueHistory>,
  tool: string,
  version: ToolVersion | undefined,
  newest: string,
): ValueJudgement | null {
  const h = own(table, value);
  if (!h) return null;
  const pinned = Boolean(version && version.source !== 'newest');
  const release = pinned ? version!.version : (version?.version ?? newest);
  const uses = pinned ? `${tool} ${release} (${version!.source === 'setting' ? 'finetune.versions' : version!.source})` : undefined;
  const ok = accepts(h, release);
  if (ok === undefined) return null;
  const target = h.replacement ? own(table, h.replacement) : undefined;
  const replacement = h.replacement ? { value: h.replacement, safe: pinned && (!target || accepts(target, release) === true) } : undefined;
  if (ok) {
    if (!h.deprecated || atOrAfter(release, h.deprecated) !== true) return null;
    return {
      code: 'FT110',
      severity: 'information',
      message: `'${key}: ${value}' is deprecated since ${tool} ${h.deprecated}${h.deprecation ? ` (${h.deprecation})` : ''}${uses ? `; it still works in ${uses}` : ''}.${h.replacement ? ` Use '${h.replacement}'${pinned ? '' : ` (${tool} ${target?.since ?? h.deprecated} or later)`}.` : ''}`,
      ...(replacement ? { replacement } : {}),
    };
  }
  const newer = h.since !== undefined && atOrAfter(release, h.since) === false;
  if (newer && !pinned) return null; // the newest release we know does not know it: a gap in our table, not the user's
  return {
    code: newer ? 'FT111' : 'FT103',
    severity: 'warning',
    message: newer
      ? `'${key}: ${value}' is accepted by ${tool} ${releases(h)}; your project uses ${uses}, which refuses it${h.refused ? `: ${h.refused}` : ''}.`
      : `'${key}: ${value}' is accepted only by ${tool} releases ${releases(h)}${h.refused ? `; later ones refuse it (${h.refused})` : ''}. ${uses ? `Your project uses ${uses}.` : `The project pins no ${tool} release, so the newest (${release}) is assumed.`}${h.replacement ? ` Use '${h.replacement}'${pinned ? '' : ` with ${tool} ${target?.since ?? h.until} or later`}.` : ''}`,
    ...(replacement ? { replacement } : {}),
  };
}

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
      const j = judgeValue(key, v, table, tool, version, schema['x-ftw-version'] ?? '');
      if (!j) continue;
      out.push({
        code: j.code,
        path: [key],
        on: 'value',
        severity: j.severity,
        message: j.message,
        fixes: j.replacement
          ? [{ title: `Change to '${j.replacement.value}'`, preferred: j.replacement.safe, edits: [{ kind: 'set', path: [key], text: j.replacement.value }] }]
          : [],
      });
    }
    return out;
  },
};
