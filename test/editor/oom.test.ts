/**
 * Hearing back from a training job in real VS Code (code-server), issue 6's headline: "Fine-Tune: Launch Training
 * Job" on an Axolotl config runs a fake `axolotl` (first on code-server's PATH, so the extension host finds it) that
 * logs Hugging Face-style loss lines for ~4 s and then dies of a CUDA out-of-memory error. While it runs the status
 * bar shows the job (step · loss); then the job view shows the failed run (exit 1), and the Problems panel has
 * FT403 "CUDA out of memory in the last run ..." on the config's micro_batch_size line, whose Quick Fix menu offers
 * the VRAM fixes. A second, endless launch is stopped with the job view's Stop action.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchActive, Session, step, waitUntil } from './harness';
import { LORA_1B } from '../lsp/fixtures';

/** What PyTorch 2.x prints (the GPU's capacity, 11.76 GiB, is what the fixes are judged against). */
const OOM_TEXT =
  'CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 11.76 GiB of which 1.06 GiB is free. ' +
  'Of the allocated memory 9.10 GiB is allocated by PyTorch, and 310.00 MiB is reserved by PyTorch but unallocated.';

/** `axolotl train <config>`: loss lines, then PyTorch's OOM traceback (exit 1); a config named long*.yml never ends. */
const FAKE_AXOLOTL = `#!/usr/bin/env python3
import os, sys, time
if sys.argv[1:2] != ['train'] or len(sys.argv) < 3:
    sys.exit('fake axolotl: expected "train <config>", got %r' % sys.argv[1:])
endless = os.path.basename(sys.argv[2]).startswith('long')
i = 0
while endless or i < 4:
    i += 1
    print({'loss': round(2.0 / i, 4), 'grad_norm': 1.25, 'learning_rate': 0.0002, 'epoch': round(0.01 * i, 2)}, flush=True)
    time.sleep(1.0)
print('''Traceback (most recent call last):
  File "/opt/venv/lib/python3.11/site-packages/axolotl/train.py", line 191, in train
    trainer.train(resume_from_checkpoint=resume_from_checkpoint)
  File "/opt/venv/lib/python3.11/site-packages/torch/utils/checkpoint.py", line 496, in forward
    return torch.matmul(a, b)
torch.OutOfMemoryError: ${OOM_TEXT}''', file=sys.stderr, flush=True)
sys.exit(1)
`;

/** LORA_1B: about 18 GiB at micro batch 2 × 2048, gradient checkpointing off. */
const CONFIG = LORA_1B + '\n';
const MICRO_BATCH_LINE = CONFIG.split('\n').findIndex((l) => l.startsWith('micro_batch_size:')) + 1;

/** The rows of the Training Jobs view (Explorer). */
function jobRows(s: Session) {
  return s.page.locator('.pane', { has: s.page.locator('.pane-header', { hasText: 'Training Jobs' }) }).locator('.monaco-list-row');
}

async function jobRowsText(s: Session): Promise<string> {
  return JSON.stringify(
    (
      await jobRows(s)
        .allInnerTexts()
        .catch(() => [])
    ).map((t) => t.replace(/\s+/g, ' ')),
  );
}

