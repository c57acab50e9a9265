import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import { analyze, REPO } from './helpers';

/** Expands a snippet body the way the editor does when the user accepts every default. */
function expand(body: string[]): string {
  return body.join('\n').replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\{\d+\}|\$\d+/g, '');
}

const FILES: Array<[string, string]> = [['yaml.json', '/p/snippet.yml'], ['json.json', '/p/ds_config.json']];

describe('snippets expand to valid configs', () => {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  it('every snippet file is contributed', () => {
    const paths = pkg.contributes.snippets.map((s: { path: string }) => s.path.replace('./snippets/', ''));
    for (const [file] of FILES) assert.ok(paths.includes(file), file);
  });
  for (const [file, path] of FILES) {
    const snippets = JSON.parse(readFileSync(join(REPO, 'snippets', file), 'utf8')) as Record<string, { prefix: string; body: string[] }>;
    for (const [name, snippet] of Object.entries(snippets)) {
      it(`${name} (${snippet.prefix})`, () => {
        const a = analyze(expand(snippet.body), path);
        assert.notEqual(a.detection.format, 'none', 'recognised as a config');
        assert.deepEqual(a.diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map((d) => d.message), []);
      });
    }
  }
});
