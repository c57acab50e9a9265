/**
 * Red Hat YAML beside us in real VS Code (code-server): the Problems panel shows each problem of a config once.
 *
 * Red Hat YAML's .vsix cannot be had here (Marketplace and Open VSX are out of reach, and it is not on npm). What it
 * runs, yaml-language-server 1.25, is our devDependency, so the test builds a small extension under Red Hat YAML's id
 * (`redhat.vscode-yaml`) that starts that server the way vscode-yaml 1.25 does (src/node/yamlClientMain.ts: Node IPC,
 * the same document selector; src/extension.ts: `json/schemaAssociations` from every extension's `yamlValidation`),
 * with none of vscode-yaml's other parts (schema picker, telemetry, status bar). Our client sees an extension of that
 * id and resolves `finetune.validation.yamlSyntax: "auto"` to leaving the parser's problems to it.
 *
 * The schema store is off in this window (`yaml.schemaStore.enable: false`): offline, yaml-language-server would wait
 * for the catalog's download before validating. test/lsp/redHatYaml.test.ts runs with a store.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { installExtension, REPO_ROOT, Session, step, waitUntil } from './harness';

const CONFIG = [
  'base_model: NousResearch/Llama-3.2-1B',
  'adapter: qlora',
  'load_in_4bit: true',
  'micro_batch_size: 2',
  'micro_batch_size: 4',
  'lora_dropuot: 0.05',
  'learning_rate: 0.0002',
  'wandb_project: !Ref project',
  'datasets:',
  '  - path: tatsu-lab/alpaca',
  '    type: alpaca',
  '',
].join('\n');
const NOTES = 'owner: me\nowner: you\n';

/** The stand-in: vscode-yaml's way of starting the server and sending schema associations, and nothing else. */
function standInExtension(dir: string): string {
  const modules = path.join(REPO_ROOT, 'node_modules');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'vscode-yaml',
        publisher: 'redhat',
        displayName: 'yaml-language-server 1.25 (test stand-in for Red Hat YAML)',
        description: 'Starts the real yaml-language-server as vscode-yaml does; for test/editor/redHatYaml.test.ts only.',
        version: '0.0.1',
        license: 'MIT',
        engines: { vscode: '^1.82.0' },
        activationEvents: ['onLanguage:yaml'],
        main: './extension.js',
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(path.join(dir, 'README.md'), 'Test stand-in: the real yaml-language-server started as Red Hat YAML starts it.\n');
  fs.writeFileSync(
    path.join(dir, 'extension.js'),
    `
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require(${JSON.stringify(path.join(modules, 'vscode-languageclient', 'node'))});
const serverModule = ${JSON.stringify(path.join(modules, 'yaml-language-server', 'bin', 'yaml-language-server'))};
let client;
// vscode-yaml src/extension.ts getSchemaAssociations: every installed extension's contributes.yamlValidation.
function getSchemaAssociations() {
  const out = [];
  for (const ext of vscode.extensions.all) {
    const list = ext.packageJSON && ext.packageJSON.contributes && ext.packageJSON.contributes.yamlValidation;
    if (!Array.isArray(list)) continue;
    for (const jv of list) {
      let fileMatch = typeof jv.fileMatch === 'string' ? [jv.fileMatch] : jv.fileMatch;
      if (!Array.isArray(fileMatch) || typeof jv.url !== 'string') continue;
      const uri = jv.url.startsWith('./') ? vscode.Uri.joinPath(ext.extensionUri, jv.url).toString() : jv.url;
      out.push({ fileMatch: fileMatch.map((fm) => (/^(\\w+:\\/\\/|\\/|!)/.test(fm) ? fm : '/' + fm)), uri });
    }
  }
  return out;
}
exports.activate = async (context) => {
  const run = { module: serverModule, transport: TransportKind.ipc };
  client = new LanguageClient('yaml', 'YAML Support', { run, debug: run }, {
    documentSelector: [{ language: 'yaml' }, { language: 'dockercompose' }, { language: 'github-actions-workflow' }],
    synchronize: { fileEvents: [vscode.workspace.createFileSystemWatcher('{**/*.json,**/*.yaml,**/*.eyaml,**/*.yml}')] },
  });
  context.subscriptions.push(client);
  await client.start();
  const associations = getSchemaAssociations();
  await client.sendNotification('json/schemaAssociations', associations);
  console.log('[stand-in] yaml-language-server started; schema associations: ' + JSON.stringify(associations));
};
exports.deactivate = () => client && client.stop();
`,
  );
  const vsix = path.join(path.dirname(dir), 'redhat-yaml-stand-in.vsix');
  execFileSync(path.join(modules, '.bin', 'vsce'), ['package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '-o', vsix], {
    cwd: dir,
    stdio: 'pipe',
    timeout: 120_000,
  });
  return vsix;
}

