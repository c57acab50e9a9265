/**
 * Accuracy of the VRAM estimator against published measurements (test/bench/vram/*.jsonl; more files can be given
 * on the command line). Each row is a TrainingSetup, a GPU, a metric and a measured value. We compare like with like
 * (DESIGN §6.2):
 *   alloc        torch.cuda.max_memory_allocated  → allocatedBytes   (bound: allocatedUpperBytes)
 *   resv         torch.cuda.max_memory_reserved   → peakBytes        (bound: peakUpperBytes)
 *   smi          nvidia-smi "used"                → peakBytes + contextBytes (bound: peakUpperBytes + contextBytes)
 *   unspecified  a framework's "peak memory"      → peakBytes        (torchtune and most loggers report reserved)
 * OOM rows must be judged "does not fit" on their GPU. Prints, the way the error hurts a user: median |error|, the
 * signed median, the share within ±15%, the share under-estimated by more than 15% (a "fits" that ends in OOM), the
 * upper bound's coverage and its median ratio to the measurement; overall and by method, metric, sequence length,
 * sharding, GPU count and source.
 *
 *   node out/test/bench/vramAccuracy.js [--json] [--rows] [FILE.jsonl...]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findGpu } from '../../server/src/core/gpus/catalog';
import { estimate, reservedOn } from '../../server/src/core/vram/estimate';
import { catalogModel } from '../../server/src/core/vram/models';
import type { ModelDims } from '../../server/src/core/vram/modelTypes';
import { resolveSetup, type TrainingSetup } from '../../server/src/core/vram/setup';

export interface Row {
  id: string;
  group?: string;
  setup: Record<string, unknown> & { model: string };
  gpu: string;
  metric: 'alloc' | 'resv' | 'smi' | 'unspecified';
  measured: number | null;
  unit: 'GB' | 'GiB' | 'MiB' | 'MB';
  oom: boolean;
  perGpu?: boolean;
  modelDims?: ModelDims;
  confidence?: string;
}

export interface RowResult {
  id: string;
  group: string;
  metric: string;
  setup: TrainingSetup;
  measuredGiB: number | null;
  estimatedGiB: number;
  upperGiB: number;
  errorPct: number | null;
  /** upper / measured. */
  upperRatio: number | null;
  oom: boolean;
  verdict: string | null;
  predictedFit: boolean | null;
  ok: boolean;
}

export interface Summary {
  rows: number;
  scored: number;
  medianAbsErrorPct: number;
  signedMedianPct: number;
  within15: number;
  under15: number;
  coverage: number;
  medianUpperRatio: number;
  oomRows: number;
  oomRight: number;
}

const UNIT: Record<Row['unit'], number> = { GB: 1e9, GiB: 2 ** 30, MiB: 2 ** 20, MB: 1e6 };

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function scoreRow(row: Row): RowResult {
  // The row's model by name from the catalog; the dimensions it carries when the catalog does not know it.
  const model = catalogModel(row.setup.model) || !row.modelDims ? row.setup.model : { name: row.setup.model, ...row.modelDims };
  const setup = resolveSetup({ ...row.setup, model });
  const gpu = findGpu(row.gpu);
  const e = estimate(setup, { gpus: gpu ? [gpu] : [] });
  // Reserved and nvidia-smi figures are what the allocator held on the row's own GPU (reservedOn).
  const reserved = reservedOn(e, gpu);
  const predicted = row.metric === 'alloc' ? e.allocatedBytes : row.metric === 'smi' ? reserved + e.contextBytes : reserved;
  const upper = row.metric === 'alloc' ? e.allocatedUpperBytes : row.metric === 'smi' ? e.peakUpperBytes + e.contextBytes : e.peakUpperBytes;
  const measured = row.measured === null ? null : row.measured * UNIT[row.unit];
  const errorPct = measured === null ? null : ((predicted - measured) / measured) * 100;
  const verdict = gpu ? e.gpus[0].verdict : null;
  return {
    id: row.id,
    group: row.group ?? row.id.replace(/[-\d].*$/, ''),
    metric: row.metric,
    setup,
    measuredGiB: measured === null ? null : measured / 2 ** 30,
    estimatedGiB: predicted / 2 ** 30,
    upperGiB: upper / 2 ** 30,
    errorPct,
    upperRatio: measured === null ? null : upper / measured,
    oom: row.oom,
    verdict,
    predictedFit: gpu ? e.gpus[0].fits : null,
    ok: row.oom ? verdict === 'no' : Math.abs(errorPct!) <= 15,
  };
}

