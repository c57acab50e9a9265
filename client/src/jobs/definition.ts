import * as vscode from 'vscode';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  LAUNCH_INFO,
  LAUNCH_PLAN,
  LAUNCHERS,
  type LauncherId as Launcher,
  type LaunchInfoParams,
  type LaunchInfoResult,
  type LaunchPlanParams as LaunchRequest,
  type LaunchPlan,
  type LaunchPlanResult,
} from '../../../server/src/protocol';
import { pythonFor } from './python';

export const TASK_TYPE = 'finetune';

/** A `finetune` task in tasks.json (package.json's taskDefinitions says the same). */
export interface FinetuneTaskDefinition extends vscode.TaskDefinition {
  type: typeof TASK_TYPE;
  /** The config or script, absolute or relative to the workspace folder. */
  config: string;
  launcher?: Launcher;
  gpus?: number;
  nodes?: number;
  env?: Record<string, string>;
  args?: string[];
  script?: string;
  recipe?: string;
  partition?: string;
  time?: string;
}

/** What a launch needs, resolved: the request, its plan, and the server's view of the config. */
export interface Prepared {
  uri: vscode.Uri;
  name: string;
  info: LaunchInfoResult;
  request: LaunchRequest;
  plan: LaunchPlan;
}

export function configPath(def: FinetuneTaskDefinition, folder: vscode.WorkspaceFolder | undefined): string {
  return isAbsolute(def.config) ? def.config : resolve(folder?.uri.fsPath ?? process.cwd(), def.config);
}

export function taskName(def: FinetuneTaskDefinition): string {
  const gpus = def.gpus ?? 1;
  const nodes = def.nodes ?? 1;
  return `${basename(def.config)} · ${def.launcher ?? 'local'}${nodes > 1 ? ` · ${nodes}×${gpus} GPUs` : gpus > 1 ? ` · ${gpus} GPUs` : ''}`;
}

/** Asks the server about the config and for the command (argv, env, files). Throws an error with a sentence. */
export async function prepare(client: LanguageClient, def: FinetuneTaskDefinition, folder: vscode.WorkspaceFolder | undefined): Promise<Prepared> {
  const file = configPath(def, folder);
  const uri = vscode.Uri.file(file);
  const launcher: Launcher = def.launcher && LAUNCHERS.includes(def.launcher) ? def.launcher : 'local';
  const info = (await client.sendRequest<LaunchInfoResult | null>(LAUNCH_INFO, { uri: uri.toString() } satisfies LaunchInfoParams)) ?? {
    uri: uri.toString(),
    format: 'none',
    label: 'unknown',
    launchable: false,
    reason: 'the language server could not read it',
    problems: { errors: 0, warnings: 0 },
  };
  const python = await pythonFor(uri);
  const cfg = vscode.workspace.getConfiguration('finetune', uri);
  const scriptOf = (s: string | undefined) => (s ? (isAbsolute(s) ? s : resolve(folder?.uri.fsPath ?? dirname(file), s)) : undefined);
  const script = scriptOf(def.script);
  const request: LaunchRequest = {
    file,
    format: info.format as LaunchRequest['format'],
    launcher,
    gpus: def.gpus ?? 1,
    nodes: def.nodes ?? 1,
    cwd: folder?.uri.fsPath ?? dirname(file),
    ...(python ? { python } : {}),
    ...(def.env ? { env: def.env } : {}),
    ...(def.args ? { args: def.args } : {}),
    ...(info.value ? { value: info.value } : {}),
    ...(def.recipe ? { recipe: def.recipe } : {}),
    ...(script ? { script } : {}),
    slurm: {
      ...((def.partition ?? cfg.get<string>('slurm.partition')) ? { partition: def.partition ?? cfg.get<string>('slurm.partition') } : {}),
      ...((def.time ?? cfg.get<string>('slurm.time')) ? { time: def.time ?? cfg.get<string>('slurm.time') } : {}),
    },
    skypilot: cfg.get<string>('skypilot.accelerator') ? { accelerator: cfg.get<string>('skypilot.accelerator')! } : {},
  };
  if (!info.launchable) throw new LaunchErrorLike(`${basename(file)} cannot be launched: ${info.reason ?? 'not a training config'}.`);
  // The command line is the server's (finetune/launchPlan: core/jobs/command.ts); it runs here, in the terminal.
  const planned = await client.sendRequest<LaunchPlanResult>(LAUNCH_PLAN, request);
  if (!planned.ok) throw new LaunchErrorLike(planned.message);
  const plan = planned.plan;
  return { uri, name: basename(file), info, request, plan };
}

export class LaunchErrorLike extends Error {}
