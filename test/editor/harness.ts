/**
 * Shared plumbing for the editor tests: real VS Code (code-server@4.99.4, VS Code 1.99.3) driven by
 * playwright-core in Debian's Chromium. Not a test file itself (node --test picks only *.test.js).
 *
 * Everything started here is tracked and torn down by Session.close(); a process 'exit' hook kills any
 * code-server process group that is still alive, so an aborted run leaves no orphans.
 *
 * Environment knobs:
 *   FTW_CODE_SERVER  code-server binary (default: test/editor/.cache/code-server/node_modules/.bin/code-server)
 *   FTW_VSIX         extension package (default: dist/finetune-workbench.vsix)
 *   FTW_CHROMIUM     browser binary (default: /usr/bin/chromium)
 *   FTW_KEEP_TMP=1   keep the temp workspace / user-data / extensions folders after the run
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, Browser, BrowserContext, Locator, Page } from 'playwright-core';

/** Repository root: this file runs from out/test/editor/. */
export const REPO_ROOT = findRepoRoot();
export const ARTIFACTS_DIR = path.join(REPO_ROOT, '.test-tmp', 'editor');

export const CODE_SERVER_BIN =
  process.env.FTW_CODE_SERVER || path.join(REPO_ROOT, 'test', 'editor', '.cache', 'code-server', 'node_modules', '.bin', 'code-server');
export const VSIX_PATH = process.env.FTW_VSIX || path.join(REPO_ROOT, 'dist', 'finetune-workbench.vsix');
export const CHROMIUM_BIN = process.env.FTW_CHROMIUM || '/usr/bin/chromium';

/** Flags known to work for Debian's Chromium in a container (see shared/recipes/code-server.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** User settings that keep first-run noise (welcome page, tips, update checks, chat) out of the way. */
export const DEFAULT_USER_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.commandCenter.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'files.autoSave': 'off',
  'editor.minimap.enabled': false,
  'editor.hover.delay': 300,
  'window.restoreWindows': 'none',
  'git.enabled': false,
};

function findRepoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'finetune-workbench') return dir;
      } catch {
        /* keep looking */
      }
    }
    dir = path.dirname(dir);
  }
  return process.cwd();
}

// ---------------------------------------------------------------- processes

