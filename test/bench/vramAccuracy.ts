/**
 * Accuracy of the VRAM estimator against published measurements (../shared/vram/measurements-dev.jsonl, copied to
 * test/bench/vram/; more files can be given on the command line). Each row is a TrainingSetup, a GPU, a metric and
 * a measured value. We compare like with like (DESIGN §6.2):
 *   alloc        torch.cuda.max_memory_allocated  → allocatedBytes
 *   resv         torch.cuda.max_memory_reserved   → peakBytes
 *   smi          nvidia-smi "used"                → peakBytes + contextBytes
 *   unspecified  a framework's "peak memory"      → peakBytes (torchtune and most loggers report reserved)
 * OOM rows must be predicted not to fit the GPU. Prints median |error|, the share within ±15%, and every row.
 *
 *   node out/test/bench/vramAccuracy.js [--json] [FILE.jsonl...]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findGpu } from '../../server/src/core/gpus/catalog';
import { estimate } from '../../server/src/core/vram/estimate';
import { catalogModel } from '../../server/src/core/vram/models';
import type { ModelDims } from '../../server/src/core/vram/modelTypes';
import { resolveSetup } from '../../server/src/core/vram/setup';

interface Row {
  id: string;
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
  metric: string;
  measuredGiB: number | null;
  estimatedGiB: number;
  errorPct: number | null;
  oom: boolean;
  predictedFit: boolean | null;
  ok: boolean;
}

const UNIT: Record<Row['unit'], number> = { GB: 1e9, GiB: 2 ** 30, MiB: 2 ** 20, MB: 1e6 };

export function scoreRows(rows: Row[]): { results: RowResult[]; medianAbsErrorPct: number; within15: number; scored: number; oomRight: number; oomRows: number } {
  const results: RowResult[] = [];
  for (const row of rows) {
    // The row's model by name from the catalog; the dimensions it carries when the catalog does not know it.
    const model = catalogModel(row.setup.model) || !row.modelDims ? row.setup.model : { name: row.setup.model, ...row.modelDims };
    const setup = resolveSetup({ ...row.setup, model });
    const gpu = findGpu(row.gpu);
    const e = estimate(setup, { gpus: gpu ? [gpu] : [] });
    const predicted = row.metric === 'alloc' ? e.allocatedBytes : row.metric === 'smi' ? e.peakBytes + e.contextBytes : e.peakBytes;
    const measured = row.measured === null ? null : row.measured * UNIT[row.unit];
    const errorPct = measured === null ? null : ((predicted - measured) / measured) * 100;
    const predictedFit = gpu ? e.gpus[0]!.fits : null;
    results.push({
      id: row.id,
      metric: row.metric,
      measuredGiB: measured === null ? null : measured / 2 ** 30,
      estimatedGiB: predicted / 2 ** 30,
      errorPct,
      oom: row.oom,
      predictedFit,
      ok: row.oom ? predictedFit === false : Math.abs(errorPct!) <= 15,
    });
  }
  const errors = results.filter((r) => r.errorPct !== null).map((r) => Math.abs(r.errorPct!)).sort((a, b) => a - b);
  const median = errors.length ? (errors.length % 2 ? errors[(errors.length - 1) / 2]! : (errors[errors.length / 2 - 1]! + errors[errors.length / 2]!) / 2) : 0;
  const oomRows = results.filter((r) => r.oom);
  return {
    results,
    medianAbsErrorPct: median,
    within15: errors.filter((x) => x <= 15).length / Math.max(1, errors.length),
    scored: errors.length,
    oomRight: oomRows.filter((r) => r.predictedFit === false).length,
    oomRows: oomRows.length,
  };
}

export function readRows(file: string): Row[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Row);
}

function main(): void {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const files = args.filter((a) => !a.startsWith('--'));
  if (!files.length) files.push(join(__dirname, '..', '..', '..', 'test', 'bench', 'vram', 'measurements-dev.jsonl'));
  for (const file of files) {
    const s = scoreRows(readRows(file));
    if (json) {
      console.log(JSON.stringify({ file, ...s }, null, 2));
      continue;
    }
    console.log(`\nVRAM estimator accuracy: ${file}`);
    console.log('id            metric  measured GiB  estimated GiB   error');
    for (const r of s.results) {
      const err = r.errorPct === null ? (r.oom ? `OOM: predicted ${r.predictedFit === false ? 'no fit ✓' : 'fits ✗'}` : '') : `${r.errorPct >= 0 ? '+' : ''}${r.errorPct.toFixed(1)}%${r.ok ? '' : '  ✗'}`;
      console.log(`${r.id.padEnd(13)} ${r.metric.padEnd(7)} ${(r.measuredGiB?.toFixed(2) ?? '—').padStart(12)} ${r.estimatedGiB.toFixed(2).padStart(14)}   ${err}`);
    }
    console.log(`\nmedian |error| ${s.medianAbsErrorPct.toFixed(1)}% (target ≤ 10%) · within ±15%: ${(s.within15 * 100).toFixed(0)}% of ${s.scored} rows (target ≥ 70%) · OOM rows predicted not to fit: ${s.oomRight}/${s.oomRows}`);
  }
}

if (require.main === module) main();
