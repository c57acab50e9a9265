/**
 * The `browser` entry (dist/web/client.js): the extension in VS Code for the Web (vscode.dev, github.dev), where it
 * runs in the browser's web extension host and the language server in a web worker (dist/web/server.js). The checks,
 * completion, hover, quick fixes, VRAM hints and Lightning findings are the desktop's; what runs programs or reads
 * the machine's disk (launching, training jobs, nvidia-smi, the Hugging Face cache, the workspace-wide migration and
 * the config writers) is the desktop's only, and its commands say so. docs/architecture.md, "The web build".
 */
import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions } from 'vscode-languageclient/browser';
import { READ_FILES, type InitializationOptions } from '../../../server/src/protocol';
import { DIAGNOSTIC_COLLECTION } from '../diagnosticCollection';
import { FormatOverrides } from '../formatOverrides';
import { FormatStatus } from '../formatStatus';
import { watchRedHatYaml, yamlSyntaxMiddleware } from '../redHatYaml';
import { VramBreakdownView } from '../vramBreakdown';
import { answerReadFiles } from './readFiles';

/**
 * Commands of the desktop only, with what each does. package.json hides their menu items and the Training Jobs view
 * where the context key `finetune.webWorkerHost` is set, which this entry sets: not `isWeb`, which is true in any
 * browser workbench, code-server's and Codespaces' included, where the extension runs in the remote Node host and
 * launching works.
 */
export const DESKTOP_ONLY: Record<string, string> = {
  'finetune.launch': 'Launching a training job runs it on your machine',
  'finetune.jobs.showLoss': 'Training jobs run on your machine',
  'finetune.jobs.openLog': 'Training jobs run on your machine',
  'finetune.jobs.relaunch': 'Training jobs run on your machine',
  'finetune.jobs.stop': 'Training jobs run on your machine',
  'finetune.jobs.showTerminal': 'Training jobs run on your machine',
  'finetune.jobs.clear': 'Training jobs run on your machine',
  'finetune.migrateLightningWorkspace': "Migrating the workspace reads every Python file from your machine's disk",
  'finetune.newConfig': 'The config writer reads your Hugging Face cache and writes files on your machine',
  'finetune.createEnsemble': 'The ensemble writer writes files on your machine',
};

/** The message a desktop-only command gives in the browser. */
export function desktopOnlyMessage(command: string): string {
  return `Fine-Tune Workbench: ${DESKTOP_ONLY[command] ?? 'This command runs on your machine'}, so it needs VS Code on the desktop. In the browser, the checks, completion, hover, quick fixes and VRAM hints work; nvidia-smi and the Hugging Face cache are not read.`;
}

/** The worker the language server runs in; the DOM's types are not in the client's lib. */
declare const Worker: new (url: string) => unknown;

/**
 * The URL to start dist/web/server.js from. Where the extension is installed on a remote (code-server, or a browser
 * opened on a remote folder) its files have vscode-remote: URIs, and VS Code's web worker extension host refuses to
 * start a worker from one ("Creating workers from remote extensions is currently not supported", its
 * src/vs/workbench/api/worker/extensionHostWorker.ts): the script is then read through the workspace file
 * system and started from a blob: URL. The server is one self-contained file (its WebAssembly is inlined), so it
 * needs nothing next to it.
 */
export async function serverScriptUrl(extensionUri: vscode.Uri): Promise<string> {
  const script = vscode.Uri.joinPath(extensionUri, 'dist', 'web', 'server.js');
  if (script.scheme !== 'vscode-remote') return script.toString(true);
  const bytes = await vscode.workspace.fs.readFile(script);
  return URL.createObjectURL(new Blob([bytes], { type: 'text/javascript' }));
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  void vscode.commands.executeCommand('setContext', 'finetune.webWorkerHost', true);
  const output = vscode.window.createOutputChannel('Fine-Tune Workbench', { log: true });
  context.subscriptions.push(output);
  const overrides = new FormatOverrides(context.workspaceState);
  // Nothing can be run in a browser: no nvidia-smi (the GPUs are finetune.gpus, or the representative ones). The
  // worker has no disk: it asks us for the files a config names (finetune/readFiles).
  const initializationOptions: InitializationOptions = {
    formatOverrides: overrides.all(),
    probeGpus: false,
    clientCommands: ['finetune.showVramBreakdown'],
    readFiles: true,
  };
  const clientOptions: LanguageClientOptions = {
    // Any scheme: a browser's workspace is virtual (vscode-vfs:// on github.dev and vscode.dev).
    documentSelector: [{ language: 'yaml' }, { language: 'json' }, { language: 'jsonc' }, { language: 'python' }],
    synchronize: {
      configurationSection: 'finetune',
      // What the worker asked us to read may change: pins, recipe scripts and the files configs name (a DeepSpeed
      // JSON, an Accelerate or Hydra YAML). The worker forgets them and checks the open configs again.
      fileEvents: [
        vscode.workspace.createFileSystemWatcher(
          '**/{requirements*.txt,requirements*.in,constraints.txt,pyproject.toml,setup.cfg,environment.yml,environment.yaml}',
        ),
        vscode.workspace.createFileSystemWatcher('**/*.{py,json,jsonc,yaml,yml}'),
      ],
    },
    initializationOptions,
    outputChannel: output,
    // Named: an unnamed collection's owner may be another extension host's too (diagnosticCollection.ts).
    diagnosticCollectionName: DIAGNOSTIC_COLLECTION,
    markdown: { isTrusted: false, supportHtml: false },
    middleware: { workspace: yamlSyntaxMiddleware },
  };
  // The desktop-only commands answer even if the server cannot start.
  context.subscriptions.push(
    ...Object.keys(DESKTOP_ONLY).map((command) =>
      vscode.commands.registerCommand(command, () => void vscode.window.showInformationMessage(desktopOnlyMessage(command))),
    ),
  );
  let worker: unknown;
  try {
    worker = new Worker(await serverScriptUrl(context.extensionUri));
  } catch (e) {
    output.error(`The language server's worker could not be started: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
  const client = new LanguageClient('finetune', 'Fine-Tune Workbench', clientOptions, worker as ConstructorParameters<typeof LanguageClient>[3]);
  context.subscriptions.push(client);
  client.onRequest(READ_FILES, (params: unknown) => answerReadFiles(vscode.workspace.fs, (uri) => vscode.Uri.parse(uri, true), params));
  const status = new FormatStatus(client, overrides);
  const vram = new VramBreakdownView(client);
  context.subscriptions.push(status, vram.register(), watchRedHatYaml(client));
  context.subscriptions.push(
    vscode.commands.registerCommand('finetune.selectFormat', (uri?: vscode.Uri) => status.pickFormat(uri)),
    vscode.commands.registerCommand('finetune.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('finetune.showVramBreakdown', (uri?: string | vscode.Uri) => vram.show(uri)),
    vscode.commands.registerCommand('finetune.restartServer', async () => {
      // The browser's client has no restart(): stop the worker's server and start it again.
      await client.stop();
      await client.start();
      output.info('Language server restarted.');
    }),
  );
  client.start().then(
    () => output.info('Language server ready (web worker)'),
    (e: unknown) => output.error(`The language server failed to start: ${e instanceof Error ? e.message : String(e)}`),
  );
}

export function deactivate(): void {
  // The language client is disposed through context.subscriptions.
}
