import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { planLaunch } from '../../server/src/core/jobs/command';
import type { LogEvent } from '../../server/src/jobs/logs';
import { findProgram, JobRunner, parseSlurmExitCode } from '../../server/src/jobs/runner';

const python = findProgram('python3');

/** Runs a Python script through the real runner (the `python` format, local launcher), collecting everything. */
async function run(script: string, args: string[] = [], name = 'train.py') {
  const dir = mkdtempSync(join(tmpdir(), 'ftw-job-'));
  const file = join(dir, name);
  writeFileSync(file, script);
  const plan = planLaunch({ format: 'python', file, launcher: 'local', cwd: dir, args, python: python! });
  let output = '';
  const events: LogEvent[] = [];
  const log = join(dir, 'logs', 'job.log');
  const result = await new JobRunner(plan, { output: (t) => (output += t), event: (e) => events.push(e) }, { logFile: log }).start();
  return { result, output, events, log: readFileSync(log, 'utf8'), dir };
}

describe('jobs: running a process (real python3, no shell)', { skip: python ? false : 'python3 is not installed' }, () => {
  it('exit codes come back: 0 and 3', async () => {
    assert.equal((await run('print("ok")')).result.exitCode, 0);
    assert.equal((await run('import sys; sys.exit(3)')).result.exitCode, 3);
  });
  it('a path with spaces, quotes, ; and $(...) reaches the program unchanged, and nothing else runs', async () => {
    const nasty = "t $(touch canary); `touch canary2` 'q'.py";
    const r = await run('import sys, json; print(json.dumps(sys.argv))', ['a b', '$(touch canary3)', ';', '"'], nasty);
    const argv = JSON.parse(r.output.trim().split('\n').pop()!) as string[];
    assert.ok(argv[0].endsWith(nasty), argv[0]);
    assert.deepEqual(argv.slice(1), ['a b', '$(touch canary3)', ';', '"']);
    for (const c of ['canary', 'canary2', 'canary3']) assert.throws(() => readFileSync(join(r.dir, c)), `${c}: the command substitution must not have run`);
  });
  it('HF-style loss lines become metric events, and the output is kept in the log file', async () => {
    const r = await run(
      "import time\nfor i in range(3):\n    print({'loss': 2.0 - i * 0.5, 'learning_rate': 5e-05, 'epoch': (i + 1) / 10}, flush=True)\n    time.sleep(0.05)\n",
    );
    assert.deepEqual(
      r.events.map((e) => e.kind === 'metric' && e.point.loss),
      [2, 1.5, 1],
    );
    assert.equal(r.log, r.output);
  });
  it("a CUDA OOM line and a traceback are recognised; the exit code is the program's", async () => {
    const r = await run(
      "import sys\nprint('torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 11.76 GiB of which 1.02 GiB is free.', file=sys.stderr)\ndef step():\n    raise ValueError('bad batch')\nstep()\n",
    );
    assert.equal(r.result.exitCode, 1);
    assert.ok(r.events.some((e) => e.kind === 'oom' && e.totalGiB === 11.76));
    const tb = r.events.find((e) => e.kind === 'traceback') as Extract<LogEvent, { kind: 'traceback' }>;
    assert.equal(tb.error, 'ValueError: bad batch');
    assert.deepEqual(
      tb.frames.map((f) => [f.line, f.function]),
      [
        [5, '<module>'],
        [4, 'step'],
      ],
    );
  });
  it('a missing program is a status message and a null exit code, not a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftw-job-'));
    const plan = { ...planLaunch({ format: 'python', file: join(dir, 't.py'), launcher: 'local', cwd: dir }), argv: ['/nonexistent/bin/python9'] };
    const status: string[] = [];
    const r = await new JobRunner(plan, { output: () => undefined, status: (s) => status.push(s) }).start();
    assert.equal(r.exitCode, null);
    assert.match(status.join('\n'), /Could not start \/nonexistent\/bin\/python9/);
  });
  it('stop() interrupts a running job', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftw-job-'));
    const file = join(dir, 'sleep.py');
    writeFileSync(file, 'import time\nprint("started", flush=True)\ntime.sleep(30)\n');
    const runner = new JobRunner(planLaunch({ format: 'python', file, launcher: 'local', cwd: dir, python: python! }), {
      output: (t) => {
        if (t.includes('started')) runner.stop();
      },
    });
    const r = await runner.start();
    assert.notEqual(r.exitCode, 0);
  });
});

describe('jobs: Slurm exit codes', () => {
  it('"3:0" is exit code 3; a signal ("0:9") gives no exit code', () => {
    assert.equal(parseSlurmExitCode('3:0'), 3);
    assert.equal(parseSlurmExitCode('0:0'), 0);
    assert.equal(parseSlurmExitCode('0:9'), null);
    assert.equal(parseSlurmExitCode(''), null);
  });
});
