import * as vscode from 'vscode';
import { isAbsolute, join, resolve } from 'node:path';
import type { LanguageClient } from 'vscode-languageclient/node';
import { JOB_OUTCOME, type JobOutcomeParams } from '../../../server/src/protocol';
import { ownFrame, type LogEvent, type MetricPoint } from '../../../server/src/jobs/logs';
import type { JobResult } from '../../../server/src/jobs/runner';
import { JobHistory, type JobRecord } from './history';
import type { Prepared } from './definition';
import type { FinetuneTaskDefinition } from './definition';

/**
 * The jobs of this window: the history, the live ones (their metrics), and what their output tells us: a CUDA OOM
 * goes to the server (FT403 on the config), a Python traceback becomes an error at the user's own frame.
 */
export class JobManager implements vscode.Disposable {
  readonly history: JobHistory;
  private readonly points = new Map<string, MetricPoint[]>();
  private readonly changed = new vscode.EventEmitter<JobRecord | undefined>();
  readonly onDidChange = this.changed.event;
  private readonly pointAdded = new vscode.EventEmitter<{ job: JobRecord; point: MetricPoint }>();
  readonly onDidAddPoint = this.pointAdded.event;
  /** Tracebacks of the last run, per config: where they were reported. */
  private readonly tracebacks = vscode.languages.createDiagnosticCollection('finetune-jobs');
  private readonly tracebackFiles = new Map<string, vscode.Uri[]>();
  private readonly stoppers = new Map<string, () => void>();

  constructor(
    context: vscode.ExtensionContext,
    private readonly client: LanguageClient,
    private readonly logRoot: vscode.Uri | undefined,
  ) {
    this.history = new JobHistory(context.workspaceState);
  }

  dispose(): void {
    this.changed.dispose();
    this.pointAdded.dispose();
    this.tracebacks.dispose();
  }

  running(): JobRecord[] {
    return this.history.all().filter((j) => j.state === 'running');
  }

  pointsOf(id: string): MetricPoint[] | undefined {
    return this.points.get(id);
  }

  /** A run begins: a history entry, the last run's OOM and traceback problems cleared. */
  start(prepared: Prepared, def: FinetuneTaskDefinition, folder: vscode.WorkspaceFolder | undefined, taskName: string, stop: () => void): JobRecord {
    const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    const logFile = this.logRoot ? join(this.logRoot.fsPath, 'jobs', `${id}.log`) : undefined;
    const job: JobRecord = {
      id,
      config: prepared.uri.toString(),
      name: prepared.name,
      launcher: prepared.request.launcher,
      gpus: prepared.request.gpus ?? 1,
      nodes: prepared.request.nodes ?? 1,
      description: prepared.plan.description,
      taskName,
      start: Date.now(),
      state: 'running',
      definition: def,
      ...(logFile ? { logFile } : {}),
      ...(folder ? { folder: folder.uri.toString() } : {}),
    };
    this.history.add(job);
    this.points.set(id, []);
    this.stoppers.set(id, stop);
    for (const uri of this.tracebackFiles.get(job.config) ?? []) this.tracebacks.delete(uri);
    this.tracebackFiles.delete(job.config);
    void this.client.sendNotification(JOB_OUTCOME, { uri: job.config, clear: true } satisfies JobOutcomeParams);
    this.changed.fire(job);
    return job;
  }

  event(job: JobRecord, e: LogEvent, cwd: string): void {
    if (e.kind === 'metric') {
      this.points.get(job.id)?.push(e.point);
      const change: Partial<JobRecord> = { step: e.point.step, ...(e.point.loss !== undefined ? { loss: e.point.loss } : {}) };
      this.history.update(job.id, change, false);
      this.pointAdded.fire({ job, point: e.point });
      this.changed.fire(job);
    } else if (e.kind === 'oom') {
      void this.reportOom(job, e);
    } else {
      // A stop (Ctrl+C, the Stop action, scancel) ends Python with KeyboardInterrupt: not a problem of the code.
      if (/^(KeyboardInterrupt|SystemExit)\b/.test(e.error)) return;
      const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
      const frame = ownFrame(e.frames, roots);
      if (!frame) return;
      const uri = vscode.Uri.file(isAbsolute(frame.file) ? frame.file : resolve(cwd, frame.file));
      const line = Math.max(0, frame.line - 1);
      const d = new vscode.Diagnostic(
        new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER),
        `${e.error} (last run of ${job.name}, in ${frame.function})`,
        vscode.DiagnosticSeverity.Error,
      );
      d.source = 'finetune (last run)';
      this.tracebacks.set(uri, [...(this.tracebacks.get(uri) ?? []), d]);
      this.tracebackFiles.set(job.config, [...(this.tracebackFiles.get(job.config) ?? []), uri]);
    }
  }

  private async reportOom(job: JobRecord, e: Extract<LogEvent, { kind: 'oom' }>): Promise<void> {
    const uri = vscode.Uri.parse(job.config);
    if (/\.py$/i.test(uri.path)) {
      // A script has no config keys to fix: the traceback's problem (at the user's frame) says where it happened.
      void vscode.window.showWarningMessage(`${job.name} ran out of GPU memory (${e.message.slice(0, 120)}).`);
      return;
    }
    // The server reports on open documents: open it (without showing it) so FT403 reaches the Problems view.
    await vscode.workspace.openTextDocument(uri).then(undefined, () => undefined);
    const oom: JobOutcomeParams['oom'] = {
      message: e.message,
      ...(e.triedGiB !== undefined ? { triedGiB: e.triedGiB } : {}),
      ...(e.totalGiB !== undefined ? { totalGiB: e.totalGiB } : {}),
    };
    void this.client.sendNotification(JOB_OUTCOME, { uri: job.config, oom } satisfies JobOutcomeParams);
    const choice = await vscode.window.showWarningMessage(`${job.name} ran out of GPU memory: the problem on the config has fixes.`, 'Show Problem');
    if (choice) {
      await vscode.window.showTextDocument(uri);
      await vscode.commands.executeCommand('workbench.actions.view.problems');
    }
  }

  finish(job: JobRecord, result: JobResult, stoppedByUser: boolean): void {
    const ok = result.exitCode === 0 && (!result.state || result.state === 'COMPLETED');
    this.history.update(job.id, {
      end: Date.now(),
      exitCode: result.exitCode,
      state: stoppedByUser ? 'stopped' : ok ? 'succeeded' : 'failed',
      ...(result.state ? { slurmState: result.state } : {}),
      ...(result.logFile ? { logFile: result.logFile } : {}),
    });
    this.stoppers.delete(job.id);
    this.changed.fire(job);
  }

  stop(id: string): void {
    this.stoppers.get(id)?.();
  }

  clearHistory(): void {
    this.history.clear();
    this.changed.fire(undefined);
  }
}
