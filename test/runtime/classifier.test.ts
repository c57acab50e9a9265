import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { newCommand } from '../../server/src/cli/generate';
import { LogReader } from '../../server/src/jobs/logs';
import { NO_INDEX, runtimePython } from './pythonEnv';

// The script `ftw new --format script` writes for a classifier (issue #11), run for a few steps on the CPU with real
// transformers, PEFT and datasets from this machine's local package index (pythonEnv.ts): a tiny BERT built from a
// config (tiny_classifier.py), no download, no model hub. The script and its YAML are used as generated; the
// key=value overrides say only where the model and the data are and what a CPU needs (no fp16, a few steps).

const skip = process.env['FTW_SKIP_RUNTIME'] === '1' ? 'FTW_SKIP_RUNTIME=1' : false;

/** Everything offline: the hub is never asked, caches stay in the run's folder. */
function offline(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HF_HUB_OFFLINE: '1',
    HF_DATASETS_OFFLINE: '1',
    TRANSFORMERS_OFFLINE: '1',
    HF_HOME: join(dir, 'hf'),
    TOKENIZERS_PARALLELISM: 'false',
  };
}

async function generate(dir: string, method: string): Promise<void> {
  const err: string[] = [];
  const io = { out: () => undefined, err: (s: string) => void err.push(s), cwd: dir };
  const code = await newCommand(
    ['--approach', 'classifier', '--method', method, '--model', 'bert-large-uncased', '--gpu', 'T4', '--format', 'script', '--out', `${method}.py`],
    io,
  );
  assert.equal(code, 0, err.join(''));
}

describe('the generated classifier script trains on the CPU', { skip }, () => {
  let python: string | null = null;
  let data: string;

  before(() => {
    python = runtimePython();
    if (!python) return console.warn(NO_INDEX);
    data = mkdtempSync(join(tmpdir(), 'ftw-tiny-'));
    const made = spawnSync(python, [join(__dirname, '..', '..', '..', 'test', 'runtime', 'tiny_classifier.py'), data], {
      encoding: 'utf8',
      env: offline(data),
      timeout: 120_000,
    });
    assert.equal(made.status, 0, made.stderr);
  });

  for (const [method, saved] of [
    ['lora', 'adapter_model.safetensors'],
    ['prefix', 'adapter_model.safetensors'],
    ['freeze', 'model.safetensors'],
  ] as const) {
    it(`--method ${method}: finite losses, read by the loss chart's reader; ${saved} saved`, async (t) => {
      if (!python) return t.skip('no local Python package index');
      const dir = mkdtempSync(join(tmpdir(), `ftw-classifier-${method}-`));
      await generate(dir, method);
      const out = join(dir, 'out');
      const args = [
        `${method}.py`,
        `model_name_or_path=${join(data, 'model')}`,
        `train_file=${join(data, 'train.jsonl')}`,
        `validation_file=${join(data, 'validation.jsonl')}`,
        'fp16=false',
        'use_cpu=true',
        'max_steps=4',
        'logging_steps=1',
        'save_strategy=no',
        `output_dir=${out}`,
      ];
      const r = spawnSync(python, args, { cwd: dir, encoding: 'utf8', env: offline(dir), timeout: 300_000 });
      writeFileSync(join(dir, 'run.log'), `${r.stdout}\n${r.stderr}`);
      assert.equal(r.status, 0, `exit ${r.status}; ${join(dir, 'run.log')}:\n${r.stderr.slice(-3000)}`);

      const history = (JSON.parse(readFileSync(join(out, 'trainer_state.json'), 'utf8')) as { log_history: Array<Record<string, number>> }).log_history;
      const losses = history.filter((h) => 'loss' in h).map((h) => h.loss);
      assert.equal(losses.length, 4, JSON.stringify(history));
      assert.ok(
        losses.every((l) => Number.isFinite(l) && l > 0),
        `losses: ${losses.join(', ')}`,
      );
      assert.ok(
        history.some((h) => Number.isFinite(h['eval_accuracy'])),
        'evaluated on the validation split',
      );
      assert.ok(existsSync(join(out, saved)), `${saved} in ${out}`);
      if (method !== 'freeze') {
        const adapter = JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8')) as { task_type: string; peft_type: string };
        assert.deepEqual([adapter.task_type, adapter.peft_type], ['SEQ_CLS', method === 'lora' ? 'LORA' : 'PREFIX_TUNING']);
      }
      // What the job's terminal shows is what the loss chart draws.
      const reader = new LogReader();
      const points = `${r.stdout}\n${r.stderr}`
        .split(/\r|\n/)
        .flatMap((l) => reader.line(l))
        .filter((e) => e.kind === 'metric');
      assert.ok(points.length >= 4, `the log reader found ${points.length} metrics`);
    });
  }
});
