/**
 * Config generation in real VS Code (code-server), in Restricted Mode (these commands only write files, so they
 * must work in an untrusted folder):
 *  - "Fine-Tune: New Training Config": prompt template → QLoRA → NousResearch/Llama-3.2-1B (typed) → RTX 3060 12GB →
 *    Axolotl, then VS Code's save dialog (code-server's simple file dialog: a quick input holding the path; Enter
 *    accepts the proposed workspace-folder/suggested-name). The file opens with `adapter: qlora`, no error in the
 *    Problems panel, and the VRAM lens says ✓ for the RTX 3060.
 *  - "Fine-Tune: Create Length-Bucket Ensemble" on that file: three variants next to it, and the tasks merged into a
 *    tasks.json that has comments and a trailing comma (the user's task stays, the old file is kept as .bak).
 *  - The classifier branch: no row of any step cut off, a refusal in one sentence with its reasons behind "Why?",
 *    the model list open at its top (encoders first), LoRA written as a Python script and its YAML (issue #11).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Session, step, waitUntil } from './harness';

const FILE = 'llama-3.2-1b-qlora.yaml';

/** A tasks.json as people write it: comments, a URL with // in a string, a trailing comma. */
const TASKS_JSONC = `// My tasks
{
  "version": "2.0.0",
  "tasks": [
    /* keep me */
    { "label": "docs", "type": "shell", "command": "echo http://example.com/a//b", },
  ],
}
`;

/** F1 → the command → click it; the quick input stays open for the command's own picks (not s.runCommand). */
async function startCommand(s: Session, label: string): Promise<void> {
  // Right after start-up the palette may not list the extension's commands yet (no activation event has fired in
  // a folder without configs, and contributions arrive once the extension host has scanned): reopen until it does.
  const deadline = Date.now() + 30_000;
  for (;;) {
    await s.dismissWidgets();
    await s.page.keyboard.press('F1');
    await s.quickInput.waitFor({ state: 'visible', timeout: 10_000 });
    await s.quickInputBox.fill(`>${label}`);
    const row = s.quickInput.locator('.monaco-list-row', { hasText: label }).first();
    if (
      await row.waitFor({ state: 'visible', timeout: 3_000 }).then(
        () => true,
        () => false,
      )
    ) {
      await row.click();
      return;
    }
    if (Date.now() > deadline) assert.fail(`the command palette has no "${label}"; rows: ${await s.quickInputRows()}`);
  }
}

/** Waits for "Step i/5" in the quick input's title, filters with `filter`, clicks the row showing `row`. */
async function pick(s: Session, stepNo: number, filter: string, row: string | RegExp): Promise<void> {
  const title = s.quickInput.locator('.quick-input-title', { hasText: `Step ${stepNo}/5` });
  await title.waitFor({ state: 'visible', timeout: 15_000 }).catch(async () => {
    assert.fail(
      `no quick pick titled "Step ${stepNo}/5"; title: ${JSON.stringify(
        await s.quickInput
          .locator('.quick-input-title')
          .innerText()
          .catch(() => '(none)'),
      )}, rows: ${await s.quickInputRows()}`,
    );
  });
  await s.quickInputBox.fill(filter);
  const target = s.quickInput.locator('.monaco-list-row', { hasText: row }).first();
  await target
    .waitFor({ state: 'visible', timeout: 10_000 })
    .catch(async () => assert.fail(`step ${stepNo}: no row "${row}" after typing "${filter}"; rows: ${await s.quickInputRows()}`));
  await target.click();
  // The next step replaces the pick: wait until this step's title is gone.
  await title.waitFor({ state: 'hidden', timeout: 15_000 });
}

/** The message of a notification (without its source and buttons). */
async function toastMessage(s: Session, hasText: string | RegExp): Promise<string> {
  await toast(s, hasText);
  return (await s.page.locator('.notifications-toasts .notification-toast', { hasText }).first().locator('.notification-list-item-message').innerText())
    .replace(/\s+/g, ' ')
    .trim();
}

/** Rows of the open quick pick whose label, description or detail is cut off (wider than the row shows). */
async function cutOff(s: Session): Promise<string[]> {
  // Runs in the page: the DOM's shapes, written out (this project compiles without the DOM library).
  type Box = { scrollWidth: number; clientWidth: number };
  type Row = { querySelectorAll(selector: string): ArrayLike<Box>; innerText: string };
  return s.quickInput
    .locator('.monaco-list-row')
    .evaluateAll((els) =>
      (els as unknown as Row[])
        .filter((r) => Array.from(r.querySelectorAll('.monaco-icon-label-container')).some((e) => e.scrollWidth > e.clientWidth + 1))
        .map((r) => r.innerText.replace(/\s+/g, ' ')),
    );
}

