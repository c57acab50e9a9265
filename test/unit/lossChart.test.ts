import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assembleChart, metricOfTag, runLabel, runsOfSameConfig, smoothTensorBoard } from '../../server/src/jobs/chart';

const close = (actual: Array<number | null>, expected: Array<number | null>) => {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    if (e === null || a === null || !Number.isFinite(e)) assert.ok(Object.is(a, e), `[${i}] ${a} ≠ ${e}`);
    else assert.ok(Math.abs(a - e) < 1e-12, `[${i}] ${a} ≠ ${e}`);
  });
};

describe('smoothTensorBoard: the EMA with debiasing of TensorBoard scalars', () => {
  it("by hand, weight 0.6 (TensorBoard's default): 1st value unchanged, then (0.6·last + 0.4·y) / (1 − 0.6ⁿ)", () => {
    // last: 0.4·4 = 1.6 → 1.6/0.4 = 4;  0.96 + 0.8 = 1.76 → 1.76/0.64 = 2.75;  1.056 + 2.4 = 3.456 → 3.456/0.784
    close(smoothTensorBoard([4, 2, 6], 0.6), [4, 2.75, 3.456 / 0.784]);
  });
  it('weight 0 leaves the values alone; weight 1 is taken as 0.999 (the top of the slider), which stays near the first value', () => {
    close(smoothTensorBoard([3, 1, 2], 0), [3, 1, 2]);
    close(smoothTensorBoard([3, 1, 2], 1), smoothTensorBoard([3, 1, 2], 0.999));
    const top = smoothTensorBoard([3, 1, 2], 1) as number[];
    close([top[0]], [3]);
    assert.ok(top[1] > 1.99 && top[1] < 2.01, `debiased: the mean of 3 and 1, nearly (${top[1]})`);
  });
  it('gaps (null) stay gaps and do not count; NaN passes through without moving the average', () => {
    close(smoothTensorBoard([4, null, 2, NaN, 6], 0.6), [4, null, 2.75, NaN, 3.456 / 0.784]);
  });
  it('a constant series is returned as is (no rounding noise on a flat line)', () => {
    assert.deepEqual(smoothTensorBoard([0.1, 0.1, null, 0.1], 0.9), [0.1, 0.1, null, 0.1]);
  });
  it('a weight out of range is clamped, never NaN', () => {
    close(smoothTensorBoard([4, 2], -1), [4, 2]);
    close(smoothTensorBoard([4, 2], Number.NaN), [4, 2]);
  });
  it('smoothing damps noise: the smoothed curve of a noisy decreasing loss varies less than the raw one', () => {
    const raw = Array.from({ length: 200 }, (_, i) => 2 * Math.exp(-i / 80) + (i % 2 ? 0.3 : -0.3));
    const tv = (v: number[]) => v.slice(1).reduce((s, x, i) => s + Math.abs(x - v[i]), 0);
    const smooth = smoothTensorBoard(raw, 0.9) as number[];
    assert.ok(tv(smooth) < tv(raw) / 5, `${tv(smooth)} vs ${tv(raw)}`);
  });
});

