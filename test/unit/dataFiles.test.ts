import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, AXOLOTL_BASE, summary } from './helpers';

// Issue 14 (5): maps of data (tokenizer vocabularies, catalogues) are not configs, and no file gets more than 200
// diagnostics. Issue 14 (6): keys named like Object.prototype's members are keys like any other.

/** A tokenizer vocabulary of about `bytes` bytes, with tokens that are also LLaMA-Factory keys. */
function vocab(bytes: number): string {
  const o: Record<string, number> = { stage: 0, template: 1, cutoff_len: 2, model_name_or_path: 3, constructor: 4, toString: 5 };
  let i = 0;
  let size = 100;
  while (size < bytes) {
    const token = `\u0120tok${i.toString(36)}`;
    o[token] = 6 + i++;
    size += token.length + 10;
  }
  return JSON.stringify(o);
}

// Before issue 14 these files took minutes (one diagnostic per token); HANG_MS only tells that from a bounded run on
// a loaded machine. How fast they are checked is the benchmark's: node out/test/bench/hostileBench.js.
const HANG_MS = 20_000;

describe('files that are not configs', () => {
  it('a 1 MB vocab.json whose tokens include config keys: not a config, silent (its speed: hostileBench)', () => {
    const text = vocab(1_000_000);
    assert.ok(text.length > 900_000 && text.length < 1024 * 1024, String(text.length));
    const t = Date.now();
    const a = analyze(text, '/work/project/tokenizer/vocab.json');
    const ms = Date.now() - t;
    assert.equal(a.detection.format, 'none');
    assert.match(a.detection.reason, /^A map of \d+ keys is data/);
    assert.deepEqual(a.diagnostics, []);
    assert.ok(ms < HANG_MS, `${ms} ms`);
  });

  it('a small vocabulary (names to numbers) is data too', () => {
    const o: Record<string, number> = { stage: 0, template: 1, cutoff_len: 2, finetuning_type: 3 };
    for (let i = 0; i < 40; i++) o[`w${i}`] = 4 + i;
    const a = analyze(JSON.stringify(o, null, 2), '/work/project/vocab.json');
    assert.equal(a.detection.format, 'none');
    assert.deepEqual(a.diagnostics, []);
  });

  it('a vocabulary written as YAML, too large to parse quickly: recognised from its key lines', () => {
    const lines = ['stage: 0', 'template: 1', 'cutoff_len: 2'];
    for (let i = 0; i < 20000; i++) lines.push(`tok${i}: ${i + 3}`);
    const t = Date.now();
    const a = analyze(`${lines.join('\n')}\n`, '/work/project/vocab.yaml');
    assert.equal(a.detection.format, 'none');
    assert.deepEqual(a.diagnostics, []);
    assert.ok(Date.now() - t < HANG_MS);
  });

  it('a modeline still makes such a file a config: then at most 200 diagnostics and one summary line (FT007)', () => {
    const lines = ['# ftw: format=llamafactory', 'stage: sft', 'model_name_or_path: Qwen/Qwen2-0.5B', 'template: qwen', 'finetuning_type: lora', 'output_dir: out'];
    for (let i = 0; i < 300; i++) lines.push(`zz_unknown_${i}: 1`);
    const a = analyze(lines.join('\n'), '/work/project/many.yaml');
    assert.equal(a.detection.format, 'llamafactory');
    assert.equal(a.diagnostics.length, 201);
    assert.deepEqual(a.diagnostics.slice(0, 200).map((d) => d.code), Array(200).fill('FT101'));
    assert.deepEqual(summary(a).slice(199), [
      "205:0-205:14 FT101 error Unknown key 'zz_unknown_199': LLaMA-Factory refuses to start with it (\"Some keys are not used by the HfArgumentParser\"; ALLOW_EXTRA_ARGS=1 lets it through).",
      '206:0-206:14 FT007 information More than 200 problems: the ones from here on are not shown. If this file is not a fine-tuning config, choose "Not a fine-tuning config" in the status bar\'s format picker.',
    ]);
  });

  it('a config of our own with a few dozen keys is still a config', () => {
    assert.equal(analyze(AXOLOTL_BASE).detection.format, 'axolotl');
  });
});

describe('object keys are data', () => {
  const NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'];

  it('Axolotl: unknown keys named like Object.prototype members are FT101, never "removed" (FT107)', () => {
    const text = `${AXOLOTL_BASE}\n${NAMES.map((n) => `${n}: 1`).join('\n')}\nspecial_tokens:\n  constructor: x`;
    assert.deepEqual(summary(analyze(text)), [
      ...NAMES.map((n, i) => `${8 + i}:0-${8 + i}:${n.length} FT101 warning Unknown key '${n}': Axolotl ignores it silently.`),
      "14:2-14:13 FT101 warning Unknown key 'constructor' in 'special_tokens': Axolotl ignores it silently.",
    ]);
  });

  it('LLaMA-Factory refuses __proto__ and constructor as unknown keys; a template named constructor is no family', () => {
    const text = 'stage: sft\nmodel_name_or_path: Qwen/Qwen2-0.5B\nfinetuning_type: lora\ntemplate: constructor\noutput_dir: o\n__proto__: 1\nconstructor: 2\n';
    const found = analyze(text, '/work/project/lf.yaml').diagnostics.map((d) => `${d.range.start.line} ${d.code} ${d.message.split(':')[0]}`);
    assert.deepEqual(found, [
      "3 FT103 'constructor' is not a value LLaMA-Factory knows for 'template'. 125 values are allowed.",
      "5 FT101 Unknown key '__proto__'",
      "6 FT101 Unknown key 'constructor'",
    ]);
  });

  it('torchtune: an argument named toString is not taken for a known argument', () => {
    const text = 'optimizer:\n  _component_: torch.optim.AdamW\n  lr: 2e-5\n  toString: 2\n';
    assert.deepEqual(analyze(text, '/work/project/tt.yaml').diagnostics.map((d) => `${d.code} ${d.message}`), [
      "FT101 Unknown argument 'toString' of AdamW(): torchtune passes it as a keyword argument and stops with \"unexpected keyword argument\".",
    ]);
  });

  it('DeepSpeed: constructor inside a section is refused as unknown', () => {
    const text = '{"train_micro_batch_size_per_gpu": 1, "zero_optimization": {"stage": 2, "constructor": 1}}';
    assert.deepEqual(analyze(text, '/work/project/ds_config.json').diagnostics.map((d) => `${d.code} ${d.message}`), [
      'FT101 Unknown key \'constructor\' in \'zero_optimization\': DeepSpeed refuses to start with it ("Extra inputs are not permitted").',
    ]);
  });
});
