import * as vscode from 'vscode';
import { basename, relative } from 'node:path';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  LAUNCH_INFO,
  LAUNCHERS,
  LIST_CONFIGS,
  SCRIPT_FORMATS,
  type LauncherId as Launcher,
  type ConfigEntry,
  type LaunchInfoParams,
  type LaunchInfoResult,
} from '../../../server/src/protocol';
import { findProgram } from '../../../server/src/jobs/runner';
import { prepare, TASK_TYPE, type FinetuneTaskDefinition } from './definition';
import type { FinetuneTaskProvider } from './taskProvider';
import { mayRunPrograms } from './trust';

const LAUNCHER_INFO: Record<Launcher, string> = {
  local: 'one process on this machine, as the tool starts itself',
  torchrun: 'torchrun --nproc-per-node N on this machine',
  accelerate: 'accelerate launch --num_processes N on this machine',
  deepspeed: 'deepspeed --num_gpus N on this machine',
  slurm: 'an sbatch script (finetune.slurm.partition, finetune.slurm.time), followed until it ends',
  skypilot: 'a SkyPilot task (finetune.skypilot.accelerator), sky launch',
};

interface Remembered {
  launcher: Launcher;
  gpus: number;
  nodes?: number;
  script?: string;
}

/** "Fine-Tune: Launch Training Job": pick the config and how, pre-flight, then run it as a `finetune` task. */
export class LaunchCommand {
  constructor(
    private readonly client: LanguageClient,
    private readonly tasks: FinetuneTaskProvider,
    private readonly state: vscode.Memento,
  ) {}

  async run(target?: string | vscode.Uri): Promise<void> {
    if (!mayRunPrograms()) return;
    const uri = target ? (typeof target === 'string' ? vscode.Uri.parse(target) : target) : await this.pickConfig();
    if (!uri) return;
    const info = await this.client.sendRequest<LaunchInfoResult | null>(LAUNCH_INFO, { uri: uri.toString() } satisfies LaunchInfoParams);
    if (!info?.launchable) {
      void vscode.window.showErrorMessage(`${basename(uri.fsPath)} cannot be launched: ${info?.reason ?? 'the language server could not read it'}.`);
      return;
    }
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const choice = await this.pickOptions(uri, info, folder);
    if (!choice) return;
    const def: FinetuneTaskDefinition = {
      type: TASK_TYPE,
      config: folder ? relative(folder.uri.fsPath, uri.fsPath) : uri.fsPath,
      launcher: choice.launcher,
      gpus: choice.gpus,
      ...(choice.nodes && choice.nodes > 1 ? { nodes: choice.nodes } : {}),
      ...(choice.script ? { script: choice.script } : {}),
    };
    await this.state.update(`finetune.launch:${uri.toString()}`, choice);
    await this.launch(def, folder);
  }

  /** Pre-flight, then the task. Also used by Relaunch. */
  async launch(def: FinetuneTaskDefinition, folder: vscode.WorkspaceFolder | undefined): Promise<boolean> {
    if (!mayRunPrograms()) return false;
    let prepared;
    try {
      prepared = await prepare(this.client, def, folder);
    } catch (e) {
      void vscode.window.showErrorMessage(`Cannot launch: ${(e as Error).message}`);
      return false;
    }
    const { info, plan, name, uri } = prepared;
    if (info.problems.errors > 0) {
      const n = info.problems.errors;
      const answer = await vscode.window.showWarningMessage(
        `${n} problem${n === 1 ? '' : 's'} in ${name} would stop the run`,
        { modal: true, detail: info.problems.firstError ? `First: ${info.problems.firstError}` : undefined },
        'Show Problems',
        'Launch Anyway',
      );
      if (answer === 'Show Problems') {
        await vscode.window.showTextDocument(uri);
        await vscode.commands.executeCommand('workbench.actions.view.problems');
      }
      if (answer !== 'Launch Anyway') return false;
    }
    if (info.vram && (info.vram.fits === false || info.vram.message)) {
      const answer = await vscode.window.showWarningMessage(
        `${name} needs ≈ ${info.vram.estimateGiB.toFixed(1)} GiB of GPU memory: it may stop with CUDA out of memory`,
        { modal: true, detail: info.vram.message },
        'Launch Anyway',
      );
      if (answer !== 'Launch Anyway') return false;
    }
    if (!findProgram(plan.program)) {
      void vscode.window.showErrorMessage(`${basename(plan.program)} was not found. Install: ${plan.install}`);
      return false;
    }
    await vscode.tasks.executeTask(this.tasks.build(def, folder));
    return true;
  }

