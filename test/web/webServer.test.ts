/**
 * The web build in a real browser: dist/web/server.js (the language server bundled for a web worker, as vscode.dev
 * and github.dev run it) started by a page in Debian's Chromium (headless, driven by playwright-core), spoken to in
 * LSP over postMessage, on every file of examples/; and the desktop build (dist/server.js over stdio) on the same
 * files. The diagnostics (code, range, severity, message, source), a hover, a completion, the VRAM code lens and
 * inlay hints must be the same. Needs Chromium (test/web/setup.sh installs it); without it the suite says SKIPPED.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { CHROMIUM_ARGS, CHROMIUM_BIN } from '../editor/harness';
import { REPO, TestClient } from '../lsp/client';
import { answerReadFiles } from '../../client/src/web/readFiles';
import { writePythonWorkspace } from '../lib/pythonWorkspace';
import { DISK_FS } from './diskFs';

const WEB_SERVER = join(REPO, 'dist', 'web', 'server.js');
const EXAMPLES = join(REPO, 'examples');
const ROOT_URI = pathToFileURL(EXAMPLES).toString();
const SETTINGS = { validation: { enable: true, delay: 0, maxFileSizeKB: 1024 }, formatAssociations: {} };

/** The examples, JSON first: a config's `deepspeed:` file is then open in both servers when the config is checked. */
function exampleFiles(): Array<{ uri: string; languageId: string; text: string }> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (/\.(?:ya?ml|json|py)$/.test(e.name)) files.push(join(dir, e.name));
    }
  };
  walk(EXAMPLES);
  const rank = (f: string) => (f.endsWith('.json') ? 0 : 1);
  return files
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((f) => ({
      uri: pathToFileURL(f).toString(),
      languageId: f.endsWith('.json') ? 'json' : f.endsWith('.py') ? 'python' : 'yaml',
      text: readFileSync(f, 'utf8'),
    }));
}

/** The page: starts the worker and answers its requests as a client would; window.lsp is driven from the test. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>ftw web worker</title><script>
window.lsp = (() => {
  const worker = new Worker('/server.js');
  const pending = new Map();
  const state = { published: {}, history: {}, publishes: 0, errors: [], logs: [], asked: [] };
  let next = 0;
  worker.onerror = (e) => state.errors.push(String(e.message || e));
  worker.onmessage = (e) => {
    const m = e.data;
    if (m.id !== undefined && m.method === undefined) {
      pending.get(m.id)?.(m);
      pending.delete(m.id);
    } else if (m.method === 'textDocument/publishDiagnostics') {
      state.published[m.params.uri] = m.params.diagnostics;
      (state.history[m.params.uri] ??= []).push(m.params.diagnostics.map((d) => d.code));
      state.publishes++;
    } else if (m.method === 'window/logMessage') {
      if (m.params.type === 1) state.logs.push(m.params.message);
    } else if (m.method === 'finetune/readFiles') {
      // The web client's answer (client/src/web/readFiles.ts), run by the test's HTTP server over the disk.
      state.asked.push(...m.params.items.map((i) => (i.list ? 'list ' : 'read ') + i.uri));
      fetch('/readFiles', { method: 'POST', body: JSON.stringify(m.params) })
        .then((r) => r.json())
        .then((result) => worker.postMessage({ jsonrpc: '2.0', id: m.id, result }));
    } else if (m.id !== undefined) {
      const result = m.method === 'workspace/configuration' ? m.params.items.map(() => (${JSON.stringify(SETTINGS)})) : null;
      worker.postMessage({ jsonrpc: '2.0', id: m.id, result });
    }
  };
  return {
    state,
    request: (method, params) =>
      new Promise((resolve) => {
        const id = ++next;
        pending.set(id, resolve);
        worker.postMessage({ jsonrpc: '2.0', id, method, params });
      }),
    notify: (method, params) => worker.postMessage({ jsonrpc: '2.0', method, params }),
  };
})();
</script>`;

interface PageLsp {
  /** `logs`: the messages of type Error the server logged; `asked`: each path of each finetune/readFiles request. */
  /** `history`: the codes of every publish, per URI, in order. */
  state: { published: Record<string, Diagnostic[]>; history: Record<string, string[][]>; publishes: number; errors: string[]; logs: string[]; asked: string[] };
  request(method: string, params: unknown): Promise<{ result?: unknown; error?: { message: string } }>;
  notify(method: string, params: unknown): void;
}
declare const window: { lsp: PageLsp };

