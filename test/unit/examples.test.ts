import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO } from './helpers';

// The demo's story (examples/README.md) holds: each file shows what the story says it shows, and nothing else.

const FTW = join(REPO, 'bin', 'ftw');
const ftw = (args: string[]) => spawnSync(process.execPath, [FTW, ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

describe('examples/: the files say what they are', () => {
  const problems = JSON.parse(ftw(['check', 'examples/', '--format', 'json', '--gpu', 'RTX 3060 12GB']).stdout) as Array<{
    file: string;
    code: string;
    message: string;
  }>;
  const codes = (file: string) => problems.filter((p) => p.file === file).map((p) => p.code);

  it('the good QLoRA config has no problem at all; the full fine-tune only does not fit the 3060', () => {
    assert.deepEqual(codes('examples/axolotl/qlora-llama3.yml'), []);
    assert.deepEqual(codes('examples/axolotl/full-finetune-deepspeed.yml'), ['FT401']);
  });

  it('mistakes.yml shows the mistakes the README names, starting with the lora_dropuot typo', () => {
    const messages = problems.filter((p) => p.file === 'examples/axolotl/mistakes.yml').map((p) => p.message);
    for (const m of [
      /Unknown key 'lora_dropuot'/,
      /'lora_r' must be >= 1/,
      /'llama-3' is not an allowed value/,
      /'output_dir' is empty/,
      /Duplicate key 'micro_batch_size'/,
    ]) {
      assert.ok(
        messages.some((x) => m.test(x)),
        `${m} in ${JSON.stringify(messages)}`,
      );
    }
  });

  it('qlora-llama3.yml is Llama 3.2 1B and fits a 12 GB RTX 3060, as its header and the README say', () => {
    const r = ftw(['vram', 'examples/axolotl/qlora-llama3.yml', '--gpu', 'RTX 3060 12GB', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const e = JSON.parse(r.stdout) as { setup: { model: string; method: string }; gpus: Array<{ fits: boolean }> };
    assert.deepEqual([e.setup.model, e.setup.method, e.gpus.map((g) => g.fits)], ['NousResearch/Llama-3.2-1B', 'qlora', [true]]);
    assert.match(
      readFileSync(join(REPO, 'examples', 'axolotl', 'qlora-llama3.yml'), 'utf8'),
      /^# QLoRA fine-tune of Llama 3\.2 1B .*fits a 12 GB RTX 3060\.$/m,
    );
    const readme = readFileSync(join(REPO, 'examples', 'README.md'), 'utf8');
    assert.match(readme, /`axolotl\/qlora-llama3\.yml`: QLoRA on Llama 3\.2 1B/);
    assert.doesNotMatch(readme, /8B model/);
  });
});
