import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient/node';
import { VRAM_BREAKDOWN, type VramBreakdownParams, type VramBreakdownResult } from '../../server/src/protocol';

const SCHEME = 'finetune-vram';

/**
 * The VRAM breakdown of a config, opened from its code lens (or the command palette) as a Markdown preview of a
 * read-only virtual document, refreshed when asked again.
 */
export class VramBreakdownView implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly contents = new Map<string, string>();

  constructor(private readonly client: BaseLanguageClient) {}

  register(): vscode.Disposable {
    return vscode.Disposable.from(vscode.workspace.registerTextDocumentContentProvider(SCHEME, this), this.changed);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    // Keyed by the config's URI, carried as the query (decoded by vscode.Uri, however the preview re-encodes it).
    return this.contents.get(uri.query) ?? '# VRAM estimate\n\nRun "Fine-Tune: Show VRAM Estimate of This Config" again.\n';
  }

  async show(target?: string | vscode.Uri): Promise<void> {
    const uri = typeof target === 'string' ? target : (target ?? vscode.window.activeTextEditor?.document.uri)?.toString();
    if (!uri) {
      void vscode.window.showInformationMessage('Open a training config to see its VRAM estimate.');
      return;
    }
    const result = await this.client.sendRequest<VramBreakdownResult>(VRAM_BREAKDOWN, { uri } satisfies VramBreakdownParams);
    const name = vscode.Uri.parse(uri).path.split('/').pop() ?? 'config';
    const view = vscode.Uri.from({ scheme: SCHEME, path: `/${name} — VRAM.md`, query: uri });
    this.contents.set(view.query, result.markdown);
    this.changed.fire(view);
    try {
      await vscode.commands.executeCommand('markdown.showPreviewToSide', view);
    } catch {
      // Without the built-in Markdown extension, the Markdown source itself.
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(view), { viewColumn: vscode.ViewColumn.Beside, preview: true });
    }
  }
}
