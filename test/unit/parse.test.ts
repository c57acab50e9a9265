import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../server/src/core/config';

describe('YAML is read as PyYAML reads it', () => {
  const cases: Array<[string, unknown]> = [
    ['yes', true],
    ['No', false],
    ['on', true],
    ['OFF', false],
    ['y', 'y'],
    ['n', 'n'],
    ['1e-4', '1e-4'],
    ['1.0e-4', 0.0001],
    ['1.0e4', '1.0e4'],
    ['2.5', 2.5],
    ['.5', 0.5],
    ['10', 10],
    ['0x1F', 31],
    ['1_000', 1000],
    ['~', null],
    ['', null],
    ['null', null],
    ["'yes'", 'yes'],
    ['"1e-4"', '1e-4'],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} loads as ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(parseConfig(`v: ${text}`, 'yaml').value, { v: expected });
    });
  }

  it('merge keys and anchors work as in PyYAML', () => {
    assert.deepEqual(parseConfig('base: &b {x: 1}\nd:\n  <<: *b\n  y: 2', 'yaml').value, { base: { x: 1 }, d: { x: 1, y: 2 } });
  });

  it('duplicate keys keep the last value', () => {
    assert.deepEqual(parseConfig('a: 1\na: 2', 'yaml').value, { a: 2 });
  });
});

describe('hostile input never throws', () => {
  it('an alias bomb is refused with a clear problem', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`),
    ].join('\n');
    const parsed = parseConfig(bomb, 'yaml');
    assert.equal(parsed.value, undefined);
    assert.equal(parsed.problems[0].code, 'FT004');
  });

  it('an alias without its anchor is a syntax error where it stands, not a bomb (PyYAML: "found undefined alias")', () => {
    const parsed = parseConfig('a: &x 1\nb: *x\nc: *nope\nd: &nope 2\n', 'yaml');
    assert.equal(parsed.value, undefined);
    assert.deepEqual(
      parsed.problems.map((p) => [p.code, p.start, p.message]),
      [['FT001', 17, "Syntax error: the alias '*nope' names no anchor '&nope' before it. PyYAML stops with \"found undefined alias 'nope'\"."]],
    );
  });

  it('10,000 levels of flow nesting', () => {
    const parsed = parseConfig(`a: ${'['.repeat(10000)}${']'.repeat(10000)}`, 'yaml');
    assert.equal(parsed.problems[0].code, 'FT003');
  });

  it('10,000 levels of block nesting', () => {
    const text = Array.from({ length: 10000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
    const parsed = parseConfig(text, 'yaml');
    assert.equal(parsed.problems[0].code, 'FT003');
  });

  it('binary junk', () => {
    const parsed = parseConfig('\u0000\u0001\u0002\uFFFD\uFFFD: : :\n\t- x', 'yaml');
    assert.ok(parsed.problems.length > 0);
  });

  it('strict JSON: comments are a syntax error with a position', () => {
    const parsed = parseConfig('{"a": 1 // no\n}', 'json');
    assert.equal(parsed.problems[0].code, 'FT001');
    assert.equal(parsed.problems[0].start, 8);
  });

  it('a JSON file with a byte-order mark parses', () => {
    assert.deepEqual(parseConfig('\uFEFF{"a": 1}', 'json').problems, []);
  });
});
