import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

// A real one-node Slurm cluster on this machine for node:test tests: test/slurm/setup.sh installs Debian's
// Slurm 22.05 + MUNGE when missing, test/slurm/cluster.sh runs munged, slurmctld and slurmd as root in the
// background. See test/slurm/README.md.
//
//   const started = await startCluster();           // never throws: { ok: false, reason } where Slurm can't run
//   if (!started.ok) return t.skip(started.reason);
//   const id = await submit('#!/bin/sh\necho hi\nexit 3\n');
//   const job = await waitForJob(id);               // { state: 'FAILED', exitCode: 3, exit: '3:0', stdoutPath, ... }
//   await stopCluster();

const REPO = join(__dirname, '..', '..', '..');
const SCRIPTS = join(REPO, 'test', 'slurm');
/** The cluster's private directory: config, munge key, state, daemon logs (log/), default job logs (jobs/). */
export const SLURM_DIR = process.env['FTW_SLURM_DIR'] || join(REPO, 'test', '.cache', 'slurm');
/** What sbatch, squeue, scontrol, sinfo need in their environment to talk to this cluster. */
export const SLURM_CONF = join(SLURM_DIR, 'etc', 'slurm.conf');

export function slurmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, FTW_SLURM_DIR: SLURM_DIR, SLURM_CONF, PATH: `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin`, ...extra };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

function run(cmd: string, args: string[], timeoutMs: number, input?: string, env?: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    // stdin is a pipe only when there is input: a child that exits without reading it must not EPIPE us.
    const child = spawn(cmd, args, { env: env ?? slurmEnv(), stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let error: Error | undefined;
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      error = new Error(`${cmd} timed out after ${timeoutMs} ms`);
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => (error = e));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: error ? null : code, stdout, stderr, ...(error ? { error } : {}) });
    });
    if (input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
    }
  });
}

const tail = (text: string, lines = 15) => text.trim().split('\n').slice(-lines).join('\n');

/**
 * Installs Slurm if needed (root, apt-get) and starts the cluster, waiting until the node is idle. Resolves to
 * { ok: false, reason } instead of throwing when Slurm cannot run here (not Linux, not root, no apt-get, a
 * daemon that will not start, FTW_SKIP_SLURM=1), so a test can say so loudly and skip. Idempotent; each test
 * process registers itself, and stopCluster() only stops the daemons when no other live test process uses them.
 */
export async function startCluster(): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (process.env['FTW_SKIP_SLURM'] === '1') return { ok: false, reason: 'FTW_SKIP_SLURM=1' };
  if (process.platform !== 'linux') return { ok: false, reason: `Slurm needs Linux; this is ${process.platform}` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'the test cluster runs munged/slurmctld/slurmd as root; this process is not root' };
  const setup = await run('bash', [join(SCRIPTS, 'setup.sh')], 900_000);
  if (setup.code !== 0) return { ok: false, reason: `test/slurm/setup.sh failed (${setup.code ?? setup.error?.message}):\n${tail(setup.stderr)}` };
  const start = await run('bash', [join(SCRIPTS, 'cluster.sh'), 'start', '--client', String(process.pid)], 180_000);
  if (start.code !== 0) return { ok: false, reason: `test/slurm/cluster.sh start failed (${start.code ?? start.error?.message}):\n${tail(start.stderr)}` };
  return { ok: true };
}

/** Unregisters this process; stops the daemons (cancelling any job) unless another live test process uses them. */
export async function stopCluster(opts: { force?: boolean } = {}): Promise<void> {
  const args = [join(SCRIPTS, 'cluster.sh'), 'stop', ...(opts.force ? [] : ['--client', String(process.pid)])];
  const r = await run('bash', args, 60_000);
  if (r.code !== 0) throw new Error(`test/slurm/cluster.sh stop failed (${r.code ?? r.error?.message}): ${tail(r.stderr)}`);
}