async function toast(s: Session, hasText: string | RegExp): Promise<string> {
  const t = s.page.locator('.notifications-toasts .notification-toast', { hasText }).first();
  await t.waitFor({ state: 'visible', timeout: 20_000 }).catch(async () => {
    assert.fail(
      `no notification "${hasText}"; notifications: ${JSON.stringify(
        await s.page
          .locator('.notifications-toasts')
          .allInnerTexts()
          .catch(() => []),
      )}`,
    );
  });
  return (await t.innerText()).replace(/\s+/g, ' ');
}

describe('Config generation in VS Code, Restricted Mode (code-server 4.99.4)', { timeout: 300_000 }, () => {
  let s: Session | undefined;
  before(
    async () => {
      s = new Session({ name: 'generate', files: { 'README.md': '# runs\n', '.vscode/tasks.json': TASKS_JSONC }, untrusted: true });
      await s.start();
    },
    { timeout: 240_000 },
  );
  after(async () => {
    await s?.close();
  });

  it('New Training Config: five picks, the save dialog, a QLoRA Axolotl config that fits the RTX 3060', { timeout: 120_000 }, () =>
    step(s, 'new-config', async (s) => {
      await startCommand(s, 'Fine-Tune: New Training Config');
      await pick(s, 1, 'Prompt-template', 'Prompt-template model');
      await s.screenshot('step2-methods');
      assert.deepEqual(await cutOff(s), [], 'step 2: rows cut off');
      // Bottleneck adapters: no format offers them for a prompt-template model; shown, with the reason.
      const adapters = s.quickInput.locator('.monaco-list-row', { hasText: 'Bottleneck adapters' }).first();
      assert.match((await adapters.innerText()).replace(/\s+/g, ' '), /no format offers it/);
      // Picking it explains why and stays on the step.
      await adapters.click();
      await toast(s, /Bottleneck adapters \(Houlsby\/Pfeiffer\) is not offered for a prompt-template model/);
      await s.quickInput.locator('.quick-input-title', { hasText: 'Step 2/5' }).waitFor({ state: 'visible', timeout: 5_000 });
      // Back goes to step 1 with the approach still chosen; then forward again.
      await s.quickInput.locator('.codicon-quick-input-back').first().click();
      await pick(s, 1, 'Prompt-template', 'Prompt-template model');
      await pick(s, 2, 'QLoRA', 'QLoRA (LoRA on a 4-bit base model)');
      // A model typed as an id (an alias of the catalog's meta-llama/Llama-3.2-1B) is offered as it is.
      await pick(s, 3, 'NousResearch/Llama-3.2-1B', 'use this model id');
      await pick(s, 4, 'RTX 3060 12GB', 'RTX 3060 12GB');
      await s.quickInput.locator('.quick-input-title', { hasText: 'Step 5/5' }).waitFor({ state: 'visible', timeout: 15_000 });
      await s.screenshot('step5-formats');
      assert.deepEqual(await cutOff(s), [], 'step 5: rows cut off');
      const hf = s.quickInput.locator('.monaco-list-row', { hasText: 'HF TrainingArguments' }).first();
      assert.match((await hf.innerText()).replace(/\s+/g, ' '), /cannot express qlora/);
      await pick(s, 5, 'Axolotl', 'Axolotl');

      // The save dialog (code-server: the simple file dialog, a quick input with the proposed path).
      await waitUntil(
        async () => (await s.quickInput.isVisible()) && (await s.quickInputBox.inputValue()).endsWith(FILE),
        15_000,
        async () => `no save dialog proposing ${FILE}; quick input value: ${JSON.stringify(await s.quickInputBox.inputValue().catch(() => '(none)'))}`,
      );
      await s.screenshot('save-dialog');
      await s.page.keyboard.press('Enter');
      await s.activeTab(FILE).waitFor({ state: 'visible', timeout: 20_000 });

      const file = path.join(s.workspace, FILE);
      assert.ok(fs.existsSync(file), `${file} was not written`);
      const text = fs.readFileSync(file, 'utf8');
      assert.match(text, /^adapter: qlora$/m);
      assert.match(text, /^base_model: NousResearch\/Llama-3\.2-1B$/m);
      const line = text.split('\n').findIndex((l) => l === 'adapter: qlora') + 1;
      await s.goToLine(line, 1);
      assert.ok((await s.editorText()).includes('adapter: qlora'), 'the editor should show adapter: qlora');

      // One sentence with buttons (the command to train is in the file's header).
      assert.match(
        await toastMessage(s, /Created llama-3\.2-1b-qlora\.yaml/),
        /^Created llama-3\.2-1b-qlora\.yaml: ≈ \d+\.\d GiB \(up to \d+\.\d\) of \d+\.\d GiB on the RTX 3060 12GB\.$/,
      );

      // The VRAM lens (no finetune.gpus, no GPU here: the representative set, with the RTX 3060 12GB).
      await s.goToLine(1, 1);
      const lens = s.page.locator('.part.editor .codelens-decoration a', { hasText: 'VRAM ≈' }).first();
      await lens.waitFor({ state: 'visible', timeout: 30_000 }).catch(async () => {
        assert.fail(
          `no "VRAM ≈" code lens; lenses: ${JSON.stringify(
            await s.page
              .locator('.codelens-decoration')
              .allInnerTexts()
              .catch(() => []),
          )}`,
        );
      });
      const title = (await lens.innerText()).replace(/\s+/g, ' ');
      assert.match(title, /RTX 3060 12GB ✓/, `lens: ${title}`);

      // Validation has run (the lens comes from the same pass): no error-level problem.
      await s.openProblems();
      await new Promise((r) => setTimeout(r, 1500));
      const errors = await s.problems.locator('.monaco-list-row .codicon-error, .monaco-list-row .codicon-close').count();
      assert.equal(errors, 0, `the generated config has errors: ${JSON.stringify(await s.problemsText())}`);
      await s.screenshot('new-config-written');
    }),
  );

  it('Create Length-Bucket Ensemble: three variants next to the config, tasks merged into a tasks.json with comments', { timeout: 90_000 }, () =>
    step(s, 'ensemble', async (s) => {
      await s.openFile(FILE);
      await startCommand(s, 'Fine-Tune: Create Length-Bucket Ensemble');
      // The buckets input box, proposing 512,1024,2048.
      await waitUntil(
        async () => (await s.quickInputBox.inputValue()) === '512,1024,2048',
        15_000,
        async () => `no buckets input box with 512,1024,2048; value: ${JSON.stringify(await s.quickInputBox.inputValue().catch(() => '(none)'))}`,
      );
      await s.quickInputBox.fill('512,x');
      await s.quickInput.locator('.quick-input-message', { hasText: 'Whole numbers' }).waitFor({ state: 'visible', timeout: 10_000 });
      await s.quickInputBox.fill('512,1024,2048');
      await s.page.keyboard.press('Enter');
      const next = s.quickInput.locator('.monaco-list-row', { hasText: `Next to ${FILE}` }).first();
      await next.waitFor({ state: 'visible', timeout: 10_000 }).catch(async () => assert.fail(`no "Next to ${FILE}" row; rows: ${await s.quickInputRows()}`));
      await next.click();

      const summary = await toast(s, /Wrote 3 length-bucket variants/);
      assert.match(
        summary,
        /short \(≤ 512 tokens\) ≈ \d+\.\d GiB \(up to \d+\.\d\) ✓ · mid \(≤ 1024 tokens\) ≈ \d+\.\d GiB \(up to \d+\.\d\) ✓ · long \(≤ 2048 tokens\) ≈ \d+\.\d GiB \(up to \d+\.\d\) ✓/,
        summary,
      );
      assert.match(summary, /Updated \.vscode\/tasks\.json/, summary);
      await s.screenshot('ensemble-written');

      for (const name of ['short', 'mid', 'long']) {
        const v = path.join(s.workspace, `llama-3.2-1b-qlora.${name}.yaml`);
        assert.ok(fs.existsSync(v), `${v} was not written`);
        assert.match(fs.readFileSync(v, 'utf8'), /^sequence_len: (512|1024|2048)$/m);
      }
      const tasksText = fs.readFileSync(path.join(s.workspace, '.vscode', 'tasks.json'), 'utf8');
      assert.match(tasksText, /^\/\/ Updated by Fine-Tune Workbench/);
      const tasks = JSON.parse(tasksText.replace(/^\/\/.*\n/, '')) as { tasks: Array<{ label: string; command?: string; dependsOn?: string[] }> };
      const labels = tasks.tasks.map((t) => t.label);
      assert.ok(labels.includes('docs'), `the user's task is gone: ${JSON.stringify(labels)}`);
      assert.equal(tasks.tasks.find((t) => t.label === 'docs')?.command, 'echo http://example.com/a//b');
      const compound = tasks.tasks.find((t) => t.label === 'Train llama-3.2-1b-qlora length-bucket ensemble');
      assert.equal(compound?.dependsOn?.length, 3, JSON.stringify(tasks));
      assert.equal(fs.readFileSync(path.join(s.workspace, '.vscode', 'tasks.json.bak'), 'utf8'), TASKS_JSONC);
    }),
  );

  it('New Training Config, classifier: rows that fit, reasons on demand, the model list at its top, LoRA as a Python script', { timeout: 150_000 }, () =>
    step(s, 'classifier', async (s) => {
      await startCommand(s, 'Fine-Tune: New Training Config');
      await s.quickInput.locator('.quick-input-title', { hasText: 'Step 1/5' }).waitFor({ state: 'visible', timeout: 15_000 });
      assert.deepEqual(await cutOff(s), [], 'step 1: rows cut off');
      await pick(s, 1, 'classifier', 'Task-specific classifier');
      await s.quickInput.locator('.quick-input-title', { hasText: 'Step 2/5' }).waitFor({ state: 'visible', timeout: 15_000 });
      assert.deepEqual(await cutOff(s), [], 'step 2: rows cut off');
      const lora = (await s.quickInput.locator('.monaco-list-row', { hasText: 'LoRA adapters' }).first().innerText()).replace(/\s+/g, ' ');
      assert.match(lora, /lora · Python script/, 'LoRA is offered for a classifier');
      await s.screenshot('classifier-methods');
      // A method no format offers: one sentence and a "Why?" button; the reasons open on demand.
      await s.quickInput.locator('.monaco-list-row', { hasText: 'Bottleneck adapters' }).first().click();
      assert.equal(await toastMessage(s, /is not offered for a classifier/), 'Bottleneck adapters (Houlsby/Pfeiffer) is not offered for a classifier.');
      const refusal = s.page.locator('.notifications-toasts .notification-toast', { hasText: 'is not offered for a classifier' }).first();
      await refusal.locator('.monaco-button', { hasText: 'Why?' }).click();
      const dialog = s.page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 10_000 });
      assert.match((await dialog.innerText()).replace(/\s+/g, ' '), /Python script \(transformers \+ PEFT Trainer\): PEFT has no bottleneck adapters\./);
      await s.screenshot('classifier-why');
      await s.page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
      // The step is still open.
      await pick(s, 2, 'LoRA', 'LoRA adapters');
      // The model list opens at its top, with the encoders first for a classifier.
      await s.quickInput.locator('.quick-input-title', { hasText: 'Step 3/5' }).waitFor({ state: 'visible', timeout: 15_000 });
      const focused = (await s.quickInput.locator('.monaco-list-row.focused').first().innerText()).replace(/\s+/g, ' ');
      assert.match(focused, /bert-base-uncased/, `the first model is focused, not "Other…": ${focused}`);
      assert.equal(await s.quickInput.locator('.monaco-list-row', { hasText: 'Other…' }).count(), 0, 'the end of the list is out of view');
      assert.deepEqual(await cutOff(s), [], 'step 3: rows cut off');
      await s.screenshot('classifier-models');
      await pick(s, 3, 'bert-large', 'google-bert/bert-large-uncased');
      await pick(s, 4, 'T4', 'T4 16GB');
      await s.quickInput.locator('.quick-input-title', { hasText: 'Step 5/5' }).waitFor({ state: 'visible', timeout: 15_000 });
      assert.deepEqual(await cutOff(s), [], 'step 5: rows cut off');
      assert.match(
        (await s.quickInput.locator('.monaco-list-row').first().innerText()).replace(/\s+/g, ' '),
        /^Python script \(transformers \+ PEFT Trainer\)/,
      );
      await s.screenshot('classifier-formats');
      await pick(s, 5, 'script', 'Python script');

      const name = 'bert-large-uncased-lora';
      await waitUntil(
        async () => (await s.quickInput.isVisible()) && (await s.quickInputBox.inputValue()).endsWith(`${name}.py`),
        15_000,
        async () => `no save dialog proposing ${name}.py; quick input value: ${JSON.stringify(await s.quickInputBox.inputValue().catch(() => '(none)'))}`,
      );
      await s.page.keyboard.press('Enter');
      await s.activeTab(`${name}.yaml`).waitFor({ state: 'visible', timeout: 20_000 });
      assert.match(fs.readFileSync(path.join(s.workspace, `${name}.py`), 'utf8'), /^# Hyperparameters: bert-large-uncased-lora\.yaml, next to this file/m);
      assert.match(fs.readFileSync(path.join(s.workspace, `${name}.yaml`), 'utf8'), /^use_peft: true # ftw: disable=FT101$/m);
      assert.match(
        await toastMessage(s, /Created bert-large/),
        new RegExp(`^Created ${name}\\.py and ${name}\\.yaml: ≈ \\d+\\.\\d GiB \\(up to \\d+\\.\\d\\) of 15\\.0 GiB on the T4 16GB\\.$`),
      );
      await s.goToLine(1, 1);
      await s.page.locator('.part.editor .codelens-decoration a', { hasText: 'VRAM ≈' }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await s.screenshot('classifier-written');
    }),
  );
});
