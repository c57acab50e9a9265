// Lightning migration benchmarks (issue 4): a 10,000-line module checked in full and after a one-line edit
// (incremental parse), and `ftw check` over 100,000 lines of Python. Prints figures; does not fail.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { createConfigService } from '../../server/src/core/config';
import { recheckCounts } from '../../server/src/core/lightning/recheck';
import { lightningDiagnostics, LIGHTNING_NEWEST } from '../../server/src/core/lightning/service';
import { ConfigDocuments } from '../../server/src/documents';
import { DEFAULT_FINETUNE_SETTINGS } from '../../server/src/protocol';
import { loadPythonParser } from '../../server/src/pythonParser';
import { loadSchemas } from '../../server/src/schemaFiles';

const REPO = join(__dirname, '..', '..', '..');
const CORPUS = join(REPO, '..', 'shared', 'corpus', 'lightning');

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** A 10,000-line module: the corpus modules repeated, with their classes renamed apart. */
function bigModule(lines: number): string {
  const parts: string[] = [];
  let total = 0;
  let i = 0;
  const sources = ['cifar_convnet.py', 'seq_tagger_multi_val.py', 'wgan_gp.py', 'monitoring_callbacks.py'].map((f) => readFileSync(join(CORPUS, f), 'utf8'));
  while (total < lines) {
    const src = sources[i % sources.length].replace(/^class (\w+)/gm, `class $1_${i}`);
    parts.push(src);
    total += src.split('\n').length;
    i++;
  }
  return parts.join('\n');
}

async function main(): Promise<void> {
  const parser = await loadPythonParser();
  const version = { version: LIGHTNING_NEWEST, source: 'newest' };
  const text = bigModule(10_000);
  const lineCount = text.split('\n').length;
  const path = join(tmpdir(), 'big_module.py');
  const full: number[] = [];
  for (let n = 0; n < 25; n++) {
    const doc = TextDocument.create(`file://${path}`, 'python', n, `${text}\n# ${n}`);
    const t0 = performance.now();
    lightningDiagnostics(doc, { parser, path, version });
    if (n >= 5) full.push(performance.now() - t0);
  }
  // After a one-line edit, as the server does it (documents.ts): the open document changed by an incremental
  // content change, then its analysis (format detection, settings, the Lightning check with the kept tree and
  // the last check's findings). Only the debounce and the publishing are left out.
  const uri = `file://${path}`;
  let doc = TextDocument.create(uri, 'python', 0, text);
  const documents = new ConfigDocuments(
    createConfigService(loadSchemas(join(REPO, 'schemas'))),
    {
      getSettings: async () => DEFAULT_FINETUNE_SETTINGS,
      publish: () => undefined,
      notifyFormat: () => undefined,
      workspaceFolders: () => [],
      log: () => undefined,
    },
    (u) => (u === uri ? doc : undefined),
    () => [doc],
  );
  const first = await documents.analysis(uri);
  const inc: number[] = [];
  const lines = text.split('\n');
  const target = lines.findIndex((l) => l.includes('gpus='));
  const lineStart = lines.slice(0, target).reduce((n, l) => n + l.length + 1, 0);
  const counts = { ...recheckCounts };
  let diagnostics = first?.analysis.diagnostics.length ?? 0;
  for (let n = 0; n < 45; n++) {
    const line = lines[target];
    lines[target] = line.replace(/max_epochs=\d+|gpus=/, (m) => (m === 'gpus=' ? `max_epochs=${n}, gpus=` : `max_epochs=${n}`));
    const t0 = performance.now();
    doc = TextDocument.update(
      doc,
      [{ range: { start: { line: target, character: 0 }, end: { line: target, character: line.length } }, text: lines[target] }],
      n + 1,
    );
    const result = await documents.analysis(uri);
    if (n >= 5) inc.push(performance.now() - t0);
    diagnostics = result?.analysis.diagnostics.length ?? 0;
  }
  if (doc.offsetAt({ line: target, character: 0 }) !== lineStart || !diagnostics) throw new Error('the edit missed its line, or the check found nothing');
  const statements = recheckCounts.statement - counts.statement;
  // ftw check over 100,000 lines: ten 10,000-line files.
  const dir = mkdtempSync(join(tmpdir(), 'ftw-bench-py-'));
  mkdirSync(dir, { recursive: true });
  for (let n = 0; n < 10; n++) writeFileSync(join(dir, `module_${n}.py`), bigModule(10_000));
  const t0 = performance.now();
  spawnSync(process.execPath, [join(REPO, 'bin', 'ftw'), 'check', dir, '--format', 'json'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const cli = performance.now() - t0;
  const rows = [
    ['full check, 10,000-line module', `${percentile(full, 50).toFixed(1)} ms`, `${percentile(full, 95).toFixed(1)} ms`, '< 100 ms'],
    ['re-check after a one-line edit (server path)', `${percentile(inc, 50).toFixed(1)} ms`, `${percentile(inc, 95).toFixed(1)} ms`, '< 10 ms'],
    ['ftw check, 100,000 lines (10 files)', `${(cli / 1000).toFixed(2)} s`, '', '< 3 s'],
  ];
  console.log(
    `\nLightning migration (${lineCount} lines per module, ${diagnostics} diagnostics; Node ${process.version}; ${statements} of 45 edits re-checked one statement)\n`,
  );
  for (const r of rows) console.log(`${r[0].padEnd(48)} p50 ${r[1].padStart(9)}  p95 ${r[2].padStart(9)}  target ${r[3]}`);
  mkdirSync(join(REPO, 'out', 'bench'), { recursive: true });
  writeFileSync(
    join(REPO, 'out', 'bench', 'lightning.json'),
    `${JSON.stringify({ lineCount, full, incremental: inc, statementRechecks: statements, cliMs: cli }, null, 2)}\n`,
  );
}

if (!process.execArgv.includes('--test') && require.main === module) void main();
