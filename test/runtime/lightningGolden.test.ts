import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { PythonParser } from '../../server/src/core/lightning/python';
import { lightningDiagnostics, LIGHTNING_NEWEST } from '../../server/src/core/lightning/service';
import { loadPythonParser } from '../../server/src/pythonParser';
import { applyFixes } from '../unit/lightningFix.test';
import { NO_INDEX, runtimePython } from './pythonEnv';

// Our golden modules whose fixes could change meaning, migrated by fix-all and run under a real Lightning 2.x:
// test/runtime/check_golden.py asserts that each still does what its 1.x code did.
const REPO = join(__dirname, '..', '..', '..');
const GOLDEN = join(REPO, 'test', 'golden', 'lightning');
const MODULES = ['checkpoint_callback', 'multi_loader_epoch_end', 'signatures'];

const gate = process.env['FTW_SKIP_RUNTIME'] === '1' ? { skip: 'FTW_SKIP_RUNTIME=1' } : {};

describe('migrated golden modules keep their 1.x meaning under Lightning 2.x', gate, () => {
  let parser: PythonParser;
  let python: string | null = null;
  let dir: string;

  before(async () => {
    parser = await loadPythonParser();
    python = runtimePython();
    if (!python) console.warn(NO_INDEX);
    dir = mkdtempSync(join(tmpdir(), 'ftw-golden-'));
    const version = { version: LIGHTNING_NEWEST, source: 'newest' };
    for (const name of MODULES) {
      const path = join(GOLDEN, `${name}.py`);
      const text = readFileSync(path, 'utf8');
      const diagnostics = lightningDiagnostics(TextDocument.create(`file://${path}`, 'python', 1, text), { parser, path, version });
      writeFileSync(join(dir, `${name}.py`), applyFixes(text, diagnostics));
    }
  });

  for (const name of MODULES) {
    it(name, (t) => {
      if (!python) return t.skip('no Lightning 2.x available here');
      const r = spawnSync(python, [join(REPO, 'test', 'runtime', 'check_golden.py'), dir, name], { encoding: 'utf8', timeout: 300_000 });
      const line = r.stdout.trim().split('\n').pop() ?? '{}';
      const result = JSON.parse(line.startsWith('{') ? line : '{"ok": false, "error": "no result"}') as { ok: boolean; error?: string; trace?: string };
      assert.ok(result.ok, `${result.error}\n${result.trace ?? r.stderr.slice(-1200)}`);
    });
  }
});
