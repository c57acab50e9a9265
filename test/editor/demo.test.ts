/**
 * `npm run demo` (test/editor/demo.sh), twice in a row, as a newcomer walks it: the demo opens a scratch copy of
 * examples/, so the quick fix saved in axolotl/mistakes.yml and the migration applied to lightning/classifier.py
 * change the copy only; examples/ stays as git has it, and the second run starts from the first mistake again.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { CODE_SERVER_BIN, freePort, REPO_ROOT, Session, step, VSIX_PATH, waitUntil } from './harness';

const EXAMPLES = path.join(REPO_ROOT, 'examples');

interface Demo {
  proc: ChildProcess;
  url: string;
  folder: string;
  output: () => string;
}

/** `bash test/editor/demo.sh` in its own process group, until it prints the URL to open. */
async function startDemo(scratch: string): Promise<Demo> {
  const port = await freePort();
  const env = { ...process.env, PORT: String(port), FTW_VSIX: VSIX_PATH, FTW_DEMO_DIR: scratch, FTW_CODE_SERVER: CODE_SERVER_BIN, FTW_SETUP_QUIET: '1' };
  const proc = spawn('bash', [path.join(REPO_ROOT, 'test', 'editor', 'demo.sh')], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  proc.stdout.on('data', (d) => (text += String(d)));
  proc.stderr.on('data', (d) => (text += String(d)));
  await waitUntil(
    async () => /Open (http:\S+)/.test(text),
    180_000,
    async () => `the demo printed no URL:\n${text}`,
  );
  const url = /Open (http:\S+)/.exec(text)![1];
  const folder = decodeURIComponent(/[?&]folder=([^&\s]+)/.exec(url)![1]);
  // code-server answers once it listens.
  const health = `${new URL(url).origin}/healthz`;
  await waitUntil(
    async () =>
      (await fetch(health).then(
        (r) => r.status,
        () => 0,
      )) === 200,
    60_000,
    async () => `the demo's code-server does not answer on ${health}:\n${text}`,
  );
  return { proc, url, folder, output: () => text };
}

/** Stops the demo's process group (code-server and what it started), as Ctrl+C would. */
async function stopDemo(demo: Demo | undefined): Promise<void> {
  const pid = demo?.proc.pid;
  if (!pid || demo.proc.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => demo.proc.once('exit', () => resolve()));
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      /* gone */
    }
  };
  kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  kill('SIGKILL');
}

const gitStatus = () => spawnSync('git', ['status', '--porcelain', '--', 'examples'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout;

describe('npm run demo, twice (code-server 4.99.4)', { timeout: 600_000 }, () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ftw-demo-'));
  const before = gitStatus();
  let demo: Demo | undefined;
  let s: Session | undefined;
  after(async () => {
    await s?.close();
    await stopDemo(demo);
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('the first run works on a scratch copy: a saved quick fix and an applied migration leave examples/ alone', { timeout: 300_000 }, async () => {
    demo = await startDemo(scratch);
    assert.notEqual(path.resolve(demo.folder), EXAMPLES, 'the demo must not open examples/ itself');
    assert.ok(demo.folder.startsWith(scratch), `${demo.folder} is not under FTW_DEMO_DIR`);
    assert.equal(
      fs.readFileSync(path.join(demo.folder, 'axolotl', 'mistakes.yml'), 'utf8'),
      fs.readFileSync(path.join(EXAMPLES, 'axolotl', 'mistakes.yml'), 'utf8'),
    );
    s = new Session({ name: 'demo', files: {}, vsix: null });
    const session = s;
    await session.openWorkbench(demo.url);
    await step(session, 'demo-first', async (s) => {
      const folder = demo!.folder;
      await s.openFile('axolotl/mistakes.yml');
      const line =
        fs
          .readFileSync(path.join(folder, 'axolotl', 'mistakes.yml'), 'utf8')
          .split('\n')
          .findIndex((l) => l.startsWith('lora_dropuot')) + 1;
      await s.openProblems();
      await s.problemRows("Unknown key 'lora_dropuot'").first().waitFor({ state: 'visible', timeout: 60_000 });
      await s.goToLine(line, 3);
      await s.page.keyboard.press('Control+.');
      await s.actionWidget.waitFor({ state: 'visible', timeout: 15_000 });
      assert.ok(await s.chooseCodeAction("Change 'lora_dropuot' to 'lora_dropout'"), 'no quick fix for lora_dropuot');
      await s.focusEditor(s.editor);
      await s.page.keyboard.press('Control+S');
      await waitUntil(
        async () => fs.readFileSync(path.join(folder, 'axolotl', 'mistakes.yml'), 'utf8').includes('lora_dropout: 0.05'),
        15_000,
        async () => 'the quick fix was not saved in the scratch copy',
      );
      // The migration writes every file at once ("Apply All").
      await s.runCommand('Fine-Tune: Migrate Lightning Code in Workspace');
      await s.page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Apply All' }).first().click({ timeout: 60_000 });
      await waitUntil(
        async () => fs.readFileSync(path.join(folder, 'lightning', 'classifier.py'), 'utf8').includes('def on_validation_epoch_end(self)'),
        30_000,
        async () => 'the migration did not reach the scratch copy',
      );
      await s.screenshot('first-run-changed');
    });
    await s.close();
    s = undefined;
    await stopDemo(demo);
    assert.equal(gitStatus(), before, 'git status of examples/ after the first demo');
    assert.match(fs.readFileSync(path.join(EXAMPLES, 'axolotl', 'mistakes.yml'), 'utf8'), /^lora_dropuot:/m);
  });

  it('the second run tells the same story: the first mistake is back', { timeout: 240_000 }, async () => {
    demo = await startDemo(scratch);
    assert.equal(
      fs.readFileSync(path.join(demo.folder, 'axolotl', 'mistakes.yml'), 'utf8'),
      fs.readFileSync(path.join(EXAMPLES, 'axolotl', 'mistakes.yml'), 'utf8'),
    );
    assert.equal(
      fs.readFileSync(path.join(demo.folder, 'lightning', 'classifier.py'), 'utf8'),
      fs.readFileSync(path.join(EXAMPLES, 'lightning', 'classifier.py'), 'utf8'),
    );
    s = new Session({ name: 'demo-again', files: {}, vsix: null });
    await s.openWorkbench(demo.url);
    await step(s, 'demo-second', async (s) => {
      await s.openFile('axolotl/mistakes.yml');
      await s.openProblems();
      await s.problemRows("Unknown key 'lora_dropuot'").first().waitFor({ state: 'visible', timeout: 60_000 });
      await s.screenshot('second-run');
    });
    await stopDemo(demo);
    assert.equal(gitStatus(), before, 'git status of examples/ after the second demo');
  });
});
