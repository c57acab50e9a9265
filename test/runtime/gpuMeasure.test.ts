import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { readRows, scoreRow } from '../bench/vramAccuracy';
import { NO_INDEX, runtimePython } from './pythonEnv';

// test/gpu/measure.py measures real VRAM peaks when a session has a GPU (issue 13). Between such sessions this keeps
// it from rotting: its --dry-run runs the same code (model built from the dimensions with random weights, LoRA and
// full, foreach and fused AdamW, checkpointing, packed and padded batches, eager attention) at tiny sizes on the CPU,
// and the rows it writes must read back as dev rows the accuracy benchmark scores.

const skip = process.env['FTW_SKIP_RUNTIME'] === '1' ? 'FTW_SKIP_RUNTIME=1' : false;
const REPO = join(__dirname, '..', '..', '..');
// One run of each kind: LoRA + checkpointing, full + foreach, full + fused, AMP, eager, padded, 8B full.
const RUNS = ['run01', 'run14', 'run15', 'run22', 'run24', 'run26', 'run34'];

describe('test/gpu/measure.py --dry-run', { skip }, () => {
  let python: string | null = null;
  before(() => {
    python = runtimePython();
    if (!python) console.warn(NO_INDEX);
  });

  it('runs one step of each kind of run on the CPU and writes rows the accuracy benchmark reads', (t) => {
    if (!python) return t.skip('no local package index');
    const out = join(mkdtempSync(join(tmpdir(), 'ftw-gpu-')), 'rows.jsonl');
    const r = spawnSync(
      python,
      [join(REPO, 'test', 'gpu', 'measure.py'), join(REPO, 'test', 'gpu', 'setups.json'), '--dry-run', '--only', RUNS.join(','), '--out', out],
      {
        encoding: 'utf8',
        timeout: 300_000,
        env: { ...process.env, HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' },
      },
    );
    assert.equal(r.status, 0, r.stderr);
    for (const id of RUNS) assert.match(r.stderr, new RegExp(`^${id} .*: loss \\d+\\.\\d+ `, 'm'), r.stderr);
    const rows = readRows(out);
    assert.equal(rows.length, RUNS.length * 3, readFileSync(out, 'utf8'));
    for (const row of rows) {
      assert.match(row.id, /^dry-run\d\d-(alloc|resv|smi)$/);
      const scored = scoreRow({ ...row, measured: 1024, gpu: 'H100 80GB' });
      assert.ok(Number.isFinite(scored.errorPct), row.id);
    }
  });
});