export function summarize(results: RowResult[]): Summary {
  const scored = results.filter((r) => r.errorPct !== null);
  const errors = scored.map((r) => r.errorPct!);
  const oom = results.filter((r) => r.oom);
  return {
    rows: results.length,
    scored: scored.length,
    medianAbsErrorPct: median(errors.map(Math.abs)),
    signedMedianPct: median(errors),
    within15: errors.filter((x) => Math.abs(x) <= 15).length / Math.max(1, errors.length),
    under15: errors.filter((x) => x < -15).length / Math.max(1, errors.length),
    coverage: scored.filter((r) => r.upperRatio! >= 1).length / Math.max(1, scored.length),
    medianUpperRatio: median(scored.map((r) => r.upperRatio!)),
    oomRows: oom.length,
    oomRight: oom.filter((r) => r.verdict === 'no').length,
  };
}

export function scoreRows(rows: Row[]): { results: RowResult[] } & Summary {
  const results = rows.map(scoreRow);
  return { results, ...summarize(results) };
}

export function readRows(file: string): Row[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row);
}

/** Every dev file: the published rows and those measured on our own GPU runs (test/gpu). */
export function devFiles(): string[] {
  const dir = join(__dirname, '..', '..', '..', 'test', 'bench', 'vram');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => join(dir, f));
}

const seqBucket = (s: TrainingSetup) => (s.sequenceLength < 1024 ? '< 1k' : s.sequenceLength < 2048 ? '1k–2k' : s.sequenceLength <= 4096 ? '2k–4k' : '> 4k');
const shardBucket = (s: TrainingSetup) => (s.sharding === 'none' ? 'none' : `${s.sharding}${s.offload !== 'none' ? `+offload ${s.offload}` : ''}`);
const methodBucket = (s: TrainingSetup) => s.method;

export const GROUPINGS: Array<[string, (r: RowResult) => string]> = [
  ['method', (r) => methodBucket(r.setup)],
  ['metric', (r) => r.metric],
  ['sequence length', (r) => seqBucket(r.setup)],
  ['sharding', (r) => shardBucket(r.setup)],
  ['GPUs', (r) => (r.setup.gpus >= 4 ? '4+' : String(r.setup.gpus))],
  ['source', (r) => r.group],
];

const pct = (x: number, digits = 0) => `${(x * 100).toFixed(digits)}%`;
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}%`;

export function summaryLine(s: Summary): string {
  return `median |error| ${s.medianAbsErrorPct.toFixed(1)}% · signed ${signed(s.signedMedianPct)} · within ±15% ${pct(s.within15)} · under by >15% ${pct(s.under15)} · bound covers ${pct(s.coverage)} (median bound/measured ${s.medianUpperRatio.toFixed(2)}) · OOM rows "no" ${s.oomRight}/${s.oomRows}`;
}

export function groupTable(results: RowResult[]): string {
  const out = ['group                      rows  |error|  signed  ±15%  under>15%  covered  bound/meas'];
  for (const [name, key] of GROUPINGS) {
    out.push(`${name}:`);
    const groups = new Map<string, RowResult[]>();
    for (const r of results) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
    for (const [g, rs] of [...groups.entries()].sort()) {
      const s = summarize(rs);
      if (!s.scored) continue;
      out.push(
        `  ${g.padEnd(24)} ${String(s.scored).padStart(4)}  ${s.medianAbsErrorPct.toFixed(1).padStart(6)}%  ${signed(s.signedMedianPct).padStart(6)}  ${pct(s.within15).padStart(4)}  ${pct(s.under15).padStart(9)}  ${pct(s.coverage).padStart(7)}  ${s.medianUpperRatio.toFixed(2).padStart(10)}`,
      );
    }
  }
  return out.join('\n');
}

function main(): void {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const showRows = args.includes('--rows') || !json;
  const given = args.filter((a) => !a.startsWith('--'));
  const files = given.length ? given : devFiles();
  const all: RowResult[] = [];
  for (const file of files) {
    const s = scoreRows(readRows(file));
    all.push(...s.results);
    if (json) {
      console.log(JSON.stringify({ file, ...s }, null, 2));
      continue;
    }
    console.log(`\nVRAM estimator accuracy: ${file}`);
    if (showRows) {
      console.log('id            metric       measured GiB  estimated GiB  bound GiB   error');
      for (const r of s.results) {
        const err =
          r.errorPct === null
            ? r.oom
              ? `OOM: verdict ${r.verdict}${r.verdict === 'no' ? ' ✓' : ' ✗'}`
              : ''
            : `${signed(r.errorPct)}${r.upperRatio! < 1 ? '  (above the bound)' : ''}${r.ok ? '' : '  ✗'}`;
        console.log(
          `${r.id.padEnd(13)} ${r.metric.padEnd(12)} ${(r.measuredGiB?.toFixed(2) ?? '—').padStart(12)} ${r.estimatedGiB.toFixed(2).padStart(14)} ${r.upperGiB.toFixed(2).padStart(10)}   ${err}`,
        );
      }
    }
    console.log(`\n${summaryLine(s)}`);
  }
  if (!json && files.length) {
    console.log(`\nAll dev rows (${all.length}): ${summaryLine(summarize(all))}\n`);
    console.log(groupTable(all));
  }
}

if (require.main === module) main();
