/**
 * `finetune/launchPlan`: the command line of a training job (core/jobs/command.ts), built where the config is
 * understood. The client runs it in VS Code's terminal (client/src/jobs/terminal.ts); `ftw launch` runs the same plan.
 * Parameters are checked field by field; a plan that cannot be made is `{ ok: false, message }` with planLaunch's sentence.
 */
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { FORMATS } from './core/common/formats';
import { planLaunch, LAUNCHERS, LaunchError, type LaunchRequest } from './core/jobs';
import type { LaunchPlanResult } from './protocol';
import { badParams } from './wizardRequests';

const M = 'finetune/launchPlan';
const isObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isStringMap = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every((x) => typeof x === 'string');

/** The request, checked: every field planLaunch reads has the type it expects. */
export function launchRequestOf(params: unknown): LaunchRequest {
  if (!isObject(params)) throw badParams(M, 'the parameters must be an object (a LaunchRequest: file, format, launcher, cwd, ...)');
  const p = params;
  const formats = [...Object.keys(FORMATS), 'python'];
  if (typeof p.file !== 'string' || !isAbsolute(p.file)) throw badParams(M, '`file` must be the absolute path of the config or script');
  if (typeof p.cwd !== 'string' || !isAbsolute(p.cwd)) throw badParams(M, '`cwd` must be an absolute path (the workspace folder)');
  if (typeof p.format !== 'string' || !formats.includes(p.format)) throw badParams(M, `\`format\` must be one of ${formats.join(', ')}`);
  if (typeof p.launcher !== 'string' || !(LAUNCHERS as readonly string[]).includes(p.launcher))
    throw badParams(M, `\`launcher\` must be one of ${LAUNCHERS.join(', ')}`);
  // gpus and nodes are planLaunch's to judge (whole, ≥ 1), with the sentence a task definition has always got.
  for (const k of ['python', 'recipe', 'script', 'accelerateConfig'] as const)
    if (p[k] !== undefined && typeof p[k] !== 'string') throw badParams(M, `\`${k}\` must be a string`);
  if (p.env !== undefined && !isStringMap(p.env)) throw badParams(M, '`env` must map names to strings');
  if (p.args !== undefined && !isStrings(p.args)) throw badParams(M, '`args` must be a list of strings');
  if (p.value !== undefined && !isObject(p.value)) throw badParams(M, '`value` must be the loaded config (an object)');
  for (const k of ['slurm', 'skypilot'] as const) if (p[k] !== undefined && !isObject(p[k])) throw badParams(M, `\`${k}\` must be an object`);
  return p as unknown as LaunchRequest;
}

export function launchPlan(params: unknown): LaunchPlanResult {
  const request = launchRequestOf(params);
  try {
    return { ok: true, plan: planLaunch(request, existsSync) };
  } catch (e) {
    if (e instanceof LaunchError) return { ok: false, message: e.message };
    throw e;
  }
}
