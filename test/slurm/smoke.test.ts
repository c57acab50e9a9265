import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCluster, stopCluster, submit, waitForJob, type JobInfo } from './cluster';

// A real one-node Slurm cluster (test/slurm/cluster.sh): three training-like batch jobs that print Hugging Face
// Trainer loss lines, one that succeeds, one that exits 3, one that dies of a CUDA OOM. Their final states, exit
// codes and logs must come back the way the extension will read them. FTW_SKIP_SLURM=1 skips it.

const LOSS_LINES = [
  "{'loss': 2.1, 'learning_rate': 5e-05, 'epoch': 0.1}",
  "{'loss': 1.8, 'learning_rate': 4.5e-05, 'epoch': 0.2}",
  "{'loss': 1.6, 'learning_rate': 4e-05, 'epoch': 0.3}",
];
const OOM =
  'CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 11.76 GiB total capacity; 9.12 GiB already allocated; 1.10 GiB free; 9.50 GiB reserved in total by PyTorch)';

const hasPython = spawnSync('python3', ['-c', 'pass']).status === 0;

/** A batch script that prints the loss lines like the HF Trainer does (print(dict)), then ends as `end` says. */
function trainingScript(end: 'ok' | 'exit3' | 'oom'): string {
  if (!hasPython) {
    // Same output from sh where python3 is missing.
    const echo = LOSS_LINES.map((l) => `echo "${l}"`).join('\n');
    if (end === 'ok') return `${echo}\necho "{'train_runtime': 12.5, 'train_loss': 1.83, 'epoch': 0.3}"\n`;
    if (end === 'exit3') return `${echo}\necho 'stopping: dataset shard missing' >&2\nexit 3\n`;
    return `${echo}\necho 'Traceback (most recent call last):' >&2\necho 'torch.OutOfMemoryError: ${OOM}' >&2\nexit 1\n`;
  }
  const steps = `for loss, lr, epoch in [(2.1, 5e-05, 0.1), (1.8, 4.5e-05, 0.2), (1.6, 4e-05, 0.3)]:
    print({'loss': loss, 'learning_rate': lr, 'epoch': epoch}, flush=True)`;
  const endings = {
    ok: `print({'train_runtime': 12.5, 'train_loss': 1.83, 'epoch': 0.3})`,
    exit3: `import sys
print('stopping: dataset shard missing', file=sys.stderr)
sys.exit(3)`,
    // An uncaught exception: Python prints the traceback to stderr and exits 1, as a real OOM does.
    oom: `class OutOfMemoryError(RuntimeError):
    pass
OutOfMemoryError.__module__ = 'torch'
def training_step():
    raise OutOfMemoryError(${JSON.stringify(OOM)})
training_step()`,
  };
  return `#!/bin/sh\nexec python3 - <<'PY'\n${steps}\n${endings[end]}\nPY\n`;
}

describe('one-node Slurm cluster', () => {
  let started: Awaited<ReturnType<typeof startCluster>> = { ok: false, reason: 'not started' };
  let dir = '';

  before(async () => {
    const t0 = Date.now();
    started = await startCluster();
    if (started.ok) console.log(`[slurm] cluster up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    else console.warn(`\n*** Slurm cannot run here: the Slurm tests are SKIPPED. ***\n${started.reason}\n`);
    dir = mkdtempSync(join(tmpdir(), 'ftw-slurm-'));
  });

  after(async () => {
    if (started.ok) {
      const t0 = Date.now();
      await stopCluster();
      console.log(`[slurm] cluster stopped in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs training jobs and reports their states, exit codes and logs', async (t) => {
    if (!started.ok) return t.skip(`Slurm cannot run here: ${started.reason.split('\n')[0]}`);
    const ok = await submit(trainingScript('ok'), { name: 'ftw-ok', output: join(dir, '%x-%j.out') });
    const exit3 = await submit(trainingScript('exit3'), { name: 'ftw-exit3', output: join(dir, '%x-%j.out') });
    const oom = await submit(trainingScript('oom'), { name: 'ftw-oom', output: join(dir, '%x-%j.out'), error: join(dir, '%x-%j.err') });
    assert.equal(new Set([ok, exit3, oom]).size, 3, 'three distinct job ids');

    const [okJob, exit3Job, oomJob] = (await Promise.all([ok, exit3, oom].map((id) => waitForJob(id, 90_000)))) as [JobInfo, JobInfo, JobInfo];
    const summary = (j: JobInfo) => `${j.jobId} ${j.state} ${j.exit}`;
    console.log(`[slurm] jobs: ${[okJob, exit3Job, oomJob].map(summary).join(', ')}`);

    assert.deepEqual([okJob.state, exit3Job.state, oomJob.state], ['COMPLETED', 'FAILED', 'FAILED']);
    assert.deepEqual([okJob.exitCode, exit3Job.exitCode, oomJob.exitCode], [0, 3, 1]);
    assert.deepEqual([okJob.exit, exit3Job.exit, oomJob.exit], ['0:0', '3:0', '1:0']);

    assert.equal(okJob.stdoutPath, join(dir, `ftw-ok-${ok}.out`));
    assert.equal(okJob.stderrPath, okJob.stdoutPath, 'stderr joins stdout without --error');
    assert.equal(oomJob.stderrPath, join(dir, `ftw-oom-${oom}.err`));

    const okLog = readFileSync(okJob.stdoutPath, 'utf8');
    assert.equal(okLog, `${LOSS_LINES.join('\n')}\n{'train_runtime': 12.5, 'train_loss': 1.83, 'epoch': 0.3}\n`);

    const exit3Log = readFileSync(exit3Job.stdoutPath, 'utf8');
    for (const line of LOSS_LINES) assert.ok(exit3Log.includes(`${line}\n`), `exit-3 log has ${line}`);
    assert.match(exit3Log, /stopping: dataset shard missing/);

    assert.equal(readFileSync(oomJob.stdoutPath, 'utf8'), `${LOSS_LINES.join('\n')}\n`, 'the OOM job prints its losses to stdout');
    const oomErr = readFileSync(oomJob.stderrPath, 'utf8');
    assert.match(oomErr, /^Traceback \(most recent call last\):/);
    assert.ok(oomErr.trimEnd().endsWith(`torch.OutOfMemoryError: ${OOM}`), `the OOM traceback ends with the error line:\n${oomErr}`);
  });
});
