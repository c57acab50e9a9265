import * as vscode from 'vscode';
import { State, type BaseLanguageClient } from 'vscode-languageclient/node';
import {
  DOCUMENT_FORMAT,
  LAUNCHABLE_FORMATS,
  LIST_FORMATS,
  SET_FORMAT_OVERRIDE,
  type DocumentFormatParams,
  type FormatChoice,
  type SetFormatOverrideParams,
} from '../../server/src/protocol';
import type { FormatOverrides } from './formatOverrides';

const LANGUAGES = new Set(['yaml', 'json', 'jsonc', 'python']);

/**
 * The status bar item: the active file's detected format, with a switcher that overrides it for that file. The same
 * detection sets the context key `finetune.launchableConfig`, which shows the Launch button in the editor title bar.
 */
export class FormatStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('finetune.format', vscode.StatusBarAlignment.Right, 100);
  private readonly formats = new Map<string, DocumentFormatParams>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly client: BaseLanguageClient,
    private readonly overrides: FormatOverrides,
  ) {
    this.item.name = 'Fine-Tune Config Format';
    this.item.command = 'finetune.selectFormat';
    this.disposables.push(
      this.item,
      client.onNotification(DOCUMENT_FORMAT, (p: DocumentFormatParams) => {
        this.formats.set(p.uri, p);
        if (vscode.window.activeTextEditor?.document.uri.toString() === p.uri) this.render();
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidCloseTextDocument((d) => this.formats.delete(d.uri.toString())),
    );
    this.render();
  }

  private render(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const format = doc && this.formats.get(doc.uri.toString())?.format;
    const launchable = format !== undefined && format !== 'python' && (LAUNCHABLE_FORMATS as readonly string[]).includes(format);
    void vscode.commands.executeCommand('setContext', 'finetune.launchableConfig', launchable);
    if (!doc || !LANGUAGES.has(doc.languageId)) {
      this.item.hide();
      return;
    }
    const info = this.formats.get(doc.uri.toString());
    if (!info) {
      this.item.text = '$(loading~spin) Fine-Tune';
      this.item.tooltip = 'Fine-Tune Workbench is reading this file…';
      this.item.show();
      return;
    }
    const isConfig = info.format !== 'none';
    // Python files: the Lightning version the migration checks assume; the format switcher is for configs.
    this.item.command = doc.languageId === 'python' ? 'finetune.showOutput' : 'finetune.selectFormat';
    if (doc.languageId === 'python' && !isConfig) {
      this.item.hide();
      return;
    }
    const version = isConfig && info.toolVersion && info.toolVersion !== '0' ? ` ${info.toolVersion}` : '';
    this.item.text = isConfig ? `$(beaker) ${info.label}${version}` : '$(beaker) No config';
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**Fine-Tune Workbench**\n\n`);
    md.appendMarkdown(
      isConfig
        ? `Detected as **${info.label}**${info.source === 'override' ? ' (your choice)' : ''}. `
        : 'Not treated as a fine-tuning config: no diagnostics. ',
    );
    md.appendText(info.reason);
    if (isConfig && info.toolVersion) {
      const from =
        info.versionSource === 'newest'
          ? 'the newest release we know (no pin found; set `finetune.versions` or pin it in requirements.txt)'
          : info.versionSource === 'setting'
            ? 'the `finetune.versions` setting'
            : `\`${info.versionSource}\``;
      md.appendMarkdown(`\n\nChecked against ${info.label} ${info.toolVersion}, from ${from}.`);
    }
    if (isConfig) {
      md.appendMarkdown(
        info.validated ? `\n\n${info.errors} error(s), ${info.warnings} warning(s).` : '\n\nValidation for this format arrives in a later version.',
      );
    }
    if (doc.languageId !== 'python') md.appendMarkdown('\n\n$(edit) Click to choose the format for this file.');
    this.item.tooltip = md;
    this.item.backgroundColor = info.errors > 0 ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  async pickFormat(target?: vscode.Uri): Promise<void> {
    const uri = (target ?? vscode.window.activeTextEditor?.document.uri)?.toString();
    if (!uri) {
      void vscode.window.showInformationMessage('Open a YAML or JSON file to choose its fine-tuning config format.');
      return;
    }
    if (this.client.state !== State.Running) {
      void vscode.window.showWarningMessage('The Fine-Tune language server is not running; see "Fine-Tune: Show Language Server Log".');
      return;
    }
    const choices = await this.client.sendRequest<FormatChoice[]>(LIST_FORMATS);
    const current = this.overrides.get(uri);
    type Item = vscode.QuickPickItem & { format: string | null };
    const items: Item[] = [
      { label: '$(search) Detect automatically', description: current ? '' : 'current', format: null },
      ...choices.map((c) => ({
        label: c.id === 'none' ? '$(circle-slash) Not a fine-tuning config' : c.label,
        description: [c.id === current ? 'current' : '', c.validated ? 'validated' : c.id === 'none' ? 'no diagnostics' : 'detected only']
          .filter(Boolean)
          .join(' · '),
        format: c.id,
      })),
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Config format for this file',
      placeHolder: 'The format decides which schema validates the file',
    });
    if (!picked) return;
    await this.overrides.set(uri, picked.format);
    const params: SetFormatOverrideParams = { uri, format: picked.format };
    await this.client.sendNotification(SET_FORMAT_OVERRIDE, params);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
