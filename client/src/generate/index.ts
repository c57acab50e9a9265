import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

/**
 * Config generation (issue #7): "New Training Config" and "Create Length-Bucket Ensemble". Both only write files,
 * so they work in Restricted Mode. The generator modules load on first use, not at activation.
 */
export function registerGenerate(context: vscode.ExtensionContext, client: LanguageClient): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('finetune.newConfig', async () => (await import('./newConfig')).newTrainingConfig(client)),
    vscode.commands.registerCommand('finetune.createEnsemble', async (uri?: string | vscode.Uri) => (await import('./ensemble')).createEnsemble(client, uri)),
  );
}
