import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { TASK_TYPE, taskName, type FinetuneTaskDefinition } from './definition';
import type { JobManager } from './manager';
import { JobTerminal } from './terminal';

/**
 * Tasks of type `finetune`: tasks.json entries, "Run Task" and keybindings, and the Launch command all run through
 * here. A CustomExecution, not a ShellExecution: the job's argv never passes through a shell, and the exit code is
 * the job's own (no shell integration needed).
 */
export class FinetuneTaskProvider implements vscode.TaskProvider {
  constructor(private readonly client: LanguageClient, private readonly jobs: JobManager) {}

  /** No auto-detected tasks (the Launch command lists the configs); none at all in Restricted Mode. */
  provideTasks(): vscode.Task[] {
    return [];
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const def = task.definition as FinetuneTaskDefinition;
    if (!vscode.workspace.isTrusted || typeof def.config !== 'string') return undefined;
    return this.build(def, typeof task.scope === 'object' ? task.scope : undefined, task.name);
  }

  build(def: FinetuneTaskDefinition, folder: vscode.WorkspaceFolder | undefined, name = taskName(def)): vscode.Task {
    const execution = new vscode.CustomExecution(async (resolved) => new JobTerminal(this.client, this.jobs, resolved as FinetuneTaskDefinition, folder, name));
    const task = new vscode.Task(def, folder ?? vscode.TaskScope.Workspace, name, TASK_TYPE, execution, []);
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true, focus: false };
    task.detail = 'Fine-Tune Workbench training job';
    return task;
  }
}
