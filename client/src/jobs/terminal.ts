import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { findProgram, JobRunner, type JobResult } from '../../../server/src/jobs/runner';
import { prepare, type FinetuneTaskDefinition } from './definition';
import type { JobManager } from './manager';
import { RESTRICTED_MESSAGE } from './trust';

const SIGNAL_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGKILL: 137, SIGHUP: 129 };
const DIM = (s: string) => `\x1b[2m${s}\x1b[0m`;
const RED = (s: string) => `\x1b[31m${s}\x1b[0m`;

/** Terminal text: the job's \n line ends become \r\n (a pseudoterminal is raw). */
function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

/**
 * The task's terminal: runs the job with JobRunner (argv, no shell), shows its output, and closes with the job's
 * exit code, so VS Code's task system (and whoever waits on the task) hears how it ended. Ctrl+C stops the job.
 */
export class JobTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private runner: JobRunner | undefined;
  private stoppedByUser = false;
  private closed = false;

  constructor(
    private readonly client: LanguageClient,
    private readonly jobs: JobManager,
    private readonly def: FinetuneTaskDefinition,
    private readonly folder: vscode.WorkspaceFolder | undefined,
    private readonly name: string,
  ) {}

  open(): void {
    void this.run();
  }

  close(): void {
    // The terminal was closed (or the task terminated): the job goes with it.
    this.stop();
  }

  handleInput(data: string): void {
    if (data === '\x03') {
      this.write('^C\r\n');
      this.stop();
    }
  }

  private stop(): void {
    if (!this.runner || this.stoppedByUser) return;
    this.stoppedByUser = true;
    this.runner.stop();
  }

  private write(text: string): void {
    if (!this.closed) this.writeEmitter.fire(text);
  }

  private end(code: number): void {
    if (this.closed) return;
    this.closed = true;
    this.closeEmitter.fire(code);
  }

  private async run(): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      this.write(RED(RESTRICTED_MESSAGE) + '\r\n');
      this.end(1);
      return;
    }
    let prepared;
    try {
      prepared = await prepare(this.client, this.def, this.folder);
    } catch (e) {
      this.write(RED(`Cannot launch: ${(e as Error).message}`) + '\r\n');
      this.end(2);
      return;
    }
    const { plan } = prepared;
    if (!findProgram(plan.program)) {
      this.write(RED(`${plan.program} was not found. Install: ${plan.install}`) + '\r\n');
      this.end(127);
      return;
    }
    const job = this.jobs.start(prepared, this.def, this.folder, this.name, () => this.stop());
    this.write(
      DIM(`▶ ${plan.description}\r\n  ${plan.argv.map((a) => (/[\s'"$`\\]/.test(a) ? JSON.stringify(a) : a)).join(' ')}\r\n  in ${plan.cwd}\r\n\r\n`),
    );
    this.runner = new JobRunner(
      plan,
      {
        output: (text) => this.write(crlf(text)),
        status: (text) => this.write(DIM(`[finetune] ${text}`) + '\r\n'),
        event: (e) => this.jobs.event(job, e, plan.cwd),
      },
      job.logFile ? { logFile: job.logFile } : {},
    );
    let result: JobResult;
    try {
      result = await this.runner.start();
    } catch (e) {
      this.write(RED(`The job failed to start: ${(e as Error).message}`) + '\r\n');
      result = { exitCode: null };
    }
    this.jobs.finish(job, result, this.stoppedByUser);
    const code = result.exitCode ?? (result.signal ? (SIGNAL_CODES[result.signal] ?? 1) : 1);
    const how =
      result.exitCode !== null ? `exit code ${result.exitCode}` : result.signal ? `killed by ${result.signal}` : (result.state ?? 'exit code unknown');
    this.write(
      `\r\n${(code === 0 ? DIM : RED)(`■ ${prepared.name}: ${how}${result.state ? ` (${result.state})` : ''}${result.logFile ? ` · log: ${result.logFile}` : ''}`)}\r\n`,
    );
    this.end(code);
  }
}
