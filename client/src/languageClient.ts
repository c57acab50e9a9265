import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import type { InitializationOptions } from '../../server/src/protocol';
import { DIAGNOSTIC_COLLECTION } from './diagnosticCollection';
import type { FormatOverrides } from './formatOverrides';
import { yamlSyntaxMiddleware } from './redHatYaml';

/** The bundled server runs in a Node process of VS Code's own, over IPC. */
export function startLanguageClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel, overrides: FormatOverrides): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  // nvidia-smi is a program: in Restricted Mode the server does not run it.
  const initializationOptions: InitializationOptions = {
    formatOverrides: overrides.all(),
    probeGpus: vscode.workspace.isTrusted,
    clientCommands: ['finetune.showVramBreakdown'],
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'yaml' }, { language: 'json' }, { language: 'jsonc' }, { language: 'python', scheme: 'file' }],
    synchronize: {
      configurationSection: 'finetune',
      // Version pins decide which keys are valid, and recipe scripts which TRL keys their dataclasses add:
      // revalidate when they change.
      fileEvents: [
        vscode.workspace.createFileSystemWatcher(
          '**/{requirements*.txt,requirements*.in,constraints.txt,pyproject.toml,setup.cfg,environment.yml,environment.yaml}',
        ),
        vscode.workspace.createFileSystemWatcher('**/*.py', false, false, false),
      ],
    },
    initializationOptions,
    outputChannel: output,
    // Named: an unnamed collection's owner may be another extension host's too (diagnosticCollection.ts).
    diagnosticCollectionName: DIAGNOSTIC_COLLECTION,
    markdown: { isTrusted: false, supportHtml: false },
    // finetune.validation.yamlSyntax "auto": whether Red Hat YAML already reports a YAML file's parser problems.
    middleware: { workspace: yamlSyntaxMiddleware },
  };
  const client = new LanguageClient('finetune', 'Fine-Tune Workbench', serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client;
}