export interface SubmitOptions {
  /** --job-name. */
  name?: string;
  /** --output; %j is the job id. Default: <SLURM_DIR>/jobs/slurm-%j.out. */
  output?: string;
  /** --error; default: stderr goes to the output file. */
  error?: string;
  /** --chdir; default: <SLURM_DIR>/jobs. */
  cwd?: string;
  /** Further sbatch options (--time=1, --cpus-per-task=1, --export=...). */
  args?: string[];
  /** Environment of sbatch, which the job inherits (sbatch --export=ALL is the default). */
  env?: NodeJS.ProcessEnv;
}

/** Submits a batch script (its text; `#!/bin/sh` is prepended when it has no `#!` line) with `sbatch --parsable`. */
export async function submit(script: string, opts: SubmitOptions = {}): Promise<string> {
  const jobs = join(SLURM_DIR, 'jobs');
  if (!existsSync(jobs)) mkdirSync(jobs, { recursive: true });
  const text = script.startsWith('#!') ? script : `#!/bin/sh\n${script}`;
  const args = [
    '--parsable',
    `--output=${opts.output ?? join(jobs, 'slurm-%j.out')}`,
    ...(opts.error ? [`--error=${opts.error}`] : []),
    `--chdir=${opts.cwd ?? jobs}`,
    ...(opts.name ? [`--job-name=${opts.name}`] : []),
    ...(opts.args ?? []),
  ];
  // The script goes in on stdin: no temporary file.
  const r = await run('sbatch', args, 60_000, text, slurmEnv(opts.env));
  const id = r.stdout.trim().split(';')[0] ?? '';
  if (r.code !== 0 || !/^\d+$/.test(id)) throw new Error(`sbatch failed (${r.code ?? r.error?.message}): ${r.stderr.trim() || r.stdout.trim()}`);
  return id;
}

export interface JobInfo {
  jobId: string;
  /** Slurm's JobState: PENDING, RUNNING, COMPLETING, COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, ... */
  state: string;
  /** The batch script's exit status (the "3" of Slurm's ExitCode=3:0). */
  exitCode: number;
  /** The signal that ended it, 0 when none (the "0" of ExitCode=3:0). */
  signal: number;
  /** Slurm's ExitCode as printed: "3:0". */
  exit: string;
  /** Resolved paths (%j filled in); empty when only the jobcomp record is left (no paths there). */
  stdoutPath: string;
  stderrPath: string;
}

/** States after which a job never changes again (COMPLETING is not one: the job's processes may still run). */
export const FINAL_STATES = new Set([
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
  'REVOKED',
  'SPECIAL_EXIT',
]);

/** One look at a job: `scontrol show job` (kept a day after the end), else the jobcomp/filetxt record. */
export async function jobInfo(jobId: string): Promise<JobInfo | null> {
  const r = await run('bash', [join(SCRIPTS, 'cluster.sh'), 'job', jobId], 30_000);
  if (r.code !== 0) return null;
  const fields = new Map<string, string>();
  for (const m of r.stdout.trim().matchAll(/(\w+)=(\S*)/g)) fields.set(m[1] ?? '', m[2] ?? '');
  const exit = fields.get('ExitCode') ?? '';
  const [code, signal] = exit.split(':').map(Number);
  return {
    jobId,
    state: fields.get('State') ?? '',
    exitCode: Number.isFinite(code) ? code : -1,
    signal: Number.isFinite(signal) ? signal : 0,
    exit,
    stdoutPath: fields.get('StdOut') ?? '',
    stderrPath: fields.get('StdErr') ?? '',
  };
}

/** Polls (every 200 ms) until the job reaches a final state; rejects after timeoutMs with the last state seen. */
export async function waitForJob(jobId: string, timeoutMs = 60_000): Promise<JobInfo> {
  const deadline = Date.now() + timeoutMs;
  let last: JobInfo | null = null;
  for (;;) {
    last = await jobInfo(jobId);
    if (last && FINAL_STATES.has(last.state)) return last;
    if (Date.now() > deadline) {
      const queue = await run('squeue', ['-a', '-t', 'all', '-o', '%i %T %r'], 10_000);
      throw new Error(`job ${jobId} did not finish in ${timeoutMs} ms (last state: ${last?.state ?? 'unknown'}); squeue:\n${queue.stdout}${queue.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** scancel, for tests that leave a job behind. */
export async function cancel(jobId: string): Promise<void> {
  await run('scancel', [jobId], 30_000);
}
