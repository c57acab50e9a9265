import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { LIST_CONFIGS, SCRIPT_FORMATS, type ConfigEntry } from '../../../server/src/protocol';
import { TASK_TYPE, taskName, type FinetuneTaskDefinition } from './definition';
import type { JobManager } from './manager';
import { JobTerminal } from './terminal';

/**
 * Tasks of type `finetune`: tasks.json entries, "Run Task" and keybindings, and the Launch command all run through
 * here. A CustomExecution, not a ShellExecution: the job's argv never passes through a shell, and the exit code is
 * the job's own (no shell integration needed).
 */
export class FinetuneTaskProvider implements vscode.TaskProvider {
  constructor(
    private readonly client: LanguageClient,
    private readonly jobs: JobManager,
  ) {}

  /**
   * "Run Task" lists one local run per training config of the workspace (those that need no script), so a config
   * can be trained from there or bound to a key without writing tasks.json; none in Restricted Mode.
   */
  async provideTasks(): Promise<vscode.Task[]> {
    if (!vscode.workspace.isTrusted) return [];
    let configs: ConfigEntry[];
    try {
      configs = await this.client.sendRequest<ConfigEntry[]>(LIST_CONFIGS, {});
    } catch {
      return [];
    }
    return configs
      .filter((c) => !(SCRIPT_FORMATS as readonly string[]).includes(c.format))
      .map((c) => {
        const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(c.uri));
        return this.build({ type: TASK_TYPE, config: c.relativePath, launcher: 'local' }, folder);
      });
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
