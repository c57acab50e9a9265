/**
 * Prints the estimator's breakdown for dev rows by id: the setup as resolved for scoring (vramAccuracy.ts
 * scoreRow), the breakdown text, and the measured value with the error.
 *
 *   node out/test/bench/vramRow.js PEFT3 PD1 ...
 */
import { findGpu } from '../../server/src/core/gpus/catalog';
import { estimate } from '../../server/src/core/vram/estimate';
import { catalogModel } from '../../server/src/core/vram/models';
import { estimateText } from '../../server/src/core/vram/report';
import { resolveSetup } from '../../server/src/core/vram/setup';
import { devFiles, readRows, scoreRow } from './vramAccuracy';

const ids = process.argv.slice(2);
if (!ids.length) {
  console.error('usage: node out/test/bench/vramRow.js ROW_ID...');
  process.exit(2);
}
const rows = devFiles().flatMap(readRows);
for (const id of ids) {
  const row = rows.find((r) => r.id === id);
  if (!row) {
    console.error(`${id}: no dev row with this id in test/bench/vram/*.jsonl`);
    process.exitCode = 1;
    continue;
  }
  const model = catalogModel(row.setup.model) || !row.modelDims ? row.setup.model : { name: row.setup.model, ...row.modelDims };
  const gpu = findGpu(row.gpu);
  const e = estimate(resolveSetup({ ...row.setup, model }), { gpus: gpu ? [gpu] : [] });
  const r = scoreRow(row);
  console.log(
    `== ${id} (${row.metric}) measured ${r.measuredGiB?.toFixed(2) ?? '-'} GiB, estimated ${r.estimatedGiB.toFixed(2)} GiB (${r.errorPct?.toFixed(1) ?? '-'}%), upper ${r.upperGiB.toFixed(2)} GiB`,
  );
  console.log(estimateText(e));
  for (const l of e.lines) console.log(`  ${l.transient ? 't' : 'p'} ${(l.bytes / 2 ** 30).toFixed(3).padStart(8)} GiB  ${l.label}: ${l.detail}`);
  console.log();
}
