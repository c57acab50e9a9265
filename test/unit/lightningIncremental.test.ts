import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { IncrementalPython } from '../../server/src/core/lightning/incremental';
import type { PythonParser } from '../../server/src/core/lightning/python';
import { recheckCounts } from '../../server/src/core/lightning/recheck';
import { lightningDiagnostics, LIGHTNING_NEWEST } from '../../server/src/core/lightning/service';
import { loadPythonParser } from '../../server/src/pythonParser';
import { CORPUS, needsCorpus } from '../corpus';
import { REPO } from './helpers';

// The check after an edit (one top-level statement re-checked, or the whole file when that is not safe) gives,
// after every edit of seeded random and targeted sequences, what a check from scratch gives: the same
// diagnostics, fixes and order, byte for byte.

const GOLDEN = join(REPO, 'test', 'golden', 'lightning');
const DISK = {
  read: (p: string) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  },
};
const VERSION = { version: LIGHTNING_NEWEST, source: 'newest' };

/** mulberry32: a small seeded PRNG, so that every run makes the same edits. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Edit = (text: string) => string;

function replaceFirst(pattern: RegExp, by: string | ((m: string) => string)): Edit {
  return (t) => t.replace(pattern, by as string);
}

/** Offset of the start of line `n` (0-based; the end of the text past the last line). */
function lineOffset(text: string, n: number): number {
  let at = 0;
  for (let i = 0; i < n; i++) {
    const next = text.indexOf('\n', at);
    if (next < 0) return text.length;
    at = next + 1;
  }
  return at;
}

/** Typing `typed` one character at a time at `offset`. */
function typing(offset: (text: string) => number, typed: string): Edit[] {
  return [...typed].map((_, i) => (t: string) => {
    const at = offset(t) + i;
    return t.slice(0, at) + typed[i] + t.slice(at);
  });
}

/** The line after the first `def <name>` line: inside that method's body. */
function afterDef(text: string): number {
  const m = /\n([ \t]+)def \w+\([^)]*\)[^\n]*:\n/.exec(text);
  return m ? m.index + m[0].length : text.length;
}

