import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pointsFromScalars } from '../../server/src/jobs/chart';
import { readTfEvents } from '../../server/src/jobs/tfevents';
import { NO_INDEX, venvWith } from './pythonEnv';

// Our reader of TensorBoard event files (server/src/jobs/tfevents.ts) on a file written by a real writer,
// tensorboardX from this machine's local package index (a small venv of its own, test/.cache/venv-tfevents).

const skip = process.env['FTW_SKIP_RUNTIME'] === '1' ? 'FTW_SKIP_RUNTIME=1' : false;

describe('tfevents: a file written by tensorboardX', { skip }, () => {
  it('every scalar comes back with its step and value; histograms and text are skipped; checksums hold', (t) => {
    const python = venvWith('venv-tfevents', ['tensorboardX', 'numpy'], 'import tensorboardX, numpy');
    if (!python) {
      console.warn(NO_INDEX);
      return t.skip('no local package index');
    }
    const dir = mkdtempSync(join(tmpdir(), 'ftw-tfevents-'));
    const run = spawnSync(python, [join(__dirname, '..', '..', '..', 'test', 'runtime', 'write_tfevents.py'), dir], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    const files = readdirSync(dir).filter((f) => f.startsWith('events.out.tfevents.'));
    assert.equal(files.length, 1, JSON.stringify(readdirSync(dir)));
    const bytes = readFileSync(join(dir, files[0]));

    const result = readTfEvents(bytes);
    assert.equal(result.problem, undefined);
    // The file_version record, 10 add_scalar events, 2 tensor scalars, the histogram and the text.
    assert.equal(result.records, 15);
    const f32 = Math.fround;
    assert.deepEqual(
      result.scalars.map((s) => [s.step, s.tag, s.value]),
      [
        ...[1, 2, 3, 4, 5].flatMap((step) => [
          [step, 'train/loss', f32(2.0 / step)],
          [step, 'train/learning_rate', f32(1e-4 * step)],
        ]),
        [5, 'eval/loss', 0.75],
        [6, 'eval/loss', 0.625],
      ],
    );
    assert.ok(
      result.scalars.every((s) => s.wallTime > 1.7e9),
      'wall times are Unix seconds',
    );
    assert.deepEqual(pointsFromScalars(result.scalars).slice(-2), [
      { step: 5, loss: f32(0.4), learningRate: f32(5e-4), evalLoss: 0.75 },
      { step: 6, evalLoss: 0.625 },
    ]);

    // The same file cut in the middle of its last record: everything before it, and where it stopped.
    const cut = readTfEvents(bytes.subarray(0, bytes.length - 7));
    assert.equal(cut.records, 14);
    assert.match(cut.problem ?? '', /^record 15 at byte \d+: the file ends inside the record/);
    assert.deepEqual(cut.scalars, result.scalars);
  });
});
