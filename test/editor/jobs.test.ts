/**
 * Training jobs in real VS Code (code-server): "Fine-Tune: Launch Training Job" on a tiny Python script that logs
 * Hugging Face-style loss lines, raises, and exits with 3 → the job view shows exit 3, the loss chart webview shows
 * the three points, the traceback is a problem on the script's own line. Then a second window in Restricted Mode
 * (workspace trust on, folder not trusted): the launch is refused with the reason, validation still runs.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LAUNCH_BUTTON, launchActive, Session, step, waitUntil } from './harness';
import { QLORA_YML, TYPO_KEY } from './fixtures';

const TRAIN_PY = [
  'import os, sys, time, traceback',
  '',
  'def step(i):',
  '    if i == 3:',
  "        raise ValueError('bad batch at step 3')",
  '',
  'for i in range(1, 5):',
  "    print({'loss': round(2.0 / i, 3), 'learning_rate': 5e-05, 'epoch': 0.1 * i}, flush=True)",
  '    time.sleep(0.4)',
  '    try:',
  '        step(i)',
  '    except ValueError:',
  '        traceback.print_exc()',
  "        sys.exit(int(os.environ.get('FTW_EXIT', '3')))",
  '',
].join('\n');

/** A finetune task of the user's own: its env reaches the job (the script exits with FTW_EXIT). */
const TASKS_JSON = JSON.stringify(
  {
    version: '2.0.0',
    tasks: [{ type: 'finetune', label: 'train with exit 4', config: 'train.py', env: { FTW_EXIT: '4' }, args: ["it's $(not run)"], problemMatcher: [] }],
  },
  null,
  2,
);

/** An Axolotl config with an error Axolotl refuses (a string where a boolean goes). */
const BROKEN_YML =
  'base_model: NousResearch/Llama-3.2-1B\nadapter: qlora\nload_in_4bit: maybe\nmicro_batch_size: 2\ndatasets:\n  - path: x\n    type: alpaca\n';

const RESTRICTED = 'Fine-Tune Workbench does not run programs in Restricted Mode';

