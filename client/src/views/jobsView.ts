import * as vscode from 'vscode';
import type { JobRecord } from '../jobs/history';
import type { JobManager } from '../jobs/manager';

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

function stateText(j: JobRecord): string {
  if (j.state === 'running') return j.step !== undefined ? `running · step ${j.step}${j.loss !== undefined ? ` · loss ${j.loss.toFixed(3)}` : ''}` : 'running';
  if (j.state === 'lost') return 'unknown (the window closed while it ran)';
  if (j.state === 'stopped') return `stopped${j.exitCode !== undefined && j.exitCode !== null ? ` · exit ${j.exitCode}` : ''}`;
  return `exit ${j.exitCode ?? '?'}${j.slurmState ? ` · ${j.slurmState}` : ''}`;
}

const ICONS: Record<JobRecord['state'], vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon('loading~spin'),
  succeeded: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  stopped: new vscode.ThemeIcon('debug-stop'),
  lost: new vscode.ThemeIcon('question'),
};

/** "Training Jobs" in the Explorer: newest first; context actions Open Log, Show Loss Chart, Relaunch, Stop. */
export class JobsView implements vscode.TreeDataProvider<JobRecord> {
  private readonly changed = new vscode.EventEmitter<JobRecord | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly jobs: JobManager) {
    jobs.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(element?: JobRecord): JobRecord[] {
    return element ? [] : [...this.jobs.history.all()];
  }

  getTreeItem(j: JobRecord): vscode.TreeItem {
    const item = new vscode.TreeItem(j.name, vscode.TreeItemCollapsibleState.None);
    const started = new Date(j.start);
    const time = started.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    const took = duration((j.end ?? Date.now()) - j.start);
    item.id = j.id;
    item.description = `${j.launcher}${j.gpus > 1 || j.nodes > 1 ? ` ×${j.gpus * j.nodes}` : ''} · ${time} · ${took} · ${stateText(j)}`;
    item.iconPath = ICONS[j.state];
    item.contextValue = j.state === 'running' ? 'finetuneJob.running' : 'finetuneJob.done';
    item.tooltip = new vscode.MarkdownString(
      [
        `**${j.name}** — ${stateText(j)}`,
        '',
        `\`${j.description}\``,
        '',
        `Started ${started.toLocaleString()}, ${j.end ? `took ${took}` : `running for ${took}`}`,
        j.logFile ? `\n\nLog: ${j.logFile}` : '',
      ].join('\n'),
    );
    item.command = { command: 'finetune.jobs.showLoss', title: 'Show Loss Chart', arguments: [j] };
    return item;
  }
}
