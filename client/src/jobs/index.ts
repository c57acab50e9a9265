import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { LAUNCH_COMMAND } from '../../../server/src/protocol';
import { JobsView } from '../views/jobsView';
import { JobStatus } from '../views/jobStatus';
import { LossChartView } from '../views/lossChart';
import { TASK_TYPE } from './definition';
import type { JobRecord } from './history';
import { LaunchCommand } from './launch';
import { JobManager } from './manager';
import { FinetuneTaskProvider } from './taskProvider';
import { registerPythonInterpreters } from './python';

/** Training jobs: the task provider, the Launch command, the job view, the status bar item and the loss chart. */
export function registerJobs(context: vscode.ExtensionContext, client: LanguageClient, output?: vscode.OutputChannel): void {
  registerPythonInterpreters(context, output);
  // Logs go to the workspace's storage (global storage in a window without a folder).
  const jobs = new JobManager(context, client, context.storageUri ?? context.globalStorageUri);
  const tasks = new FinetuneTaskProvider(client, jobs);
  const launch = new LaunchCommand(client, tasks, context.workspaceState);
  const chart = new LossChartView(client, jobs, context.extensionUri);
  const view = vscode.window.createTreeView('finetune.jobs', { treeDataProvider: new JobsView(jobs), showCollapseAll: false });
  const latest = (job?: JobRecord) => job ?? jobs.running()[0] ?? jobs.history.all()[0];
  const folderOf = (job: JobRecord) => (job.folder ? vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(job.folder)) : undefined);

  context.subscriptions.push(
    jobs,
    chart,
    view,
    new JobStatus(jobs),
    vscode.tasks.registerTaskProvider(TASK_TYPE, tasks),
    vscode.commands.registerCommand(LAUNCH_COMMAND, (uri?: string | vscode.Uri) => launch.run(uri)),
    vscode.commands.registerCommand('finetune.jobs.showLoss', (job?: JobRecord) => chart.show(latest(job))),
    vscode.commands.registerCommand('finetune.jobs.openLog', async (job?: JobRecord) => {
      const j = latest(job);
      if (!j?.logFile) return void vscode.window.showInformationMessage('This job has no log file.');
      await vscode.window.showTextDocument(vscode.Uri.file(j.logFile), { preview: true });
    }),
    vscode.commands.registerCommand('finetune.jobs.relaunch', async (job?: JobRecord) => {
      const j = latest(job);
      if (j) await launch.launch(j.definition, folderOf(j));
    }),
    vscode.commands.registerCommand('finetune.jobs.stop', (job?: JobRecord) => {
      const j = job ?? jobs.running()[0];
      if (j) jobs.stop(j.id);
    }),
    vscode.commands.registerCommand('finetune.jobs.showTerminal', async (job?: JobRecord) => {
      const j = latest(job);
      const terminal = j && vscode.window.terminals.find((t) => t.name.includes(j.taskName));
      if (terminal) terminal.show();
      else await vscode.commands.executeCommand('workbench.action.terminal.focus');
    }),
    vscode.commands.registerCommand('finetune.jobs.clear', () => jobs.clearHistory()),
  );
}
