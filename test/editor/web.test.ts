/**
 * The extension's `browser` entry (dist/web/client.js) in a real web extension host: code-server 4.99.4 (VS Code
 * 1.99.3) with the user setting `"remote.extensionKind": { "finetune-workbench.finetune-workbench": ["web"] }`, which
 * makes the workbench run the remotely installed extension in the browser's web worker extension host instead of the
 * remote Node one. In VS Code's source (1.99.3, as bundled in code-server's lib/vscode/out/vs/code/browser/workbench/
 * workbench.js): the user's kinds replace the manifest's (services/extensions/common/extensionManifestPropertiesService.ts,
 * getExtensionKind), and BrowserExtensionHostKindPicker.pickRunningLocation (services/extensions/browser/
 * extensionService.ts) gives "web" the LocalWebWorker host when the extension is installed locally or remotely.
 *
 * Flow: the workspace holds a qlora.yml, which activates the extension at start-up (workspaceContains), before any
 * file is open, and examples/axolotl/mistakes.yml with the DeepSpeed file it names. First a DeepSpeed JSON that no
 * config names is opened on its own: its diagnostics must be listed beside those of the JSON language features, which
 * run in the remote Node host (see OPENED_FIRST). Then the example's JSON is opened (the web server reads only open
 * documents, docs/architecture.md "The web build"), then its config.
 * Asserted in the page: the extension ran in the web worker host (its iframe is there, the "Fine-Tune Workbench"
 * output says "Language server ready (web worker)", and the remote Node host never activated it); the Problems
 * panel lists exactly the diagnostics the desktop server (dist/server.js over stdio) publishes for the same files;
 * the Training Jobs view is hidden; Restart Language Server brings the same problems back; Launch Training Job
 * answers that it needs VS Code on the desktop; the create-file quick fix for a missing DeepSpeed file makes it in the
 * (remote) workspace; the VRAM code lens opens its breakdown. Screenshots: .test-tmp/editor/web-*.png.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { TestClient } from '../lsp/client';
import { QLORA_YML } from './fixtures';
import { openVramBreakdown, REPO_ROOT, Session, step, vramLens, waitUntil } from './harness';

const EXTENSION_ID = 'finetune-workbench.finetune-workbench';
const CONFIG = 'axolotl/mistakes.yml';
const DEEPSPEED = 'deepspeed/zero3-offload.json';
const DIAGNOSTIC_TIMEOUT = 30_000;

/** Shows the client's output channel ("Fine-Tune Workbench") and waits until it holds `text`. */
async function serverLogSays(s: Session, text: string, timeoutMs: number): Promise<void> {
  await s.runCommand('Fine-Tune: Show Language Server Log');
  const output = s.page.locator('.part.panel .output-view .monaco-editor .view-lines');
  await waitUntil(
    async () => (await output.innerText()).replace(/\u00a0/g, ' ').includes(text),
    timeoutMs,
    async () => `the "Fine-Tune Workbench" output should say "${text}"; it shows:\n${await output.innerText().catch(() => '')}`,
  );
}
/** A config whose DeepSpeed file does not exist yet: FT210, with a quick fix that creates it. */
const NEEDS_DS = 'axolotl/needs-ds.yml';
const NEEDS_DS_YML = `${QLORA_YML}deepspeed: ../deepspeed/new.json\n`;
const NEEDS_DS_LINE = NEEDS_DS_YML.trimEnd().split('\n').length;
/** Its name matches a workspaceContains activation event (`{qlora,lora,fft,sft,dpo}*.{yml,yaml}` in any folder). */
const QLORA = 'qlora.yml';
/**
 * A DeepSpeed JSON that no config names, opened first. The user setting `json.schemas` gives it a schema, so that the
 * JSON language features (in the remote Node host) publish a diagnostic of their own for it: both extensions'
 * diagnostics must be listed. They were not while our language client's diagnostic collection had no name: VS Code
 * names an unnamed one `_generated_diagnostic_collection_name_#0`, counting in each extension host, and the
 * workbench keeps markers by that owner for all hosts together, so the JSON language features' pull-diagnostics
 * collection in the remote host (also #0) replaced ours (docs/architecture.md, "The web build").
 */