/** github.dev's URIs for a repository (vscode-vfs://github/owner/repo/...), mapped to a folder of the disk by the test. */
const VFS = { prefix: 'vscode-vfs://github/acme/project', folder: '' };
const onDisk = (uri: string) =>
  VFS.folder && (uri === VFS.prefix || uri.startsWith(`${VFS.prefix}/`)) ? pathToFileURL(VFS.folder).toString() + uri.slice(VFS.prefix.length) : uri;

function serve(): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    else if (req.url === '/server.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(WEB_SERVER));
    else if (req.url === '/readFiles' && req.method === 'POST') {
      const body: Buffer[] = [];
      req.on('data', (c: Buffer) => body.push(c));
      req.on('end', () => {
        void answerReadFiles(DISK_FS, onDisk, JSON.parse(Buffer.concat(body).toString('utf8'))).then((answers) =>
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answers)),
        );
      });
    } else res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** What both builds must agree on, in a stable order. */
function comparable(diagnostics: Diagnostic[] | undefined) {
  return (diagnostics ?? [])
    .map((d) => ({ code: d.code, range: d.range, severity: d.severity, message: d.message, source: d.source }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** Waits until `count()` has not changed for `quietMs` (the servers publish again after the schemas load). */
async function settle(count: () => Promise<number> | number, quietMs = 1500, maxMs = 30_000): Promise<void> {
  const start = Date.now();
  let last = await count();
  let since = Date.now();
  while (Date.now() - start < maxMs) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await count();
    if (now !== last) [last, since] = [now, Date.now()];
    else if (Date.now() - since >= quietMs) return;
  }
  throw new Error(`diagnostics still changing after ${maxMs} ms`);
}

const skip = existsSync(CHROMIUM_BIN) ? false : `SKIPPED: Chromium is not installed at ${CHROMIUM_BIN} (run: bash test/web/setup.sh)`;
if (skip) console.log(`\n*** web build suite ${skip} ***\n`);

describe('the web build in Chromium gives the desktop build’s results', { skip }, () => {
  const files = exampleFiles();
  let http: Server;
  let browser: Browser;
  let page: Page;
  let desktop: TestClient;
  const pageErrors: string[] = [];
  const web = <R>(method: string, params: unknown) =>
    page
      .evaluate(([m, p]) => window.lsp.request(m, p), [method, params] as const)
      .then((r) => {
        if (r.error) throw new Error(`${method} failed in the worker: ${r.error.message}`);
        return r.result as R;
      });

  before(async () => {
    assert.ok(existsSync(WEB_SERVER), `${WEB_SERVER} is missing: npm run compile builds it`);
    http = await serve();
    const port = (http.address() as { port: number }).port;
    browser = await chromium.launch({ executablePath: CHROMIUM_BIN, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
    page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    assert.deepEqual(pageErrors, [], 'errors of the page');
    const initialize = {
      processId: null,
      rootUri: ROOT_URI,
      workspaceFolders: [{ uri: ROOT_URI, name: 'examples' }],
      capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: { relatedInformation: true } } },
      // The page answers finetune/readFiles, as the web client does.
      initializationOptions: { readFiles: true },
    };
    await web('initialize', initialize);
    await page.evaluate(() => window.lsp.notify('initialized', {}));
    // The desktop server with an empty Hugging Face cache and no GPU: the worker has neither.
    desktop = new TestClient(undefined, { HF_HOME: mkdtempSync(join(tmpdir(), 'ftw-web-hf-')) });
    await desktop.initialize(ROOT_URI);
    for (const f of files) {
      await page.evaluate(([uri, languageId, text]) => window.lsp.notify('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } }), [
        f.uri,
        f.languageId,
        f.text,
      ] as const);
      await desktop.open(f.uri, f.text, f.languageId);
    }
    const everyFile = (published: Record<string, unknown> | Map<string, unknown>) =>
      files.every((f) => (published instanceof Map ? published.has(f.uri) : f.uri in published));
    await settle(async () => {
      const s = await page.evaluate(() => window.lsp.state);
      return everyFile(s.published) ? s.publishes : -1;
    });
    await settle(() => (everyFile(desktop.published) ? [...desktop.publishCount.values()].reduce((a, b) => a + b, 0) : -1));
  });

  after(async () => {
    await desktop?.shutdown();
    await browser?.close();
    http?.close();
  });

  it('the worker started without an error', async () => {
    const state = await page.evaluate(() => window.lsp.state);
    assert.deepEqual([...pageErrors, ...state.errors], [], 'errors of the page and the worker');
    assert.deepEqual(state.logs, [], 'errors the server logged (window/logMessage, type Error)');
  });

  it('the same diagnostics on every example (code, range, severity, message)', async () => {
    const published = await page.evaluate(() => window.lsp.state.published);
    let total = 0;
    for (const f of files) {
      const expected = comparable(desktop.published.get(f.uri));
      total += expected.length;
      assert.deepEqual(comparable(published[f.uri]), expected, `diagnostics of ${f.uri}`);
    }
    // The examples show mistakes: a comparison of empty lists would prove nothing.
    assert.ok(total >= 5, `only ${total} diagnostics on the examples`);
    const codes = new Set(files.flatMap((f) => (published[f.uri] ?? []).map((d) => String(d.code))));
    assert.ok(
      [...codes].some((c) => /^FT0/.test(c)),
      `no schema finding (FT0xx) in the worker: ${[...codes].join(', ')}`,
    );
    const lightning = files.find((f) => f.uri.endsWith('/lightning/classifier.py'))!;
    assert.ok((published[lightning.uri] ?? []).length > 0, 'no Lightning finding on examples/lightning/classifier.py in the worker (tree-sitter)');
  });

  it('a config whose DeepSpeed JSON is not open: the worker reads it through the client, with the desktop’s findings', async () => {
    // Outside the workspace folder (examples/), next to nothing else: only the two configs are opened, never the JSON.
    const dir = mkdtempSync(join(tmpdir(), 'ftw-web-ds-'));
    mkdirSync(join(dir, 'axolotl'));
    mkdirSync(join(dir, 'deepspeed'));
    // ZeRO-3 (QLoRA under it changes the VRAM estimate) with a micro batch that disagrees with the YAML's (FT208).
    const json = join(dir, 'deepspeed', 'zero3-offload.json');
    const ds = JSON.parse(readFileSync(join(EXAMPLES, 'deepspeed', 'zero3-offload.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(json, JSON.stringify({ ...ds, train_micro_batch_size_per_gpu: 2 }, null, 2));
    const yaml = readFileSync(join(EXAMPLES, 'axolotl', 'mistakes.yml'), 'utf8');
    assert.match(yaml, /^deepspeed: \.\.\/deepspeed\/zero3-offload\.json$/m, 'mistakes.yml names ../deepspeed/zero3-offload.json');
    const configs = [
      { uri: pathToFileURL(join(dir, 'axolotl', 'linked.yml')).toString(), text: yaml },
      { uri: pathToFileURL(join(dir, 'axolotl', 'missing.yml')).toString(), text: yaml.replace('zero3-offload.json', 'nowhere.json') },
    ];
    for (const c of configs) writeFileSync(fileURLToPath(c.uri), c.text);
    for (const c of configs) {
      await page.evaluate(([uri, text]) => window.lsp.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } }), [
        c.uri,
        c.text,
      ] as const);
      await desktop.open(c.uri, c.text, 'yaml');
    }
    await settle(async () => {
      const st = await page.evaluate(() => window.lsp.state);
      return configs.every((c) => c.uri in st.published) ? st.publishes : -1;
    });
    await settle(() => (configs.every((c) => desktop.published.has(c.uri)) ? [...desktop.publishCount.values()].reduce((a, b) => a + b, 0) : -1));
    const state = await page.evaluate(() => window.lsp.state);
    for (const c of configs) assert.deepEqual(comparable(state.published[c.uri]), comparable(desktop.published.get(c.uri)), `diagnostics of ${c.uri}`);

    // The finding that comes from the JSON: on the linked config, not on the one whose JSON is missing.
    const mismatch = (uri: string) =>
      (state.published[uri] ?? []).filter((d) => d.code === 'FT208' && /train_micro_batch_size_per_gpu is 2 but micro_batch_size is 8/.test(d.message));
    assert.equal(mismatch(configs[0].uri).length, 1, 'FT208 (the JSON’s micro batch) on the linked config in the worker');
    assert.equal(mismatch(configs[1].uri).length, 0, 'no FT208 without the JSON');
    const notFound = (state.published[configs[1].uri] ?? []).filter(
      (d) => d.code === 'FT210' && /'\.\.\/deepspeed\/nowhere\.json' was not found/.test(d.message),
    );
    assert.equal(notFound.length, 1, 'the missing JSON gives FT210 "not found" in the worker');
    assert.ok(!(state.published[configs[0].uri] ?? []).some((d) => d.code === 'FT210'), 'no FT210 on the config whose JSON was read');
    // Not even for a moment: the first check waits for the JSON the client is reading (documents.ts validateNow).
    const flashes = (state.history[configs[0].uri] ?? []).filter((codes) => codes.includes('FT210'));
    assert.deepEqual(flashes, [], `the config whose JSON exists was never published with FT210: ${JSON.stringify(state.history[configs[0].uri])}`);

    // Each path asked for once (a missing one is kept as missing): no request loop.
    const jsonUri = pathToFileURL(json).toString();
    assert.deepEqual(
      state.asked.filter((a) => a === `read ${jsonUri}`),
      [`read ${jsonUri}`],
    );
    assert.ok(state.asked.includes(`read ${pathToFileURL(join(dir, 'deepspeed', 'nowhere.json')).toString()}`), 'the missing JSON was asked for');
    const twice = state.asked.filter((a, i) => state.asked.indexOf(a) !== i);
    assert.deepEqual(twice, [], 'paths asked for more than once');
  });

  it('the same hover, completion, VRAM code lens and inlay hints on the Axolotl example', async () => {
    const f = files.find((x) => x.uri.endsWith('/axolotl/qlora-llama3.yml'))!;
    const lines = f.text.split('\n');
    const line = lines.findIndex((l) => l.startsWith('micro_batch_size:'));
    assert.ok(line >= 0, 'qlora-llama3.yml has micro_batch_size');
    const textDocument = { uri: f.uri };
    const hoverParams = { textDocument, position: { line, character: 3 } };
    const hover = await web<{ contents: { value: string } } | null>('textDocument/hover', hoverParams);
    assert.ok(hover && /micro_batch_size|micro batch/i.test(hover.contents.value), `hover: ${JSON.stringify(hover)}`);
    assert.deepEqual(hover, (await desktop.request('textDocument/hover', hoverParams, 5000)).result);

    const completionParams = { textDocument, position: { line: lines.length - 1, character: 0 } };
    const completion = await web<{ items: Array<{ label: string }> }>('textDocument/completion', completionParams);
    const labels = (c: { items: Array<{ label: string }> }) => c.items.map((i) => i.label).sort();
    assert.ok(completion.items.length > 10, `completion: ${completion.items.length} items`);
    assert.deepEqual(labels(completion), labels((await desktop.request<typeof completion>('textDocument/completion', completionParams, 5000)).result));

    const lens = await web<unknown[]>('textDocument/codeLens', { textDocument });
    assert.ok(lens.length > 0, 'no VRAM code lens in the worker');
    assert.deepEqual(lens, (await desktop.request('textDocument/codeLens', { textDocument }, 5000)).result);
    const hintParams = { textDocument, range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } } };
    const hints = await web<unknown[]>('textDocument/inlayHint', hintParams);
    assert.ok(hints.length > 0, 'no VRAM inlay hint in the worker');
    assert.deepEqual(hints, (await desktop.request('textDocument/inlayHint', hintParams, 5000)).result);
  });
});

