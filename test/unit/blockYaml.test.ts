import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isMap, isPair, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { blockValue, readBlockYaml } from '../../server/src/core/config/blockYaml';
import { parseConfig, yamlOptions } from '../../server/src/core/config/parse';
import { IncrementalYamlParser } from '../../server/src/core/config/incremental';
import { largeAxolotl, mediumAxolotl, seededRandom, smallAxolotl } from '../bench/fixtures';
import { CORPUS } from '../corpus';

// The fast reader (blockYaml.ts) must build exactly the nodes the yaml package builds, or return null.

const REPO = join(__dirname, '..', '..', '..');

/** The first difference between two nodes (class, range, value, type, source, format, tag, anchor, items), or null. */
function diff(a: unknown, b: unknown, path: string): string | null {
  const cls = (n: unknown) => (n === null ? 'null' : n === undefined ? 'undefined' : (n as object).constructor.name);
  if (cls(a) !== cls(b)) return `${path}: ${cls(a)} vs ${cls(b)}`;
  if (!a || typeof a !== 'object') return null;
  if (isPair(a) && isPair(b)) return diff(a.key, b.key, `${path}.key`) ?? diff(a.value, b.value, `${path}.value`);
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const f of ['range', 'type', 'source', 'format', 'tag', 'anchor', 'flow']) {
    if (JSON.stringify(x[f]) !== JSON.stringify(y[f])) return `${path}: ${f} ${JSON.stringify(x[f])} vs ${JSON.stringify(y[f])}`;
  }
  if (isScalar(a) && isScalar(b)) {
    const same = a.value instanceof Date ? b.value instanceof Date && a.value.getTime() === b.value.getTime() : Object.is(a.value, b.value);
    return same ? null : `${path}: value ${String(a.value)} vs ${String(b.value)}`;
  }
  if ((isMap(a) && isMap(b)) || (isSeq(a) && isSeq(b))) {
    const ai = a.items as unknown[];
    const bi = b.items as unknown[];
    if (ai.length !== bi.length) return `${path}: ${ai.length} items vs ${bi.length}`;
    for (let i = 0; i < ai.length; i++) {
      const d = diff(ai[i], bi[i], `${path}[${i}]`);
      if (d) return d;
    }
  }
  return null;
}

/** Null when the fast reader declines or agrees with parseDocument (which must then report nothing); else why not. */
function disagreement(text: string): { fast: boolean; problem: string | null } {
  const fast = readBlockYaml(text);
  if (!fast) return { fast: false, problem: null };
  const ref = parseDocument(text, yamlOptions('yaml'));
  const reported = [...ref.errors, ...ref.warnings];
  if (reported.length) return { fast: true, problem: `the fast reader read a text yaml reports: ${reported[0].message}` };
  if (JSON.stringify(fast.range) !== JSON.stringify(ref.range))
    return { fast: true, problem: `document range ${JSON.stringify(fast.range)} vs ${JSON.stringify(ref.range)}` };
  const d = diff(fast.contents, ref.contents, '$');
  if (d) return { fast: true, problem: d };
  assert.deepEqual(fast.toJS(), ref.toJS());
  assert.deepEqual(blockValue(fast), ref.toJS(), 'blockValue is what toJS returns');
  return { fast: true, problem: null };
}

function assertSame(text: string, label: string): boolean {
  const { fast, problem } = disagreement(text);
  assert.equal(problem, null, `${label}: ${problem}\n--- text ---\n${text.slice(0, 2000)}`);
  return fast;
}

/** Column-0 blocks, as the incremental parser splits a config (each starts at a key in column 0). */
function topLevelBlocks(text: string): string[] {
  const starts: number[] = [];
  for (let at = 0; at < text.length; ) {
    const nl = text.indexOf('\n', at);
    if (!/[\s#]/.test(text[at] ?? ' ')) starts.push(at);
    at = nl < 0 ? text.length : nl + 1;
  }
  if (starts.length) starts[0] = 0;
  return starts.map((s, i) => text.slice(s, starts[i + 1] ?? text.length));
}

function repoYaml(): Array<[string, string]> {
  const listed = execFileSync('git', ['ls-files', '-z', 'examples', 'test'], { cwd: REPO, encoding: 'utf8' })
    .split('\0')
    .filter((f) => /\.ya?ml$/.test(f) && !f.includes('.cache/'));
  return listed.filter((f) => existsSync(join(REPO, f))).map((f) => [f, readFileSync(join(REPO, f), 'utf8')]);
}

function corpusYaml(): Array<[string, string]> {
  const root = join(CORPUS!, 'configs');
  const out: Array<[string, string]> = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(name)) out.push([path.slice(root.length + 1), readFileSync(path, 'utf8')]);
    }
  };
  walk(root);
  return out;
}

