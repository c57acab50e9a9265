import * as vscode from 'vscode';

interface PythonApi {
  environments?: { getActiveEnvironmentPath?(resource?: vscode.Uri): { path?: unknown } | undefined };
}

/**
 * The interpreter for a file: the Python extension's active environment when the extension is installed (its API
 * may be missing, older or different: every step is guarded), else `finetune.python`; undefined = python3 on PATH.
 */
export async function pythonFor(resource: vscode.Uri): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension<PythonApi>('ms-python.python');
  if (ext) {
    try {
      const api = ext.isActive ? ext.exports : await Promise.race([ext.activate(), new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000))]);
      const path = api?.environments?.getActiveEnvironmentPath?.(resource)?.path;
      if (typeof path === 'string' && path.trim()) return path;
    } catch {
      /* fall back to the setting */
    }
  }
  const setting = vscode.workspace.getConfiguration('finetune', resource).get<string>('python', '').trim();
  return setting || undefined;
}
