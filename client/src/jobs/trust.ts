import * as vscode from 'vscode';

/** Restricted Mode (an untrusted workspace): validation and hints stay on, nothing is run. */
export const RESTRICTED_MESSAGE = 'Fine-Tune Workbench does not run programs in Restricted Mode: trust this workspace to launch training.';

/** True when programs may run; otherwise says why (with a way to trust the workspace) and returns false. */
export function mayRunPrograms(): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showErrorMessage(RESTRICTED_MESSAGE, 'Manage Workspace Trust').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}
