import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { planLaunch } from '../../server/src/core/jobs/command';
import type { LogEvent } from '../../server/src/jobs/logs';
import { findProgram, JobRunner, type JobResult } from '../../server/src/jobs/runner';
import { slurmEnv, startCluster, stopCluster } from './cluster';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DEFAULT_SETTINGS, fixesOf } from '../../server/src/core/config';
import { createDocumentService as createConfigService } from '../../server/src/core/document';
import { findGpu } from '../../server/src/core/gpus/catalog';
import { loadSchemas } from '../../server/src/schemaFiles';

// Jobs planned by `ftw launch --launcher slurm` (sbatch script, submit, follow, tail, exit code), on a real one-node
// Slurm cluster on this machine. The cluster has no GPUs: the request is left out (slurm.gpuFlag "none").

let reason: string | undefined;

const SCRIPTS: Record<string, string> = {
  'ok.py':
    "import time\nfor i in range(3):\n    print({'loss': 2.0 - i * 0.5, 'learning_rate': 5e-05, 'epoch': (i + 1) / 10}, flush=True)\n    time.sleep(0.2)\n",
  'fails.py': "print({'loss': 2.5, 'learning_rate': 5e-05, 'epoch': 0.1}, flush=True)\nimport sys\nsys.exit(3)\n",
  'oom.py':
    "import sys\nprint({'loss': 2.5, 'learning_rate': 5e-05, 'epoch': 0.1}, flush=True)\nprint('torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 11.76 GiB of which 1.02 GiB is free.', flush=True)\nsys.exit(1)\n",
};

async function launch(name: string): Promise<{ result: JobResult; output: string; events: LogEvent[]; status: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'ftw slurm job '));
  const file = join(dir, name);
  writeFileSync(file, SCRIPTS[name]);
  const plan = planLaunch({
    format: 'python',
    file,
    launcher: 'slurm',
    cwd: dir,
    python: findProgram('python3')!,
    slurm: { gpuFlag: 'none', jobName: `ftw-test-${name}` },
  });
  let output = '';
  const events: LogEvent[] = [];
  const status: string[] = [];
  const result = await new JobRunner(
    plan,
    { output: (t) => (output += t), event: (e) => events.push(e), status: (s) => status.push(s) },
    { env: slurmEnv(), pollMs: 300 },
  ).start();
  return { result, output, events, status };
}

describe('Slurm: jobs launched with the slurm launcher', { timeout: 180_000 }, () => {
  before(async () => {
    const started = await startCluster();
    if (!started.ok) {
      reason = started.reason;
      console.log(`\n#\n# Slurm tests SKIPPED: ${reason}\n#`);
    }
  });
  after(() => stopCluster());

  it('a job that exits 0: COMPLETED, its loss lines streamed from the tailed output file', async (t) => {
    if (reason) return t.skip(reason);
    const r = await launch('ok.py');
    assert.equal(r.result.state, 'COMPLETED', r.status.join('\n'));
    assert.equal(r.result.exitCode, 0);
    assert.match(r.status[0], /^Submitted batch job \d+$/);
    assert.deepEqual(
      r.events.filter((e) => e.kind === 'metric').map((e) => e.kind === 'metric' && e.point.loss),
      [2, 1.5, 1],
    );
    assert.match(r.result.logFile!, /ftw-test-ok\.py-\d+\.out$/);
  });

  it('a job that exits 3: FAILED with exit code 3', async (t) => {
    if (reason) return t.skip(reason);
    const r = await launch('fails.py');
    assert.equal(r.result.state, 'FAILED', r.status.join('\n'));
    assert.equal(r.result.exitCode, 3);
    assert.match(r.output, /'loss': 2\.5/);
  });

  it('a job that prints a CUDA OOM line: FAILED, and the OOM is recognised', async (t) => {
    if (reason) return t.skip(reason);
    const r = await launch('oom.py');
    assert.equal(r.result.state, 'FAILED');
    assert.equal(r.result.exitCode, 1);
    const oom = r.events.find((e) => e.kind === 'oom');
    assert.ok(oom, r.output);
    assert.equal(oom.kind === 'oom' && oom.triedGiB, 2);
    // The resulting diagnostic, as the editor gets it (the client reports the event, the server re-analyses the
    // config): FT403 on the micro batch line, with the VRAM fixes.
    if (oom.kind !== 'oom') return;
    const config = [
      'base_model: NousResearch/Llama-3.2-1B',
      'adapter: lora',
      'sequence_len: 2048',
      'micro_batch_size: 2',
      'learning_rate: 0.0002',
      'bf16: true',
      'datasets:',
      '  - path: tatsu-lab/alpaca',
      '    type: alpaca',
      'output_dir: ./out',
    ].join('\n');
    const doc = TextDocument.create('file:///w/train.yml', 'yaml', 1, config);
    const analysis = createConfigService(loadSchemas(join(__dirname, '..', '..', '..', 'schemas'))).analyze(doc, {
      settings: DEFAULT_SETTINGS,
      roots: ['/w'],
      vram: { targets: [findGpu('RTX 3060 12GB')!], targetsAreReal: true, lookup: {} },
      runtime: { oom: { message: oom.message, ...(oom.triedGiB ? { triedGiB: oom.triedGiB } : {}), ...(oom.totalGiB ? { totalGiB: oom.totalGiB } : {}) } },
    });
    const d = analysis.diagnostics.find((x) => x.code === 'FT403');
    assert.ok(d, JSON.stringify(analysis.diagnostics.map((x) => x.code)));
    assert.equal(d.range.start.line, 3, 'on micro_batch_size');
    assert.match(d.message, /CUDA out of memory in the last run/);
    assert.ok(
      fixesOf(d).some((f) => /gradient checkpointing/.test(f.title)),
      fixesOf(d)
        .map((f) => f.title)
        .join('\n'),
    );
  });
});
