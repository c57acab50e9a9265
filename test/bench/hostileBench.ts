// Issue 12's pathological files and issue 14's vocabularies: how long `ftw check` takes on each (a fresh process, wall clock), and how long the
// server takes from didOpen to the first diagnostics (one server, a fresh document each time). Medians of 5.
//   npm run compile && node out/test/bench/hostileBench.js
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO, TestClient } from '../lsp/client';
import { mergeBomb, unclosedBraces } from '../unit/hostileTexts';

const RUNS = 5;

function vocabJson(tokens: number): string {
  const o: Record<string, number> = { stage: 0, template: 1, cutoff_len: 2, constructor: 3 };
  for (let i = 0; i < tokens; i++) o[`\u0120tok${i.toString(36)}`] = 4 + i;
  return JSON.stringify(o);
}

function vocabYaml(lines: number): string {
  const out = ['stage: 0', 'template: 1', 'cutoff_len: 2'];
  for (let i = 0; i < lines; i++) out.push(`tok${i}: ${i + 3}`);
  return `${out.join('\n')}\n`;
}
const dir = mkdtempSync(join(tmpdir(), 'ftw-hostile-bench-'));
const AXOLOTL = 'base_model: NousResearch/Llama-3.2-1B\nmicro_batch_size: 2\nlearning_rate: 0.0002\ndatasets:\n  - path: x\n    type: alpaca\n';

const files: Array<[string, string, string]> = [
  ['merge bomb (7 lines of 9 merges)', 'merge.yml', `# ftw: format=axolotl\nbase_model: NousResearch/Llama-3.2-1B\n${mergeBomb()}`],
  ['unclosed braces, 24 KiB', 'braces24.yml', unclosedBraces(24)],
  ['unclosed braces, 38 KiB', 'braces38.yml', unclosedBraces(38)],
  ['unclosed braces, 1 MiB', 'braces1m.yml', unclosedBraces(1000)],
  ['deepspeed: a FIFO', 'fifo.yml', `${AXOLOTL}deepspeed: ds.json\n`],
  ['deepspeed: a symlink to /dev/zero', 'zero.yml', `${AXOLOTL}deepspeed: zero.json\n`],
  [
    '1 MB single-line DeepSpeed JSON',
    'ds_config.json',
    `{"zero_optimization": {"stage": 2}, "train_micro_batch_size_per_gpu": 2, "_comment": "${'x'.repeat(1_000_000)}"}`,
  ],
  // Issue 14: tokenizer vocabularies whose tokens include config keys (not configs: no diagnostics).
  ['tokenizer vocab.json, 45,000 tokens', 'vocab.json', vocabJson(45_000)],
  ['tokenizer vocab.yaml, 60,000 lines', 'vocab.yaml', vocabYaml(60_000)],
];
for (const [, name, text] of files) writeFileSync(join(dir, name), text);
spawnSync('mkfifo', [join(dir, 'ds.json')]);
symlinkSync('/dev/zero', join(dir, 'zero.json'));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const rows: string[] = [];
  const client = new TestClient();
  await client.initialize(pathToFileURL(dir).toString());
  for (const [label, name, text] of files) {
    const cli: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      spawnSync(process.execPath, [join(REPO, 'bin', 'ftw'), 'check', name], {
        cwd: dir,
        timeout: 120_000,
        env: { ...process.env, FTW_NVIDIA_SMI: '/bin/false' },
      });
      cli.push(performance.now() - started);
    }
    const server: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const uri = `${pathToFileURL(join(dir, name)).toString()}?run=${i}`;
      const pending = client.diagnostics(uri, () => true, 120_000);
      const started = performance.now();
      await client.open(uri, text, name.endsWith('.json') ? 'json' : 'yaml');
      await pending;
      server.push(performance.now() - started);
      await client.close(uri);
    }
    rows.push(`| ${label} | ${Math.round(text.length / 1024)} KiB | ${Math.round(median(cli))} ms | ${Math.round(median(server))} ms |`);
  }
  await client.shutdown();
  console.log(['| File | Size | `ftw check` (process) | server didOpen→diagnostics |', '|---|---|---|---|', ...rows].join('\n'));
}

void main();
