// VRAM estimator benchmarks (issue 5): how long one estimate takes (target < 1 ms), and what the VRAM hints add
// to analysing a config in the editor (adapter + estimate, and the fixes when it does not fit). Then the accuracy
// benchmark against published measurements (vramAccuracy.ts). Prints figures; does not fail.
import { join } from 'node:path';
import { DEFAULT_SETTINGS } from '../../server/src/core/config';
import { findGpu } from '../../server/src/core/gpus/catalog';
import { estimate } from '../../server/src/core/vram/estimate';
import { planFit } from '../../server/src/core/vram/plan';
import { resolveSetup, type TrainingSetupInput } from '../../server/src/core/vram/setup';
import { loadSchemas } from '../../server/src/schemaFiles';
import { createDocumentService as createConfigService } from '../../server/src/core/document';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { devFiles, readRows, scoreRows, summarize as summarizeRows, summaryLine } from './vramAccuracy';
import { summarize } from './stats';

const REPO = join(__dirname, '..', '..', '..');

const SETUPS: TrainingSetupInput[] = [
  { model: 'meta-llama/Llama-2-7b-hf', method: 'lora', precision: 'bf16-true', microBatchSize: 2, sequenceLength: 2048 },
  { model: 'meta-llama/Llama-3.1-8B', method: 'qlora', gradientCheckpointing: true, microBatchSize: 4, sequenceLength: 4096 },
  { model: 'meta-llama/Llama-2-70b-hf', method: 'full', gpus: 8, sharding: 'zero3', offload: 'optimizer', gradientCheckpointing: true },
  { model: 'mistralai/Mixtral-8x7B-v0.1', method: 'qlora', gpus: 2, sharding: 'fsdp', attention: 'flash' },
  { model: 'bert-large-uncased', method: 'full', precision: 'fp32', attention: 'eager', microBatchSize: 16, sequenceLength: 512 },
  { model: 'Qwen/Qwen2.5-7B', method: 'distillation', teacher: 'Qwen/Qwen2.5-32B', precision: 'bf16-true', gradientCheckpointing: true },
];

const AXOLOTL = (model: string, micro: number) =>
  [
    `base_model: ${model}`,
    'adapter: lora',
    'lora_r: 16',
    'lora_alpha: 32',
    'lora_target_linear: true',
    'sequence_len: 4096',
    `micro_batch_size: ${micro}`,
    'gradient_accumulation_steps: 4',
    'bf16: true',
    'learning_rate: 0.0002',
    'datasets:',
    '  - path: tatsu-lab/alpaca',
    '    type: alpaca',
    'output_dir: ./out',
  ].join('\n');

function time(fn: () => void, runs: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    out.push(performance.now() - t);
  }
  return out;
}

function main(): void {
  const gpus = ['RTX 3060 12GB', 'RTX 3090', 'A100 80GB'].map((g) => findGpu(g)!);
  const setups = SETUPS.map((s) => resolveSetup(s));
  for (let i = 0; i < 200; i++) for (const s of setups) estimate(s, { gpus }); // warm-up (JIT)
  const per = summarize(
    time(() => {
      for (const s of setups) estimate(s, { gpus });
    }, 2000).map((ms) => ms / setups.length),
  );

  const service = createConfigService(loadSchemas(join(REPO, 'schemas')));
  const fits = TextDocument.create('file:///w/fits.yml', 'yaml', 1, AXOLOTL('NousResearch/Llama-3.2-1B', 1));
  const misfit = TextDocument.create('file:///w/misfit.yml', 'yaml', 1, AXOLOTL('meta-llama/Llama-2-70b-hf', 4));
  const ctx = (vram: boolean) => ({
    settings: DEFAULT_SETTINGS,
    roots: ['/w'],
    ...(vram ? { vram: { targets: [gpus[1]], targetsAreReal: true, lookup: {} } } : {}),
  });
  for (let i = 0; i < 50; i++) for (const d of [fits, misfit]) service.analyze(d, ctx(true));
  const analyze = (d: TextDocument, vram: boolean) => summarize(time(() => service.analyze(d, ctx(vram)), 300));
  const rows = {
    without: analyze(fits, false),
    fits: analyze(fits, true),
    misfitBase: analyze(misfit, false),
    misfit: analyze(misfit, true),
  };

  // The planner alone on the seed's hardest story: 70B LoRA on one RTX 3060 (offload, more GPUs, a smaller model,
  // rented GPUs are all searched).
  const seventy = resolveSetup({ model: 'meta-llama/Llama-2-70b-hf', method: 'lora', precision: 'bf16-true' });
  for (let i = 0; i < 5; i++) planFit(seventy, gpus[0]);
  const plan = summarize(time(() => planFit(seventy, gpus[0]), 50));
  const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);
  console.log('\nVRAM estimator timing (node ' + process.version + ')');
  console.log(
    `  one estimate (6 setups: LoRA, QLoRA, ZeRO-3 70B, Mixtral FSDP, BERT eager, distillation): p50 ${fmt(per.p50)}, p95 ${fmt(per.p95)} (target < 1 ms)`,
  );
  console.log(`  analyse a 14-line Axolotl config that fits:         p50 ${fmt(rows.fits.p50)} (without VRAM hints ${fmt(rows.without.p50)})`);
  console.log(
    `  analyse one that does not fit (fixes and plans):    p50 ${fmt(rows.misfit.p50)}, p95 ${fmt(rows.misfit.p95)} (without VRAM hints ${fmt(rows.misfitBase.p50)})`,
  );
  console.log(`  plan for a 70B LoRA on one RTX 3060 (every answer):  p50 ${fmt(plan.p50)}, p95 ${fmt(plan.p95)}`);

  const results = devFiles().flatMap((f) => scoreRows(readRows(f)).results);
  console.log(`\nVRAM estimator accuracy (test/bench/vram/*.jsonl, ${results.length} rows; every row and group: node out/test/bench/vramAccuracy.js)`);
  console.log(`  ${summaryLine(summarizeRows(results))}`);
}

main();