describe('assembleChart: runs of one config side by side', () => {
  const run1 = {
    id: 'a',
    label: 'run 1',
    points: [
      { step: 1, loss: 2.0, learningRate: 1e-5 },
      { step: 2, loss: 1.8, learningRate: 2e-5 },
      { step: 2, evalLoss: 1.9 },
      { step: 4, loss: 1.5, learningRate: 2e-5 },
    ],
  };
  const run2 = {
    id: 'b',
    label: 'run 2',
    points: [
      { step: 1, loss: 2.1 },
      { step: 3, loss: 1.7 },
      { step: 3, loss: Number.NaN },
    ],
  };
  it('one x axis (the union of steps), one column per run and metric it logged, null where it logged nothing', () => {
    assert.deepEqual(assembleChart([run1, run2]), {
      steps: [1, 2, 3, 4],
      columns: [
        { runId: 'a', label: 'run 1', metric: 'loss', values: [2.0, 1.8, null, 1.5] },
        { runId: 'a', label: 'run 1', metric: 'evalLoss', values: [null, 1.9, null, null] },
        { runId: 'a', label: 'run 1', metric: 'learningRate', values: [1e-5, 2e-5, null, 2e-5] },
        // run 2 logged no eval loss and no learning rate: no empty columns; its NaN at step 3 kept the 1.7.
        { runId: 'b', label: 'run 2', metric: 'loss', values: [2.1, null, 1.7, null] },
      ],
    });
  });
  it('no runs, or runs without points: an empty chart', () => {
    assert.deepEqual(assembleChart([]), { steps: [], columns: [] });
    assert.deepEqual(assembleChart([{ id: 'x', label: 'x', points: [] }]), { steps: [], columns: [] });
  });
  it('points of one step are merged, a later value of a metric replacing an earlier one', () => {
    const run = {
      id: 'r',
      label: 'r',
      points: [
        { step: 5, loss: 1 },
        { step: 5, loss: 0.9, evalLoss: 1.2 },
        { step: 5, learningRate: Number.POSITIVE_INFINITY },
      ],
    };
    assert.deepEqual(
      assembleChart([run]).columns.map((c) => [c.metric, c.values]),
      [
        ['loss', [0.9]],
        ['evalLoss', [1.2]],
      ],
    );
  });
});

describe('metricOfTag: TensorBoard tags of the Hugging Face Trainer and Lightning', () => {
  const rows: Array<[string, string | undefined]> = [
    ['train/loss', 'loss'],
    ['loss', 'loss'],
    ['train_loss', 'loss'],
    ['train_loss_step', 'loss'],
    ['eval/loss', 'evalLoss'],
    ['val_loss', 'evalLoss'],
    ['validation/loss', 'evalLoss'],
    ['train/learning_rate', 'learningRate'],
    ['lr-AdamW', 'learningRate'],
    ['train/epoch', undefined],
    ['train/grad_norm', undefined],
    ['eval/accuracy', undefined],
    ['eval/runtime', undefined],
  ];
  for (const [tag, metric] of rows) it(`${tag} → ${metric ?? 'not charted'}`, () => assert.equal(metricOfTag(tag), metric));
});

describe('runsOfSameConfig: which runs of the job history a chart shows', () => {
  // The history as JobHistory keeps it: newest first, several configs mixed.
  const job = (id: string, config: string, start: number) => ({ id, config, start });
  const history = [
    job('f', 'file:///w/qlora.yml', 600),
    job('e', 'file:///w/other.yml', 500),
    job('d', 'file:///w/qlora.yml', 400),
    job('c', 'file:///w/qlora.yml', 300),
    job('b', 'file:///w/qlora.yml', 200),
    job('a', 'file:///w/qlora.yml', 100),
  ];
  const show = (r: Array<{ job: { id: string }; rank: number }>) => r.map((x) => `${x.job.id}#${x.rank}`);
  it('the newest run: itself and the earlier runs of the same config file, oldest first, ranked over the whole history', () => {
    assert.deepEqual(show(runsOfSameConfig(history[0], history)), ['a#1', 'b#2', 'c#3', 'd#4', 'f#5']);
  });
  it('at most `max` runs: the newest earlier ones are kept', () => {
    assert.deepEqual(show(runsOfSameConfig(history[0], history, 3)), ['c#3', 'd#4', 'f#5']);
    assert.deepEqual(show(runsOfSameConfig(history[0], history, 1)), ['f#5']);
  });
  it('an older run: only the runs before it (a chart does not change when later runs start)', () => {
    assert.deepEqual(show(runsOfSameConfig(history[3], history)), ['a#1', 'b#2', 'c#3']);
  });
  it('another config: alone', () => {
    assert.deepEqual(show(runsOfSameConfig(history[1], history)), ['e#1']);
  });
  it('a job not (yet) in the history: ranked after the others', () => {
    assert.deepEqual(show(runsOfSameConfig(job('g', 'file:///w/other.yml', 700), history)), ['e#1', 'g#2']);
  });
  it('runLabel: the rank and the local start time, to the second', () => {
    const start = new Date(2026, 11, 7, 6, 41, 7).getTime();
    assert.equal(runLabel(2, start), 'run 2 · 06:41:07');
  });
});