const OPENED_FIRST = 'deepspeed/opened-first.json';
/** What the JSON language service says of `"train_batch_size": "16"` under that schema. */
const JSON_SCHEMA_ROW = /^Incorrect type\. Expected "integer"\..*\[Ln 12, Col 23\]$/;
const CREATE_TITLE = "Create '../deepspeed/new.json' from a ZeRO-2 template";
/** The web client's answer for finetune.launch (client/src/web/extension.ts, desktopOnlyMessage). */
const LAUNCH_ANSWER = 'Fine-Tune Workbench: Launching a training job runs it on your machine, so it needs VS Code on the desktop.';
const SEVERITY: Record<number, string> = { 1: 'error', 2: 'warning', 3: 'info', 4: 'info' };

/** A Problems row as the test compares it: the row's text (message, source, code, position) and its icon. */
interface Row {
  text: string;
  severity: string;
}

/** How the Problems panel of VS Code 1.99 shows a diagnostic: message, source, code, then "[Ln L, Col C]". */
function expectedRow(d: Diagnostic): Row {
  const code = typeof d.code === 'object' && d.code !== null ? String((d.code as { value: unknown }).value) : String(d.code ?? '');
  return {
    text: `${d.message}${d.source ?? ''}${code}[Ln ${d.range.start.line + 1}, Col ${d.range.start.character + 1}]`,
    severity: SEVERITY[d.severity ?? 1],
  };
}

const byText = (a: Row, b: Row) => a.text.localeCompare(b.text);

/** The desktop server's diagnostics for these files, opened in this order, with the workspace as root. */
async function desktopDiagnostics(workspace: string, files: Array<[rel: string, languageId: string]>): Promise<Row[]> {
  const client = new TestClient();
  try {
    await client.initialize(pathToFileURL(workspace).toString());
    const rows: Row[] = [];
    for (const [rel, languageId] of files) {
      const uri = pathToFileURL(path.join(workspace, rel)).toString();
      const published = client.diagnostics(uri, () => true, 15_000);
      await client.open(uri, fs.readFileSync(path.join(workspace, rel), 'utf8'), languageId);
      rows.push(...(await published).map(expectedRow));
    }
    return rows.sort(byText);
  } finally {
    await client.shutdown();
  }
}

/** The marker rows of the Problems panel (not the file rows), with the severity of their icon. */
async function problemRows(s: Session): Promise<Row[]> {
  const rows = await s.problems.locator('.monaco-list-row').evaluateAll((els) =>
    (els as unknown as Array<{ textContent: string | null; querySelector(sel: string): { className: string } | null }>).map((e) => ({
      text: (e.textContent ?? '').replace(/\u00a0/g, ' '),
      icon: e.querySelector('.marker-icon')?.className ?? '',
    })),
  );
  return rows
    .filter((r) => /\[Ln \d+, Col \d+\]$/.test(r.text))
    .map((r) => ({
      text: r.text,
      severity: /\berror\b/.test(r.icon) ? 'error' : /\bwarning\b/.test(r.icon) ? 'warning' : /\binfo\b/.test(r.icon) ? 'info' : r.icon,
    }))
    .sort(byText);
}

/**
 * Waits until the Problems panel (maximised: the list is virtual, every row must be rendered) shows `desktop`, and
 * besides them one row matching each of `others` (another extension's diagnostics).
 */
async function expectDesktopProblems(s: Session, desktop: Row[], others: RegExp[] = []): Promise<void> {
  await s.openProblems();
  await s.runCommand('View: Toggle Maximized Panel');
  try {
    const want = JSON.stringify(desktop, null, 1);
    const fromDesktop = (g: Row) => desktop.some((d) => g.text === d.text && g.severity === d.severity);
    let got: Row[] = [];
    await waitUntil(
      async () => {
        got = await problemRows(s);
        const rest = got.filter((g) => !fromDesktop(g));
        return (
          JSON.stringify(got.filter(fromDesktop), null, 1) === want && rest.length === others.length && others.every((re) => rest.some((g) => re.test(g.text)))
        );
      },
      DIAGNOSTIC_TIMEOUT,
      async () => {
        const missing = desktop.filter((d) => !got.some((g) => g.text === d.text && g.severity === d.severity));
        const extra = got.filter((g) => !fromDesktop(g));
        return (
          `the Problems panel should show the desktop server's ${desktop.length} diagnostics${others.length ? ` and rows matching ${others.join(', ')}` : ''} ` +
          `within ${DIAGNOSTIC_TIMEOUT / 1000} s; it shows ${got.length}.\n` +
          `missing: ${JSON.stringify(missing, null, 1)}\nnot from the desktop: ${JSON.stringify(extra, null, 1)}\n` +
          `the page's errors about the extension: ${JSON.stringify(s.consoleErrors.filter((e) => e.includes(EXTENSION_ID)))}`
        );
      },
    );
  } finally {
    await s.runCommand('View: Toggle Maximized Panel');
  }
}

