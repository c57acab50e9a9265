import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, TextEdit } from 'vscode-languageserver-types';
import { fixesOf } from '../../server/src/core/config';
import type { PythonParser } from '../../server/src/core/lightning/python';
import { lightningDiagnostics, LIGHTNING_NEWEST } from '../../server/src/core/lightning/service';
import { loadPythonParser } from '../../server/src/pythonParser';
import { REPO } from './helpers';

const GOLDEN = join(REPO, 'test', 'golden', 'lightning');
const NEWEST = { version: LIGHTNING_NEWEST, source: 'newest' };

/** What fix-all does: the first fix of every diagnostic, without overlapping edits, in one pass. */
export function applyFixes(text: string, diagnostics: Diagnostic[]): string {
  const doc = TextDocument.create('file:///x.py', 'python', 1, text);
  const chosen: TextEdit[] = [];
  const span = (e: TextEdit) => [doc.offsetAt(e.range.start), doc.offsetAt(e.range.end)] as const;
  for (const d of diagnostics) {
    const fix = fixesOf(d)[0];
    if (!fix) continue;
    const overlaps = fix.edits.some((e) =>
      chosen.some((c) => {
        const [a0, a1] = span(e);
        const [b0, b1] = span(c);
        return a0 < b1 && b0 < a1;
      }),
    );
    if (!overlaps) chosen.push(...fix.edits);
  }
  return TextDocument.applyEdits(doc, chosen);
}

function pythonCompiles(source: string): { ok: boolean; output: string } | null {
  const probe = spawnSync('python3', ['--version']);
  if (probe.status !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'ftw-py-'));
  const file = join(dir, 'migrated.py');
  writeFileSync(file, source);
  const r = spawnSync('python3', ['-m', 'py_compile', file], { encoding: 'utf8' });
  return { ok: r.status === 0, output: r.stderr };
}

describe('Lightning migrations: golden files', () => {
  let parser: PythonParser;
  before(async () => {
    parser = await loadPythonParser();
  });

  for (const input of readdirSync(GOLDEN).filter((f) => f.endsWith('.py') && !f.endsWith('.expected.py'))) {
    it(input, () => {
      const source = readFileSync(join(GOLDEN, input), 'utf8');
      const expected = readFileSync(join(GOLDEN, input.replace(/\.py$/, '.expected.py')), 'utf8');
      const path = join(GOLDEN, input);
      const diagnose = (text: string) => lightningDiagnostics(TextDocument.create(`file://${path}`, 'python', 1, text), { parser, path, version: NEWEST });
      const migrated = applyFixes(source, diagnose(source));
      assert.equal(migrated, expected);
      const blank = (t: string) => t.split('\n').filter((l) => /^[ \t]+$/.test(l)).length;
      assert.ok(blank(migrated) <= blank(source), 'no whitespace-only line left behind');
      const tree = parser.parse(migrated)!;
      assert.equal(tree.rootNode.hasError, false, 'the migrated code parses');
      tree.delete();
      const compiled = pythonCompiles(migrated);
      if (compiled) assert.ok(compiled.ok, compiled.output);
      else console.warn('python3 not found: py_compile check skipped');
      assert.deepEqual(
        diagnose(migrated)
          .filter((d) => fixesOf(d).length)
          .map((d) => d.message),
        [],
        'nothing left to fix',
      );
      assert.equal(applyFixes(migrated, diagnose(migrated)), migrated, 'a second run changes nothing');
    });
  }
});
