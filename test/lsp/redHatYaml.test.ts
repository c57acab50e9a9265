/**
 * Red Hat YAML beside us: one set of diagnostics per config, not two.
 *
 * Red Hat YAML's .vsix comes from the Marketplace or Open VSX, which this project's machines cannot reach, and it is
 * not on npm; what it runs is yaml-language-server (our devDependency, 1.25, as in vscode-yaml 1.25). So both servers
 * run here over stdio on the same files: yaml-language-server with the settings Red Hat YAML sends beside our
 * extension, and ours with what our VS Code client sends then (finetune.validation.yamlSyntax "auto" resolved to
 * "leaveToRedHatYaml", client/src/redHatYaml.ts).
 *
 * What yaml-language-server gets, as vscode-yaml 1.25 gives it (redhat-developer/vscode-yaml src/extension.ts,
 * package.json defaults at 7b0f5af):
 *   - its settings' defaults, with `yaml.yamlVersion: "1.1"` and no `yaml.schemas` mapping of ours (docs/integrations.md
 *     says so), the schema store on, fetched from a local server (offline) that serves one entry of the real
 *     SchemaStore catalog (GitHub Action, for action.yml);
 *   - `json/schemaAssociations`: the `yamlValidation` contributions of every installed extension, built the way
 *     vscode-yaml's getSchemaAssociations builds them from our real package.json.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { REPO, TestClient } from './client';

const ROOT = 'file:///work/project';
const uri = (rel: string) => `${ROOT}/${rel}`;

/** Axolotl configs with the YAML parser's problems (both servers see those) and ours alone (unknown key). */
const FILES: Record<string, string> = {
  // A duplicate key, an unknown key, a tag safe_load refuses.
  'configs/qlora.yml': [
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
  ].join('\n'),
  // A '[' never closed: we put it at the bracket (line 2), yaml-language-server where its parser gave up (line 3).
  'configs/broken.yml': 'base_model: NousResearch/Llama-3.2-1B\nadapter: lora\nlora_target_modules: [q_proj, v_proj\nlearning_rate: 0.0002\n',
  // Problems only PyYAML has: a list as a key, a second document. yaml-language-server reads both happily.
  // The tag after the key is both servers' problem (left to yaml-language-server); the key stays ours.
  'configs/pyyaml-only.yml':
    'base_model: NousResearch/Llama-3.2-1B\nadapter: lora\n[q_proj, v_proj]: 1\nwandb_project: !Ref project\n---\nlearning_rate: 0.0002\n',
  // Not configs: yaml-language-server's own checks must stay.
  'notes.yml': 'owner: me\nowner: you\nitems: [a, b\n',
  'action.yml': 'name: build\ndescription: builds\n',
};

/** A minimal GitHub Action schema in place of SchemaStore's (not fetched offline): `runs` is required. */
const ACTION_SCHEMA = { $schema: 'http://json-schema.org/draft-07/schema#', title: 'GitHub Action', type: 'object', required: ['runs'] };

/** vscode-yaml 1.25's settings defaults (its package.json), as the server pulls them, with our documented changes. */
function redHatYamlSettings(storeUrl: string): Record<string, unknown> {
  return {
    yaml: {
      yamlVersion: '1.1',
      schemas: {},
      disableSchemaDetection: [],
      kubernetesCRDStore: { enable: true, url: 'https://raw.githubusercontent.com/datreeio/CRDs-catalog/main' },
      format: { enable: true, singleQuote: false, bracketSpacing: true, proseWrap: 'preserve', printWidth: 80, trailingComma: true },
      validate: true,
      hover: true,
      hoverAnchor: true,
      completion: true,
      customTags: [],
      schemaStore: { enable: true, url: storeUrl },
      disableAdditionalProperties: false,
      disableDefaultProperties: false,
      maxItemsComputed: 5000,
      style: { flowMapping: 'allow', flowSequence: 'allow' },
      keyOrdering: false,
      hoverSchemaSource: true,
    },
    http: { proxy: '', proxyStrictSSL: true },
    '[yaml]': {},
    editor: {},
  };
}

/** vscode-yaml's getSchemaAssociations (src/extension.ts) over one extension's package.json. */
function yamlValidationAssociations(
  packageJson: { contributes?: { yamlValidation?: Array<{ fileMatch: string | string[]; url: string }> } },
  extensionUri: string,
) {
  const out: Array<{ fileMatch: string[]; uri: string }> = [];
  for (const jv of packageJson.contributes?.yamlValidation ?? []) {
    const fileMatch = (typeof jv.fileMatch === 'string' ? [jv.fileMatch] : jv.fileMatch).map((fm) => (/^(\w+:\/\/|\/|!)/.test(fm) ? fm : `/${fm}`));
    out.push({ fileMatch, uri: jv.url.startsWith('./') ? `${extensionUri}/${jv.url.slice(2)}` : jv.url });
  }
  return out;
}