describe('A CUDA OOM in a launched job (code-server 4.99.4)', { timeout: 360_000 }, () => {
  let s: Session | undefined;
  before(
    async () => {
      s = new Session({
        name: 'oom',
        files: { 'oom.yml': CONFIG, 'long.yml': CONFIG },
        bin: { axolotl: FAKE_AXOLOTL },
        // xterm's DOM renderer, so the terminal's text can be read (WebGL draws it on a canvas). The loss chart opens
        // only from the status bar item here (the jobs test has it open by itself).
        settings: { 'terminal.integrated.gpuAcceleration': 'off', 'finetune.jobs.openLossChart': false },
      });
      await s.start();
    },
    { timeout: 240_000 },
  );
  after(async () => {
    await s?.close();
  });

  it('the status bar shows the running job; the job view shows it failed with exit 1', { timeout: 90_000 }, () =>
    step(s, 'run', async (s) => {
      await s.openFile('oom.yml');
      await launchActive(s);
      // Up while the fake program logs (~4 s): "$(loading~spin) oom.yml · step N · loss X".
      const status = s.statusItem(/oom\.yml · step \d+ · loss \d/).first();
      await status.waitFor({ state: 'visible', timeout: 15_000 }).catch(async () => {
        assert.fail(`no status bar item "oom.yml · step N · loss X" while the job runs; items: ${JSON.stringify(await s.statusBarText())}`);
      });
      await s.screenshot('status-bar-running');
      await s.runCommand('Focus on Training Jobs View');
      const row = jobRows(s)
        .filter({ hasText: 'oom.yml' })
        .filter({ hasText: /exit 1$/ })
        .first();
      await row.waitFor({ state: 'visible', timeout: 30_000 }).catch(async () => {
        assert.fail(`the Training Jobs view shows no finished oom.yml with "exit 1"; rows: ${await jobRowsText(s)}`);
      });
      const text = (await row.innerText()).replace(/\s+/g, ' ');
      assert.match(text, /^oom\.yml\s*local · .* · exit 1$/, text);
      assert.equal(await row.locator('.codicon-error').count(), 1, 'a failed run has the error icon');
      await waitUntil(
        async () => (await s.statusItem(/oom\.yml · /).count()) === 0,
        10_000,
        async () => `the job's status bar item should go once it ends; items: ${JSON.stringify(await s.statusBarText())}`,
      );
      await s.screenshot('job-failed');
    }),
  );

  it('FT403 "CUDA out of memory in the last run" on micro_batch_size; Ctrl+. offers the VRAM fixes', { timeout: 120_000 }, () =>
    step(s, 'ft403', async (s) => {
      // The client says so in a notification, with a way to the problem.
      const toast = s.page.locator('.notifications-toasts .notification-toast', { hasText: 'oom.yml ran out of GPU memory' }).first();
      await toast.waitFor({ state: 'visible', timeout: 20_000 }).catch(async () => {
        assert.fail(
          `no "oom.yml ran out of GPU memory" notification; notifications: ${JSON.stringify(
            await s.page
              .locator('.notifications-toasts')
              .allInnerTexts()
              .catch(() => []),
          )}`,
        );
      });
      // Show Problem opens the config and the Problems panel (not s.openProblems(): its Ctrl+Shift+M would close it again).
      await toast.locator('.monaco-button', { hasText: 'Show Problem' }).first().click();
      await s.activeTab('oom.yml').waitFor({ state: 'visible', timeout: 15_000 });
      await s.problems.waitFor({ state: 'visible', timeout: 15_000 }).catch(() => assert.fail('Show Problem did not open the Problems panel'));
      const problem = s.problemRows('CUDA out of memory in the last run').first();
      await problem.waitFor({ state: 'visible', timeout: 30_000 }).catch(async () => {
        assert.fail(`no FT403 in the Problems panel; it shows: ${JSON.stringify(await s.problemsText())}`);
      });
      const text = (await problem.innerText()).replace(/\s+/g, ' ');
      assert.ok(text.includes('FT403'), `the problem should carry its code FT403: "${text}"`);
      assert.ok(text.includes('Tried to allocate 2.00 GiB'), `the problem should quote the job's error: "${text}"`);
      assert.ok(text.includes('What would fit: gradient checkpointing'), text);
      assert.ok(text.includes(`[Ln ${MICRO_BATCH_LINE},`), `FT403 should be on line ${MICRO_BATCH_LINE} (micro_batch_size), got "${text}"`);
      await s.screenshot('ft403-problem');

      await s.goToLine(MICRO_BATCH_LINE, 3);
      await s
        .statusItem(`Ln ${MICRO_BATCH_LINE}, Col 3`)
        .first()
        .waitFor({ state: 'visible', timeout: 5_000 })
        .catch(async () => {
          assert.fail(`could not put the cursor on line ${MICRO_BATCH_LINE}; status bar: ${JSON.stringify(await s.statusBarText())}`);
        });
      await s.page.keyboard.press('Control+.');
      await s.actionWidget
        .waitFor({ state: 'visible', timeout: 15_000 })
        .catch(() => assert.fail(`Ctrl+. on line ${MICRO_BATCH_LINE} opened no Quick Fix menu`));
      await waitUntil(
        async () => (await s.codeActions(/^Turn on gradient checkpointing \(≈ \d+\.\d GiB \(up to [\d.]+\)\)/).count()) > 0,
        10_000,
        async () =>
          `the Quick Fix menu should offer "Turn on gradient checkpointing (≈ … GiB (up to …))"; it offers: ${JSON.stringify(await s.codeActions().allInnerTexts())}`,
      );
      const titles = (await s.codeActions().allInnerTexts()).map((t) => t.trim());
      assert.ok(
        titles.some((t) => /^Micro batch 1 with twice the gradient accumulation/.test(t)),
        `the menu should also offer a smaller micro batch: ${JSON.stringify(titles)}`,
      );
      await s.screenshot('ft403-quick-fixes');
      const checkpointing = titles.find((t) => t.startsWith('Turn on gradient checkpointing'))!;
      assert.ok(await s.chooseCodeAction(checkpointing), `could not choose "${checkpointing}"`);
      await s.actionWidget.waitFor({ state: 'hidden', timeout: 10_000 });
      await s.focusEditor(s.editor);
      await s.page.keyboard.press('Control+S');
      const file = path.join(s.workspace, 'oom.yml');
      await waitUntil(
        async () => /^gradient_checkpointing: true$/m.test(fs.readFileSync(file, 'utf8')),
        10_000,
        async () => `after the fix and Ctrl+S oom.yml should turn gradient checkpointing on:\n${fs.readFileSync(file, 'utf8')}`,
      );
      await s.screenshot('ft403-fixed');
    }),
  );

  it('Stop in the job view stops a running job', { timeout: 90_000 }, () =>
    step(s, 'stop', async (s) => {
      await s.openFile('long.yml');
      await launchActive(s);
      const status = s.statusItem(/long\.yml · step \d+/).first();
      await status.waitFor({ state: 'visible', timeout: 15_000 }).catch(async () => {
        assert.fail(`no status bar item for the running long.yml; items: ${JSON.stringify(await s.statusBarText())}`);
      });
      // With finetune.jobs.openLossChart off nothing opened by itself; the status bar item opens the live chart.
      const chart = s.page.locator('.part.editor .tab', { hasText: 'Loss: long.yml' });
      assert.equal(await chart.count(), 0, 'no chart before the click (finetune.jobs.openLossChart is off)');
      await status.click();
      await chart
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 })
        .catch(async () => {
          assert.fail(
            `clicking the job's status bar item opened no loss chart; tabs: ${JSON.stringify(
              await s.page
                .locator('.part.editor .tab')
                .allInnerTexts()
                .catch(() => []),
            )}`,
          );
        });
      const summary = s.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame').locator('#summary');
      const steps = async () => Number(/step (\d+)/.exec(await summary.innerText({ timeout: 1000 }))?.[1] ?? 0);
      const first = await waitUntil(
        async () => (await steps()) > 0,
        15_000,
        async () => 'the chart shows no point',
      ).then(steps);
      await waitUntil(
        async () => (await steps()) > first,
        15_000,
        async () => `the chart stays at step ${first} while the job logs on`,
      );
      await s.screenshot('status-loss-chart');
      await s.runCommand('Focus on Training Jobs View');
      const running = jobRows(s)
        .filter({ hasText: 'long.yml' })
        .filter({ hasText: /running/ })
        .first();
      await running
        .waitFor({ state: 'visible', timeout: 15_000 })
        .catch(async () => assert.fail(`no running long.yml in the job view; rows: ${await jobRowsText(s)}`));
      await running.hover();
      const stop = running.locator('.action-label[aria-label="Stop Training Job"]');
      await stop.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => assert.fail('the running job has no inline Stop action'));
      await s.screenshot('stop-action');
      await stop.click();
      const stopped = jobRows(s)
        .filter({ hasText: 'long.yml' })
        .filter({ hasText: /stopped/ })
        .first();
      await stopped
        .waitFor({ state: 'visible', timeout: 20_000 })
        .catch(async () => assert.fail(`long.yml should show "stopped" in the job view; rows: ${await jobRowsText(s)}`));
      assert.equal(await stopped.locator('.codicon-debug-stop').count(), 1, 'a stopped run has the stop icon');
      // The job's terminal says how it ended (SIGINT), and the task's exit code is 130 (128 + 2).
      const terminalText = async () => (await s.page.locator('.part.panel .xterm-rows').allTextContents()).join('\n').replace(/\u00a0/g, ' ');
      await waitUntil(
        async () => /long\.yml: killed by SIGINT[^]*exit code: 130/.test(await terminalText()),
        15_000,
        async () => `the job's terminal should say "long.yml: killed by SIGINT" and "exit code: 130"; it shows: ${JSON.stringify(await terminalText())}`,
      );
      await waitUntil(
        async () => (await s.statusItem(/long\.yml · /).count()) === 0,
        10_000,
        async () => `the status bar item should go once the job stops; items: ${JSON.stringify(await s.statusBarText())}`,
      );
      // Stopping ends Python with KeyboardInterrupt: that is the user's doing, not a problem of the code.
      await s.openProblems();
      const problems = await s.problemsText();
      assert.match(problems, /FT403/, `the Problems panel should still list the OOM of oom.yml: ${problems}`);
      assert.doesNotMatch(problems, /KeyboardInterrupt/, `a stopped job should leave no problem: ${problems}`);
      await s.screenshot('job-stopped');
    }),
  );
});
