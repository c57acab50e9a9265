import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import { DEFAULT_SETTINGS } from '../../server/src/core/config';
import { IncrementalYamlParser } from '../../server/src/core/config/incremental';
import { parseWithRecovery } from '../../server/src/core/config/incremental';
import { largeAxolotl, smallAxolotl, withDatasetEdit, withSeed } from '../bench/fixtures';
import { doc, service } from './helpers';

/** Every node as `path kind [start,end]`, so two parses can be compared exactly. */
function outline(root: unknown): string[] {
  const out: string[] = [];
  const stack: Array<[unknown, string]> = [[root, '']];
  while (stack.length) {
    const [node, path] = stack.pop()!;
    if (isPair(node)) {
      const key = isScalar(node.key) ? String(node.key.value) : '?';
      stack.push([node.value, `${path}.${key}`], [node.key, `${path}.${key}#key`]);
      continue;
    }
    const r = (node as Node | null)?.range;
    if (!r) continue;
    out.push(`${path} ${isMap(node) ? 'map' : isSeq(node) ? 'seq' : 'scalar'} ${r[0]},${r[1]}`);
    if (isMap(node)) for (const p of node.items) stack.push([p, path]);
    if (isSeq(node)) node.items.forEach((item, i) => stack.push([item, `${path}[${i}]`]));
  }
  return out.filter((l) => !l.startsWith(' map')).sort(); // the root mapping's own range may differ
}

function assertSameAsFull(parser: IncrementalYamlParser, text: string, label: string): void {
  const inc = parser.parse(text);
  const full = parseWithRecovery(text, 'yaml');
  assert.deepEqual(inc.value, full.value, `${label}: value`);
  assert.deepEqual(outline(inc.doc?.contents), outline(full.doc?.contents), `${label}: node ranges`);
  assert.deepEqual(
    inc.problems.map((p) => p.code),
    full.problems.map((p) => p.code),
    `${label}: problems`,
  );
}

describe('incremental YAML parsing reads exactly what a full parse reads', () => {
  it('through a sequence of edits, small and large, that break and repair the file', () => {
    const parser = new IncrementalYamlParser();
    const large = largeAxolotl().text;
    const small = smallAxolotl().text;
    const steps: Array<[string, string]> = [
      ['large', large],
      ['seed edit', withSeed(large, 7)],
      ['dataset edit', withDatasetEdit(large, 33)],
      ['both', withSeed(withDatasetEdit(large, 34), 8)],
      ['line inserted at the top', `output_dir: ./elsewhere\n${withSeed(large, 9)}`],
      ['a broken line', withSeed(large, 10).replace('seed: 10', 'seed: [10')],
      ['repaired', withSeed(large, 11)],
      ['a dataset item removed', large.replace(/^ {2}- path: [^\n]*\n(?: {4}[^\n]*\n)+/m, '')],
      ['an anchor (whole-file parse)', large.replace(/^seed: \d+$/m, 'seed: &s 3\neval_seed: *s')],
      ['back to incremental', withSeed(large, 12)],
      ['small file', small],
      ['duplicate top-level blocks', `${large}\nseed: 5\nseed: 5\n`],
    ];
    for (const [label, text] of steps) assertSameAsFull(parser, text, label);
  });

  it('the service gives the same diagnostics with and without incremental parsing', () => {
    const large = withDatasetEdit(largeAxolotl().text, 41);
    const warm = service();
    warm.analyze(doc(largeAxolotl().text, '/p/big.yml'), { settings: DEFAULT_SETTINGS });
    const incremental = warm.analyze(doc(large, '/p/big.yml'), { settings: DEFAULT_SETTINGS }).diagnostics;
    const fresh = warm.analyze(doc(large, '/p/other-big.yml'), { settings: DEFAULT_SETTINGS }).diagnostics;
    assert.deepEqual(incremental, fresh);
    assert.ok(incremental.length > 0);
  });
});