/** yaml-language-server over stdio, as Red Hat YAML starts it (`--stdio` instead of IPC). */
class YamlLanguageServer {
  readonly connection: ProtocolConnection;
  readonly published = new Map<string, Diagnostic[]>();
  private readonly process: ChildProcess;
  stderr = '';

  constructor(private readonly settings: Record<string, unknown>) {
    this.process = spawn(process.execPath, [require.resolve('yaml-language-server/bin/yaml-language-server'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stderr!.on('data', (b: Buffer) => (this.stderr += b.toString()));
    this.connection = createProtocolConnection(new StreamMessageReader(this.process.stdout!), new StreamMessageWriter(this.process.stdin!));
    this.connection.onRequest('workspace/configuration', (p: { items: Array<{ section?: string }> }) =>
      p.items.map((item) => (item.section ? (this.settings[item.section] ?? null) : this.settings)),
    );
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => this.published.set(p.uri, p.diagnostics));
    this.connection.listen();
  }

  async initialize(associations: unknown): Promise<void> {
    await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: ROOT,
      workspaceFolders: [{ uri: ROOT, name: 'project' }],
      capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } }, textDocument: { publishDiagnostics: {} } },
    });
    await this.connection.sendNotification('initialized', {});
    await this.connection.sendNotification('json/schemaAssociations', associations);
    await this.connection.sendNotification('workspace/didChangeConfiguration', { settings: this.settings });
  }

  async stop(): Promise<void> {
    await Promise.race([this.connection.sendRequest('shutdown').catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
    this.process.kill();
    this.connection.dispose();
  }
}

/** Waits until `probe` holds; fails with `what()` after `ms`. */
async function until(probe: () => boolean, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) assert.fail(what());
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** "line source code: message" rows, 1-based lines, both servers' diagnostics of a file together. */
function rows(theirs: Diagnostic[], ours: Diagnostic[]): string[] {
  const row = (who: string, d: Diagnostic) =>
    `${d.range.start.line + 1} ${who}${d.code !== undefined && d.code !== 0 ? ` ${d.code}` : ''}: ${d.message.split(/[.:(]/)[0].trim()}`;
  return [...theirs.map((d) => row(String(d.source), d)), ...ours.map((d) => row('finetune', d))].sort(
    (a, b) => parseInt(a) - parseInt(b) || a.localeCompare(b),
  );
}

describe('Red Hat YAML (yaml-language-server 1.25) and our server on the same files', { timeout: 60_000 }, () => {
  let store: Server;
  const requested: string[] = [];
  let yamlLs: YamlLanguageServer;
  let leaving: TestClient;
  let showing: TestClient;

  before(async () => {
    store = createServer((req, res) => {
      requested.push(req.url ?? '');
      if (req.url === '/api/json/catalog.json') {
        const base = `http://127.0.0.1:${(store.address() as AddressInfo).port}`;
        // One entry of the real catalog (SchemaStore src/api/json/catalog.json at 3b6446a), its URL pointed here.
        res.end(
          JSON.stringify({
            version: 1,
            schemas: [
              { name: 'GitHub Action', description: 'YAML GitHub Actions', fileMatch: ['action.yml', 'action.yaml'], url: `${base}/github-action.json` },
            ],
          }),
        );
      } else if (req.url === '/github-action.json') {
        res.end(JSON.stringify(ACTION_SCHEMA));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => store.listen(0, '127.0.0.1', () => r()));
    const storeUrl = `http://127.0.0.1:${(store.address() as AddressInfo).port}/api/json/catalog.json`;

    const ourPackage = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Parameters<typeof yamlValidationAssociations>[0];
    yamlLs = new YamlLanguageServer(redHatYamlSettings(storeUrl));
    await yamlLs.initialize(yamlValidationAssociations(ourPackage, 'file:///extensions/finetune-workbench'));

    leaving = new TestClient();
    leaving.settings = { ...leaving.settings, validation: { ...leaving.settings.validation, yamlSyntax: 'leaveToRedHatYaml' } } as TestClient['settings'];
    showing = new TestClient();
    showing.settings = { ...showing.settings, validation: { ...showing.settings.validation, yamlSyntax: 'show' } } as TestClient['settings'];
    await leaving.initialize(ROOT);
    await showing.initialize(ROOT);

    for (const [rel, text] of Object.entries(FILES)) {
      await yamlLs.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(rel), languageId: 'yaml', version: 1, text } });
      await leaving.open(uri(rel), text);
      await showing.open(uri(rel), text);
    }
    // yaml-language-server validates after its 200 ms debounce, once the store's catalog is in.
    await until(
      () => Object.keys(FILES).every((rel) => yamlLs.published.has(uri(rel)) && leaving.published.has(uri(rel)) && showing.published.has(uri(rel))),
      20_000,
      () =>
        `not every file got diagnostics from both servers: ${JSON.stringify(Object.keys(FILES).map((rel) => [rel, yamlLs.published.has(uri(rel)), leaving.published.has(uri(rel))]))}\n${yamlLs.stderr}`,
    );
    // Ours publishes once per version; yaml-language-server may publish again when the schema store arrives.
    await until(
      () => (yamlLs.published.get(uri('action.yml')) ?? []).length > 0,
      10_000,
      () => `action.yml got no schema check: ${JSON.stringify(yamlLs.published.get(uri('action.yml')))} requested ${JSON.stringify(requested)}`,
    );
  });

  after(async () => {
    await yamlLs?.stop();
    await leaving?.shutdown();
    await showing?.shutdown();
    store?.close();
  });

  const theirs = (rel: string) => yamlLs.published.get(uri(rel)) ?? [];

  it('our package.json contributes nothing to Red Hat YAML: no yamlValidation, so no schema of ours applies to a config', () => {
    const ourPackage = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Parameters<typeof yamlValidationAssociations>[0];
    assert.deepEqual(yamlValidationAssociations(ourPackage, 'file:///x'), []);
    for (const rel of Object.keys(FILES).filter((f) => f.startsWith('configs/'))) {
      assert.deepEqual(
        theirs(rel).filter((d) => String(d.source).startsWith('yaml-schema')),
        [],
        `${rel} got schema diagnostics from yaml-language-server`,
      );
    }
    // The store was asked for its catalog and, of the schemas, only for action.yml's.
    assert.deepEqual([...new Set(requested)].sort(), ['/api/json/catalog.json', '/github-action.json']);
  });

  it('without leaving them to Red Hat YAML, a broken config shows the same problems twice (what the setting is for)', () => {
    assert.deepEqual(rows(theirs('configs/qlora.yml'), showing.published.get(uri('configs/qlora.yml'))!), [
      "5 finetune FT002: Duplicate key 'micro_batch_size'",
      '5 YAML: Map keys must be unique',
      "6 finetune FT101: Unknown key 'lora_dropuot'",
      '8 finetune FT006: safe_load refuses this tag',
      '8 YAML: Unresolved tag',
    ]);
    assert.deepEqual(rows(theirs('configs/broken.yml'), showing.published.get(uri('configs/broken.yml'))!), [
      '3 finetune FT001: Syntax error',
      '4 YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('with Red Hat YAML installed ("auto"), each problem of a config is reported once: the parser\'s by it, the rest by us', () => {
    assert.deepEqual(rows(theirs('configs/qlora.yml'), leaving.published.get(uri('configs/qlora.yml'))!), [
      '5 YAML: Map keys must be unique',
      "6 finetune FT101: Unknown key 'lora_dropuot'",
      '8 YAML: Unresolved tag',
    ]);
    assert.deepEqual(rows(theirs('configs/broken.yml'), leaving.published.get(uri('configs/broken.yml'))!), [
      '4 YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('problems only PyYAML has stay ours: a list used as a key, a second document', () => {
    assert.deepEqual(rows(theirs('configs/pyyaml-only.yml'), leaving.published.get(uri('configs/pyyaml-only.yml'))!), [
      '3 finetune FT001: Syntax error',
      '4 YAML: Unresolved tag',
      '5 finetune FT005: This file holds more than one YAML document; the training tools load exactly one',
    ]);
  });

  it("a YAML file that is not a config keeps all of yaml-language-server's checks, and we say nothing", () => {
    assert.deepEqual(rows(theirs('notes.yml'), leaving.published.get(uri('notes.yml'))!), [
      '2 YAML: Map keys must be unique',
      '4 YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    // A file the schema store maps (action.yml): its schema still applies.
    assert.deepEqual(rows(theirs('action.yml'), leaving.published.get(uri('action.yml'))!), ['1 yaml-schema: GitHub Action: Missing property "runs"']);
  });
});
