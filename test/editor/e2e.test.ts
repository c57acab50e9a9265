/**
 * The packaged extension (dist/finetune-workbench.vsix) in real VS Code: code-server@4.99.4 driven by
 * playwright-core in Debian's Chromium. Run with `bash test/editor/run.sh` (or `npm run test:editor`).
 *
 * Flow: open qlora.yml → Problems shows "Unknown key 'lora_dropuot'. Did you mean 'lora_dropout'?" →
 * status bar shows the detected format "Axolotl" → Ctrl+. → "Change 'lora_dropuot' to 'lora_dropout'" →
 * the text is fixed and the problem disappears. Screenshots of every stage go to .test-tmp/editor/e2e-*.png;
 * on failure VS Code's logs are copied to .test-tmp/editor/e2e-logs/.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LAUNCH_BUTTON, openVramBreakdown, Session, step, vramLens, waitUntil } from './harness';
import { FIXED_KEY, QLORA_YML, TIGHT_YML, TYPO_KEY, TYPO_LINE } from './fixtures';

const FILE = 'qlora.yml';
const PROBLEM_TEXT = `Unknown key '${TYPO_KEY}'`;
const SUGGESTION_TEXT = `Did you mean '${FIXED_KEY}'?`;
const FIX_TITLE = `Change '${TYPO_KEY}' to '${FIXED_KEY}'`;
const DIAGNOSTIC_TIMEOUT = 30_000;
const PY_FILE = 'train.py';
// A Lightning 1.x module: a hook 2.x never calls, and a removed Trainer argument.
const LIGHTNING_PY = [
  'import pytorch_lightning as pl',
  '',
  '',
  'class Model(pl.LightningModule):',
  '    def on_epoch_end(self):',
  '        pass',
  '',
  '',
  'trainer = pl.Trainer(gpus=1)',
  '',
].join('\n');

describe('Fine-Tune Workbench in VS Code (code-server 4.99.4)', { timeout: 300_000 }, () => {
  let s: Session | undefined;

  before(
    async () => {
      s = new Session({ name: 'e2e', files: { [FILE]: QLORA_YML, [PY_FILE]: LIGHTNING_PY, 'tight.yml': TIGHT_YML } });
      await s.start();
      await s.screenshot('workbench-loaded');
    },
    { timeout: 240_000 },
  );

  after(async () => {
    await s?.close();
  });

  it(`opens ${FILE} and lists "${PROBLEM_TEXT}" in the Problems panel`, { timeout: 90_000 }, () =>
    step(s, 'diagnostic', async (s) => {
      await s.openFile(FILE);
      await s.screenshot('file-open');
      await s.openProblems();
      const row = s.problemRows(PROBLEM_TEXT).first();
      await row.waitFor({ state: 'visible', timeout: DIAGNOSTIC_TIMEOUT }).catch(async () => {
        assert.fail(
          `no problem containing "${PROBLEM_TEXT}" appeared in the Problems panel within ${DIAGNOSTIC_TIMEOUT / 1000} s; ` +
            `the panel shows: ${JSON.stringify(await s.problemsText())}`,
        );
      });
      await s.screenshot('problem-listed');
      const text = (await row.innerText()).replace(/\s+/g, ' ');
      assert.ok(text.includes(SUGGESTION_TEXT), `the problem should suggest the right key: expected it to contain "${SUGGESTION_TEXT}", got "${text}"`);
      assert.ok(text.includes(`[Ln ${TYPO_LINE},`), `the problem should be on line ${TYPO_LINE} (where ${TYPO_KEY} is), got "${text}"`);
    }),
  );

  it('shows the detected format "Axolotl" in the status bar', { timeout: 30_000 }, () =>
    step(s, 'status-bar', async (s) => {
      await s
        .statusItem(/\bAxolotl\b/)
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 })
        .catch(async () => {
          assert.fail(`no status bar item with the text "Axolotl" for ${FILE}; items: ${JSON.stringify(await s.statusBarText())}`);
        });
      await s.screenshot('status-bar');
    }),
  );

  it(`applies the quick fix "${FIX_TITLE}" and the problem goes away`, { timeout: 90_000 }, () =>
    step(s, 'quick-fix', async (s) => {
      // Cursor inside the misspelt key (column 3), then Ctrl+. for the Quick Fix menu.
      await s.goToLine(TYPO_LINE, 3);
      await s
        .statusItem(`Ln ${TYPO_LINE}, Col 3`)
        .first()
        .waitFor({ state: 'visible', timeout: 5_000 })
        .catch(async () => {
          assert.fail(`could not put the cursor on line ${TYPO_LINE}; status bar: ${JSON.stringify(await s.statusBarText())}`);
        });
      await s.page.keyboard.press('Control+.');
      await s.actionWidget.waitFor({ state: 'visible', timeout: 15_000 }).catch(async () => {
        const hint = await s.page
          .locator('.monaco-editor .monaco-hover, .message-widget, .editor-widget')
          .allInnerTexts()
          .catch(() => []);
        assert.fail(`Ctrl+. on line ${TYPO_LINE} opened no Quick Fix menu; visible editor widgets: ${JSON.stringify(hint)}`);
      });
      await s.screenshot('quick-fix-menu');
      const titles = (await s.codeActions().allInnerTexts()).map((t) => t.trim());
      assert.ok(await s.chooseCodeAction(FIX_TITLE), `the Quick Fix menu has no action titled "${FIX_TITLE}"; it offers: ${JSON.stringify(titles)}`);
      await s.actionWidget.waitFor({ state: 'hidden', timeout: 10_000 });

      await waitUntil(
        async () => (await s.editorText()).includes(`${FIXED_KEY}: 0.05`),
        10_000,
        async () => `after the quick fix the editor should contain "${FIXED_KEY}: 0.05"; it shows:\n${await s.editorText()}`,
      );
      const after = await s.editorText();
      assert.ok(!after.includes(TYPO_KEY), `the editor still contains "${TYPO_KEY}" after the quick fix:\n${after}`);
      await s.screenshot('quick-fix-applied');

      await waitUntil(
        async () => (await s.problemRows(TYPO_KEY).count()) === 0,
        DIAGNOSTIC_TIMEOUT,
        async () =>
          `the problem about "${TYPO_KEY}" is still in the Problems panel ${DIAGNOSTIC_TIMEOUT / 1000} s after the fix: ${JSON.stringify(await s.problemsText())}`,
      );
      await s.screenshot('problem-gone');

      // Save, and check the file on disk too (the editor only renders the visible lines).
      await s.focusEditor(s.editor);
      await s.page.keyboard.press('Control+S');
      const file = path.join(s.workspace, FILE);
      await waitUntil(
        async () => fs.readFileSync(file, 'utf8').includes(`${FIXED_KEY}: 0.05`),
        10_000,
        async () => `after Ctrl+S ${FILE} on disk should contain "${FIXED_KEY}: 0.05":\n${fs.readFileSync(file, 'utf8')}`,
      );
      const saved = fs.readFileSync(file, 'utf8');
      assert.equal(saved, QLORA_YML.replace(`${TYPO_KEY}:`, `${FIXED_KEY}:`), 'the quick fix should change only the key, nothing else in the file');
      await s.screenshot('saved');
    }),
  );

  it(`shows the VRAM code lens on ${FILE} and opens the breakdown from it`, { timeout: 90_000 }, () =>
    step(s, 'vram-lens', async (s) => {
      await s.openFile(FILE);
      await s.goToLine(1, 1); // the lens sits above line 1
      // No GPU here and none configured: the lens judges a representative set of GPUs.
      const { lens, title } = await vramLens(s, FILE, DIAGNOSTIC_TIMEOUT);
      // The estimate and the bound nine runs in ten stay under, and a verdict per GPU: ✓ fits, ⚠ tight, ✗ does not fit.
      assert.match(title, /VRAM ≈ \d+\.\d GiB \(up to \d+\.\d\) · RTX 3060 12GB [✓⚠✗] · RTX 3090 24GB [✓⚠✗] · A100 80GB ✓/, `lens text: ${title}`);
      // Launching is not a click away from the memory figure: no launch lens, a button in the editor title bar.
      const lenses = (await s.page.locator('.part.editor .codelens-decoration').allInnerTexts()).join(' | ');
      assert.doesNotMatch(lenses, /Launch/, `lenses: ${lenses}`);
      await s.page
        .locator(LAUNCH_BUTTON)
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 })
        .catch(() => assert.fail('no Launch Training Job button in the editor title bar'));
      await s.screenshot('vram-lens');
      const shown = await openVramBreakdown(s, lens);
      assert.match(shown, /NousResearch\/Llama-3\.2-1B/, shown);
      assert.match(shown, /nine runs in ten stay under this/, shown);
      await s.screenshot('vram-breakdown');
    }),
  );

  it('the three verdicts in one lens: does not fit, tight, fits', { timeout: 90_000 }, () =>
    step(s, 'vram-verdicts', async (s) => {
      // One editor group again (the breakdown opened beside qlora.yml), then tight.yml alone.
      await s.runCommand('View: Close All Editors');
      await s.openFile('tight.yml');
      const lens = s.page.locator('.part.editor .codelens-decoration a', { hasText: 'VRAM ≈' }).first();
      await lens.waitFor({ state: 'visible', timeout: DIAGNOSTIC_TIMEOUT }).catch(async () => {
        assert.fail(
          `no "VRAM ≈" code lens above tight.yml; lenses: ${JSON.stringify(
            await s.page
              .locator('.codelens-decoration')
              .allInnerTexts()
              .catch(() => []),
          )}`,
        );
      });
      const title = (await lens.innerText()).replace(/\s+/g, ' ');
      assert.match(title, /VRAM ≈ \d+\.\d GiB \(up to \d+\.\d\) · RTX 3060 12GB ✗ · RTX 3090 24GB ⚠ · A100 80GB ✓/, `lens text: ${title}`);
      // The same range after the micro batch value (an inlay hint), with the worst verdict.
      // (Inlay hints are injected text: part of the rendered line.)
      await waitUntil(
        async () => /micro_batch_size: 1\s*≈ \d+\.\d GiB \(up to \d+\.\d\) ✗/.test(await s.editorText()),
        20_000,
        async () => `no range after micro_batch_size: ${JSON.stringify((await s.editorText()).split('\n').find((l) => l.startsWith('micro_batch_size')))}`,
      );
      await s.screenshot('vram-verdicts');
    }),
  );

  it(`flags Lightning 1.x APIs in ${PY_FILE} (tree-sitter WASM inside the .vsix)`, { timeout: 90_000 }, () =>
    step(s, 'lightning', async (s) => {
      await s.openFile(PY_FILE);
      await s.openProblems();
      for (const text of ["'on_epoch_end' is never called in Lightning 2.x", "'Trainer(gpus=)' was removed in Lightning 2.0"]) {
        await s
          .problemRows(text)
          .first()
          .waitFor({ state: 'visible', timeout: DIAGNOSTIC_TIMEOUT })
          .catch(async () => {
            assert.fail(
              `no problem containing "${text}" for ${PY_FILE} within ${DIAGNOSTIC_TIMEOUT / 1000} s; the panel shows: ${JSON.stringify(await s.problemsText())}`,
            );
          });
      }
      await s
        .statusItem(/Lightning \(Python\) 2\.6\.0/)
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 })
        .catch(async () => {
          assert.fail(`no status bar item with the Lightning version for ${PY_FILE}; items: ${JSON.stringify(await s.statusBarText())}`);
        });
      await s.screenshot('lightning-problems');
    }),
  );
});