function coverage(files: Array<[string, string]>, label: string): string {
  let whole = 0;
  let blocks = 0;
  let fastBlocks = 0;
  for (const [name, text] of files) {
    if (assertSame(text, name)) whole++;
    for (const block of topLevelBlocks(text)) {
      blocks++;
      if (assertSame(block, `${name} (block ${JSON.stringify(block.slice(0, 40))})`)) fastBlocks++;
    }
  }
  return `${label}: the fast reader takes ${whole} of ${files.length} files whole and ${fastBlocks} of ${blocks} top-level blocks`;
}

// Inputs it must read (not decline): what configs are made of.
const MUST_READ = [
  'a: 1\n',
  'a: 1',
  'base_model: meta-llama/Llama-3.1-8B  # the model\nload_in_8bit: false\nlr: 2.0e-5\nwarmup: 0.1\n',
  '# header\n\nmodel:\n  name: x\n  dtype: bf16\n\n# trailing\n',
  'datasets:\n  - path: a.jsonl\n    type: alpaca\n  - path: "b.jsonl"\n    type: \'chat_template\'\n',
  'targets:\n- q_proj\n- v_proj\nnext: 1\n',
  'a:\nb: ~\nc: null\nd: yes\ne: Off\nf: 0x1F\ng: 017\nh: 1_000\ni: .inf\nj: 2001-12-14\n',
  'a:\n  b:\n    c: 1\n      # deeper comment\n    # same-indent comment\n\n  d: 2\n',
  "a: \"x\\\"y\\\\z\"\nb: 'it''s'\n\"quoted key\": 1\n'k': v\n",
  'a: 1\r\nb:\r\n  c: 2\r\n',
  'key: value # comment\nempty: # only a comment\n  # more\nnext: 1\n',
  '- a\n- b: 1\n  c: 2\n- d\n',
  'optimizer:\n  lr: ???\n  betas: [0.9, 0.999]\n',
  'a: [q_proj, "v_proj" , 3]  # c\nb: []\nc: {}\nd:\n  - [x]\n',
  'checkpointer:\n  checkpoint_files: [\n    model-00001-of-00002.safetensors,\n    "model-00002-of-00002.safetensors",\n  ]\n  x: [a,\n    b]\ny: [\n  1\n]\n',
];