const liveGroups = new Set<number>();
const liveTmpRoots = new Set<string>();
process.on('exit', () => {
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  if (process.env.FTW_KEEP_TMP !== '1') {
    for (const dir of liveTmpRoots) fs.rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * code-server runs in its own process group (so it can be stopped with its children), which means a Ctrl+C in the
 * terminal does not reach it: on SIGINT/SIGTERM/SIGHUP exit, so the 'exit' hook above kills it (and Playwright's
 * own 'exit' hook kills Chromium). Installed when the first code-server starts.
 */
let signalsHooked = false;
function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  const codes: Array<[NodeJS.Signals, number]> = [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ];
  for (const [sig, code] of codes) process.on(sig, () => process.exit(code));
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

function run(file: string, args: string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 << 20, env }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(file)} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(0);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface CodeServer {
  proc: ChildProcess;
  port: number;
  url: string;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * Environment for code-server: no $PORT (it would override --bind-addr), and its own config/data
 * folders (it otherwise writes ~/.config/code-server/config.yaml and ~/.local/share/code-server).
 */
export function codeServerEnv(stateDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.PORT;
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  env.XDG_CONFIG_HOME = path.join(stateDir, 'config');
  env.XDG_DATA_HOME = path.join(stateDir, 'data');
  return env;
}

export async function installExtension(extensionsDir: string, vsix = VSIX_PATH, stateDir?: string): Promise<string> {
  assertFile(CODE_SERVER_BIN, 'code-server is not installed; run: bash test/editor/setup.sh');
  assertFile(vsix, 'the extension package is missing; run: npm run package');
  const state = stateDir ?? path.join(path.dirname(extensionsDir), 'code-server-state');
  const { stdout, stderr } = await run(
    CODE_SERVER_BIN,
    ['--config', path.join(state, 'config.yaml'), '--extensions-dir', extensionsDir, '--install-extension', vsix],
    180_000,
    codeServerEnv(state),
  );
  const out = stdout + stderr;
  if (!/successfully installed/i.test(out)) {
    throw new Error(`installing ${vsix} did not report success:\n${out}`);
  }
  return out.trim();
}

export async function startCodeServer(opts: {
  userDataDir: string;
  extensionsDir: string;
  folder: string;
  port?: number;
  logFile: string;
  host?: string;
  /** Folder for code-server's own config.yaml and data (default: next to userDataDir). */
  stateDir?: string;
  /** Keep VS Code's workspace trust on (default: off, every folder is trusted). */
  workspaceTrust?: boolean;
  /** Extra environment for code-server (the extension host and the jobs it starts inherit it). */
  env?: NodeJS.ProcessEnv;
}): Promise<CodeServer> {
  assertFile(CODE_SERVER_BIN, 'code-server is not installed; run: bash test/editor/setup.sh');
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? (await freePort());
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const log = fs.openSync(opts.logFile, 'w');
  const state = opts.stateDir ?? path.join(path.dirname(opts.userDataDir), 'code-server-state');
  const args = [
    '--config',
    path.join(state, 'config.yaml'),
    '--auth',
    'none',
    '--bind-addr',
    `${host}:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--user-data-dir',
    opts.userDataDir,
    '--extensions-dir',
    opts.extensionsDir,
    opts.folder,
  ];
  hookSignals();
  // detached => own process group, so stop() can take the extension host and language server with it.
  const proc = spawn(CODE_SERVER_BIN, args, {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...codeServerEnv(state), ...opts.env },
  });
  fs.closeSync(log);
  if (proc.pid === undefined) throw new Error(`could not start ${CODE_SERVER_BIN}`);
  const pid = proc.pid;
  liveGroups.add(pid);
  let exited: string | undefined;
  const exitPromise = new Promise<void>((resolve) =>
    proc.once('exit', (code, sig) => {
      exited = `code ${code} signal ${sig}`;
      resolve(); // pid stays in liveGroups until stop(): children may outlive the parent
    }),
  );

  const stop = async () => {
    if (exited) {
      killGroup(pid, 'SIGKILL');
      liveGroups.delete(pid);
      return;
    }
    killGroup(pid, 'SIGTERM');
    const done = await Promise.race([exitPromise.then(() => true), sleep(5000).then(() => false)]);
    killGroup(pid, 'SIGKILL'); // also catches children that outlive the parent
    if (!done) await Promise.race([exitPromise, sleep(2000)]);
    liveGroups.delete(pid);
  };

  const url = `http://${host}:${port}/`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) {
      await stop();
      throw new Error(`code-server exited during start-up (${exited}); log:\n${tail(opts.logFile)}`);
    }
    if ((await httpStatus(`${url}healthz`)) === 200) return { proc, port, url, logFile: opts.logFile, stop };
    await sleep(200);
  }
  await stop();
  throw new Error(`code-server did not answer on ${url}healthz within 60 s; log:\n${tail(opts.logFile)}`);
}

function assertFile(file: string, hint: string): void {
  if (!fs.existsSync(file)) throw new Error(`${file} not found: ${hint}`);
}

export function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// ---------------------------------------------------------------- session

export interface SessionOptions {
  /** Files to create in the workspace folder, by relative path. */
  files: Record<string, string>;
  /** Install this .vsix first (default: dist/finetune-workbench.vsix). Pass null for bare code-server. */
  vsix?: string | null;
  /** Prefix for screenshot / log names under .test-tmp/editor/. */
  name: string;
  settings?: Record<string, unknown>;
  /** Open the folder in Restricted Mode: workspace trust on, the folder not trusted, no trust prompt. */
  untrusted?: boolean;
  /** Executables (name → script text) written to <tmp>/bin, which goes first on code-server's PATH. */
  bin?: Record<string, string>;
  /** Extra environment for code-server and so for the extension host. */
  env?: Record<string, string>;
}

export class Session {
  readonly tmpRoot: string;
  readonly workspace: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** <tmp>/bin: the `bin` option's programs, first on code-server's PATH. */
  readonly binDir: string;
  server?: CodeServer;
  browser?: Browser;
  context?: BrowserContext;
  page!: Page;
  private shot = 0;
  readonly consoleErrors: string[] = [];

  constructor(readonly opts: SessionOptions) {
    this.tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), `ftw-${opts.name}-`));
    this.workspace = path.join(this.tmpRoot, 'workspace');
    this.userDataDir = path.join(this.tmpRoot, 'user-data');
    this.extensionsDir = path.join(this.tmpRoot, 'extensions');
    this.binDir = path.join(this.tmpRoot, 'bin');
    liveTmpRoots.add(this.tmpRoot);
    for (const d of [this.workspace, path.join(this.userDataDir, 'User'), this.extensionsDir]) {
      fs.mkdirSync(d, { recursive: true });
    }
    for (const [rel, text] of Object.entries(opts.files)) {
      const file = path.join(this.workspace, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
    for (const [name, text] of Object.entries(opts.bin ?? {})) {
      fs.mkdirSync(this.binDir, { recursive: true });
      fs.writeFileSync(path.join(this.binDir, name), text, { mode: 0o755 });
    }
    fs.writeFileSync(
      path.join(this.userDataDir, 'User', 'settings.json'),
      JSON.stringify(
        {
          ...DEFAULT_USER_SETTINGS,
          ...(opts.untrusted
            ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'always' }
            : {}),
          ...(opts.settings ?? {}),
        },
        null,
        2,
      ),
    );
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    for (const f of fs.readdirSync(ARTIFACTS_DIR)) {
      // Artifacts of an earlier run with this name: screenshots and copied logs.
      if (f.startsWith(`${opts.name}-`) && (f.endsWith('.png') || f === `${opts.name}-logs`)) {
        fs.rmSync(path.join(ARTIFACTS_DIR, f), { recursive: true, force: true });
      }
    }
  }

  /** Install the extension, start code-server and Chromium, load the workbench. */
  /** Starts code-server and the browser on the workspace; on failure saves a screenshot and the logs first. */
  async start(): Promise<void> {
    try {
      await this.launch();
    } catch (err) {
      await this.screenshot('FAILED-start');
      this.saveLogs();
      throw err;
    }
  }

  private async launch(): Promise<void> {
    if (this.opts.vsix !== null) await installExtension(this.extensionsDir, this.opts.vsix ?? VSIX_PATH);
    this.server = await startCodeServer({
      userDataDir: this.userDataDir,
      extensionsDir: this.extensionsDir,
      folder: this.workspace,
      logFile: path.join(ARTIFACTS_DIR, `${this.opts.name}-code-server.log`),
      ...(this.opts.untrusted ? { workspaceTrust: true } : {}),
      env:
        this.opts.env || this.opts.bin
          ? {
              ...this.opts.env,
              ...(this.opts.bin ? { PATH: [this.binDir, this.opts.env?.PATH ?? process.env.PATH ?? ''].filter(Boolean).join(path.delimiter) } : {}),
              // The server otherwise gives the extension host the environment of a login shell (bash -ilc env), whose
              // /etc/profile resets PATH; VSCODE_CLI=1 ("started from the code CLI") makes it keep ours.
              VSCODE_CLI: '1',
            }
          : {},
    });
    await this.openWorkbench(`${this.server.url}?folder=${encodeURIComponent(this.workspace)}`);
  }

  /** Chromium on a workbench URL (this session's code-server, or one started elsewhere, such as the demo's). */
  async openWorkbench(url: string): Promise<void> {
    assertFile(CHROMIUM_BIN, 'Chromium is not installed; run: bash test/editor/setup.sh');
    this.browser = await chromium.launch({
      executablePath: CHROMIUM_BIN,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 60_000,
    });
    this.context = await this.browser.newContext({ viewport: { width: 1440, height: 900 } });
    this.page = await this.context.newPage();
    this.page.on('console', (m) => {
      if (m.type() === 'error') this.consoleErrors.push(m.text());
    });
    await this.page.goto(url, { timeout: 60_000 });
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await this.page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: 30_000 });
    // The explorer lists the folder once the workspace is really open.
    await this.page
      .locator('.explorer-folders-view .monaco-list-row')
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 })
      .catch(() => undefined);
  }

  /** Saves .test-tmp/editor/<name>-NN-<stage>.png and returns its path. Never throws. */
  async screenshot(stage: string): Promise<string | undefined> {
    if (!this.page) return undefined;
    const file = path.join(ARTIFACTS_DIR, `${this.opts.name}-${String(++this.shot).padStart(2, '0')}-${stage.replace(/[^\w.-]+/g, '_')}.png`);
    try {
      await this.page.screenshot({ path: file, timeout: 10_000 });
      return file;
    } catch {
      return undefined;
    }
  }

  /** Copies VS Code's own logs (extension host, output channels) next to the screenshots. */
  saveLogs(): string | undefined {
    const src = path.join(this.userDataDir, 'logs');
    if (!fs.existsSync(src)) return undefined;
    const dest = path.join(ARTIFACTS_DIR, `${this.opts.name}-logs`);
    try {
      fs.rmSync(dest, { recursive: true, force: true });
      fs.cpSync(src, dest, { recursive: true });
      return dest;
    } catch {
      return undefined;
    }
  }

  /** Tear everything down; safe to call more than once and after a failed start. */
  async close(): Promise<void> {
    try {
      await this.browser?.close();
    } catch {
      /* browser already gone */
    }
    this.browser = undefined;
    try {
      await this.server?.stop();
    } catch {
      /* ignore */
    }
    this.server = undefined;
    if (process.env.FTW_KEEP_TMP !== '1') fs.rmSync(this.tmpRoot, { recursive: true, force: true });
    liveTmpRoots.delete(this.tmpRoot);
  }

  // ------------------------------------------------------------ workbench actions

  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  get quickInputBox(): Locator {
    return this.quickInput.locator('.quick-input-box input');
  }

  /** F1 → type the command's label → Enter on the row that shows it. */
  async runCommand(label: string): Promise<void> {
    const p = this.page;
    await this.dismissWidgets();
    await p.keyboard.press('F1');
    await this.quickInput.waitFor({ state: 'visible', timeout: 10_000 });
    // fill() rather than typing: keystrokes can land elsewhere while focus moves to the palette.
    await this.quickInputBox.fill(`>${label}`);
    const row = this.quickInput.locator('.monaco-list-row', { hasText: label }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 }).catch(async () => {
      throw new Error(`command palette has no entry "${label}"; rows: ${await this.quickInputRows()}`);
    });
    await row.click();
    await this.quickInput.waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /** Ctrl+P → file name → Enter; waits until its tab is the active one. */
  async openFile(relPath: string): Promise<void> {
    const p = this.page;
    const base = path.basename(relPath);
    await this.dismissWidgets();
    await p.keyboard.press('Control+P');
    await this.quickInput.waitFor({ state: 'visible', timeout: 10_000 });
    await this.quickInputBox.fill(relPath);
    // The row of the file itself, not an editor whose title contains its name ("Loss: train.py", a webview).
    const exact = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const row = this.quickInput
      .locator('.monaco-list-row')
      .filter({ has: p.locator('.label-name', { hasText: exact }) })
      .first();
    await row.waitFor({ state: 'visible', timeout: 20_000 }).catch(async () => {
      throw new Error(`quick open found no "${relPath}"; rows: ${await this.quickInputRows()}`);
    });
    await row.click();
    await this.activeTab(base).waitFor({ state: 'visible', timeout: 15_000 });
    await this.editor.locator('.view-lines').waitFor({ state: 'visible', timeout: 15_000 });
  }

  /** The active tab of the file `name` (by its resource name: a webview titled "Loss: train.py" is not train.py's). */
  activeTab(name: string): Locator {
    return this.page.locator(`.part.editor .tab.active[data-resource-name=${JSON.stringify(name)}]`);
  }

  /** The text editor in the editor area (not the Output panel's editor). */
  get editor(): Locator {
    return this.page.locator('.part.editor .editor-instance .monaco-editor').first();
  }

  /** Text of the rendered lines of the active editor, nbsp normalised. Only visible lines are rendered. */
  async editorText(): Promise<string> {
    const lines = await this.editor.locator('.view-lines .view-line').allTextContents();
    return lines.join('\n').replace(/\u00a0/g, ' ');
  }

  /**
   * Clicks in the first visible line of an editor to focus it. (Not .view-lines: that element is as tall as
   * the whole document and scrolls, so its centre or corner may be off screen.)
   */
  async focusEditor(editor: Locator): Promise<void> {
    const box = await editor.boundingBox();
    await editor.click({ position: { x: Math.max(10, Math.round((box?.width ?? 200) * 0.6)), y: 8 } });
  }

  /** Moves the cursor with Go to Line (Ctrl+G), 1-based line and column. */
  async goToLine(line: number, column = 1): Promise<void> {
    await this.focusEditor(this.editor);
    await this.page.keyboard.press('Control+G');
    await this.quickInput.waitFor({ state: 'visible', timeout: 10_000 });
    await this.quickInputBox.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.quickInput.waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /** The Problems view; opened with Ctrl+Shift+M if it is not showing. */
  get problems(): Locator {
    return this.page.locator('.part.panel .markers-panel');
  }

  async openProblems(): Promise<void> {
    if (await this.problems.isVisible()) return;
    await this.page.keyboard.press('Control+Shift+M');
    try {
      await this.problems.waitFor({ state: 'visible', timeout: 5_000 });
    } catch {
      await this.runCommand('View: Focus Problems');
      await this.problems.waitFor({ state: 'visible', timeout: 10_000 });
    }
  }

  /** Rows of the Problems tree that are markers (not file headers), filtered by text. */
  problemRows(hasText?: string | RegExp): Locator {
    return this.problems.locator('.monaco-list-row', hasText ? { hasText } : undefined);
  }

  async problemsText(): Promise<string> {
    return (await this.problems.locator('.monaco-list-row').allTextContents()).join('\n');
  }

  statusItem(hasText: string | RegExp): Locator {
    return this.page.locator('.part.statusbar .statusbar-item', { hasText });
  }

  async statusBarText(): Promise<string[]> {
    return (await this.page.locator('.part.statusbar .statusbar-item').allTextContents()).map((t) => t.trim()).filter(Boolean);
  }

  async quickInputRows(): Promise<string> {
    const rows = await this.quickInput
      .locator('.monaco-list-row')
      .allTextContents()
      .catch(() => []);
    return JSON.stringify(rows.slice(0, 15));
  }

  /** Closes the quick input and the code action / context menu widget if one is open. */
  async dismissWidgets(): Promise<void> {
    for (const w of [this.quickInput, this.actionWidget]) {
      if (await w.isVisible().catch(() => false)) {
        await this.page.keyboard.press('Escape');
        await w.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
      }
    }
  }

  /** The Quick Fix / code action menu (Ctrl+.). */
  get actionWidget(): Locator {
    return this.page.locator('.action-widget');
  }

  /** Rows of the code action menu that are actions (not group headers). */
  codeActions(hasText?: string | RegExp): Locator {
    return this.actionWidget.locator('.monaco-list-row.action', hasText ? { hasText } : undefined);
  }

  /**
   * Applies the code action with this exact title from the open Quick Fix menu, with the keyboard
   * (VS Code lays a pointer-blocking overlay over the menu, so clicks do not reach it).
   * Returns false when the menu has no such action.
   */
  async chooseCodeAction(title: string): Promise<boolean> {
    const rows = this.codeActions();
    const n = await rows.count();
    const labels = await rows.evaluateAll((els) =>
      (els as unknown as Array<{ getAttribute(name: string): string | null }>).map((e) => e.getAttribute('aria-label') ?? ''),
    );
    if (!labels.includes(title)) return false;
    for (let i = 0; i <= n; i++) {
      const focused = this.actionWidget.locator('.monaco-list-row.action.focused');
      if ((await focused.count()) > 0 && (await focused.first().getAttribute('aria-label')) === title) {
        await this.page.keyboard.press('Enter');
        return true;
      }
      await this.page.keyboard.press('ArrowDown');
    }
    throw new Error(`could not move the Quick Fix menu's focus to "${title}" (actions: ${JSON.stringify(labels)})`);
  }

  /** The Output panel's text editor. */
  get outputEditor(): Locator {
    return this.page.locator('.part.panel .monaco-editor').first();
  }
}

