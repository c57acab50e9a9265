import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import { WorkDoneProgress, type LanguageClient } from 'vscode-languageclient/node';
import { MIGRATE_WORKSPACE, type MigrateWorkspaceParams, type MigrateWorkspaceResult } from '../../server/src/protocol';

/** "Migrate Lightning code in workspace": the server computes the edit; VS Code previews it before applying. */
export async function migrateLightningWorkspace(client: LanguageClient): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Migrating code changes files: trust this workspace first (Restricted Mode).');
    return;
  }
  // The server reports its progress ($/progress) on a token of ours; Cancel cancels the request ($/cancelRequest).
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Looking for Lightning 1.x code to migrate', cancellable: true },
    async (progress, token) => {
      const workDoneToken = `finetune-migrate-${randomUUID()}`;
      let shown = 0;
      const listening = client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
        if (value.kind === 'end') return;
        const percent = value.percentage ?? shown;
        progress.report({ ...(value.message ? { message: value.message } : {}), increment: percent - shown });
        shown = percent;
      });
      try {
        return await client.sendRequest<MigrateWorkspaceResult>(MIGRATE_WORKSPACE, { workDoneToken } satisfies MigrateWorkspaceParams, token);
      } catch (e) {
        if (token.isCancellationRequested) return undefined;
        throw e;
      } finally {
        listening.dispose();
      }
    },
  );
  if (!result || result.cancelled) {
    void vscode.window.showInformationMessage('Lightning migration cancelled: nothing was changed.');
    return;
  }
  if (!result.fixes) {
    void vscode.window.showInformationMessage(
      result.remaining
        ? `No safe migration left; ${result.remaining} Lightning 1.x uses need a decision (see the Problems panel).`
        : 'No Lightning 1.x code found in this workspace.',
    );
    return;
  }
  // The Refactor Preview starts every change that needs confirmation unticked: say so, or apply all at once.
  const preview = 'Preview Changes…';
  const all = 'Apply All';
  const choice = await vscode.window.showInformationMessage(
    `Migrate ${result.fixes} Lightning 1.x use${result.fixes === 1 ? '' : 's'} in ${result.files} file${result.files === 1 ? '' : 's'} to Lightning 2.x?`,
    {
      modal: true,
      detail: `Each change keeps the code's behaviour (see docs/rules.md).${result.remaining ? ` ${result.remaining} more need a decision of yours and are left as problems.` : ''} Preview shows every change; tick the files or changes to apply, then Apply.`,
    },
    preview,
    all,
  );
  if (!choice) return;
  const raw = result.edit as { changeAnnotations?: Record<string, { needsConfirmation?: boolean }> };
  if (choice === all) for (const a of Object.values(raw.changeAnnotations ?? {})) a.needsConfirmation = false;
  const edit = await client.protocol2CodeConverter.asWorkspaceEdit(raw as Parameters<typeof client.protocol2CodeConverter.asWorkspaceEdit>[0]);
  const applied = await vscode.workspace.applyEdit(edit!, { isRefactoring: true });
  if (applied && choice === all) {
    void vscode.window.showInformationMessage(
      `Migrated ${result.fixes} Lightning 1.x uses in ${result.files} file(s)${result.remaining ? `; ${result.remaining} need a decision (see the Problems panel)` : ''}. Save the files to keep the changes.`,
    );
  }
}
