/**
 * Running a planned job: a process on this machine (spawned with argv, no shell), a Slurm batch job (submitted with
 * sbatch, followed with squeue and sacct/scontrol, its output file tailed), or a SkyPilot launch. The output is
 * read as it streams (metrics, CUDA OOM, tracebacks) and kept in a log file. Used by the VS Code client's job
 * terminal and by `ftw launch`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  constants,
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  closeSync,
  statSync,
  writeFileSync,
  type WriteStream,
} from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { LogReader, type LogEvent } from './logs';
import type { LaunchPlan } from '../core/jobs';

export interface JobCallbacks {
  /** Output as it arrives (both streams), unchanged. */
  output(text: string): void;
  event?(e: LogEvent): void;
  /** Status lines from us, not the job ("Submitted batch job 42", "PENDING → RUNNING"). */
  status?(text: string): void;
}

export interface JobResult {
  /** The job's exit code; null when it was killed by a signal or its code is unknown. */
  exitCode: number | null;
  signal?: string;
  /** Slurm's final state (COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY...). */
  state?: string;
  slurmJobId?: string;
  logFile?: string;
}

/** The absolute path of a program, as the shell would find it (PATH, or the path itself when it has a slash). */
export function findProgram(program: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const executable = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (program.includes('/')) return executable(program) ? program : undefined;
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir && executable(join(dir, program))) return join(dir, program);
  }
  return undefined;
}

function writeFiles(plan: LaunchPlan): void {
  for (const f of plan.files) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.content, { mode: f.path.endsWith('.sbatch') ? 0o755 : 0o644 });
  }
}

/** Splits a stream into lines for the log reader, keeping carriage-return redraws within a line. */
class Lines {
  private rest = '';
  constructor(private readonly onLine: (line: string) => void) {}
  push(text: string): void {
    const parts = (this.rest + text).split('\n');
    this.rest = parts.pop() ?? '';
    for (const p of parts) this.onLine(p);
  }
  end(): void {
    if (this.rest) this.onLine(this.rest);
    this.rest = '';
  }
}

export class JobRunner {
  private child: ChildProcess | undefined;
  private stopped = false;
  private slurmId: string | undefined;
  private readonly reader = new LogReader();
  private log: WriteStream | undefined;

  constructor(
    private readonly plan: LaunchPlan,
    private readonly cb: JobCallbacks,
    private readonly options: { logFile?: string; pollMs?: number; env?: NodeJS.ProcessEnv } = {},
  ) {}

  private emit(text: string, lines: Lines): void {
    this.cb.output(text);
    this.log?.write(text);
    lines.push(text);
  }

  private lineHandler(): Lines {
    return new Lines((line) => {
      for (const e of this.reader.line(line)) this.cb.event?.(e);
    });
  }

  async start(): Promise<JobResult> {
    writeFiles(this.plan);
    if (this.options.logFile) {
      mkdirSync(dirname(this.options.logFile), { recursive: true });
      this.log = createWriteStream(this.options.logFile);
    }
    try {
      return this.plan.kind === 'slurm' ? await this.runSlurm() : await this.runProcess(this.plan.argv);
    } finally {
      await new Promise<void>((r) => (this.log ? this.log.end(r) : r()));
    }
  }

