import * as vscode from 'vscode';
import { PythonExtension } from '@vscode/python-extension';
import { InterpreterCache, type Interpreter, type InterpreterHost, type PythonEnvironments } from './pythonInterpreter';

/** How long activating the Python extension may take before a launch goes on without it. */
const ACTIVATION_TIMEOUT_MS = 5000;

let environments: Promise<PythonEnvironments | undefined> | undefined;

/** The Python extension's environments API, loaded once; undefined when it is not installed or does not answer. */
function pythonEnvironments(): Promise<PythonEnvironments | undefined> {
  environments ??= (async () => {
    // PythonExtension.api() throws when the extension is missing, and activates it otherwise.
    if (!vscode.extensions.getExtension('ms-python.python')) return undefined;
    const timeout = new Promise<undefined>((r) => setTimeout(() => r(undefined), ACTIVATION_TIMEOUT_MS));
    const api = await Promise.race([PythonExtension.api(), timeout]);
    return api?.environments;
  })().catch(() => undefined);
  return environments;
}

const host: InterpreterHost = {
  environments: pythonEnvironments,
  // A restricted setting: in Restricted Mode VS Code gives only the user's own value, and nothing runs there anyway.
  setting: (resource) => vscode.workspace.getConfiguration('finetune', resource).get<string>('python', ''),
};

let cache: InterpreterCache | undefined;
let announce: (folder: string | undefined) => void = () => undefined;

function newCache(): InterpreterCache {
  return new InterpreterCache(host, (folder) => announce(folder));
}

/**
 * Keeps the interpreters of launched configs, dropped when the Python extension selects another environment, when
 * `finetune.python` changes, or when extensions are installed or enabled (the Python extension may have arrived).
 */
export function registerPythonInterpreters(context: vscode.ExtensionContext, log: vscode.OutputChannel | undefined): void {
  announce = (folder) => log?.appendLine(`The Python extension selected another environment${folder ? ` for ${folder}` : ''}: the next launch uses it.`);
  cache ??= newCache();
  context.subscriptions.push(
    { dispose: () => (cache?.dispose(), (cache = undefined)) },
    vscode.extensions.onDidChange(() => {
      environments = undefined;
      cache?.dispose();
      cache = newCache();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('finetune.python')) cache?.settingChanged();
    }),
  );
}

/** The interpreter for a file (see resolveInterpreter): the Python extension's, `finetune.python`, or python3. */
export async function interpreterFor(resource: vscode.Uri): Promise<Interpreter> {
  cache ??= newCache();
  return cache.get(resource);
}

/** The interpreter's path for a launch; undefined = python3 on PATH. */
export async function pythonFor(resource: vscode.Uri): Promise<string | undefined> {
  return (await interpreterFor(resource)).path;
}
