import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../server/src/core/config';
import { analyze, AXOLOTL_BASE, doc, service, summary } from './helpers';
import { mergeBomb, unclosedBraces } from './hostileTexts';

// Issue 12's reproducers, each as small as the report had it. Before the fix each one ran for minutes (an
// exponential blow-up); HANG_MS only tells a bounded run from such a hang, whatever the machine's load. How fast they
// are is measured by the benchmark (docs/benchmarks.md), not asserted here.
const HANG_MS = 20_000;

function timed<T>(f: () => T): { result: T; ms: number } {
  const started = performance.now();
  const result = f();
  return { result, ms: performance.now() - started };
}

describe('files that froze the checker are bounded, with a clear message', () => {
  it('the merge bomb (about 1 KB): FT004 at the first alias', () => {
    const text = `# ftw: format=axolotl\nbase_model: NousResearch/Llama-3.2-1B\n${mergeBomb()}`;
    const { result, ms } = timed(() => analyze(text));
    assert.deepEqual(summary(result), [
      '3:18-3:21 FT004 error YAML aliases and merge keys (<<) here expand to more than 100,000 nodes (an "alias bomb"). PyYAML would expand all of them and may hang; the file was not validated.',
    ]);
    assert.ok(ms < HANG_MS, `${ms} ms`);
  });

  it('merges that stay small load as PyYAML loads them', () => {
    assert.deepEqual(parseConfig(mergeBomb(2), 'yaml').problems, []);
    assert.deepEqual((parseConfig(mergeBomb(2), 'yaml').value as Record<string, Record<string, unknown>>)['a2']['m8'], {
      m0: { k: 'v' },
      m1: { k: 'v' },
      m2: { k: 'v' },
      m3: { k: 'v' },
      m4: { k: 'v' },
      m5: { k: 'v' },
      m6: { k: 'v' },
      m7: { k: 'v' },
      m8: { k: 'v' },
    });
  });

  it('an alias inside its own anchor (a cycle) is an alias bomb', () => {
    assert.deepEqual(
      parseConfig('a: &a [1, *a]', 'yaml').problems.map((p) => [p.code, p.start]),
      [['FT004', 10]],
    );
  });

  for (const kib of [24, 38]) {
    it(`${kib} KiB of unclosed '{' lines: one syntax error where the first one opens`, () => {
      const { result, ms } = timed(() => analyze(unclosedBraces(kib)));
      assert.deepEqual(summary(result), [
        `1:0-1:1 FT001 error Syntax error: this '{' is never closed: everything after it is read as part of it (PyYAML: "expected ',' or '}'"). What follows it nests more than 64 levels deep, so it was not read further.`,
      ]);
      assert.ok(ms < HANG_MS, `${ms} ms`);
    });
  }

  it('mappings nested as keys (valid YAML): PyYAML refuses the unhashable key, and nothing is stringified', () => {
    const nested = `${'{'.repeat(60)}a: 1${'}: 1'.repeat(60)}`;
    const { result, ms } = timed(() => parseConfig(`base_model: x\nk: ${nested}`, 'yaml'));
    assert.deepEqual(
      result.problems.map((p) => `${p.code} ${p.start} ${p.message}`),
      ['FT001 18 Syntax error: a mapping or a list used as a key. PyYAML stops with "found unhashable key"; a config\'s keys are names.'],
    );
    assert.ok(ms < HANG_MS, `${ms} ms`);
    assert.deepEqual(
      parseConfig('[a, b]: 1', 'yaml').problems.map((p) => [p.code, p.start, p.end]),
      [['FT001', 0, 6]],
    );
  });

  it('JSON completion with a 200 KB string value before the cursor looks at the current line only', () => {
    const text = `{\n  "_comment": "${'x'.repeat(200_000)}",\n  "zero_optimization": {"stage": |}\n}`;
    const offset = text.indexOf('|');
    const clean = text.replace('|', '');
    const d = doc(clean, '/p/ds_config.json');
    const { result, ms } = timed(() => service().complete(d, d.positionAt(offset), analyze(clean, '/p/ds_config.json')));
    assert.deepEqual(
      result.items.map((i) => i.label),
      ['0', '1', '2', '3'],
    );
    assert.ok(ms < HANG_MS, `${ms} ms`);
  });
});

describe('a config that does not load still says so (no false "no problems")', () => {
  const stray = AXOLOTL_BASE.replace('micro_batch_size: 2', '{oops:\nmicro_batch_size: 2');

  it('one stray `{oops:` line: still Axolotl, one syntax error at the brace, the other keys checked as usual', () => {
    const a = analyze(stray);
    assert.equal(a.detection.format, 'axolotl');
    assert.deepEqual(summary(a), [
      `4:0-4:1 FT001 error Syntax error: this '{' is never closed: everything after it is read as part of it (PyYAML: "expected ',' or '}'").`,
    ]);
    assert.deepEqual(
      summary(analyze(`${stray}\nwarmup_steps: 0.1`)).map((l) => l.split(' ').slice(0, 2).join(' ')),
      ['4:0-4:1 FT001', '9:14-9:17 FT102'],
    );
  });

  it('a syntax error on the first line does not hide what the file is', () => {
    assert.equal(analyze(`{oops:\n${AXOLOTL_BASE}`).detection.format, 'axolotl');
  });

  it('a DeepSpeed file that does not load is recognised by its name, and reports its error', () => {
    const a = analyze('{"zero_optimization": {"stage": 2', '/p/configs/ds_config_zero2.json');
    assert.deepEqual([a.detection.format, a.diagnostics[0].code], ['deepspeed', 'FT001']);
  });

  it('`!!python/...` tags: "safe_load refuses this tag" on the tag, not a type error', () => {
    const a = analyze(`${AXOLOTL_BASE}\nseed: !!python/object/apply:os.system ["touch PWNED"]\nlora_r: !Ref r`);
    assert.deepEqual(summary(a), [
      `8:6-8:37 FT006 error safe_load refuses this tag: '!!python/object/apply:os.system' ("could not determine a constructor for the tag"). Every training tool reads its config with yaml.safe_load, so the run stops here; nothing was evaluated.`,
      `9:8-9:12 FT006 error safe_load refuses this tag: '!Ref' ("could not determine a constructor for the tag"). Every training tool reads its config with yaml.safe_load, so the run stops here; nothing was evaluated.`,
    ]);
  });

  it('the tags safe_load knows are fine', () => {
    assert.deepEqual(summary(analyze(`${AXOLOTL_BASE}\nseed: !!int "42"\nhub_model_id: !!str 123`)), []);
  });
});

describe('completion at every position of an edited file', () => {
  it('a lone carriage return ends a line for LSP, and completion reads the same lines (no TypeError in shapeOf)', () => {
    const text = `${AXOLOTL_BASE}\rlora_r: 8\rlora_`;
    const d = doc(text);
    const analysis = analyze(text);
    for (let line = 0; line < d.lineCount; line++) {
      for (let character = 0; character <= 20; character++) service().complete(d, { line, character }, analysis);
    }
    assert.ok(
      service()
        .complete(d, { line: 9, character: 5 }, analysis)
        .items.some((i) => i.label === 'lora_alpha'),
    );
  });
});