describe('Red Hat YAML (yaml-language-server 1.25) beside us in VS Code', { timeout: 300_000 }, () => {
  let s: Session | undefined;
  let scratch: string;

  before(
    async () => {
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ftw-redhat-yaml-'));
      s = new Session({
        name: 'redhat-yaml',
        files: { 'qlora.yml': CONFIG, 'notes.yml': NOTES },
        // What docs/integrations.md says for both extensions: YAML 1.1, no mapping of our schemas. Store: see above.
        settings: { 'yaml.yamlVersion': '1.1', 'yaml.schemaStore.enable': false },
      });
      await installExtension(s.extensionsDir, standInExtension(path.join(scratch, 'vscode-yaml')));
      await s.start();
    },
    { timeout: 240_000 },
  );

  after(async () => {
    await s?.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  /** Problems rows of a file: one line of text each, nbsp and spacing normalised. */
  async function rowsMatching(s: Session, text: string | RegExp): Promise<string[]> {
    return (await s.problemRows(text).allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  it('a config: the duplicate key and the tag once (from yaml-language-server), the unknown key once (from us)', { timeout: 90_000 }, () =>
    step(s, 'config', async (s) => {
      await s.openFile('qlora.yml');
      await s.openProblems();
      // Both servers have spoken: ours (the unknown key) and yaml-language-server (the duplicate key).
      await waitUntil(
        async () => (await s.problemRows("Unknown key 'lora_dropuot'").count()) === 1 && (await s.problemRows('Map keys must be unique').count()) >= 1,
        45_000,
        async () => `expected our FT101 and yaml-language-server's "Map keys must be unique"; the panel shows: ${JSON.stringify(await s.problemsText())}`,
      );
      // Give a second report time to arrive before counting.
      await new Promise((r) => setTimeout(r, 2000));
      assert.deepEqual(
        (await rowsMatching(s, /Map keys must be unique|Duplicate key/)).map((r) => r.replace(/ \[Ln.*$/, '')),
        ['Map keys must be unique YAML'],
        JSON.stringify(await s.problemsText()),
      );
      assert.equal((await rowsMatching(s, /Unresolved tag|safe_load refuses this tag/)).length, 1, JSON.stringify(await s.problemsText()));
      assert.equal((await rowsMatching(s, /Unresolved tag/)).length, 1);
      assert.equal((await rowsMatching(s, /lora_dropuot/)).length, 1);
      await s.screenshot('one-set');
    }),
  );

  it("a YAML file that is not a config keeps yaml-language-server's check", { timeout: 60_000 }, () =>
    step(s, 'notes', async (s) => {
      await s.openFile('notes.yml');
      await waitUntil(
        async () => (await s.problemsText()).includes('notes.yml'),
        30_000,
        async () => `no problem for notes.yml; the panel shows: ${JSON.stringify(await s.problemsText())}`,
      );
      assert.match(await s.problemsText(), /notes\.yml[\s\S]*Map keys must be unique/);
    }),
  );

  it('"show" brings ours back: then the duplicate key is reported twice, as without the setting', { timeout: 90_000 }, () =>
    step(s, 'show', async (s) => {
      // Workspace settings: VS Code watches the folder (a write to the user settings file is not seen here).
      fs.mkdirSync(path.join(s.workspace, '.vscode'), { recursive: true });
      fs.writeFileSync(path.join(s.workspace, '.vscode', 'settings.json'), JSON.stringify({ 'finetune.validation.yamlSyntax': 'show' }, null, 2));
      await waitUntil(
        async () => (await s.problemRows("Duplicate key 'micro_batch_size'").count()) === 1,
        30_000,
        async () => `with "show", our FT002 should be back; the panel shows: ${JSON.stringify(await s.problemsText())}`,
      );
      assert.equal((await s.problemRows('Map keys must be unique').count()) >= 1, true);
      await s.screenshot('show-both');
    }),
  );
});
