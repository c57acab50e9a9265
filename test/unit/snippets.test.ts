import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import { detectFormat } from '../../server/src/core/config/detect';
import type { FormatId } from '../../server/src/core/common/formats';
import type { PythonParser } from '../../server/src/core/lightning/python';
import { lightningDiagnostics, LIGHTNING_NEWEST } from '../../server/src/core/lightning/service';
import { loadPythonParser } from '../../server/src/pythonParser';
import { analyze, REPO } from './helpers';

interface Snippet {
  prefix: string | string[];
  description: string;
  body: string | string[];
}

type SnippetNode = string | { n: number; children?: SnippetNode[] };

/**
 * Expands a snippet body the way the editor does when the user accepts every default: `${1:default}` gives its
 * default, `${1|a,b|}` its first choice, a bare `$1` / `${1}` mirrors the default given elsewhere for tab stop 1
 * (else nothing), and `\$`, `\}`, `\\` are literal. Throws on an unclosed placeholder or a snippet variable.
 */
export function expandSnippet(body: string | string[]): string {
  const text = Array.isArray(body) ? body.join('\n') : body;
  const parse = (start: number, nested: boolean): [SnippetNode[], number] => {
    const nodes: SnippetNode[] = [];
    let literal = '';
    const flush = () => {
      if (literal) nodes.push(literal);
      literal = '';
    };
    let pos = start;
    while (pos < text.length) {
      const ch = text[pos];
      if (ch === '\\' && '$}\\'.includes(text[pos + 1] ?? 'x')) {
        literal += text[pos + 1];
        pos += 2;
        continue;
      }
      if (nested && ch === '}') {
        flush();
        return [nodes, pos + 1];
      }
      if (ch === '$') {
        const rest = text.slice(pos);
        let m: RegExpExecArray | null;
        if ((m = /^\$(\d+)/.exec(rest)) ?? (m = /^\$\{(\d+)\}/.exec(rest))) {
          flush();
          nodes.push({ n: Number(m[1]) });
          pos += m[0].length;
          continue;
        }
        if ((m = /^\$\{(\d+):/.exec(rest))) {
          flush();
          const [children, next] = parse(pos + m[0].length, true);
          nodes.push({ n: Number(m[1]), children });
          pos = next;
          continue;
        }
        if ((m = /^\$\{(\d+)\|((?:[^|\\]|\\.)*)\|\}/.exec(rest))) {
          flush();
          nodes.push({ n: Number(m[1]), children: [m[2].split(/(?<!\\),/)[0].replace(/\\(.)/g, '$1')] });
          pos += m[0].length;
          continue;
        }
        if (/^\$\{?[A-Za-z_]/.test(rest)) throw new Error(`a snippet variable (${rest.slice(0, 20)}): escape a literal $ as \\$`);
      }
      literal += ch;
      pos++;
    }
    if (nested) throw new Error('an unclosed ${...} placeholder');
    flush();
    return [nodes, pos];
  };
  const [tree] = parse(0, false);
  const defaults = new Map<number, string>();
  const render = (nodes: SnippetNode[]): string =>
    nodes.map((n) => (typeof n === 'string' ? n : n.children ? render(n.children) : (defaults.get(n.n) ?? ''))).join('');
  const collect = (nodes: SnippetNode[]) => {
    for (const n of nodes) {
      if (typeof n === 'string' || !n.children) continue;
      collect(n.children);
      if (!defaults.has(n.n)) defaults.set(n.n, render(n.children));
    }
  };
  collect(tree);
  return render(tree);
}

function load(file: string): Record<string, Snippet> {
  return JSON.parse(readFileSync(join(REPO, 'snippets', file), 'utf8')) as Record<string, Snippet>;
}

function prefixes(s: Snippet): string[] {
  return Array.isArray(s.prefix) ? s.prefix : [s.prefix];
}

/** Every snippet has an `ftw-<format>-...` prefix; the format it is for is read from it. */
const CONFIG_FORMATS: FormatId[] = ['axolotl', 'llamafactory', 'trl', 'torchtune', 'accelerate', 'deepspeed'];
function intendedFormat(s: Snippet): FormatId | undefined {
  const ftw = prefixes(s).find((p) => p.startsWith('ftw-'));
  return CONFIG_FORMATS.find((f) => ftw?.startsWith(`ftw-${f}-`));
}

// Snippet file, the languages package.json contributes it for, and a neutral path to analyse its snippets at (the
// name gives no hint: detection must come from the content).
const CONFIG_FILES: Array<[string, string[], string]> = [
  ['yaml.json', ['yaml'], '/p/config.yml'],
  ['json.json', ['json', 'jsonc'], '/p/config.json'],
];
const PYTHON_FILE = 'python.json';

describe('snippet files', () => {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { contributes: { snippets: Array<{ language: string; path: string }> } };
  it('every snippet file is contributed for its languages', () => {
    const contributed = new Set(
      (pkg.contributes.snippets as Array<{ language: string; path: string }>).map((s) => `${s.language} ${s.path.replace(/^\.\//, '')}`),
    );
    for (const [file, languages] of [...CONFIG_FILES.map(([f, l]) => [f, l] as const), [PYTHON_FILE, ['python']] as const]) {
      for (const language of languages)
        assert.ok(
          contributed.has(`${language} snippets/${file}`),
          `package.json contributes.snippets lacks {"language": "${language}", "path": "./snippets/${file}"}`,
        );
    }
  });
  it('prefixes are unique, start with ftw-, and every snippet has a description', () => {
    const seen = new Map<string, string>();
    for (const file of [...CONFIG_FILES.map(([f]) => f), PYTHON_FILE]) {
      for (const [name, s] of Object.entries(load(file))) {
        assert.ok(
          prefixes(s).some((p) => p.startsWith('ftw-')),
          `${name}: an ftw- prefix`,
        );
        assert.ok(s.description && s.description.length > 20, `${name}: a description`);
        for (const p of prefixes(s)) {
          assert.ok(!seen.has(p), `prefix ${p} of ${name} is also ${seen.get(p)}'s`);
          seen.set(p, name);
        }
      }
    }
  });
  it('the expander follows VS Code: defaults, first choice, mirrors, escapes', () => {
    assert.equal(expandSnippet(['a: ${1:x}', 'b: ${2|p,q|}', 'c: $1/${3}', 'd: \\${e}', 'f: ${4:${5:g}h}$0']), 'a: x\nb: p\nc: x/\nd: ${e}\nf: gh');
    assert.throws(() => expandSnippet(['a: ${1:x']));
    assert.throws(() => expandSnippet(['a: ${output_dir}']));
  });
});

describe('config snippets expand to valid configs of their format', () => {
  for (const [file, , path] of CONFIG_FILES) {
    for (const [name, snippet] of Object.entries(load(file))) {
      it(`${name} (${prefixes(snippet).join(', ')})`, () => {
        const format = intendedFormat(snippet);
        assert.ok(format, `the ftw- prefix names a format (ftw-<${CONFIG_FORMATS.join('|')}>-...)`);
        const a = analyze(expandSnippet(snippet.body), path);
        assert.equal(a.detection.format, format, `detected as ${format} (${a.detection.reason})`);
        assert.deepEqual(
          a.diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map((d) => `${d.range.start.line + 1}: ${d.code} ${d.message}`),
          [],
        );
      });
    }
  }
});

describe('Python snippets', () => {
  const snippets = Object.entries(load(PYTHON_FILE));
  const python = spawnSync('python3', ['--version']);
  const noPython = python.error || python.status !== 0 ? 'python3 is not installed: the Python snippets are not compiled' : false;
  let dir: string;
  let parser: PythonParser;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ftw-snippets-'));
    parser = await loadPythonParser();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [name, snippet] of snippets) {
    it(`${name} compiles (python3 -m py_compile)`, { skip: noPython }, () => {
      const file = join(dir, `${prefixes(snippet)[0].replace(/\W/g, '_')}.py`);
      writeFileSync(file, expandSnippet(snippet.body));
      const r = spawnSync('python3', ['-m', 'py_compile', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    });
  }

  const lightning = snippets.filter(([, s]) => prefixes(s).some((p) => p.startsWith('ftw-lightning-')));
  it('there is a Lightning snippet', () => assert.ok(lightning.length >= 1));
  for (const [name, snippet] of lightning) {
    it(`${name} is Lightning 2.x code with no migration diagnostic`, () => {
      const text = expandSnippet(snippet.body);
      assert.match(text, /^from lightning\.pytorch import/m);
      assert.match(text, /def on_validation_epoch_end\(self\):/);
      assert.equal(detectFormat({ path: '/p/model.py', text, value: undefined }).format, 'python-lightning');
      const doc = TextDocument.create('file:///p/model.py', 'python', 1, text);
      for (const version of [
        { version: LIGHTNING_NEWEST, source: 'newest' },
        { version: '1.9.5', source: 'requirements.txt' },
      ]) {
        assert.deepEqual(
          lightningDiagnostics(doc, { parser, path: '/p/model.py', version }).map((d) => `${d.range.start.line + 1}: ${d.code} ${d.message}`),
          [],
          `Lightning ${version.version}`,
        );
      }
      // The check can fail: the 1.x hook in its place is reported.
      const legacy = text.replace('def on_validation_epoch_end(self):', 'def validation_epoch_end(self, outputs):');
      const flagged = lightningDiagnostics(TextDocument.create('file:///p/model.py', 'python', 1, legacy), {
        parser,
        path: '/p/model.py',
        version: { version: LIGHTNING_NEWEST, source: 'newest' },
      });
      assert.ok(flagged.length > 0, 'validation_epoch_end is reported');
    });
  }
});

describe('walkthrough', () => {
  const dir = join(REPO, 'walkthrough');
  it('every step is Markdown whose images are local SVGs that exist and load nothing from elsewhere', () => {
    const steps = readdirSync(dir).filter((f) => f.endsWith('.md'));
    assert.ok(steps.length >= 5, 'five steps');
    for (const step of steps) {
      const text = readFileSync(join(dir, step), 'utf8');
      const images = [...text.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);
      assert.ok(images.length >= 1, `${step}: an illustration`);
      for (const image of images) {
        assert.doesNotMatch(image, /^[a-z]+:/i, `${step}: ${image} is local`);
        assert.ok(existsSync(join(dir, image)), `${step}: ${image} exists`);
        const svg = readFileSync(join(dir, image), 'utf8');
        assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, `${image} is an SVG`);
        assert.match(svg, /<\/svg>\s*$/, `${image} is complete`);
        assert.doesNotMatch(svg.replace(/xmlns(:\w+)?="[^"]*"/g, ''), /(href|src)\s*=\s*"(?!#)|url\((?!#)|<script|@import/i, `${image} loads nothing`);
      }
    }
  });
});
