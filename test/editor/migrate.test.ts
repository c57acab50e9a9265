/**
 * "Fine-Tune: Migrate Lightning Code in Workspace" in real VS Code (code-server): the command computes one edit for
 * every Python file of the workspace, VS Code shows it in the Refactor Preview before anything changes, and Apply
 * writes the migrated code (on_validation_epoch_end collecting the step outputs; accelerator/devices).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Session, waitUntil } from './harness';

const MODULE = [
  'import pytorch_lightning as pl',
  'import torch',
  '',
  '',
  'class Model(pl.LightningModule):',
  '    def validation_step(self, batch, batch_idx):',
  '        return {"loss": torch.tensor(1.0)}',
  '',
  '    def validation_epoch_end(self, outputs):',
  '        self.log("val_loss", torch.stack([o["loss"] for o in outputs]).mean())',
  '',
  '',
  'trainer = pl.Trainer(gpus=2, max_epochs=1)',
  '',
].join('\n');

describe('Migrate Lightning code in the workspace (code-server)', { timeout: 240_000 }, () => {
  let s: Session | undefined;
  before(
    async () => {
      s = new Session({ name: 'migrate', files: { 'model.py': MODULE, 'pkg/other.py': MODULE.replace('Model', 'Other') } });
      await s.start();
    },
    { timeout: 180_000 },
  );
  after(async () => {
    await s?.close();
  });

  it('previews the edit across files, then Apply writes Lightning 2.x code', { timeout: 120_000 }, async () => {
    const session = s!;
    try {
      await session.openFile('model.py'); // activates the extension and its server
      await session.runCommand('Fine-Tune: Migrate Lightning Code in Workspace');
      // A modal first: how many uses in how many files, Preview or Apply All.
      const previewButton = session.page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Preview Changes' }).first();
      await previewButton.waitFor({ state: 'visible', timeout: 60_000 }).catch(async () => {
        await session.screenshot('FAILED-no-dialog');
        assert.fail(
          `no "Migrate ... to Lightning 2.x?" dialog; notifications: ${JSON.stringify(
            await session.page
              .locator('.notification-toast')
              .allInnerTexts()
              .catch(() => []),
          )}`,
        );
      });
      const dialog = (await session.page.locator('.monaco-dialog-box').innerText()).replace(/\s+/g, ' ');
      assert.match(dialog, /Migrate \d+ Lightning 1\.x uses in 2 files to Lightning 2\.x\?/, dialog);
      await session.screenshot('migrate-dialog');
      await previewButton.click();
      // The edit carries needsConfirmation: VS Code shows the Refactor Preview, every change unticked.
      const applyButton = session.page.locator('.monaco-button', { hasText: /^Apply$/ }).first();
      await applyButton.waitFor({ state: 'visible', timeout: 30_000 }).catch(() => assert.fail('no Refactor Preview with an Apply button'));
      const panel = session.page.locator('.part.panel');
      const preview = await panel.innerText();
      assert.match(preview, /model\.py/, `the preview should list model.py: ${preview}`);
      assert.match(preview, /other\.py/, `the preview should list pkg/other.py: ${preview}`);
      assert.equal(fs.readFileSync(path.join(session.workspace, 'model.py'), 'utf8'), MODULE, 'nothing is written before Apply');
      await session.screenshot('refactor-preview');
      // Tick both files (the checkbox on each file row), then Apply.
      for (const name of ['model.py', 'other.py']) {
        await panel
          .locator('.monaco-list-row', { hasText: name })
          .first()
          .locator('input[type=checkbox], .monaco-custom-toggle, .codicon-check, .edit-checkbox')
          .first()
          .click();
      }
      await session.screenshot('refactor-preview-ticked');
      await applyButton.click();
      // files.refactoring.autoSave (on by default) saves what a refactoring changed; save all in case it is off.
      await new Promise((r) => setTimeout(r, 1500));
      await session.focusEditor(session.editor);
      await session.page.keyboard.press('Control+K');
      await session.page.keyboard.press('S');
      await waitUntil(
        async () => fs.readFileSync(path.join(session.workspace, 'model.py'), 'utf8').includes('def on_validation_epoch_end(self):'),
        30_000,
        async () => `after Apply, model.py on disk should hold on_validation_epoch_end:\n${fs.readFileSync(path.join(session.workspace, 'model.py'), 'utf8')}`,
      );
      const migrated = fs.readFileSync(path.join(session.workspace, 'model.py'), 'utf8');
      assert.match(migrated, /self\.validation_step_outputs/);
      assert.match(migrated, /accelerator="gpu", devices=2/);
      assert.doesNotMatch(migrated, /def validation_epoch_end/);
      const other = fs.readFileSync(path.join(session.workspace, 'pkg', 'other.py'), 'utf8');
      assert.match(other, /def on_validation_epoch_end\(self\):/);
      await session.screenshot('migrated');
    } catch (err) {
      await session.screenshot('FAILED-migrate');
      session.saveLogs();
      throw err;
    }
  });
});
