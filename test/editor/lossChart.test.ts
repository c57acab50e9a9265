/**
 * The loss chart in real VS Code (code-server): train.py is launched twice (two runs of the same config, each
 * logging 30 noisy Hugging Face-style losses, a learning rate and an eval loss every 10 steps); the chart of the
 * second run shows both runs side by side in uPlot, with TensorBoard smoothing. Judged on the page (runs list,
 * uPlot's legend, the canvas, the hover read-out where smoothed and raw values differ) and by a screenshot,
 * .test-tmp/editor/loss-chart-NN-two-runs.png.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { launchActive, Session, step, waitUntil } from './harness';

// Each run counts itself in runs.txt: run 2's noise differs from run 1's, so the two curves are told apart.
const TRAIN_PY = [
  'import math, os, time',
  '',
  "n = int(open('runs.txt').read()) + 1 if os.path.exists('runs.txt') else 1",
  "open('runs.txt', 'w').write(str(n))",
  'for i in range(1, 31):',
  '    noise = ((i * (2 * n + 1)) % 7 - 3) / 10',
  "    print({'loss': round(2.0 * math.exp(-i / 12) + 0.4 + noise, 4), 'learning_rate': 5e-05 * (1 - i / 30), 'epoch': i / 30}, flush=True)",
  '    if i % 10 == 0:',
  "        print({'eval_loss': round(2.0 * math.exp(-i / 12) + 0.55, 4), 'epoch': i / 30}, flush=True)",
  '    time.sleep(0.05)',
  '',
].join('\n');

describe('Loss chart: two runs of one config, smoothed (code-server 4.99.4)', { timeout: 300_000 }, () => {
  let s: Session | undefined;
  before(
    async () => {
      // The chart is opened by the command below, once, so a single webview is on screen.
      s = new Session({ name: 'loss-chart', files: { 'train.py': TRAIN_PY }, settings: { 'finetune.jobs.openLossChart': false } });
      await s.start();
    },
    { timeout: 240_000 },
  );
  after(async () => {
    await s?.close();
  });

  it('two runs of train.py finish (exit 0)', { timeout: 120_000 }, () =>
    step(s, 'two-runs', async (s) => {
      await s.openFile('train.py');
      for (const n of [1, 2]) {
        await launchActive(s);
        await s.runCommand('Focus on Training Jobs View');
        const done = s.page.locator('.monaco-list-row', { hasText: /train\.py/ }).filter({ hasText: /exit 0/ });
        await waitUntil(
          async () => (await done.count()) >= n,
          45_000,
          async () =>
            `run ${n} did not finish with exit 0; rows: ${JSON.stringify(
              await s.page
                .locator('.pane-body .monaco-list-row')
                .allInnerTexts()
                .catch(() => []),
            )}`,
        );
        await s.openFile('train.py');
      }
    }),
  );

  it('the chart shows both runs, the smoothed loss beside the raw one, and the hover read-out', { timeout: 90_000 }, () =>
    step(s, 'chart', async (s) => {
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
      const body = s.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame').locator('body');
      const runs = body.locator('#runs li');
      await waitUntil(
        async () => (await runs.count()) === 2,
        30_000,
        async () => `the chart should list two runs; it shows: ${JSON.stringify(await body.innerText({ timeout: 1000 }).catch(() => '(no webview frame)'))}`,
      );
      const [first, second] = (await runs.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      assert.match(first ?? '', /^run 1 · \d\d:\d\d:\d\d · 33 points · last loss [\d.]+$/, first);
      assert.match(second ?? '', /^run 2 · \d\d:\d\d:\d\d \(this job\) · 33 points · last loss [\d.]+$/, second);
      assert.match(await body.locator('#summary').innerText(), /^33 points · step 30 · loss [\d.]+ · eval loss [\d.]+$/);

      // uPlot drew it: one canvas, and its legend names every series of both runs.
      assert.equal(await body.locator('#chart canvas').count(), 1);
      assert.equal(await body.locator('#chart').getAttribute('data-runs'), '2');
      const legend = (await body.locator('.u-legend').innerText()).replace(/\s+/g, ' ');
      for (const run of ['run 1', 'run 2'])
        for (const series of ['loss (raw)', 'loss', 'eval loss', 'learning rate'])
          assert.ok(
            legend.includes(`${run} · `) && new RegExp(`${run} · \\d\\d:\\d\\d:\\d\\d · ${series.replace(/[()]/g, '\\$&')}`).test(legend),
            `legend lacks "${run} · … · ${series}": ${legend}`,
          );

      // Heavier smoothing than the default, then the read-out under the cursor: smoothed ≠ raw for both runs.
      await body.locator('#smoothing').fill('0.9');
      await waitUntil(
        async () => (await body.locator('#chart').getAttribute('data-smoothing')) === '0.9',
        5000,
        async () => 'the slider did not reach the page',
      );
      assert.equal(await body.locator('#smoothing-value').innerText(), '0.900');
      const over = body.locator('#chart .u-over');
      const box = await over.boundingBox();
      assert.ok(box, 'uPlot has no plotting area');
      await over.hover({ position: { x: box.width * 0.6, y: box.height / 2 } });
      const readout = await body.locator('#readout').innerText();
      const pairs = [...readout.matchAll(/(run \d) · [\d:]+ loss ([\d.e-]+) \(raw ([\d.e-]+)\)/g)].map((m) => [m[1], Number(m[2]), Number(m[3])] as const);
      assert.deepEqual(
        pairs.map((p) => p[0]),
        ['run 1', 'run 2'],
        readout,
      );
      for (const [run, smoothed, raw] of pairs) assert.notEqual(smoothed, raw, `${run}: smoothing changed nothing (${readout})`);
      assert.match(readout, /^step \d+ · /);

      const shot = await s.screenshot('two-runs');
      assert.ok(shot && fs.statSync(shot).size > 10_000, `no screenshot written (${shot})`);
    }),
  );

  it('zoom: a drag narrows the steps, Reset zoom shows them all again; log scale redraws', { timeout: 60_000 }, () =>
    step(s, 'zoom', async (s) => {
      const body = s.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame').locator('body');
      assert.equal(await body.locator('#chart').getAttribute('data-zoomed'), 'false', 'not zoomed before the drag');
      assert.equal(await body.locator('#reset-zoom').isEnabled(), false);
      const over = body.locator('#chart .u-over');
      const box = (await over.boundingBox())!;
      await s.page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
      await s.page.mouse.down();
      await s.page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 8 });
      await s.page.mouse.up();
      await waitUntil(
        async () => (await body.locator('#chart').getAttribute('data-zoomed')) === 'true',
        5000,
        async () => 'the drag did not zoom',
      );
      assert.equal(await body.locator('#reset-zoom').isEnabled(), true);
      await body.locator('#reset-zoom').click();
      await waitUntil(
        async () => (await body.locator('#chart').getAttribute('data-zoomed')) === 'false',
        5000,
        async () => 'Reset zoom did not show every step',
      );
      await body.locator('#log-scale').check();
      await waitUntil(
        async () => (await body.locator('#chart').getAttribute('data-log')) === 'true',
        5000,
        async () => 'the log scale did not apply',
      );
      assert.equal(await body.locator('#chart canvas').count(), 1);
      await s.screenshot('log-scale');
    }),
  );
});