  private runProcess(argv: string[]): Promise<JobResult> {
    const lines = this.lineHandler();
    return new Promise((resolve) => {
      let child: ChildProcess;
      try {
        // argv, never a shell: the config path reaches the program as one argument, whatever it contains.
        child = spawn(argv[0], argv.slice(1), {
          cwd: this.plan.cwd,
          env: { ...(this.options.env ?? process.env), ...this.plan.env, PYTHONUNBUFFERED: '1' },
          shell: false,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch (e) {
        this.cb.status?.(`Could not start ${argv[0]}: ${(e as Error).message}`);
        resolve({ exitCode: null, ...(this.options.logFile ? { logFile: this.options.logFile } : {}) });
        return;
      }
      this.child = child;
      child.stdout!.setEncoding('utf8').on('data', (t: string) => this.emit(t, lines));
      child.stderr!.setEncoding('utf8').on('data', (t: string) => this.emit(t, lines));
      let failed = false;
      child.on('error', (e) => {
        failed = true;
        this.cb.status?.(`Could not start ${argv[0]}: ${e.message}. Install: ${this.plan.install}`);
      });
      child.on('close', (code, signal) => {
        lines.end();
        // A program that never started has no exit code of its own (Node reports the errno).
        resolve({ exitCode: failed ? null : code, ...(signal ? { signal } : {}), ...(this.options.logFile ? { logFile: this.options.logFile } : {}) });
      });
    });
  }

  /** sbatch --parsable, then follow the job until it leaves the queue, tailing its output file. */
  private async runSlurm(): Promise<JobResult> {
    const env = { ...(this.options.env ?? process.env), ...this.plan.env };
    const submit = spawnSync(this.plan.argv[0], this.plan.argv.slice(1), { cwd: this.plan.cwd, env, encoding: 'utf8' });
    if (submit.error || submit.status !== 0) {
      this.cb.status?.(`sbatch failed: ${submit.error?.message ?? submit.stderr.trim()}`);
      return { exitCode: null, state: 'NOT_SUBMITTED' };
    }
    const id = submit.stdout.trim().split(';')[0];
    this.slurmId = id;
    this.cb.status?.(`Submitted batch job ${id}`);
    const logFile = this.plan.logPattern!.replace('%j', id);
    const lines = this.lineHandler();
    let offset = 0;
    let lastState = '';
    const tail = () => {
      if (!existsSync(logFile)) return;
      const size = statSync(logFile).size;
      if (size <= offset) return;
      const fd = openSync(logFile, 'r');
      try {
        const buf = Buffer.alloc(size - offset);
        readSync(fd, buf, 0, buf.length, offset);
        offset = size;
        this.emit(buf.toString('utf8'), lines);
      } finally {
        closeSync(fd);
      }
    };
    for (;;) {
      const state = slurmQueueState(id, env);
      if (state && state !== lastState) {
        this.cb.status?.(`Slurm job ${id}: ${state}`);
        lastState = state;
      }
      tail();
      if (!state) break; // left the queue
      await new Promise((r) => setTimeout(r, this.options.pollMs ?? 1000));
    }
    tail();
    lines.end();
    const final = slurmFinalState(id, env);
    this.cb.status?.(`Slurm job ${id}: ${final.state ?? 'finished'}${final.exitCode !== null ? ` (exit code ${final.exitCode})` : ''}`);
    return { exitCode: final.exitCode, ...(final.state ? { state: final.state } : {}), slurmJobId: id, logFile };
  }

  /** Ctrl+C: SIGINT to the process (scancel for a Slurm job), SIGKILL if it is still there after 10 s. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.slurmId) {
      spawnSync('scancel', [this.slurmId], { env: { ...(this.options.env ?? process.env) } });
      return;
    }
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGINT');
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, 10_000).unref();
  }
}

/** The job's state while it is in the queue (PENDING, RUNNING, COMPLETING...), or undefined once it has left. */
export function slurmQueueState(id: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const r = spawnSync('squeue', ['-h', '-j', id, '-o', '%T'], { env, encoding: 'utf8' });
  const state = r.status === 0 ? r.stdout.trim().split('\n')[0]?.trim() : '';
  return state || undefined;
}

/** "3:0" → 3 (the second number is the signal). */
export function parseSlurmExitCode(text: string | undefined): number | null {
  const m = /^(\d+):(\d+)$/.exec((text ?? '').trim());
  if (!m) return null;
  return Number(m[2]) !== 0 ? null : Number(m[1]);
}

/** State and exit code of a finished job: sacct when accounting is on, else scontrol (while Slurm remembers it). */
export function slurmFinalState(id: string, env: NodeJS.ProcessEnv = process.env): { state?: string; exitCode: number | null } {
  const sacct = spawnSync('sacct', ['-n', '-P', '-X', '-j', id, '-o', 'State,ExitCode'], { env, encoding: 'utf8' });
  const row = sacct.status === 0 ? sacct.stdout.trim().split('\n')[0] : '';
  if (row && row.includes('|')) {
    const [state, code] = row.split('|');
    return { state: state.split(' ')[0], exitCode: parseSlurmExitCode(code) };
  }
  const sc = spawnSync('scontrol', ['show', 'job', '-o', id], { env, encoding: 'utf8' });
  if (sc.status === 0) {
    const state = /\bJobState=(\S+)/.exec(sc.stdout)?.[1];
    const code = /\bExitCode=(\S+)/.exec(sc.stdout)?.[1];
    return { ...(state ? { state } : {}), exitCode: parseSlurmExitCode(code) };
  }
  return { exitCode: null };
}

/** Resolves a plan's program for the pre-flight check: beside the interpreter, on PATH, or missing. */
export function programAvailable(plan: LaunchPlan, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(isAbsolute(plan.program) ? findProgram(plan.program, env) : findProgram(plan.program, env));
}