describe('the browser entry in the web worker extension host (code-server 4.99.4, remote.extensionKind web)', { timeout: 240_000 }, () => {
  let s: Session | undefined;
  let desktop: Row[] = [];
  let desktopFirst: Row[] = [];

  before(
    async () => {
      const files: Record<string, string> = {};
      for (const rel of [CONFIG, DEEPSPEED]) files[rel] = fs.readFileSync(path.join(REPO_ROOT, 'examples', rel), 'utf8');
      files[OPENED_FIRST] = files[DEEPSPEED];
      files[NEEDS_DS] = NEEDS_DS_YML;
      files[QLORA] = QLORA_YML;
      const settings = {
        'remote.extensionKind': { [EXTENSION_ID]: ['web'] },
        'json.schemas': [
          { fileMatch: [`**/${path.basename(OPENED_FIRST)}`], schema: { type: 'object', properties: { train_batch_size: { type: 'integer' } } } },
        ],
      };
      s = new Session({ name: 'web', files, settings });
      desktopFirst = await desktopDiagnostics(s.workspace, [[OPENED_FIRST, 'json']]);
      desktop = await desktopDiagnostics(s.workspace, [
        [DEEPSPEED, 'json'],
        [CONFIG, 'yaml'],
      ]);
      await s.start();
      await s.screenshot('workbench-loaded');
    },
    { timeout: 180_000 },
  );

  after(async () => {
    await s?.close();
  });

  it(
    `lists the diagnostics of a DeepSpeed JSON opened first, after activation by workspaceContains, beside the JSON language features'`,
    { timeout: 90_000 },
    () =>
      step(s, 'opened-first', async (s) => {
        assert.ok(desktopFirst.length >= 3, `the desktop server should find the JSON's mistakes; it published ${JSON.stringify(desktopFirst)}`);
        await s.openFile(OPENED_FIRST);
        await expectDesktopProblems(s, desktopFirst, [JSON_SCHEMA_ROW]);
        await s.screenshot('opened-first');
        // Closed, its diagnostics go (both extensions'), and the next tests see only their own files' problems.
        await s.runCommand('View: Close All Editors');
        await expectDesktopProblems(s, []);
      }),
  );

  it(`lists in the Problems panel the desktop server's diagnostics for ${CONFIG}`, { timeout: 90_000 }, () =>
    step(s, 'diagnostics', async (s) => {
      assert.ok(desktop.length >= 5, `the desktop server should find the mistakes of ${CONFIG}; it published ${JSON.stringify(desktop)}`);
      await s.openFile(DEEPSPEED);
      await s.openFile(CONFIG);
      await expectDesktopProblems(s, desktop);
      await s.screenshot('problems');
    }),
  );

  it('ran in the web worker extension host, not the remote Node one', { timeout: 60_000 }, () =>
    step(s, 'web-worker-host', async (s) => {
      const iframe = s.page.frames().find((f) => f.url().includes('webWorkerExtensionHostIframe.html'));
      assert.ok(iframe, `the page should have the web worker extension host's iframe; frames: ${JSON.stringify(s.page.frames().map((f) => f.url()))}`);

      // The output channel of the client: only the browser entry says "(web worker)".
      await serverLogSays(s, 'Language server ready (web worker)', 15_000);
      await s.screenshot('output');

      // The remote (Node) extension host logs each activation at info level; it activated others, not ours.
      const logs = s.saveLogs();
      assert.ok(logs, 'VS Code wrote no logs');
      const hostLogs = fs
        .readdirSync(logs, { recursive: true, encoding: 'utf8' })
        .filter((f) => path.basename(f) === 'remoteexthost.log')
        .map((f) => fs.readFileSync(path.join(logs, f), 'utf8'))
        .join('\n');
      assert.match(hostLogs, /ExtensionService#_doActivateExtension vscode\./, `the remote extension host log should list its activations:\n${hostLogs}`);
      assert.doesNotMatch(
        hostLogs,
        new RegExp(`_doActivateExtension ${EXTENSION_ID.replace('.', '\\.')}`, 'i'),
        `the remote Node host activated ${EXTENSION_ID}`,
      );
    }),
  );

  it('hides the Training Jobs view (the web client sets finetune.webWorkerHost)', { timeout: 30_000 }, () =>
    step(s, 'no-jobs-view', async (s) => {
      await s.page.keyboard.press('Control+Shift+E');
      const explorer = s.page.locator('.part.sidebar .pane-header');
      await explorer.first().waitFor({ state: 'visible', timeout: 10_000 });
      // Give the context key a moment to reach the workbench, then the view must be gone.
      await waitUntil(
        async () => !(await explorer.allInnerTexts()).some((t) => /training jobs/i.test(t)),
        10_000,
        async () => `the Explorer should have no Training Jobs view in the web worker host; its panes: ${JSON.stringify(await explorer.allInnerTexts())}`,
      );
      await s.screenshot('no-jobs-view');
    }),
  );

  it('answers Launch Training Job with "needs VS Code on the desktop"', { timeout: 60_000 }, () =>
    step(s, 'launch', async (s) => {
      await s.openFile(CONFIG);
      await s.runCommand('Fine-Tune: Launch Training Job');
      const toast = s.page.locator('.notifications-toasts .notification-list-item', { hasText: LAUNCH_ANSWER });
      await toast
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 })
        .catch(async () => {
          assert.fail(
            `no notification "${LAUNCH_ANSWER}"; toasts: ${JSON.stringify(await s.page.locator('.notifications-toasts').allInnerTexts())}, ` +
              `quick input: ${await s.quickInputRows()}`,
          );
        });
      await s.screenshot('launch-answer');
      assert.equal(await s.quickInput.isVisible(), false, 'no launcher quick pick should open in the browser');
    }),
  );

  it('restarts the language server in its worker, and the problems come back', { timeout: 90_000 }, () =>
    step(s, 'restart', async (s) => {
      await s.runCommand('Fine-Tune: Restart Language Server');
      await serverLogSays(s, 'Language server restarted.', 30_000);
      await expectDesktopProblems(s, desktop);
      await s.screenshot('restarted');
    }),
  );

  it(`creates the missing DeepSpeed file with the quick fix "${CREATE_TITLE}", in the workspace`, { timeout: 90_000 }, () =>
    step(s, 'create-file', async (s) => {
      await s.openFile(NEEDS_DS);
      await s.goToLine(NEEDS_DS_LINE, 14); // inside the value '../deepspeed/new.json'
      await s.page.keyboard.press('Control+.');
      await s.actionWidget.waitFor({ state: 'visible', timeout: DIAGNOSTIC_TIMEOUT }).catch(async () => {
        assert.fail(`Ctrl+. on line ${NEEDS_DS_LINE} of ${NEEDS_DS} opened no Quick Fix menu; problems: ${JSON.stringify(await s.problemsText())}`);
      });
      const titles = (await s.codeActions().allInnerTexts()).map((t) => t.trim());
      assert.ok(await s.chooseCodeAction(CREATE_TITLE), `the Quick Fix menu has no "${CREATE_TITLE}"; it offers: ${JSON.stringify(titles)}`);
      // Created on the remote, beside the config: the workspace folder on this disk.
      const created = path.join(s.workspace, 'deepspeed', 'new.json');
      await waitUntil(
        async () => fs.existsSync(created),
        15_000,
        async () => `the quick fix should create ${created}; notifications: ${JSON.stringify(await s.page.locator('.notifications-toasts').allInnerTexts())}`,
      );
      await s.runCommand('File: Save All');
      await waitUntil(
        async () => fs.readFileSync(created, 'utf8').includes('"zero_optimization"'),
        10_000,
        async () => `after Save All ${created} should hold the ZeRO-2 template; it holds:\n${fs.readFileSync(created, 'utf8')}`,
      );
      await s.screenshot('created');
    }),
  );

  it(`shows the VRAM code lens on ${QLORA} and opens the breakdown from it`, { timeout: 90_000 }, () =>
    step(s, 'vram-lens', async (s) => {
      await s.runCommand('View: Close All Editors');
      await s.openFile(QLORA);
      await s.goToLine(1, 1); // the lens sits above line 1
      const { lens, title } = await vramLens(s, QLORA, DIAGNOSTIC_TIMEOUT);
      // No nvidia-smi in a browser: the representative GPUs, as on a desktop without one.
      assert.match(title, /VRAM ≈ \d+\.\d GiB \(up to \d+\.\d\) · RTX 3060 12GB [✓⚠✗] · RTX 3090 24GB [✓⚠✗] · A100 80GB ✓/, `lens text: ${title}`);
      const shown = await openVramBreakdown(s, lens);
      assert.match(shown, /NousResearch\/Llama-3\.2-1B/);
      await s.screenshot('vram-breakdown');
    }),
  );
});
