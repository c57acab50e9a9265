/**
 * Extension activation time, as the extension itself reports it in its output channel
 * ("Fine-Tune Workbench activated in <N> ms"), read from the Output panel of real VS Code
 * (code-server 4.99.4 + Chromium), the same set-up as e2e.test.ts. Each run is a fresh code-server,
 * user-data-dir and extensions dir (so every activation is a first activation), about 15 s.
 *
 *   import { measureActivation } from '../editor/activation.bench';   // from test/bench
 *   node out/test/editor/activation.bench.js [--runs N]               // prints JSON
 *
 * Needs test/editor/setup.sh to have run and dist/finetune-workbench.vsix (npm run package);
 * FTW_VSIX / FTW_CODE_SERVER override the paths (see harness.ts).
 */
import * as fs from 'node:fs';
import { findOutputChannelLogs, Session } from './harness';
import { QLORA_YML } from './fixtures';

const CHANNEL = 'Fine-Tune Workbench';
const SHOW_OUTPUT_COMMAND = 'Fine-Tune: Show Language Server Log'; // finetune.showOutput
const ACTIVATED = /Fine-Tune Workbench activated in (\d+(?:\.\d+)?) ?ms/;
/** Optional second figure, when the extension logs it. */
const SERVER_READY = /Language server ready in (\d+(?:\.\d+)?) ?ms/;

export interface ActivationResult {
  /** Median over the runs of the extension's own "activated in N ms". */
  activationMs: number;
  /** Every run's figure, in order. */
  samples: number[];
  /** Median "Language server ready in N ms" (from activate() start), where the channel shows it. */
  serverReadyMs?: number;
  /** Where the number was read: the Output panel, or (fallback) VS Code's on-disk copy of the channel. */
  source: 'output-panel' | 'log-file';
}

interface OneRun {
  activationMs: number;
  serverReadyMs?: number;
  source: ActivationResult['source'];
}

export async function measureActivation(opts: { vsix?: string; timeoutMs?: number; runs?: number } = {}): Promise<ActivationResult> {
  const runs = Math.max(1, opts.runs ?? 1);
  const results: OneRun[] = [];
  for (let i = 0; i < runs; i++) results.push(await measureOnce(opts.vsix, opts.timeoutMs ?? 30_000));
  const ready = results.map((r) => r.serverReadyMs).filter((v): v is number => v !== undefined);
  return {
    activationMs: median(results.map((r) => r.activationMs)),
    samples: results.map((r) => r.activationMs),
    ...(ready.length ? { serverReadyMs: median(ready) } : {}),
    source: results.every((r) => r.source === 'output-panel') ? 'output-panel' : 'log-file',
  };
}

async function measureOnce(vsix: string | undefined, timeoutMs: number): Promise<OneRun> {
  const s = new Session({ name: 'activation', vsix, files: { 'qlora.yml': QLORA_YML } });
  try {
    await s.start();
    await s.openFile('qlora.yml');
    await s.runCommand(SHOW_OUTPUT_COMMAND);
    await s.outputEditor.locator('.view-lines').waitFor({ state: 'visible', timeout: 15_000 });

    const panelText = async (): Promise<string> =>
      (await s.outputEditor.locator('.view-lines .view-line').allTextContents()).join('\n').replace(/\u00a0/g, ' ');
    const diskText = (): string =>
      findOutputChannelLogs(s.userDataDir, CHANNEL)
        .map((f) => fs.readFileSync(f, 'utf8'))
        .join('\n');
    const num = (re: RegExp, text: string): number | undefined => {
      const m = re.exec(text);
      return m ? Number(m[1]) : undefined;
    };

    // The Output panel follows the end of the channel, so the line may already be scrolled out of view: when it
    // is not on screen, go to the top and page down through the channel (at most every 2 s).
    const scan = async (): Promise<number | undefined> => {
      await s.focusEditor(s.outputEditor);
      await s.page.keyboard.press('Control+Home');
      let previous = '';
      for (let i = 0; i < 100; i++) {
        const shown = await panelText();
        const v = num(ACTIVATED, shown);
        if (v !== undefined) return v;
        if (shown === previous) break; // PageDown changed nothing: at the end
        previous = shown;
        await s.page.keyboard.press('PageDown');
      }
      return undefined;
    };

    const deadline = Date.now() + timeoutMs;
    let nextScan = Date.now() + 1_000;
    let activationMs: number | undefined;
    while (Date.now() < deadline) {
      activationMs = num(ACTIVATED, await panelText().catch(() => ''));
      if (activationMs === undefined && Date.now() >= nextScan) {
        activationMs = await scan().catch(() => undefined);
        nextScan = Date.now() + 2_000;
      }
      if (activationMs !== undefined) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    let source: OneRun['source'] = 'output-panel';
    if (activationMs === undefined) {
      await s.screenshot('output-FAILED');
      activationMs = num(ACTIVATED, diskText());
      source = 'log-file';
    }
    if (activationMs === undefined) {
      const shown = await s.outputEditor
        .locator('.view-lines .view-line')
        .allTextContents()
        .catch(() => []);
      throw new Error(
        `no line matching ${ACTIVATED} in the "${CHANNEL}" output within ${timeoutMs / 1000} s; the Output panel shows:\n` + shown.slice(0, 30).join('\n'),
      );
    }

    // The server's start-up figure is logged a moment later; wait a little for it, but it is optional.
    let serverReadyMs: number | undefined;
    const readyDeadline = Date.now() + 10_000;
    while (serverReadyMs === undefined && Date.now() < readyDeadline) {
      serverReadyMs = num(SERVER_READY, await panelText().catch(() => '')) ?? num(SERVER_READY, diskText());
      if (serverReadyMs === undefined) await new Promise((r) => setTimeout(r, 250));
    }
    await s.screenshot('output');
    return { activationMs, ...(serverReadyMs !== undefined ? { serverReadyMs } : {}), source };
  } finally {
    s.saveLogs();
    await s.close();
  }
}

function median(xs: number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(a.length / 2);
  return a.length % 2 ? a[mid] : (a[mid - 1] + a[mid]) / 2;
}

// Direct run prints JSON. Not when loaded by `node --test` (which also runs this file for `node --test out/test/`).
if (require.main === module && !process.env.NODE_TEST_CONTEXT) {
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : 1;
  measureActivation({ runs: Number.isFinite(runs) ? runs : 1 }).then(
    (r) => {
      console.log(JSON.stringify(r));
    },
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    },
  );
}
