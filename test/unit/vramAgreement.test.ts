/**
 * One answer everywhere (issue 13): for model × GPU × method, New Training Config / `ftw new` (newConfig), `ftw vram`
 * on the config they start from, and the editor (FT401's message, the code lens's breakdown) say the same thing: the
 * same verdict, the same answers in the same order, and a generated config that `ftw vram` says fits.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../server/src/core/config';
import { newConfig } from '../../server/src/core/generate/generate';
import { findGpu } from '../../server/src/core/gpus/catalog';
import { vramBreakdown } from '../../server/src/core/vram/editor';
import type { Method } from '../../server/src/core/vram/setup';
import { doc, REPO, service } from './helpers';

const MODELS = ['meta-llama/Llama-3.2-1B', 'meta-llama/Llama-3.1-8B', 'meta-llama/Llama-3.1-70B'];
const GPUS = ['RTX 3060 12GB', 'RTX 3090 24GB', 'RTX 4090 24GB', 'A100 80GB'];
const METHODS: Method[] = ['lora', 'qlora', 'full'];
const FTW = join(REPO, 'bin', 'ftw');
const dir = mkdtempSync(join(tmpdir(), 'ftw-agree-'));

function analyzeOn(text: string, gpu: string) {
  const d = doc(text, '/w/train.yml');
  return service().analyze(d, { settings: DEFAULT_SETTINGS, roots: ['/w'], vram: { targets: [findGpu(gpu)!], targetsAreReal: true, lookup: {} } });
}

function ftwVram(text: string, gpu: string): { status: number | null; stdout: string } {
  const file = join(dir, 'train.yml');
  writeFileSync(file, text);
  const r = spawnSync(process.execPath, [FTW, 'vram', file, '--gpu', gpu], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FTW_NVIDIA_SMI: '/bin/false' },
  });
  return { status: r.status, stdout: r.stdout };
}

describe('the same answer from the wizard, ftw new, ftw vram and the editor', () => {
  for (const model of MODELS) {
    for (const method of METHODS) {
      it(`${model} with ${method}: ${GPUS.join(', ')}`, () => {
        for (const gpu of GPUS) {
          const where = `${model} ${method} on ${gpu}`;
          const r = newConfig({ approach: 'prompt-template', method, model, gpu, format: 'axolotl' });
          const start = r.ok ? r.config.startText : r.startText;
          assert.ok(start, `${where}: ${r.ok ? '' : r.message}`);
          // The editor and ftw vram on the config the wizard started from.
          const a = analyzeOn(start, gpu);
          const plan = a.vram?.plan;
          const answers = plan?.answers.map((x) => x.description) ?? [];
          const cli = ftwVram(start, gpu);
          const md = vramBreakdown(a)!;
          for (const line of answers) {
            assert.ok(cli.stdout.includes(`: ${line}\n`), `${where}: ftw vram does not say "${line}":\n${cli.stdout}`);
            assert.ok(md.includes(`: ${line}\n`), `${where}: the breakdown does not say "${line}"`);
          }
          const ft = a.diagnostics.find((d) => d.code === 'FT401' || d.code === 'FT404');
          if (plan && plan.verdict !== 'fits') {
            assert.ok(ft, `${where}: no FT401/FT404`);
            for (const line of answers) assert.ok(ft.message.includes(line), `${where}: FT401 does not say "${line}"`);
          }
          if (!r.ok) {
            // Nothing the wizard may apply fits: it lists the planner's answers, word for word and in order.
            assert.equal(r.kind, 'does-not-fit', `${where}: ${r.message}`);
            assert.deepEqual(
              r.suggestions.map((s) => answers.find((x) => s.startsWith(x))),
              answers,
              `${where}:\n${r.suggestions.join('\n')}`,
            );
            assert.equal(cli.status, 1, where);
            continue;
          }
          // The wizard applied the planner's answer for its starting config (or nothing, when that fits)...
          const own = plan?.answers.find((x) => x.kind === 'config');
          const k = r.config.knobs;
          if (plan && plan.verdict !== 'fits') {
            assert.ok(own, where);
            assert.deepEqual(
              [k.microBatch, k.sequenceLength, k.checkpointing],
              [own.setup.microBatchSize, own.setup.sequenceLength, own.setup.gradientCheckpointing],
              where,
            );
          } else assert.deepEqual([k.microBatch, k.checkpointing], [4, false], where);
          // ... and the config it wrote fits by every account.
          const written = analyzeOn(r.config.text, gpu);
          assert.equal(written.vram?.estimate?.gpus[0]?.verdict, 'fits', `${where}: the written config`);
          assert.equal(
            written.diagnostics.find((d) => d.code === 'FT401' || d.code === 'FT404'),
            undefined,
            where,
          );
          assert.equal(ftwVram(r.config.text, gpu).status, 0, where);
        }
      });
    }
  }
});
