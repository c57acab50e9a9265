import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import { CORPUS, needsCorpus } from '../corpus';
import { analyze } from './helpers';

// Real public configs (the conformance corpus, test/corpus.ts). Every file must pass without an error-level
// diagnostic, except the real mistakes listed in known-issues.tsv, each of which must be reported on its line.

const SUITE = 'real public configs (no false errors, every known mistake reported) and unrelated YAML/JSON (silent)';

interface KnownIssue {
  file: string;
  line: number;
  problem: string;
}

function knownIssues(): KnownIssue[] {
  return readFileSync(join(CORPUS!, 'configs', 'known-issues.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((row) => {
      const [file, line, problem] = row.split('\t');
      return { file: file, line: Number(line), problem: problem };
    });
}

function filesIn(folder: string): string[] {
  return readdirSync(join(CORPUS!, folder))
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort();
}

function analyzeFile(folder: string, file: string) {
  const path = join(CORPUS!, folder, file);
  return analyze(readFileSync(path, 'utf8'), path);
}

for (const format of ['axolotl', 'deepspeed', 'llamafactory', 'trl', 'torchtune', 'lightning-cli', 'accelerate']) {
  describe(`corpus: ${format}`, needsCorpus(SUITE), () => {
    const issues = knownIssues().filter((k) => k.file.startsWith(`${format}/`));
    for (const file of filesIn(`configs/${format}`)) {
      it(file, () => {
        const a = analyzeFile(`configs/${format}`, file);
        assert.equal(a.detection.format, format, `detected as ${a.detection.format}: ${a.detection.reason}`);
        const mine = issues.filter((k) => k.file === `${format}/${file}`);
        const expectedLines = new Set(mine.map((k) => k.line - 1));
        const unexpectedErrors = a.diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error && !expectedLines.has(d.range.start.line));
        assert.deepEqual(
          unexpectedErrors.map((d) => `${d.range.start.line + 1}: ${d.code} ${d.message}`),
          [],
          'no false errors',
        );
        for (const k of mine) {
          assert.ok(
            a.diagnostics.some((d) => d.range.start.line === k.line - 1),
            `line ${k.line} must be reported: ${k.problem}`,
          );
        }
      });
    }
  });
}

describe('corpus: unrelated YAML and JSON stays silent', needsCorpus(SUITE), () => {
  for (const file of filesIn('unrelated')) {
    it(file, () => {
      const a = analyzeFile('unrelated', file);
      assert.equal(a.detection.format, 'none', a.detection.reason);
      assert.deepEqual(a.diagnostics, []);
    });
  }
});