function targeted(text: string): Edit[] {
  const firstClass = /^class (\w+)/m.exec(text)?.[1] ?? 'Missing';
  const edits: Edit[] = [
    // Typing inside a method body, a character at a time.
    ...typing(afterDef, '        y = self.trainer.num_gpus\n'),
    // An import added, then removed.
    (t) => `import os\nfrom pytorch_lightning.callbacks import GPUStatsMonitor\n${t}`,
    (t) => t.replace('import os\nfrom pytorch_lightning.callbacks import GPUStatsMonitor\n', ''),
    // A Lightning import removed and put back.
    replaceFirst(/^(import (?:pytorch_)?lightning[^\n]*)$/m, '# $1'),
    replaceFirst(/^# (import (?:pytorch_)?lightning[^\n]*)$/m, '$1'),
    // A class another derives from, and the base of a class renamed.
    (t) => `${t.replace(/\n*$/, '\n')}\n\nclass Derived${firstClass}(${firstClass}):\n    def training_epoch_end(self, outputs):\n        return outputs\n`,
    replaceFirst(new RegExp(`^class ${firstClass}\\(([^)]*)\\)`, 'm'), `class ${firstClass}(object)`),
    replaceFirst(new RegExp(`^class ${firstClass}\\(object\\)`, 'm'), `class ${firstClass}(pl.LightningModule)`),
    replaceFirst(/^class Derived(\w+)\(/m, 'class Derived$1Renamed('),
    replaceFirst(/(LightningModule|LightningDataModule|Callback)\)/, 'nn.Module)'),
    // The Trainer call edited: arguments added, removed, changed.
    replaceFirst(/Trainer\(/, 'Trainer(gpus=2, '),
    replaceFirst(/Trainer\(gpus=2, /, 'Trainer(resume_from_checkpoint="last.ckpt", '),
    replaceFirst(/max_epochs=(\d+)/, 'max_epochs=1$1'),
    replaceFirst(/Trainer\(resume_from_checkpoint="last.ckpt", /, 'Trainer('),
    // A .fit(ckpt_path=...) added at the end, then the Trainer assigned in the same statement.
    (t) => `${t}\ntrainer.fit(model, ckpt_path="last.ckpt")\n`,
    (t) => `${t}\ntrainer = pl.Trainer(auto_lr_find=True, **trainer_kwargs)\ntrainer_kwargs = {"gpus": 1}\n`,
    (t) => t.replace('\ntrainer = pl.Trainer(auto_lr_find=True, **trainer_kwargs)\ntrainer_kwargs = {"gpus": 1}\n', ''),
    // A syntax error, then fixed.
    (t) => {
      const at = afterDef(t);
      return `${t.slice(0, at)}        if (:\n${t.slice(at)}`;
    },
    (t) => t.replace('        if (:\n', ''),
    replaceFirst(/\):\n/, '):  (\n'),
    replaceFirst(/\):  \(\n/, '):\n'),
    // Lines deleted.
    (t) => {
      const lines = t.split('\n');
      lines.splice(Math.floor(lines.length / 2), 3);
      return lines.join('\n');
    },
    // The very start and the very end.
    (t) => `# first\n${t}`,
    (t) => t.slice(1),
    (t) => `x${t}`,
    (t) => t.slice(1),
    (t) => `${t}z`,
    (t) => `${t}\n`,
    (t) => t.slice(0, -2),
  ];
  return edits;
}

const TYPED = ['a', 'b', '_', ' ', '\n', '(', ')', ':', ',', '#', '"', '=', '.', '1', '    '];

function randomEdit(random: () => number): Edit {
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const kind = random();
  return (t) => {
    const at = Math.floor(random() * (t.length + 1));
    if (kind < 0.45) return t.slice(0, at) + pick(TYPED) + t.slice(at);
    if (kind < 0.75) return t.slice(0, at) + t.slice(at + 1 + Math.floor(random() * 4));
    const lines = t.split('\n');
    const n = Math.floor(random() * lines.length);
    if (kind < 0.85) lines.splice(n, 1);
    else if (kind < 0.95) lines.splice(n, 0, lines[n]);
    else lines.splice(n, 0, `${' '.repeat(4 * Math.floor(random() * 3))}self.log("x", 1, sync_dist_op="mean")`);
    return lines.join('\n');
  };
}

/** The classes of the golden modules, renamed apart: a module with many top-level statements. */
function combined(): string {
  const parts = ['epoch_end.py', 'hooks_precision.py', 'step_end.py', 'toggle.py', 'tuner.py'].map((f, i) =>
    readFileSync(join(GOLDEN, f), 'utf8').replace(/^class (\w+)/gm, `class $1_${i}`),
  );
  return parts.join('\n');
}

describe('Lightning check after an edit equals a check from scratch', () => {
  let parser: PythonParser;
  before(async () => {
    parser = await loadPythonParser();
  });

  // Our golden modules always; the corpus modules too where the conformance corpus is present (test/corpus.ts).
  const lightningCorpus = CORPUS && join(CORPUS, 'lightning');
  const files = [
    ...(lightningCorpus
      ? readdirSync(lightningCorpus)
          .filter((f) => f.endsWith('.py'))
          .sort()
          .map((f) => join(lightningCorpus, f))
      : []),
    ...readdirSync(GOLDEN)
      .filter((f) => f.endsWith('.py') && !f.endsWith('.expected.py'))
      .sort()
      .map((f) => join(GOLDEN, f)),
  ];
  const cases: Array<{ name: string; path: string; text: () => string; random: number }> = [
    ...files.map((path) => ({ name: path.split('/').slice(-2).join('/'), path, text: () => readFileSync(path, 'utf8'), random: 40 })),
    { name: 'golden modules combined', path: join(GOLDEN, 'combined_module.py'), text: combined, random: 25 },
  ];
  if (!lightningCorpus) it('the corpus modules too', needsCorpus('the incremental re-check on the legacy Lightning corpus modules'), () => {});

  cases.forEach(({ name, path, text: load, random: count }, n) => {
    it(name, () => {
      const random = prng(1000 + n);
      const incremental = new IncrementalPython(parser);
      const uri = `file://${path}`;
      let text = load();
      let version = 0;
      const check = (label: string) => {
        const doc = TextDocument.create(uri, 'python', ++version, text);
        const got = lightningDiagnostics(doc, { parser, path, files: DISK, version: VERSION, incremental });
        const want = lightningDiagnostics(doc, { parser, path, files: DISK, version: VERSION });
        assert.deepStrictEqual(got, want, `${name}, ${label}`);
        assert.equal(JSON.stringify(got), JSON.stringify(want), `${name}, ${label}`);
      };
      check('first check');
      check('same text again');
      const edits: Array<[string, Edit]> = [
        ...targeted(text).map((e, i): [string, Edit] => [`targeted edit ${i}`, e]),
        ...Array.from({ length: count }, (_, i): [string, Edit] => [`random edit ${i}`, randomEdit(random)]),
        ...targeted(load()).map((e, i): [string, Edit] => [`targeted edit ${i}, after the random ones`, e]),
      ];
      for (const [label, edit] of edits) {
        text = edit(text);
        check(label);
      }
    });
  });

  it('re-checks one statement for an edit inside a method, the whole file for an import', () => {
    const path = join(GOLDEN, 'epoch_end.py');
    const incremental = new IncrementalPython(parser);
    let text = readFileSync(path, 'utf8');
    const run = () =>
      lightningDiagnostics(TextDocument.create(`file://${path}`, 'python', 1, text), { parser, path, files: DISK, version: VERSION, incremental });
    run();
    const before = { ...recheckCounts };
    text = text.slice(0, afterDef(text)) + '        z = 1\n' + text.slice(afterDef(text));
    run();
    assert.equal(recheckCounts.statement, before.statement + 1);
    text = `import os\n${text}`;
    run();
    assert.equal(recheckCounts.whole, before.whole + 1);
    assert.equal(lineOffset(text, 0), 0);
  });
});
