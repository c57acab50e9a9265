import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { MIGRATE_WORKSPACE, type MigrateWorkspaceResult } from '../../server/src/protocol';

/** "Migrate Lightning code in workspace": the server computes the edit; VS Code previews it before applying. */
export async function migrateLightningWorkspace(client: LanguageClient): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Migrating code changes files: trust this workspace first (Restricted Mode).');
    return;
  }
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Looking for Lightning 1.x code to migrate…' },
    () => client.sendRequest<MigrateWorkspaceResult>(MIGRATE_WORKSPACE),
  );
  if (!result.fixes) {
    void vscode.window.showInformationMessage(result.remaining ? `No safe migration left; ${result.remaining} Lightning 1.x uses need a decision (see the Problems panel).` : 'No Lightning 1.x code found in this workspace.');
    return;
  }
  const edit = await client.protocol2CodeConverter.asWorkspaceEdit(result.edit as Parameters<typeof client.protocol2CodeConverter.asWorkspaceEdit>[0]);
  const applied = await vscode.workspace.applyEdit(edit!, { isRefactoring: true });
  if (applied) {
    void vscode.window.showInformationMessage(`Migrated ${result.fixes} Lightning 1.x uses in ${result.files} file(s)${result.remaining ? `; ${result.remaining} need a decision (see the Problems panel)` : ''}.`);
  }
}