describe('blockYaml: the fast reader builds what the yaml package builds', () => {
  it('reads the inputs of its subset, node for node', () => {
    for (const text of MUST_READ) {
      assert.ok(readBlockYaml(text), `the fast reader declined ${JSON.stringify(text)}`);
      assertSame(text, JSON.stringify(text));
    }
  });

  it('declines what is outside its subset', () => {
    for (const text of [
      'a: [1, [2]]\n',
      'a: [1,\n# c\n  2]\n',
      'a:\n  b: [\n  x]\n',
      '- [a,\n  b]\n',
      'a: {b: 1}\n',
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: |\n  text\n',
      'a: >\n  text\n',
      'a: multi\n  line\n',
      'a: "multi\n  line"\n',
      '? a\n: 1\n',
      'a: ? b\n',
      '---\na: 1\n',
      'a: 1\n...\n',
      '%YAML 1.1\n---\na: 1\n',
      'a:\n\tb: 1\n',
      '<<: {a: 1}\n',
      'a: b: c\n',
      'plain scalar\n',
      '',
      '# only a comment\n',
      '- \n- a\n',
      'a:\n  b: 1\n c: 2\n',
    ])
      assert.equal(readBlockYaml(text), null, JSON.stringify(text));
  });

  it('agrees on every YAML file of the repository (examples/, test fixtures) and the bench fixtures', (t) => {
    const files = repoYaml();
    assert.ok(files.length > 5, 'examples/ and the test fixtures hold YAML files');
    for (const f of [smallAxolotl(), mediumAxolotl(), largeAxolotl()]) files.push([`bench:${f.name}`, f.text]);
    t.diagnostic(coverage(files, 'repository and bench fixtures'));
    for (const f of [mediumAxolotl(), largeAxolotl()]) assert.ok(readBlockYaml(f.text), `the fast reader reads the bench fixture ${f.name} whole`);
  });

  it('agrees on every config of the conformance corpus', (t) => {
    if (!CORPUS) {
      t.skip('SKIPPED: no conformance corpus (../shared/corpus or FTW_CORPUS): the fast reader was not compared on it');
      return;
    }
    const files = corpusYaml();
    assert.ok(files.length > 100);
    const line = coverage(files, 'conformance corpus');
    t.diagnostic(line);
    console.log(line);
  });

  it('differential fuzz: mutated configs read either as yaml reads them or not at all', () => {
    // BLOCKYAML_FUZZ_SEED and BLOCKYAML_FUZZ_CASES run it longer, or elsewhere (the defaults are what CI runs).
    const random = seededRandom(Number(process.env['BLOCKYAML_FUZZ_SEED'] ?? 17));
    const seeds = [...repoYaml(), ...(CORPUS ? corpusYaml() : [])].map(([, text]) => text).filter((text) => text.length < 4000 && readBlockYaml(text));
    seeds.push(...MUST_READ, smallAxolotl().text);
    const CHARS = [':', ' ', '-', '#', "'", '"', '\n', '\t', '{', '}', '[', ']', '&', '*', '!', '|', '>', '?', '\r', '\\', '.', '0', 'a', '~', '@', '%', ','];
    let read = 0;
    const CASES = Number(process.env['BLOCKYAML_FUZZ_CASES'] ?? 3000);
    for (let n = 0; n < CASES; n++) {
      let text = seeds[Math.floor(random() * seeds.length)];
      const edits = 1 + Math.floor(random() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * (text.length + 1));
        const lineStart = text.lastIndexOf('\n', at - 1) + 1;
        const lineEnd = text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at) + 1;
        const line = text.slice(lineStart, lineEnd);
        switch (Math.floor(random() * 6)) {
          case 0:
          case 1:
            text = text.slice(0, at) + CHARS[Math.floor(random() * CHARS.length)] + text.slice(at);
            break;
          case 2:
            text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 3));
            break;
          case 3: // duplicate the line
            text = text.slice(0, lineStart) + line + (line.endsWith('\n') ? '' : '\n') + text.slice(lineStart);
            break;
          case 4: // re-indent the line
            text =
              random() < 0.5
                ? text.slice(0, lineStart) + ' '.repeat(1 + Math.floor(random() * 4)) + text.slice(lineStart)
                : text.slice(0, lineStart) + line.replace(/^ {1,2}/, '') + text.slice(lineEnd);
            break;
          default: // a blank or comment line, indented anyhow
            text = text.slice(0, lineStart) + ' '.repeat(Math.floor(random() * 6)) + (random() < 0.6 ? '# c' : '') + '\n' + text.slice(lineStart);
        }
      }
      const { fast, problem } = disagreement(text);
      assert.equal(problem, null, `case ${n}: ${problem}\n--- text ---\n${text}`);
      if (fast) read++;
    }
    // The fuzz must exercise the reader, not only its refusals.
    assert.ok(read > CASES / 5, `the fast reader read only ${read} of ${CASES} mutated configs`);
  });

  it('parseConfig and the incremental parser give the same results with it as the yaml package does', () => {
    for (const f of [mediumAxolotl(), largeAxolotl()]) {
      const viaFast = parseConfig(f.text, 'yaml');
      assert.ok(viaFast.doc && viaFast.problems.length === 0);
      const ref = parseDocument(f.text, yamlOptions('yaml')) as Document.Parsed;
      assert.deepEqual(viaFast.value, ref.toJS());
      assert.equal(diff(viaFast.doc.contents, ref.contents, '$'), null);
      const inc = new IncrementalYamlParser().parse(f.text);
      assert.deepEqual(inc.value, ref.toJS());
    }
  });
});
