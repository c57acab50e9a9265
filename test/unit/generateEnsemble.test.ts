import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ensembleCommand, newCommand, parseArgs } from '../../server/src/cli/generate';
import { ensemble, EnsembleError, newConfig } from '../../server/src/core/generate';
import { analyze, AXOLOTL_BASE } from './helpers';

const ROOT = '/work/project';

function generated(
  format: 'axolotl' | 'llamafactory' | 'trl' | 'torchtune' | 'hf-args',
  approach: 'classifier' | 'prompt-template' = 'prompt-template',
  method: 'lora' | 'qlora' | 'full' = 'qlora',
) {
  const r = newConfig({
    approach,
    method,
    format,
    model: approach === 'classifier' ? 'google-bert/bert-base-uncased' : 'NousResearch/Llama-3.2-1B',
    gpu: 'RTX 4090',
  });
  assert.ok(r.ok, r.ok ? '' : r.message);
  return r.config.text;
}

describe('ensemble writer', () => {
  it('writes short/mid/long Axolotl variants with true length buckets, own output dirs, estimates and tasks', () => {
    const source = `# my run\n${AXOLOTL_BASE}\nsequence_len: 2048 # long enough\nadapter: lora\ngradient_checkpointing: true\n`;
    const r = ensemble(source, 'axolotl', `${ROOT}/configs/lora.yml`, [512, 1024, 2048], {
      gpu: 'RTX 4090',
      outDir: `${ROOT}/configs/buckets`,
      workspace: ROOT,
    });
    assert.deepEqual(
      r.variants.map((v) => [v.name, v.sequenceLength, v.minLength]),
      [
        ['short', 512, undefined],
        ['mid', 1024, 513],
        ['long', 2048, 1025],
      ],
    );
    assert.deepEqual(
      r.variants.map((v) => v.path),
      ['short', 'mid', 'long'].map((n) => `${ROOT}/configs/buckets/lora.${n}.yml`),
    );
    const mid = r.variants[1];
    assert.match(mid.text, /^# my run$/m, 'the source comments stay');
    assert.match(mid.text, /^sequence_len: 1024 # long enough$/m);
    assert.match(mid.text, /^min_sample_len: 513$/m);
    assert.match(mid.text, /^excess_length_strategy: drop$/m);
    assert.match(mid.text, /^output_dir: \.\/outputs\/lora-out-mid$/m);
    assert.match(mid.text, /^# VRAM: ≈ [\d.]+ GiB \(up to [\d.]+\) of 24\.0 GiB on the RTX 4090 24GB: fits\.$/m);
    assert.match(mid.text, /Axolotl keeps samples of 513 to 1024 tokens/);
    assert.doesNotMatch(r.variants[0].text, /min_sample_len/);
    for (const v of r.variants) {
      const a = analyze(v.text, v.path);
      assert.equal(a.detection.format, 'axolotl');
      assert.deepEqual(
        a.diagnostics.filter((d) => d.severity === 1).map((d) => d.message),
        [],
      );
      assert.ok(v.estimate && v.fits, `${v.name}: ${v.text.split('\n').find((l) => l.includes('VRAM'))}`);
    }
    assert.ok(r.variants[0].estimate!.peakBytes < r.variants[2].estimate!.peakBytes, 'shorter sequences need less memory');
    assert.deepEqual(r.tasks, {
      version: '2.0.0',
      tasks: [
        { label: 'Train lora (short, ≤ 512 tokens)', type: 'finetune', config: 'configs/buckets/lora.short.yml' },
        { label: 'Train lora (mid, ≤ 1024 tokens)', type: 'finetune', config: 'configs/buckets/lora.mid.yml' },
        { label: 'Train lora (long, ≤ 2048 tokens)', type: 'finetune', config: 'configs/buckets/lora.long.yml' },
        {
          label: 'Train lora length-bucket ensemble',
          dependsOn: ['Train lora (short, ≤ 512 tokens)', 'Train lora (mid, ≤ 1024 tokens)', 'Train lora (long, ≤ 2048 tokens)'],
          dependsOrder: 'sequence',
          problemMatcher: [],
        },
      ],
    });
  });

  const formats = [
    { format: 'llamafactory', key: /^cutoff_len: 1024$/m, says: /LLaMA-Factory truncates every sample to cutoff_len/ },
    { format: 'trl', key: /^max_length: 1024$/m, says: /TRL's SFT truncates each sample to max_length/ },
    { format: 'torchtune', key: /^ {2}max_seq_len: 1024$/m, says: /torchtune's tokenizer truncates/ },
  ] as const;
  for (const f of formats) {
    it(`${f.format}: sets the length, says it truncates, keeps the file valid`, () => {
      const r = ensemble(generated(f.format), f.format, `${ROOT}/gen.yaml`, [512, 1024, 2048], { gpu: 'RTX 4090' });
      const mid = r.variants[1];
      assert.match(mid.text, f.key);
      assert.match(mid.text, f.says);
      assert.match(mid.text, /this is not a filter/);
      assert.match(mid.text, /^output_dir: .*-mid$/m);
      for (const v of r.variants) {
        const a = analyze(v.text, v.path);
        assert.equal(a.detection.format, f.format);
        assert.deepEqual(
          a.diagnostics.filter((d) => d.severity === 1).map((d) => d.message),
          [],
          v.text,
        );
        assert.equal(v.estimate?.setup.sequenceLength, v.sequenceLength);
      }
      assert.equal(r.variants[1].text.match(/^# VRAM: /gm)?.length, 1, 'the source VRAM line is replaced, not repeated');
    });
  }

  it('the classifier (hf-args) buckets max_seq_length', () => {
    const r = ensemble(generated('hf-args', 'classifier', 'full'), 'hf-args', `${ROOT}/cls.yaml`, [128, 256]);
    assert.deepEqual(
      r.variants.map((v) => v.name),
      ['short', 'long'],
    );
    assert.match(r.variants[0].text, /^max_seq_length: 128 # ftw: disable=FT101$/m);
  });

  it('names more than three buckets by length', () => {
    const r = ensemble(`${AXOLOTL_BASE}\n`, 'axolotl', `${ROOT}/a.yml`, [4096, 512, 1024, 2048]);
    assert.deepEqual(
      r.variants.map((v) => v.name),
      ['b512', 'b1024', 'b2048', 'b4096'],
    );
    assert.match(r.variants[0].text, /^sequence_len: 512$/m, 'added when the source has none');
  });

  it('refuses what it cannot split, saying why', () => {
    assert.throws(() => ensemble('a: 1\n', 'deepspeed', '/x.json', [512]), EnsembleError);
    assert.throws(() => ensemble(`${AXOLOTL_BASE}\n`, 'axolotl', '/x.yml', [512, 512]), /different lengths/);
    assert.throws(() => ensemble(`${AXOLOTL_BASE}\n`, 'axolotl', '/x.yml', [0]), /not a sequence length/);
    assert.throws(() => ensemble('model_name_or_path: a\nteacher_model_name_or_path: b\n', 'trl', '/x.yml', [512]), /caps only completions/);
    assert.throws(() => ensemble('model_name_or_path: a\noutput_dir: o\n', 'hf-args', '/x.yml', [512]), /no sequence length key/);
  });
});

describe('ftw new / ftw ensemble (CLI)', () => {
  const io = (cwd: string) => {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s), cwd }, out, err };
  };

  it('parses --name value, --name=value and flags; rejects unknown options', () => {
    assert.deepEqual(parseArgs(['a', '--x', '1', '--y=2', '--f'], { x: 'value', y: 'value', f: 'flag' }), {
      positional: ['a'],
      options: { x: '1', y: '2' },
      flags: new Set(['f']),
    });
    assert.throws(() => parseArgs(['--nope', '1'], { x: 'value' }), /unknown option '--nope'/);
    assert.throws(() => parseArgs(['--x'], { x: 'value' }), /needs a value/);
  });

  it('writes a file, refuses to overwrite it without --force, prints to stdout with --out -', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftw-new-'));
    const args = [
      '--approach',
      'prompt-template',
      '--method',
      'lora',
      '--model',
      'NousResearch/Llama-3.2-1B',
      '--gpu',
      'RTX 4090',
      '--format',
      'torchtune',
      '--out',
      'cfg/run.yaml',
    ];
    const a = io(dir);
    assert.equal(await newCommand(args, a.io), 0);
    const text = readFileSync(join(dir, 'cfg/run.yaml'), 'utf8');
    assert.match(text, /^# Train: tune run lora_finetune_single_device --config cfg\/run\.yaml$/m);
    assert.match(a.err.join(''), /wrote cfg\/run\.yaml .*\n.*train with: tune run lora_finetune_single_device --config cfg\/run\.yaml/);
    assert.match(a.err.join(''), /a name with "lora" in it/);
    const b = io(dir);
    assert.equal(await newCommand(args, b.io), 2);
    assert.match(b.err.join(''), /exists; refusing to overwrite it \(add --force\)/);
    assert.equal(await newCommand([...args, '--force'], io(dir).io), 0);
    const c = io(dir);
    assert.equal(await newCommand([...args.slice(0, -1), '-'], c.io), 0);
    assert.match(c.out.join(''), /^# ftw: format=torchtune$/m);
  });

  it('bad usage, unsupported combinations and misfits exit 2 with the reason', async () => {
    const base = ['--model', 'meta-llama/Llama-3.1-8B', '--gpu', 'RTX 3060', '--out', '-'];
    const cases: Array<[string[], RegExp]> = [
      [['--approach', 'prompt-template', '--method', 'lora', '--format', 'axolotl', '--model', 'x', ...base], /--model is given twice/],
      [['--approach', 'x', '--method', 'lora', '--format', 'axolotl', ...base], /--approach must be one of classifier, prompt-template/],
      [['--approach', 'prompt-template', '--format', 'axolotl', ...base], /--method is required/],
      [['--approach', 'prompt-template', '--method', 'prefix', '--format', 'axolotl', ...base], /Axolotl cannot express prefix tuning.*no prefix tuning/],
      [
        ['--approach', 'prompt-template', '--method', 'lora', '--format', 'axolotl', ...base],
        /does not fit the RTX 3060 12GB \(12\.0 GiB\) without changing the method\.\n[^]*QLoRA \(4-bit base\) on the RTX 3060 12GB: ≈ /,
      ],
    ];
    for (const [args, re] of cases) {
      const x = io(tmpdir());
      assert.equal(await newCommand(args, x.io), 2, args.join(' '));
      assert.match(x.err.join(''), re);
      assert.deepEqual(x.out, []);
    }
  });

  it('ftw ensemble writes the variants and a tasks fragment, and refuses to overwrite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftw-ens-'));
    writeFileSync(join(dir, 'qlora.yml'), generated('axolotl'));
    const a = io(dir);
    assert.equal(await ensembleCommand(['qlora.yml', '--buckets', '512,1024,2048', '--out', 'buckets', '--gpu', 'RTX 3060'], a.io), 0, a.err.join(''));
    for (const n of ['short', 'mid', 'long']) assert.ok(existsSync(join(dir, `buckets/qlora.${n}.yml`)));
    const tasks = JSON.parse(readFileSync(join(dir, 'buckets/tasks.fragment.json'), 'utf8')) as { tasks: Array<{ config: string; dependsOrder?: string }> };
    assert.equal(tasks.tasks[0].config, 'buckets/qlora.short.yml');
    assert.equal(tasks.tasks[3].dependsOrder, 'sequence');
    assert.match(a.err.join(''), /wrote buckets\/qlora\.mid\.yml \(mid, ≤ 1024 tokens; ≈ [\d.]+ GiB, fits\)/);
    const b = io(dir);
    assert.equal(await ensembleCommand(['qlora.yml', '--buckets', '512,1024,2048', '--out', 'buckets'], b.io), 2);
    assert.match(b.err.join(''), /refusing to overwrite/);
    const c = io(dir);
    assert.equal(await ensembleCommand(['qlora.yml', '--buckets', '512,1k', '--out', '-'], c.io), 2);
    assert.match(c.err.join(''), /--buckets must be whole numbers/);
    const d = io(dir);
    assert.equal(await ensembleCommand(['qlora.yml', '--buckets', '512,1024', '--out', '-'], d.io), 0);
    assert.match(d.out.join(''), /# ==> qlora\.short\.yml <==[^]*\/\/ ==> tasks\.json fragment <==/);
  });
});