/** Finds VS Code's on-disk copy of an output channel (e.g. "Fine-Tune Workbench") under <user-data>/logs. */
export function findOutputChannelLogs(userDataDir: string, channel: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 8) return;
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if (e.name.endsWith('.log') && e.name.replace(/^\d+-/, '').replace(/\.log$/, '') === channel) found.push(p);
    }
  };
  walk(path.join(userDataDir, 'logs'), 0);
  return found;
}

/** The Launch Training Job button in the editor title bar (shown for training configs in a trusted folder). */
export const LAUNCH_BUTTON = '.part.editor .editor-actions .action-label[aria-label^="Launch Training Job"]';

/**
 * F1 → "Fine-Tune: Launch Training Job" → Enter on the launcher quick pick ("local" first) for the active file.
 * Not s.runCommand: it waits for the palette to close, and the launcher quick pick reuses that widget.
 * Returns the launcher rows as they were shown.
 */
export async function launchActive(s: Session): Promise<string[]> {
  await s.dismissWidgets();
  await s.page.keyboard.press('F1');
  await s.quickInput.waitFor({ state: 'visible', timeout: 10_000 });
  await s.quickInputBox.fill('>Fine-Tune: Launch Training Job');
  await s.quickInput.locator('.monaco-list-row', { hasText: 'Fine-Tune: Launch Training Job' }).first().click({ timeout: 15_000 });
  const local = s.quickInput.locator('.monaco-list-row', { hasText: 'local' }).first();
  await local.waitFor({ state: 'visible', timeout: 15_000 }).catch(async () => {
    throw new Error(`no launcher quick pick; rows: ${await s.quickInputRows()}`);
  });
  const rows = (await s.quickInput.locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  await s.page.keyboard.press('Enter');
  await s.quickInput.waitFor({ state: 'hidden', timeout: 10_000 });
  return rows;
}

/** Polls `probe` until it returns true; fails with `message()` after `timeoutMs`. */
export async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number, message: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(await message());
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The "VRAM ≈" code lens above line 1 of the open editor, waited for (`timeoutMs`); its text with whitespace folded.
 * `file` names the config in the failure message.
 */
export async function vramLens(s: Session, file: string, timeoutMs: number): Promise<{ lens: Locator; title: string }> {
  const lens = s.page.locator('.part.editor .codelens-decoration a', { hasText: 'VRAM ≈' }).first();
  await lens.waitFor({ state: 'visible', timeout: timeoutMs }).catch(async () => {
    const all = await s.page
      .locator('.codelens-decoration')
      .allInnerTexts()
      .catch(() => []);
    throw new Error(`no "VRAM ≈" code lens above ${file} within ${timeoutMs / 1000} s; lenses: ${JSON.stringify(all)}`);
  });
  return { lens, title: (await lens.innerText()).replace(/\s+/g, ' ') };
}

/** Clicks the VRAM lens and waits for the breakdown's tab and its Markdown preview; returns the preview's text. */
export async function openVramBreakdown(s: Session, lens: Locator): Promise<string> {
  await lens.click();
  await s.page
    .locator('.part.editor .tab', { hasText: 'VRAM' })
    .first()
    .waitFor({ state: 'visible', timeout: 20_000 })
    .catch(async () => {
      const tabs = await s.page
        .locator('.part.editor .tab')
        .allInnerTexts()
        .catch(() => []);
      throw new Error(`clicking the lens opened no VRAM breakdown tab; tabs: ${JSON.stringify(tabs)}`);
    });
  // The Markdown preview renders in a webview (nested iframes).
  const body = s.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame').locator('body');
  await waitUntil(
    async () => /VRAM estimate/.test(await body.innerText({ timeout: 1000 })),
    30_000,
    async () =>
      `the breakdown preview should show "VRAM estimate"; it shows: ${JSON.stringify(await body.innerText({ timeout: 1000 }).catch(() => '(no preview frame)'))}`,
  );
  return body.innerText();
}

/** Runs a test step; on failure saves a screenshot and VS Code's logs and says where they are. */
export async function step(s: Session | undefined, name: string, fn: (s: Session) => Promise<void>): Promise<void> {
  if (!s) throw new Error('session was not started (see the failure of the "before" hook)');
  try {
    await fn(s);
  } catch (err) {
    const shot = await s.screenshot(`FAILED-${name}`);
    const logs = s.saveLogs();
    const ext = findOutputChannelLogs(s.userDataDir, 'Fine-Tune Workbench')[0];
    const extra = [shot && `screenshot: ${shot}`, logs && `VS Code logs: ${logs}`, ext && `"Fine-Tune Workbench" output (tail):\n${tail(ext, 25)}`].filter(
      Boolean,
    );
    if (err instanceof Error) err.message += `\n${extra.join('\n')}`;
    throw err;
  }
}
