import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DIAGNOSTIC_COLLECTION } from '../../client/src/diagnosticCollection';

// The language server's diagnostic collection has a name of its own in both clients (client/src/diagnosticCollection.ts):
// an unnamed collection's owner, `_generated_diagnostic_collection_name_#N`, may be another extension host's too, and
// then each host's update of a file replaces the other's diagnostics. test/editor/web.test.ts shows it in a real
// web worker host; this checks the desktop client too, which no editor test runs beside a second host.
const REPO = join(__dirname, '..', '..', '..');
const CLIENT_SRC = join(REPO, 'client', 'src');
const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { contributes: { problemMatchers: Array<{ name: string; owner: string }> } };

describe('the language client diagnostic collection', () => {
  it('is named in the desktop client and in the web client', () => {
    for (const file of ['languageClient.ts', join('web', 'extension.ts')]) {
      const source = readFileSync(join(CLIENT_SRC, file), 'utf8');
      assert.match(
        source,
        /^ +diagnosticCollectionName: DIAGNOSTIC_COLLECTION,$/m,
        `client/src/${file} should pass diagnosticCollectionName to its LanguageClient`,
      );
    }
  });

  it("is not an owner of our other markers: the problem matchers' (a task removes them) and the other collections'", () => {
    assert.doesNotMatch(DIAGNOSTIC_COLLECTION, /^_generated_diagnostic_collection_name_/);
    for (const m of manifest.contributes.problemMatchers) assert.notEqual(m.owner, DIAGNOSTIC_COLLECTION, `the problem matcher ${m.name} has the same owner`);
    const others = readdirSync(CLIENT_SRC, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(join(CLIENT_SRC, f), 'utf8').matchAll(/createDiagnosticCollection\('([^']+)'\)/g)].map((m) => m[1]));
    assert.ok(others.includes('finetune-jobs'), `the jobs' traceback collection should be found; found ${JSON.stringify(others)}`);
    assert.ok(!others.includes(DIAGNOSTIC_COLLECTION), `another collection is named ${DIAGNOSTIC_COLLECTION}`);
  });
});