describe('Training jobs in VS Code (code-server 4.99.4)', { timeout: 300_000 }, () => {
  let s: Session | undefined;
  before(
    async () => {
      s = new Session({ name: 'jobs', files: { 'train.py': TRAIN_PY, '.vscode/tasks.json': TASKS_JSON, 'qlora.yml': QLORA_YML, 'broken.yml': BROKEN_YML } });
      await s.start();
    },
    { timeout: 240_000 },
  );
  after(async () => {
    await s?.close();
  });

  it('launches train.py from the command palette; the job view shows exit code 3', { timeout: 90_000 }, () =>
    step(s, 'launch', async (s) => {
      await s.openFile('train.py');
      // Not s.runCommand: it waits for the palette to close, and the launcher quick pick reuses that widget.
      const launchers = await launchActive(s);
      assert.match(launchers[0] ?? '', /^local\b/, JSON.stringify(launchers));
      assert.ok(!launchers.some((r) => r.includes('last used')), `nothing was launched before, yet: ${JSON.stringify(launchers)}`);
      // The loss chart opens by itself beside the editor at the first logged loss.
      const chartTab = s.page.locator('.part.editor .tab', { hasText: 'Loss: train.py' }).first();
      await chartTab.waitFor({ state: 'visible', timeout: 20_000 }).catch(async () => {
        assert.fail(
          `the loss chart did not open when the first loss arrived; tabs: ${JSON.stringify(
            await s.page
              .locator('.part.editor .tab')
              .allInnerTexts()
              .catch(() => []),
          )}`,
        );
      });
      await s.runCommand('Focus on Training Jobs View');
      const row = s.page
        .locator('.monaco-list-row', { hasText: /train\.py/ })
        .filter({ hasText: /exit 3/ })
        .first();
      await row.waitFor({ state: 'visible', timeout: 45_000 }).catch(async () => {
        const rows = await s.page
          .locator('.pane-body .monaco-list-row')
          .allInnerTexts()
          .catch(() => []);
        assert.fail(`the Training Jobs view shows no finished train.py with "exit 3"; rows: ${JSON.stringify(rows)}`);
      });
      const text = (await row.innerText()).replace(/\s+/g, ' ');
      assert.match(text, /train\.py\s*local · .* · exit 3$/, text);
      await s.screenshot('job-finished');
    }),
  );

  it('the traceback is a problem at the line of the script that raised', { timeout: 60_000 }, () =>
    step(s, 'traceback', async (s) => {
      await s.openProblems();
      const row = s.problemRows('ValueError: bad batch at step 3').first();
      await row
        .waitFor({ state: 'visible', timeout: 20_000 })
        .catch(async () => assert.fail(`no traceback problem; the panel shows: ${JSON.stringify(await s.problemsText())}`));
      const text = (await row.innerText()).replace(/\s+/g, ' ');
      assert.ok(text.includes('[Ln 5,'), `the problem should be on line 5 (the raise), got "${text}"`);
      await s.screenshot('traceback-problem');
    }),
  );

  it('the loss chart, open since the first loss, was fed live: it shows the three logged points', { timeout: 60_000 }, () =>
    step(s, 'loss-chart', async (s) => {
      // Opened at the first point (checked above); the command only brings the same tab forward.
      await s.runCommand('Fine-Tune: Show Loss Chart');
      const tab = s.page.locator('.part.editor .tab', { hasText: 'Loss: train.py' });
      await tab
        .first()
        .waitFor({ state: 'visible', timeout: 20_000 })
        .catch(async () => {
          assert.fail(
            `no "Loss: train.py" tab; tabs: ${JSON.stringify(
              await s.page
                .locator('.part.editor .tab')
                .allInnerTexts()
                .catch(() => []),
            )}`,
          );
        });
      assert.equal(await tab.count(), 1, 'one chart per job');
      const body = s.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame').locator('body');
      await waitUntil(
        async () => /3 points · step 3 · loss 0\.667/.test(await body.locator('#summary').innerText({ timeout: 1000 })),
        30_000,
        async () =>
          `the chart should say "3 points · step 3 · loss 0.667"; it shows: ${JSON.stringify(await body.innerText({ timeout: 1000 }).catch(() => '(no webview frame)'))}`,
      );
      // uPlot draws on a canvas; the page records what it was given for this job.
      assert.equal(await body.locator('#chart canvas').count(), 1);
      assert.equal(await body.locator('#chart').getAttribute('data-loss-points'), '3');
      assert.equal(await body.locator('#chart').getAttribute('data-lr-points'), '3');
      await s.screenshot('loss-chart');
    }),
  );

  it('pre-flight: errors in the config ask before launching; a missing program refuses', { timeout: 90_000 }, () =>
    step(s, 'preflight', async (s) => {
      await s.openFile('broken.yml');
      await launchActive(s);
      const dialog = s.page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 15_000 }).catch(async () => assert.fail('no pre-flight dialog for broken.yml'));
      const text = (await dialog.innerText()).replace(/\s+/g, ' ');
      assert.match(text, /\d+ problems? in broken\.yml would stop the run/, text);
      assert.match(text, /Show Problems/, text);
      assert.match(text, /Launch Anyway/, text);
      await s.screenshot('preflight-errors');
      await dialog.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
      await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
      // qlora.yml has warnings only; axolotl is not installed here. Launched from the editor title bar's button.
      await s.openFile('qlora.yml');
      await s.page.locator(LAUNCH_BUTTON).first().click({ timeout: 15_000 });
      await s.quickInput
        .locator('.monaco-list-row', { hasText: 'local' })
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 })
        .catch(async () => assert.fail(`the title-bar button opened no launcher pick; rows: ${await s.quickInputRows()}`));
      await s.page.keyboard.press('Enter');
      const toast = s.page.locator('.notifications-toasts .notification-toast', { hasText: 'axolotl was not found' }).first();
      await toast.waitFor({ state: 'visible', timeout: 15_000 }).catch(async () => {
        assert.fail(
          `no "axolotl was not found" notification; notifications: ${JSON.stringify(
            await s.page
              .locator('.notifications-toasts')
              .allInnerTexts()
              .catch(() => []),
          )}`,
        );
      });
      assert.match((await toast.innerText()).replace(/\s+/g, ' '), /Install: pip install axolotl/);
      await s.screenshot('preflight-missing-program');
    }),
  );

  it('launching train.py again offers the launcher it used, "last used"', { timeout: 60_000 }, () =>
    step(s, 'last-used', async (s) => {
      await s.openFile('train.py');
      const launchers = await launchActive(s);
      assert.match(launchers[0] ?? '', /^local\s*last used\b/, JSON.stringify(launchers));
      assert.equal(launchers.filter((r) => r.includes('last used')).length, 1, JSON.stringify(launchers));
    }),
  );

  it('a finetune task from tasks.json runs through "Tasks: Run Task" with its env', { timeout: 90_000 }, () =>
    step(s, 'tasks-json', async (s) => {
      await s.dismissWidgets();
      await s.page.keyboard.press('F1');
      await s.quickInput.waitFor({ state: 'visible', timeout: 10_000 });
      await s.quickInputBox.fill('>Tasks: Run Task');
      await s.quickInput.locator('.monaco-list-row', { hasText: 'Tasks: Run Task' }).first().click({ timeout: 15_000 });
      const task = s.quickInput.locator('.monaco-list-row', { hasText: 'train with exit 4' }).first();
      await task
        .waitFor({ state: 'visible', timeout: 15_000 })
        .catch(async () => assert.fail(`Run Task does not list the tasks.json task; rows: ${await s.quickInputRows()}`));
      await task.click();
      await s.runCommand('Focus on Training Jobs View');
      const row = s.page
        .locator('.monaco-list-row', { hasText: /train\.py/ })
        .filter({ hasText: /exit 4/ })
        .first();
      await row.waitFor({ state: 'visible', timeout: 45_000 }).catch(async () => {
        const rows = await s.page
          .locator('.pane-body .monaco-list-row')
          .allInnerTexts()
          .catch(() => []);
        assert.fail(`the Training Jobs view shows no train.py run with "exit 4"; rows: ${JSON.stringify(rows)}`);
      });
      await s.screenshot('tasks-json');
    }),
  );

  it('"Run Task" also lists a local run of each training config of the workspace', { timeout: 60_000 }, () =>
    step(s, 'provided-tasks', async (s) => {
      await s.dismissWidgets();
      await s.page.keyboard.press('F1');
      await s.quickInput.waitFor({ state: 'visible', timeout: 10_000 });
      await s.quickInputBox.fill('>Tasks: Run Task');
      await s.quickInput.locator('.monaco-list-row', { hasText: 'Tasks: Run Task' }).first().click({ timeout: 15_000 });
      // Detected tasks are grouped by type: filter to the finetune group and open it.
      await s.quickInput.locator('.monaco-list-row', { hasText: 'train with exit 4' }).first().waitFor({ state: 'visible', timeout: 15_000 });
      await s.quickInputBox.fill('finetune');
      const group = s.quickInput.locator('.monaco-list-row:not(:has-text(":"))', { hasText: /finetune/ }).first();
      await group
        .waitFor({ state: 'visible', timeout: 15_000 })
        .catch(async () => assert.fail(`Run Task has no finetune group; rows: ${await s.quickInputRows()}`));
      await group.click();
      const provided = s.quickInput.locator('.monaco-list-row', { hasText: 'qlora.yml · local' }).first();
      await provided
        .waitFor({ state: 'visible', timeout: 20_000 })
        .catch(async () => assert.fail(`the finetune group lists no "qlora.yml · local" task; rows: ${await s.quickInputRows()}`));
      await s.screenshot('provided-tasks');
      await s.page.keyboard.press('Escape');
    }),
  );
});

