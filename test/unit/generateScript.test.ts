import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { newCommand } from '../../server/src/cli/generate';
import { DEFAULT_SETTINGS } from '../../server/src/core/config';
import { findGpu } from '../../server/src/core/gpus/catalog';
import { newConfig, support } from '../../server/src/core/generate';
import { doc, service } from './helpers';

// --format script (issue #11): a classifier with LoRA, QLoRA, prefix tuning or frozen layers, which no tool's config
// can express, written as a transformers + PEFT training script and the YAML it reads.

const T4 = findGpu('T4')!;
const hasPython = spawnSync('python3', ['--version']).status === 0;

function io(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s), cwd }, out, err };
}

const ISSUE_ARGS = ['--approach', 'classifier', '--method', 'lora', '--model', 'bert-large-uncased', '--gpu', 'T4', '--format', 'script', '--out', 'x.py'];

describe('ftw new --format script: a classifier trained by a script', () => {
  it('is offered for every classifier method a PEFT script can train, and suggested where a tool cannot', () => {
    for (const m of ['full', 'freeze', 'lora', 'qlora', 'prefix'] as const) assert.equal(support('classifier', 'script', m).supported, true, m);
    for (const m of ['adapter', 'distillation'] as const) assert.equal(support('classifier', 'script', m).supported, false, m);
    assert.equal(support('prompt-template', 'script', 'lora').supported, false);
    const r = newConfig({ approach: 'classifier', method: 'lora', model: 'bert-large-uncased', gpu: 'T4', format: 'axolotl' });
    assert.ok(!r.ok);
    assert.deepEqual(r.suggestions, ['Formats that can: script.']);
  });

  it(
    `${ISSUE_ARGS.join(' ')}: a script that compiles and its YAML, which fits the T4 by our estimate`,
    { skip: !hasPython && 'python3 not found' },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ftw-script-'));
      const run = io(dir);
      assert.equal(await newCommand(ISSUE_ARGS, run.io), 0, run.err.join(''));
      assert.match(run.err.join(''), /^ftw: wrote x\.py and x\.yaml \(≈ \d+\.\d GiB of 15\.0 GiB on the T4 16GB; .*\)\nftw: train with: python x\.py\n$/);
      const script = readFileSync(join(dir, 'x.py'), 'utf8');
      const yaml = readFileSync(join(dir, 'x.yaml'), 'utf8');
      const compiled = spawnSync('python3', ['-c', 'import sys; compile(open(sys.argv[1]).read(), sys.argv[1], "exec")', join(dir, 'x.py')], {
        encoding: 'utf8',
      });
      assert.equal(compiled.status, 0, compiled.stderr);
      assert.match(script, /^# Hyperparameters: x\.yaml, next to this file/m);
      assert.match(script, /^# Train: python x\.py /m);
      assert.match(script, /^#   method: {3}LoRA adapters$/m);
      assert.match(script, /TaskType\.SEQ_CLS/);
      assert.match(yaml, /^# Train: python x\.py$/m);
      assert.match(yaml, /^use_peft: true # ftw: disable=FT101$/m);
      // The editor's view of the YAML: a TrainingArguments file, no problem at all, and it fits the T4.
      const a = service().analyze(doc(yaml, join(dir, 'x.yaml')), { settings: DEFAULT_SETTINGS, vram: { targets: [T4], targetsAreReal: true, lookup: {} } });
      assert.equal(a.detection.format, 'hf-args');
      assert.deepEqual(
        a.diagnostics.map((d) => `${d.code} ${d.message}`),
        [],
      );
      const e = a.vram!.estimate!;
      assert.deepEqual([e.setup.method, e.setup.model, e.setup.precision, e.setup.sequenceLength], ['lora', 'bert-large-uncased', 'fp16-mixed', 512]);
      assert.ok(
        e.gpus.every((g) => g.fits),
        'fits the T4',
      );
    },
  );

  it('the YAML names the method as the estimator reads it: prefix tuning, frozen layers, QLoRA in 4 bits', () => {
    const setup = (method: 'prefix' | 'freeze' | 'qlora', gpu = 'A10G') => {
      const r = newConfig({ approach: 'classifier', method, model: 'google-bert/bert-base-uncased', gpu, format: 'script' });
      assert.ok(r.ok, r.ok ? '' : r.message);
      return { setup: r.config.estimate.setup, text: r.config.text, script: r.config.script! };
    };
    const prefix = setup('prefix');
    assert.deepEqual([prefix.setup.method, prefix.setup.prefix, prefix.setup.precision], ['prefix', { virtualTokens: 20 }, 'bf16-true']);
    assert.match(prefix.text, /^peft_type: PREFIX_TUNING # ftw: disable=FT101$/m);
    const freeze = setup('freeze');
    assert.deepEqual([freeze.setup.method, freeze.setup.trainableLayers, freeze.setup.precision], ['freeze', 2, 'bf16-mixed']);
    const qlora = setup('qlora', 'T4');
    assert.deepEqual([qlora.setup.method, qlora.setup.quantization, qlora.setup.doubleQuant], ['qlora', 'nf4', true]);
    assert.match(qlora.script, /^# Needs: pip install .* bitsandbytes$/m);
    assert.doesNotMatch(prefix.script, /bitsandbytes$/m);
  });

  it('wants --out NAME.py, never overwrites the script or its YAML without --force, prints both with --out -', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftw-script-'));
    const yamlOut = io(dir);
    assert.equal(await newCommand([...ISSUE_ARGS.slice(0, -1), 'x.yaml'], yamlOut.io), 2);
    assert.match(yamlOut.err.join(''), /--format script writes a Python script: --out NAME\.py \(its NAME\.yaml goes beside it\), not 'x\.yaml'/);
    writeFileSync(join(dir, 'x.yaml'), 'mine\n');
    const taken = io(dir);
    assert.equal(await newCommand(ISSUE_ARGS, taken.io), 2);
    assert.match(taken.err.join(''), /x\.yaml exists; refusing to overwrite it \(add --force\)/);
    assert.equal(readFileSync(join(dir, 'x.yaml'), 'utf8'), 'mine\n');
    assert.ok(!existsSync(join(dir, 'x.py')), 'nothing written');
    assert.equal(await newCommand([...ISSUE_ARGS, '--force'], io(dir).io), 0);
    const both = io(dir);
    assert.equal(await newCommand([...ISSUE_ARGS, '--force'], both.io), 0, 'overwrites both with --force');
    const stdout = io(dir);
    assert.equal(await newCommand([...ISSUE_ARGS.slice(0, -1), '-'], stdout.io), 0);
    assert.match(
      stdout.out.join(''),
      /^# ==> bert-large-uncased-lora\.py <==\n#!\/usr\/bin\/env python3\n[^]*\n# ==> bert-large-uncased-lora\.yaml <==\n# ftw: format=hf-args\n/,
    );
  });
});
