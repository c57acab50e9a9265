import { own } from '../own';
import { closest } from '../suggest';
import { atOrAfter, compareVersions, parseVersion } from '../../common/versions';
import type { Finding, Rule } from './types';

// A torchtune recipe reads the top-level keys it knows (`cfg.get("x")`, `cfg.x`) and never looks at the others: a key
// it does not read is ignored without a word. The keys each recipe reads, per release, are extracted from the recipe
// code (schemas/tools/torchtuneRecipeKeys.mjs -> `x-ftw-recipeKeys`). The recipe a config is for is the one its
// `tune run <recipe>` comment names (torchtune's shipped configs all have one); without it nothing is judged.
// Keys the schema does not declare at all are FT101 from the schema already; this rule reports declared keys (read by
// some recipe) that the named recipe never reads, and keys other values refer to (`${output_dir}`) are used.

/** The releases whose reads decide: the project's pin (the newest extracted release at or below it), or without a pin
 *  the newest release and the commit the schema describes (a key is unread only when neither reads it). */
function releasesFor(table: Record<string, unknown>, version: { version: string; source: string } | undefined): string[] {
  const names = Object.keys(table);
  const releases = names.filter((n) => !n.includes('+')).sort((a, b) => compareVersions(parseVersion(a)!, parseVersion(b)!));
  if (!version || version.source === 'newest') return names.filter((n) => n.includes('+') || n === releases[releases.length - 1]);
  const atOrBelow = releases.filter((r) => atOrAfter(version.version, r) === true);
  if (!atOrBelow.length) return []; // older than every release we read, or a pin we cannot place ("<0.6")
  const chosen = atOrBelow[atOrBelow.length - 1];
  const pin = parseVersion(version.version);
  // A pin past the newest release (main) is judged against what main reads too.
  const pastNewest = chosen === releases[releases.length - 1] && pin !== null && compareVersions(pin, parseVersion(chosen)!) > 0;
  return pastNewest ? names.filter((n) => n.includes('+') || n === chosen) : [chosen];
}

export const torchtuneRecipeKeysRule: Rule = {
  codes: ['FT101'],
  formats: ['torchtune'],
  check({ value, schema, text, version }) {
    const table = schema?.['x-ftw-recipeKeys'];
    if (!table || !text) return [];
    const releases = releasesFor(table, version);
    if (!releases.length) return [];
    const anyRelease = table[releases[0]].recipes;
    // `tune run [--nproc_per_node 4 ...] lora_finetune_single_device --config ...`: the first word that is a recipe.
    const named = new Set<string>();
    for (const m of text.matchAll(/\btune\s+run\s+([^\n]*)/g)) {
      const recipe = m[1].split(/\s+/).find((w) => own(anyRelease, w) !== undefined);
      if (recipe) named.add(recipe);
    }
    if (!named.size) return [];
    const reads = new Set<string>();
    for (const release of releases) {
      for (const recipe of named) {
        const keys = own(table[release].recipes, recipe);
        if (!keys) return []; // a recipe we could not read with certainty (or one that release does not have)
        for (const k of keys) reads.add(k);
      }
    }
    const referenced = new Set([...text.matchAll(/\$\{\s*([A-Za-z_]\w*)/g)].map((m) => m[1]));
    const present = Object.keys(value);
    const recipes = [...named].join(' / ');
    const where = releases.map((r) => (r.includes('+') ? `main at ${table[r].commit.slice(0, 8)}` : r)).join(' and ');
    const out: Finding[] = [];
    for (const key of present) {
      if (reads.has(key) || referenced.has(key) || !own(schema.properties, key)) continue;
      const near = closest(
        key,
        [...reads].filter((k) => !present.includes(k)),
        3,
      );
      out.push({
        code: 'FT101',
        path: [key],
        severity: 'warning',
        message: `The ${recipes} recipe never reads '${key}' (torchtune ${where}): torchtune ignores it without a word.${near.length ? ` Did you mean '${near[0]}'?` : ''}`,
        // Never applied by fix-all: a key another recipe reads may hold a value the near one does not take
        // (`fsdp: {cpu_offload: false}` is not a `fsdp_cpu_offload`).
        fixes: near.map((n) => ({ title: `Change '${key}' to '${n}'`, preferred: false, edits: [{ kind: 'renameKey' as const, path: [key], to: n }] })),
      });
    }
    return out;
  },
};
