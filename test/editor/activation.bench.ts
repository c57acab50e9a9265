/**
 * Extension activation time, as the extension itself reports it in its output channel
 * ("Fine-Tune Workbench activated in <N> ms"), read from the Output panel of real VS Code
 * (code-server 4.99.4 + Chromium), the same set-up as e2e.test.ts.
 *
 *   import { measureActivation } from './editor/activation.bench';   // from test/bench
 *   node out/test/editor/activation.bench.js                         // prints JSON
 *
 * Needs test/editor/setup.sh to have run and dist/finetune-workbench.vsix (npm run package).
 */
import * as fs from 'node:fs';
import { findOutputChannelLogs, Session } from './harness';
import { QLORA_YML } from './fixtures';

const CHANNEL = 'Fine-Tune Workbench';
const SHOW_OUTPUT_COMMAND = 'Fine-Tune: Show Language Server Log'; // finetune.showOutput
const ACTIVATED = /Fine-Tune Workbench activated in (\d+(?:\.\d+)?) ?ms/;

export interface ActivationResult {
  activationMs: number;
  /** Where the number was read: the Output panel, or (fallback) VS Code's on-disk copy of the channel. */
  source: 'output-panel' | 'log-file';
}

export async function measureActivation(opts: { vsix?: string; timeoutMs?: number } = {}): Promise<ActivationResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const s = new Session({ name: 'activation', vsix: opts.vsix, files: { 'qlora.yml': QLORA_YML } });
  try {
    await s.start();
    await s.openFile('qlora.yml');
    await s.runCommand(SHOW_OUTPUT_COMMAND);
    await s.outputEditor.locator('.view-lines').waitFor({ state: 'visible', timeout: 15_000 });

    const panelText = async (): Promise<string> =>
      (await s.outputEditor.locator('.view-lines .view-line').allTextContents()).join('\n').replace(/\u00a0/g, ' ');
    const fromPanel = async (): Promise<number | undefined> => {
      const m = ACTIVATED.exec(await panelText());
      return m ? Number(m[1]) : undefined;
    };
    const fromDisk = (): number | undefined => {
      for (const f of findOutputChannelLogs(s.userDataDir, CHANNEL)) {
        const m = ACTIVATED.exec(fs.readFileSync(f, 'utf8'));
        if (m) return Number(m[1]);
      }
      return undefined;
    };

    // The Output panel follows the end of the channel, so the line may already be scrolled out of view: when it
    // is not on screen, go to the top and page down through the channel (every 2 s until the deadline).
    const scan = async (): Promise<number | undefined> => {
      await s.focusEditor(s.outputEditor);
      await s.page.keyboard.press('Control+Home');
      let previous = '';
      for (let i = 0; i < 100; i++) {
        const shown = await panelText();
        const m = ACTIVATED.exec(shown);
        if (m) return Number(m[1]);
        if (shown === previous) break; // PageDown changed nothing: at the end
        previous = shown;
        await s.page.keyboard.press('PageDown');
      }
      return undefined;
    };
    const deadline = Date.now() + timeoutMs;
    let nextScan = Date.now() + 1_000;
    while (Date.now() < deadline) {
      let v = await fromPanel().catch(() => undefined);
      if (v === undefined && Date.now() >= nextScan) {
        v = await scan().catch(() => undefined);
        nextScan = Date.now() + 2_000;
      }
      if (v !== undefined) {
        await s.screenshot('output');
        return { activationMs: v, source: 'output-panel' };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    await s.screenshot('output-FAILED');
    const disk = fromDisk();
    if (disk !== undefined) return { activationMs: disk, source: 'log-file' };
    const shown = await s.outputEditor.locator('.view-lines .view-line').allTextContents().catch(() => []);
    throw new Error(
      `no line matching ${ACTIVATED} in the "${CHANNEL}" output within ${timeoutMs / 1000} s; the Output panel shows:\n` +
        shown.slice(0, 30).join('\n'),
    );
  } finally {
    s.saveLogs();
    await s.close();
  }
}

// Direct run prints JSON. Not when loaded by `node --test` (which would also run this file for `node --test out/test/`).
if (require.main === module && !process.env.NODE_TEST_CONTEXT) {
  measureActivation().then(
    (r) => {
      console.log(JSON.stringify(r));
    },
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    },
  );
}
