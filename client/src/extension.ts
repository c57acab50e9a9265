import * as vscode from 'vscode';
import { startLanguageClient } from './languageClient';
import { FormatStatus } from './formatStatus';
import { FormatOverrides } from './formatOverrides';
import { migrateLightningWorkspace } from './migrateLightning';
import { VramBreakdownView } from './vramBreakdown';
import { registerJobs } from './jobs';
import { registerGenerate } from './generate';
import { watchRedHatYaml } from './redHatYaml';

/** Wires the features together and nothing else; each lives in its own module. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const started = performance.now();
  const output = vscode.window.createOutputChannel('Fine-Tune Workbench', { log: true });
  context.subscriptions.push(output);

  const overrides = new FormatOverrides(context.workspaceState);
  const client = startLanguageClient(context, output, overrides);
  const status = new FormatStatus(client, overrides);
  context.subscriptions.push(status);
  const vram = new VramBreakdownView(client);
  context.subscriptions.push(vram.register());
  registerJobs(context, client, output);
  registerGenerate(context, client);
  context.subscriptions.push(watchRedHatYaml(client));

  context.subscriptions.push(
    vscode.commands.registerCommand('finetune.selectFormat', (uri?: vscode.Uri) => status.pickFormat(uri)),
    vscode.commands.registerCommand('finetune.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('finetune.migrateLightningWorkspace', () => migrateLightningWorkspace(client)),
    vscode.commands.registerCommand('finetune.showVramBreakdown', (uri?: string | vscode.Uri) => vram.show(uri)),
    vscode.commands.registerCommand('finetune.restartServer', async () => {
      await client.restart();
      output.info('Language server restarted.');
    }),
  );

  output.info(`Fine-Tune Workbench activated in ${Math.round(performance.now() - started)} ms`);
  // The server starts in the background: activation does not wait for it.
  client.start().then(
    () => output.info(`Language server ready in ${Math.round(performance.now() - started)} ms`),
    (e: unknown) => output.error(`The language server failed to start: ${e instanceof Error ? e.message : String(e)}`),
  );
}

export function deactivate(): void {
  // The language client is disposed through context.subscriptions.
}