  /** The active file when it is a launchable config or a .py file, else a quick pick of the workspace's configs. */
  private async pickConfig(): Promise<vscode.Uri | undefined> {
    const active = vscode.window.activeTextEditor?.document;
    if (active && active.uri.scheme === 'file') {
      if (/\.py$/i.test(active.uri.fsPath)) return active.uri;
      const info = await this.client.sendRequest<LaunchInfoResult | null>(LAUNCH_INFO, { uri: active.uri.toString() } satisfies LaunchInfoParams);
      if (info?.launchable) return active.uri;
    }
    const configs = await this.client.sendRequest<ConfigEntry[]>(LIST_CONFIGS, {});
    if (!configs.length) {
      void vscode.window.showInformationMessage(
        'No training config in this workspace (Axolotl, LLaMA-Factory, TRL, torchtune, Lightning CLI, TrainingArguments): open one, or a .py training script, and launch again.',
      );
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      configs.map((c) => ({ label: basename(c.relativePath), description: c.label, detail: c.relativePath, uri: c.uri })),
      { title: 'Launch Training Job', placeHolder: 'Which config?', matchOnDetail: true },
    );
    return picked ? vscode.Uri.parse(picked.uri) : undefined;
  }

  private async pickOptions(uri: vscode.Uri, info: LaunchInfoResult, folder: vscode.WorkspaceFolder | undefined): Promise<Remembered | undefined> {
    // "last used" only once there is a last launch of this file; the first time, local simply comes first.
    const remembered = this.state.get<Remembered>(`finetune.launch:${uri.toString()}`);
    const last = remembered ?? { launcher: 'local', gpus: 1 };
    const items = LAUNCHERS.map((l) => ({
      label: l,
      description: remembered && l === remembered.launcher ? 'last used' : '',
      detail: LAUNCHER_INFO[l],
      launcher: l,
    }));
    items.sort((a, b) => Number(b.launcher === last.launcher) - Number(a.launcher === last.launcher));
    const picked = await vscode.window.showQuickPick(items, { title: `Launch ${basename(uri.fsPath)}`, placeHolder: 'Launcher' });
    if (!picked) return undefined;
    const launcher = picked.launcher;
    let gpus = 1;
    let nodes: number | undefined;
    if (launcher !== 'local') {
      const n = await this.askNumber(`GPUs${launcher === 'slurm' || launcher === 'skypilot' ? ' per node' : ''}`, last.launcher === launcher ? last.gpus : 1);
      if (n === undefined) return undefined;
      gpus = n;
      if (launcher === 'slurm' || launcher === 'skypilot') {
        nodes = await this.askNumber('Nodes', last.nodes ?? 1);
        if (nodes === undefined) return undefined;
      }
    }
    let script = last.script;
    if ((SCRIPT_FORMATS as readonly string[]).includes(info.format) && !script) {
      const found = await vscode.workspace.findFiles(
        new vscode.RelativePattern(folder ?? vscode.Uri.joinPath(uri, '..'), '**/*.py'),
        '**/{.venv,venv,node_modules,site-packages}/**',
        200,
      );
      const choice = await vscode.window.showQuickPick(
        found.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })),
        { title: `${info.label} configs are read by your script`, placeHolder: 'The training script that reads this config' },
      );
      if (!choice) return undefined;
      script = folder ? relative(folder.uri.fsPath, choice.uri.fsPath) : choice.uri.fsPath;
    }
    return { launcher, gpus, ...(nodes ? { nodes } : {}), ...(script ? { script } : {}) };
  }

  private async askNumber(what: string, value: number): Promise<number | undefined> {
    const text = await vscode.window.showInputBox({
      title: what,
      value: String(value),
      validateInput: (v) => (/^[1-9]\d*$/.test(v.trim()) ? undefined : 'A whole number ≥ 1'),
    });
    return text === undefined ? undefined : Number(text.trim());
  }
}
