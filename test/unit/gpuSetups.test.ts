/**
 * The GPU measurement runs (test/gpu): setups.json is what setups.ts generates (the GPU machine reads the JSON), every
 * run is a valid TrainingSetup the estimator can score, and rows measure.py writes score like the published ones.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { estimate } from '../../server/src/core/vram/estimate';
import { catalogModel } from '../../server/src/core/vram/models';
import { resolveSetup } from '../../server/src/core/vram/setup';
import { scoreRow, type Row } from '../bench/vramAccuracy';
import { gpuRuns } from '../gpu/setups';

const REPO = join(__dirname, '..', '..', '..');

describe('GPU measurement runs (test/gpu)', () => {
  const committed = JSON.parse(readFileSync(join(REPO, 'test', 'gpu', 'setups.json'), 'utf8')) as unknown;
  it('setups.json is current: node out/test/gpu/setups.js > test/gpu/setups.json', () => {
    assert.deepEqual(committed, JSON.parse(JSON.stringify(gpuRuns())));
  });
  it('every run is a setup the estimator takes, its Llama-shaped model by dimensions (never a catalog entry by name)', () => {
    for (const run of gpuRuns()) {
      assert.equal(catalogModel(run.setup.model.name), undefined, run.setup.model.name);
      const e = estimate(resolveSetup(run.setup));
      assert.ok(e.peakBytes > 0 && e.peakUpperBytes >= e.peakBytes, run.id);
    }
  });
  it('covers what the issue asks: full and LoRA, checkpointing on and off, 512 to 8192 tokens, micro batch 1 to 8, sdpa and eager, padded and packed, 0.5B to 8B', () => {
    const runs = gpuRuns().map((r) => resolveSetup(r.setup));
    const has = (f: (s: (typeof runs)[number]) => boolean) => runs.some(f);
    assert.ok(has((s) => s.method === 'full') && has((s) => s.method === 'lora'));
    assert.ok(has((s) => s.gradientCheckpointing) && has((s) => !s.gradientCheckpointing));
    assert.ok(has((s) => s.sequenceLength === 512) && has((s) => s.sequenceLength === 8192));
    assert.ok(has((s) => s.microBatchSize === 1) && has((s) => s.microBatchSize === 8));
    assert.ok(has((s) => s.attention === 'eager') && has((s) => s.attention === 'sdpa'));
    assert.ok(has((s) => s.packed) && has((s) => !s.packed));
    const sizes = runs.map((s) => estimate(s).totalParameters);
    assert.ok(Math.min(...sizes) < 0.7e9 && Math.max(...sizes) > 7e9, `${Math.min(...sizes)}..${Math.max(...sizes)}`);
  });
  it('a row as measure.py writes it scores against the estimate', () => {
    const run = gpuRuns()[0];
    const { name: _name, ...dims } = run.setup.model;
    const row: Row = {
      id: `${run.id}-resv`,
      setup: { ...run.setup, model: run.setup.model.name } as Row['setup'],
      modelDims: dims,
      gpu: 'H100 80GB',
      metric: 'resv',
      measured: 4096,
      unit: 'MiB',
      oom: false,
    };
    const r = scoreRow(row);
    assert.equal(r.measuredGiB, 4);
    assert.ok(Number.isFinite(r.errorPct) && r.verdict === 'fits');
  });
});
