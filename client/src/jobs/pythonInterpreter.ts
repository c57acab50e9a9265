/**
 * Which Python a training job runs with: the environment the Python extension has selected for the config's folder
 * (its public API, typed by the npm package @vscode/python-extension), else `finetune.python`, else python3 on the
 * PATH. No `vscode` at run time here (type imports only), so node:test drives it with API objects of the published
 * types; client/src/jobs/python.ts connects it to VS Code.
 */
import type { PythonExtension } from '@vscode/python-extension';
import type { Disposable, Uri } from 'vscode';

/** The part of the Python extension's `environments` API we use. */
export type PythonEnvironments = Pick<PythonExtension['environments'], 'getActiveEnvironmentPath' | 'resolveEnvironment' | 'onDidChangeActiveEnvironmentPath'>;

export interface InterpreterHost {
  /** The Python extension's environments API; undefined when the extension is not installed, disabled, or failed. */
  environments(): Promise<PythonEnvironments | undefined>;
  /** `finetune.python` for this resource ('' when unset, and always '' in Restricted Mode). */
  setting(resource: Uri): string;
}

export interface Interpreter {
  /** The executable; undefined means `python3` on the PATH. */
  path: string | undefined;
  source: 'python-extension' | 'setting' | 'default';
  /** Why the Python extension's choice was not used, or which environment it was ("3.11.9 · .venv"). */
  note?: string;
}

function describe(env: {
  version?: { major?: number; minor?: number; micro?: number } | undefined;
  environment?: { name?: string; folderUri?: Uri } | undefined;
}): string | undefined {
  const v = env.version;
  const version = v && v.major !== undefined ? [v.major, v.minor, v.micro].filter((n) => n !== undefined && n >= 0).join('.') : undefined;
  const name = env.environment?.name ?? env.environment?.folderUri?.path.split('/').filter(Boolean).pop();
  return [version, name].filter(Boolean).join(' · ') || undefined;
}

/**
 * The interpreter for a file. The Python extension's active environment path for that file (a folder for environments
 * without an executable, e.g. a conda env created without python) is resolved; only a resolved executable is used.
 */
export async function resolveInterpreter(host: InterpreterHost, resource: Uri): Promise<Interpreter> {
  let note: string | undefined;
  let environments: PythonEnvironments | undefined;
  try {
    environments = await host.environments();
  } catch (e) {
    note = `the Python extension's API failed: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (environments) {
    try {
      const active = environments.getActiveEnvironmentPath(resource);
      const resolved = await environments.resolveEnvironment(active);
      const exe = resolved?.executable.uri?.fsPath;
      if (exe) return { path: exe, source: 'python-extension', ...(describe(resolved) ? { note: describe(resolved)! } : {}) };
      note = resolved ? `the Python extension's environment ${active.path} has no Python executable` : `the Python extension could not resolve ${active.path}`;
    } catch (e) {
      note = `the Python extension's API failed: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  const setting = host.setting(resource).trim();
  if (setting) return { path: setting, source: 'setting', ...(note ? { note } : {}) };
  return { path: undefined, source: 'default', ...(note ? { note } : {}) };
}

/**
 * Resolved interpreters per file, forgotten when the user picks another environment in the Python extension
 * (`onDidChangeActiveEnvironmentPath`: for one folder, or for all when the event has no resource) or when
 * `finetune.python` changes (`settingChanged`).
 */
export class InterpreterCache implements Disposable {
  private readonly cache = new Map<string, Promise<Interpreter>>();
  private subscription: Disposable | undefined;
  private watching = false;

  constructor(
    private readonly host: InterpreterHost,
    private readonly onChange: (folder: string | undefined) => void = () => undefined,
  ) {}

  async get(resource: Uri): Promise<Interpreter> {
    await this.watch();
    const key = resource.toString();
    let hit = this.cache.get(key);
    if (!hit) {
      hit = resolveInterpreter(this.host, resource);
      this.cache.set(key, hit);
    }
    return hit;
  }

  settingChanged(): void {
    this.cache.clear();
  }

  dispose(): void {
    this.subscription?.dispose();
    this.cache.clear();
  }

  private async watch(): Promise<void> {
    if (this.watching) return;
    this.watching = true;
    const environments = await this.host.environments().catch(() => undefined);
    this.subscription = environments?.onDidChangeActiveEnvironmentPath((e) => {
      // The event's resource is the workspace folder whose selection changed (undefined: the global one).
      const folder = e.resource?.uri.toString();
      for (const key of [...this.cache.keys()])
        if (!folder || key === folder || key.startsWith(folder.endsWith('/') ? folder : `${folder}/`)) this.cache.delete(key);
      this.onChange(folder);
    });
  }
}
