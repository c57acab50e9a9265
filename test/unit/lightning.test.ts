import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { PythonParser } from '../../server/src/core/lightning/python';
import { lightningDiagnostics, LIGHTNING_NEWEST } from '../../server/src/core/lightning/service';
import { loadPythonParser } from '../../server/src/pythonParser';
import { corpusPath, needsCorpus } from '../corpus';
import { REPO } from './helpers';

// The legacy Lightning modules of the conformance corpus (lightning/), each with the lines that must be flagged and
// the look-alike lines (comments, strings, other classes, transformers.Trainer, compatibility shims) that must not.
const DISK = {
  read: (p: string) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  },
};

interface Expect {
  flagged: Array<{ line: number; api: string }>;
  not_flagged_lines: number[];
  lightning_pin: string | null;
}

describe('Lightning 1.x APIs in the corpus modules', needsCorpus('legacy Lightning modules: every 1.x API flagged, no look-alike'), () => {
  const DIR = corpusPath('lightning');
  let parser: PythonParser;
  before(async () => {
    parser = await loadPythonParser();
  });

  for (const file of readdirSync(DIR)
    .filter((f) => f.endsWith('.py'))
    .sort()) {
    it(file, () => {
      const expect = JSON.parse(readFileSync(join(DIR, file.replace(/\.py$/, '.expect.json')), 'utf8')) as Expect;
      const path = join(DIR, file);
      const doc = TextDocument.create(`file://${path}`, 'python', 1, readFileSync(path, 'utf8'));
      const pin = expect.lightning_pin;
      const version =
        pin && pin !== '2.x'
          ? { version: pin, source: 'requirements.txt' }
          : { version: pin === '2.x' ? '2.6.0' : LIGHTNING_NEWEST, source: pin ? 'requirements.txt' : 'newest' };
      const diagnostics = lightningDiagnostics(doc, { parser, path, files: DISK, version });
      const lines = new Set(diagnostics.map((d) => d.range.start.line + 1));
      const missed = expect.flagged.filter((f) => !lines.has(f.line)).map((f) => `${f.line} ${f.api}`);
      const wrong = expect.not_flagged_lines.filter((l) => lines.has(l)).map((l) => `${l}: ${diagnostics.find((d) => d.range.start.line + 1 === l)!.message}`);
      assert.deepEqual({ missed, wrong }, { missed: [], wrong: [] });
      for (const d of diagnostics) {
        // FT309, a default 2.x changed, is information: nothing there is deprecated.
        if (d.code === 'FT309') {
          assert.equal(d.severity, 3);
          continue;
        }
        assert.deepEqual(d.tags, [2], 'Deprecated tag');
        assert.match(String(d.code), /^FT30\d$/);
        if (pin && pin.startsWith('1.')) assert.equal(d.severity, 2, 'pinned 1.x: a warning that the code breaks on upgrade');
      }
    });
  }
});

describe('incremental Python parsing', () => {
  it('gives the same tree and findings as a fresh parse, edit after edit', async () => {
    const parser = await loadPythonParser();
    const { IncrementalPython } = await import('../../server/src/core/lightning/incremental');
    const incremental = new IncrementalPython(parser);
    const path = join(REPO, 'test', 'golden', 'lightning', 'epoch_end.py');
    let text = readFileSync(path, 'utf8');
    const version = { version: LIGHTNING_NEWEST, source: 'newest' };
    const edits: Array<(t: string) => string> = [
      (t) => t.replace('gpus=', 'gpus ='),
      (t) => t.replace('def training_step', 'def training_step_renamed'),
      (t) => `# a new first line, with é and emoji 🚀\n${t}`,
      (t) => t.replace(/\n\s*$/, '\n\nclass Extra(pl.LightningModule):\n    def on_epoch_end(self):\n        pass\n'),
      (t) => t.slice(0, Math.floor(t.length / 2)), // broken mid-file
      (t) => t,
    ];
    for (const edit of edits) {
      text = edit(text);
      const doc = TextDocument.create(`file://${path}`, 'python', 1, text);
      const a = lightningDiagnostics(doc, { parser, path, version, incremental });
      const b = lightningDiagnostics(doc, { parser, path, version });
      assert.deepEqual(a, b);
      const t1 = incremental.parse(`file://${path}#check`, text)!;
      const t2 = parser.parse(text)!;
      assert.equal(t1.rootNode.toString(), t2.rootNode.toString());
      t1.delete();
      t2.delete();
    }
  });
});
