import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import type { PythonParser } from '../../server/src/core/lightning/python';
import { lightningDiagnostics, LIGHTNING_NEWEST } from '../../server/src/core/lightning/service';
import { loadPythonParser } from '../../server/src/pythonParser';
import { CORPUS, needsCorpus } from '../corpus';
import { applyFixes } from '../unit/lightningFix.test';
import { NO_INDEX, runtimePython } from './pythonEnv';

// The migrated corpus modules (the conformance corpus's lightning/), run under a real Lightning 2.x (CPU torch from
// this machine's local package index, test/runtime/pythonEnv.ts). Slow (about a minute the first time):
// FTW_SKIP_RUNTIME=1.
const REPO = join(__dirname, '..', '..', '..');

const gate =
  process.env['FTW_SKIP_RUNTIME'] === '1' ? { skip: 'FTW_SKIP_RUNTIME=1' } : needsCorpus('the migrated legacy Lightning modules under Lightning 2.x');

describe('migrated corpus modules under Lightning 2.x', gate, () => {
  const modules = join(CORPUS!, 'lightning');
  let parser: PythonParser;
  let python: string | null = null;
  let dir: string;
  const report: string[] = [];
  const remainingErrors = new Map<string, string[]>();

  before(async () => {
    parser = await loadPythonParser();
    python = runtimePython();
    if (!python) console.warn(NO_INDEX);
    dir = mkdtempSync(join(tmpdir(), 'ftw-migrated-'));
    cpSync(modules, dir, { recursive: true });
    const version = { version: LIGHTNING_NEWEST, source: 'newest' };
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.py'))) {
      const path = join(dir, file);
      const text = readFileSync(path, 'utf8');
      const diagnose = (t: string) => lightningDiagnostics(TextDocument.create(`file://${path}`, 'python', 1, t), { parser, path, version });
      const migrated = applyFixes(text, diagnose(text));
      writeFileSync(path, migrated);
      remainingErrors.set(
        file,
        diagnose(migrated)
          .filter((d) => d.severity === DiagnosticSeverity.Error)
          .map((d) => `${d.range.start.line + 1}: ${d.message.slice(0, 90)}`),
      );
    }
  });

  for (const file of readdirSync(modules)
    .filter((f) => f.endsWith('.py'))
    .sort()) {
    it(file, (t) => {
      if (!python) return t.skip('no Lightning 2.x available here');
      if (!readFileSync(join(dir, file), 'utf8').includes('def build(')) return t.skip('no build() (it needs transformers)');
      const r = spawnSync(python, [join(__dirname, '..', '..', '..', 'test', 'runtime', 'run_module.py'), dir, file.replace(/\.py$/, '')], {
        encoding: 'utf8',
        timeout: 300_000,
      });
      const line = r.stdout.trim().split('\n').pop() ?? '{}';
      const result = JSON.parse(line.startsWith('{') ? line : '{"ok": false, "stage": "crash", "error": "no result"}') as {
        ok: boolean;
        stage: string;
        error?: string;
      };
      const remaining = remainingErrors.get(file) ?? [];
      report.push(
        `${file}: ${result.ok ? 'ran fit/validate/test' : `stopped at ${result.stage} (${result.error})`}; ${remaining.length} error(s) still reported after fix-all`,
      );
      if (result.ok) return;
      // A migrated module may still fail, but only where the checker still reports an error for a human to fix.
      assert.ok(remaining.length > 0, `${file} failed under Lightning 2.x although nothing is reported: ${result.error}`);
    });
  }

  it('summary', () => {
    console.log(`\nLightning 2.x run of the migrated corpus modules:\n  ${report.join('\n  ')}\n`);
    if (report.length) writeFileSync(join(REPO, 'out', 'lightning-runtime.txt'), `${report.join('\n')}\n`);
  });
});