describe('Restricted Mode (an untrusted folder)', { timeout: 300_000 }, () => {
  let s: Session | undefined;
  before(
    async () => {
      s = new Session({ name: 'restricted', files: { 'train.py': TRAIN_PY, 'qlora.yml': QLORA_YML }, untrusted: true });
      await s.start();
    },
    { timeout: 240_000 },
  );
  after(async () => {
    await s?.close();
  });

  it('refuses to launch, saying why; validation still runs', { timeout: 90_000 }, () =>
    step(s, 'restricted', async (s) => {
      await s.openFile('qlora.yml');
      await s.openProblems();
      await s
        .problemRows(`Unknown key '${TYPO_KEY}'`)
        .first()
        .waitFor({ state: 'visible', timeout: 30_000 })
        .catch(async () => {
          assert.fail(`validation should run in Restricted Mode; the Problems panel shows: ${JSON.stringify(await s.problemsText())}`);
        });
      await s.openFile('train.py');
      await s.runCommand('Fine-Tune: Launch Training Job');
      const toast = s.page.locator('.notifications-toasts .notification-toast', { hasText: RESTRICTED }).first();
      await toast.waitFor({ state: 'visible', timeout: 15_000 }).catch(async () => {
        const all = await s.page
          .locator('.notifications-toasts')
          .allInnerTexts()
          .catch(() => []);
        assert.fail(`no "${RESTRICTED}" notification; notifications: ${JSON.stringify(all)}`);
      });
      assert.match((await toast.innerText()).replace(/\s+/g, ' '), /trust this workspace to launch training/);
      await s.screenshot('restricted-refusal');
      // Nothing ran: no job in the history.
      await s.runCommand('Focus on Training Jobs View');
      assert.equal(await s.page.locator('.monaco-list-row', { hasText: /exit \d/ }).count(), 0);
    }),
  );
});
