import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { allowedValues, branches, schemaAt, typesOf, type JsonSchema } from '../../server/src/core/config/schema';
import { corpusPath, needsCorpus } from '../corpus';
import { analyze, REPO } from './helpers';

// Mutation testing on real configs: for each corpus file, three copies with one mistake each (a typo in a key, a
// value outside an enum, a value of the wrong type). A diagnostic must land on the changed line.

type Kind = 'key typo' | 'enum value' | 'wrong type';
const FORMATS = ['axolotl', 'deepspeed', 'llamafactory', 'trl', 'torchtune', 'lightning-cli', 'accelerate'];

interface Candidate {
  start: number;
  end: number;
  text: string;
}

/** Swaps two letters in the middle of a key, so that the result is no known key. */
function typo(key: string, known: Set<string>): string | undefined {
  for (let i = Math.floor(key.length / 2); i < key.length - 1; i++) {
    if (key[i] === key[i + 1] || !/[a-z]/i.test(key[i]) || !/[a-z]/i.test(key[i + 1])) continue;
    const t = key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
    if (!known.has(t)) return t;
  }
  return undefined;
}

function candidates(text: string, path: string, kind: Kind): Candidate[] {
  const a = analyze(text, path);
  const schema = a.schema;
  const doc = a.parsed?.doc;
  if (!schema || !doc) return [];
  const json = a.syntax === 'json';
  const out: Candidate[] = [];
  const visit = (node: unknown, here: JsonSchema | null, depth: number) => {
    if (!here || depth > 6) return;
    if (isMap(node)) {
      const known = new Set(Object.keys(branches(here).reduce<Record<string, unknown>>((acc, b) => ({ ...acc, ...b.properties }), {})));
      if (here['x-ftw-unknownKeys'] === undefined) return; // free-form (class_path, kwargs): the tool's own code decides
      for (const pair of node.items) {
        const key = pair.key as Node;
        if (!isScalar(key) || typeof key.value !== 'string' || !key.range) continue;
        const child = schemaAt(here, [key.value]);
        if (!child || child['x-ftw-aliasOf'] || child.deprecated) continue;
        if (kind === 'key typo' && known.has(key.value)) {
          const t = typo(key.value, known);
          const [s, e] = key.range;
          if (t) out.push({ start: s, end: e, text: json ? JSON.stringify(t) : t });
        }
        const value = pair.value as Node | null;
        if (kind === 'enum value' && isScalar(value) && typeof value.value === 'string' && value.range && !value.value.includes('${')) {
          const literals = allowedValues(child).filter((v) => typeof v === 'string');
          const open = branches(child).some((b) => !b.enum && !('const' in b) && typesOf({ type: b.type }).includes('string'));
          if (literals.length && !open) out.push({ start: value.range[0], end: value.range[1], text: JSON.stringify(`${value.value}_typo`) });
        }
        if (kind === 'wrong type' && isScalar(value) && value.range && value.value !== null && typeof value.value !== 'string') {
          const types = typesOf(child);
          if (types.length && !types.includes('array') && !types.includes('string') && !child.anyOf?.some((b) => 'const' in b && typeof b.const === 'string')) {
            out.push({ start: value.range[0], end: value.range[1], text: json ? '["not", "a", "scalar"]' : '[not, a, scalar]' });
          }
        }
        visit(pair.value, child, depth + 1);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item, schemaAt(here, ['[]']), depth + 1);
    }
  };
  visit(doc.contents, schema, 0);
  return out;
}

const results: Record<string, Record<Kind, { tried: number; caught: number; missed: string[] }>> = {};

describe('mutation test on the corpus: a mistake is reported on its line', needsCorpus('mutation test on the real public configs'), () => {
  for (const format of FORMATS) {
    it(format, () => {
      const dir = corpusPath('configs', format);
      const fresh = () => ({ tried: 0, caught: 0, missed: [] as string[] });
      const tally = (results[format] = { 'key typo': fresh(), 'enum value': fresh(), 'wrong type': fresh() });
      for (const file of readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f))) {
        const path = join(dir, file);
        const text = readFileSync(path, 'utf8');
        for (const kind of Object.keys(tally) as Kind[]) {
          const all = candidates(text, path, kind);
          if (!all.length) continue;
          const c = all[Math.floor(all.length / 2)]; // deterministic: the middle candidate
          const mutated = text.slice(0, c.start) + c.text + text.slice(c.end);
          const line = text.slice(0, c.start).split('\n').length - 1;
          const a = analyze(mutated, path);
          tally[kind].tried++;
          if (a.diagnostics.some((d) => d.range.start.line <= line && d.range.end.line >= line)) tally[kind].caught++;
          else tally[kind].missed.push(`${file}:${line + 1} ${c.text}`);
        }
      }
      for (const [kind, t] of Object.entries(tally)) {
        if (t.tried) assert.ok(t.caught / t.tried >= 0.95, `${format} ${kind}: ${t.caught}/${t.tried} caught; missed: ${t.missed.slice(0, 5).join('; ')}`);
      }
    });
  }

  it('writes the rates (out/mutation.json) for the closing note', () => {
    mkdirSync(join(REPO, 'out'), { recursive: true });
    writeFileSync(join(REPO, 'out', 'mutation.json'), `${JSON.stringify(results, null, 2)}\n`);
  });
});