describe('the web build reads the workspace’s pins and Python through the client, as the desktop reads the disk', { skip }, () => {
  // A workspace of its own (issue 14's recipe script and LightningCLI class, test/lsp/workspacePython.test.ts), with a
  // TRL pin in a subfolder's requirements.txt. Only the configs are opened: the worker must ask for everything else.
  // The worker sees it as github.dev does (vscode-vfs://github/acme/project), the desktop server as file: URIs.
  const dir = mkdtempSync(join(tmpdir(), 'ftw-web-workspace-'));
  VFS.folder = dir;
  const vfs = (uri: string) => VFS.prefix + uri.slice(pathToFileURL(dir).toString().length);
  for (const sub of ['scripts', 'src/recipes', 'project', 'train', 'recipes', 'configs']) mkdirSync(join(dir, sub), { recursive: true });
  writePythonWorkspace(dir, '    curriculum_stage: int = 0\n');
  writeFileSync(join(dir, 'train', 'requirements.txt'), 'trl==0.17.0\n');
  const rootUri = pathToFileURL(dir).toString();
  const configs = [
    {
      uri: pathToFileURL(join(dir, 'recipes', 'sft.yaml')).toString(),
      text: 'model_name_or_path: Qwen/Qwen2-0.5B\ndataset_name: x\noutput_dir: o\ncurriculum_stage: 1\nmax_seq_length: 2048\n',
    },
    {
      uri: pathToFileURL(join(dir, 'configs', 'fit.yaml')).toString(),
      text: 'trainer:\n  max_epochs: 1\nmodel:\n  class_path: project.models.Model\n  init_args:\n    lrr: 0.1\n',
    },
  ];
  let http: Server;
  let browser: Browser;
  let page: Page;
  let desktop: TestClient;

  before(async () => {
    http = await serve();
    browser = await chromium.launch({ executablePath: CHROMIUM_BIN, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(http.address() as { port: number }).port}/`);
    const initialize = {
      processId: null,
      rootUri: vfs(rootUri),
      workspaceFolders: [{ uri: vfs(rootUri), name: 'project' }],
      capabilities: { workspace: { configuration: true } },
      initializationOptions: { readFiles: true },
    };
    await page.evaluate((p) => window.lsp.request('initialize', p), initialize);
    await page.evaluate(() => window.lsp.notify('initialized', {}));
    desktop = new TestClient(undefined, { HF_HOME: mkdtempSync(join(tmpdir(), 'ftw-web-hf-')) });
    await desktop.initialize(rootUri);
    for (const c of configs) {
      await page.evaluate(([uri, text]) => window.lsp.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } }), [
        vfs(c.uri),
        c.text,
      ] as const);
      await desktop.open(c.uri, c.text, 'yaml');
    }
    await settle(async () => {
      const st = await page.evaluate(() => window.lsp.state);
      return configs.every((c) => vfs(c.uri) in st.published) ? st.publishes : -1;
    });
    await settle(() => (configs.every((c) => desktop.published.has(c.uri)) ? [...desktop.publishCount.values()].reduce((a, b) => a + b, 0) : -1));
  });

  after(async () => {
    await desktop?.shutdown();
    await browser?.close();
    http?.close();
  });

  it('the same diagnostics: the pinned TRL, the recipe script’s field, the workspace class’s arguments', async () => {
    const state = await page.evaluate(() => window.lsp.state);
    assert.deepEqual(state.logs, [], 'errors the server logged');
    for (const c of configs) assert.deepEqual(comparable(state.published[vfs(c.uri)]), comparable(desktop.published.get(c.uri)), `diagnostics of ${c.uri}`);
    const [sft, fit] = configs.map((c) => state.published[vfs(c.uri)] ?? []);
    // Pinned 0.17.0 in train/requirements.txt: deprecated but working (unpinned, the newest TRL stops on it: FT107).
    assert.ok(
      sft.some((d) => d.code === 'FT110' && /TRL 0\.17\.0 \(train\/requirements\.txt\)/.test(d.message)),
      `the pin from train/requirements.txt: ${JSON.stringify(sft.map((d) => [d.code, d.message]))}`,
    );
    assert.ok(!sft.some((d) => d.range.start.line === 3), 'curriculum_stage is declared by the recipe script’s SFTConfig (src/recipes/configs.py)');
    assert.deepEqual(
      fit.map((d) => [d.code, d.message.split(':')[0]]),
      [['FT101', "Unknown argument 'lrr' of Model.__init__ (project/models.py)"]],
    );
    const twice = state.asked.filter((a, i) => state.asked.indexOf(a) !== i);
    assert.deepEqual(twice, [], 'paths asked for more than once');
    assert.ok(state.asked.includes(`read ${VFS.prefix}/train/requirements.txt`), 'asked by its github.dev URI');
  });

  it('a pin file changed on disk (workspace/didChangeWatchedFiles): asked again, and the config checked for the new pin', async () => {
    const requirements = join(dir, 'train', 'requirements.txt');
    writeFileSync(requirements, 'trl==0.21.0\n');
    const change = { changes: [{ uri: pathToFileURL(requirements).toString(), type: 2 }] };
    const webChange = { changes: [{ uri: vfs(change.changes[0].uri), type: 2 }] };
    const before = (await page.evaluate(() => window.lsp.state)).publishes;
    await page.evaluate((p) => window.lsp.notify('workspace/didChangeWatchedFiles', p), webChange);
    await desktop.connection.sendNotification('workspace/didChangeWatchedFiles', change);
    await settle(async () => {
      const st = await page.evaluate(() => window.lsp.state);
      return st.publishes > before ? st.publishes : -1;
    });
    await settle(() => [...desktop.publishCount.values()].reduce((a, b) => a + b, 0));
    const state = await page.evaluate(() => window.lsp.state);
    for (const c of configs) assert.deepEqual(comparable(state.published[vfs(c.uri)]), comparable(desktop.published.get(c.uri)), `diagnostics of ${c.uri}`);
    assert.ok(
      (state.published[vfs(configs[0].uri)] ?? []).some((d) => d.code === 'FT107' && /TRL 0\.21\.0 \(train\/requirements\.txt\)/.test(d.message)),
      'FT107 for the new pin in the worker',
    );
    assert.equal(state.asked.filter((a) => a === `read ${webChange.changes[0].uri}`).length, 2, 'the pin file asked for again, once');
  });
});
