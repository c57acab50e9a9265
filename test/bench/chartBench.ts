// Loss chart benchmarks (issue 18): what the chart's page computes on every move of the smoothing slider and every
// live point (assemble the runs into aligned columns, smooth each loss column), and reading a long run's
// TensorBoard event file. Prints figures; does not fail.
import { assembleChart, smoothTensorBoard, type ChartRun } from '../../server/src/jobs/chart';
import { readTfEvents } from '../../server/src/jobs/tfevents';
import { event, record, simple } from '../lib/tfeventsEncoder';
import { summarize } from './stats';

function timed(runs: number, fn: () => void): ReturnType<typeof summarize> {
  fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  return summarize(samples);
}

/** A noisy decreasing loss logged every step, eval every 500 steps, a linear learning-rate decay. */
function run(id: number, steps: number): ChartRun {
  const points = [];
  for (let s = 1; s <= steps; s++) {
    points.push({ step: s, loss: 2 * Math.exp(-s / (steps / 4)) + 0.4 + (((s * (2 * id + 3)) % 17) - 8) / 40, learningRate: 2e-4 * (1 - s / steps) });
    if (s % 500 === 0) points.push({ step: s, evalLoss: 2 * Math.exp(-s / (steps / 4)) + 0.5 });
  }
  return { id: String(id), label: `run ${id}`, points };
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
console.log('Loss chart (npm run bench): median (p95) of repeated runs on this machine');
for (const [runs, steps] of [
  [1, 1_000],
  [2, 10_000],
  [5, 20_000],
] as const) {
  const data = Array.from({ length: runs }, (_, i) => run(i + 1, steps));
  const assembled = assembleChart(data);
  const assemble = timed(20, () => void assembleChart(data));
  const smooth = timed(20, () => {
    for (const c of assembled.columns) if (c.metric === 'loss') smoothTensorBoard(c.values, 0.6);
  });
  console.log(
    `  ${runs} run(s) × ${steps.toLocaleString('en')} steps: assemble ${fmt(assemble.p50)} (${fmt(assemble.p95)}), smooth every loss ${fmt(smooth.p50)} (${fmt(smooth.p95)})`,
  );
}

const RECORDS = 100_000;
const chunks: number[] = [];
for (let s = 1; s <= RECORDS; s++) chunks.push(...record(event(s, 1765090000 + s, [simple('train/loss', 1 / s), simple('train/learning_rate', 1e-4)])));
const file = Uint8Array.from(chunks);
const read = timed(10, () => void readTfEvents(file));
const mib = file.length / 1024 / 1024;
console.log(
  `  tfevents: ${RECORDS.toLocaleString('en')} events (${(2 * RECORDS).toLocaleString('en')} scalars, ${mib.toFixed(1)} MiB) read in ${fmt(read.p50)} (${fmt(read.p95)}), ${(mib / (read.p50 / 1000)).toFixed(0)} MiB/s`,
);
