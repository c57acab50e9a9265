import assert from 'node:assert/strict';
import { posix, win32 } from 'node:path';
import { describe, it } from 'node:test';
import { basename, join, pathStyle, posixPaths, setPathStyle, win32Paths, type PathFunctions } from '../../server/src/core/common/paths';

// core/common/paths.ts stands in for node:path in the core (which must run in a web worker): the same answers as
// node:path.posix and node:path.win32 on the paths the core handles (configs, workspace folders, files they name).

const POSIX = [
  '/a/b/c.yml',
  '/a/b/',
  '/a',
  '/',
  'a',
  'a/b',
  '',
  '.',
  '..',
  'a/../b',
  '/a/./b/../c',
  'x/.bashrc',
  'a.b.c',
  'a.',
  '/a//b',
  'ds/zero3.json',
  '../up/x.json',
];
const WIN = [
  'C:\\work\\cfg.yml',
  'c:\\work\\sub\\',
  'C:/work/mixed\\x.json',
  'C:\\',
  'C:',
  'C:rel\\x',
  '\\\\server\\share\\dir\\f.yml',
  '\\\\server\\share',
  '\\rooted\\x',
  'rel\\x.json',
  'a\\..\\b',
  'x\\.bashrc',
  '..\\up',
  '',
];

function sameAs(ours: PathFunctions, node: typeof posix, paths: string[]) {
  for (const p of paths) {
    assert.equal(ours.basename(p), node.basename(p), `basename(${JSON.stringify(p)})`);
    assert.equal(ours.basename(p, '.yml'), node.basename(p, '.yml'), `basename(${JSON.stringify(p)}, '.yml')`);
    assert.equal(ours.dirname(p), node.dirname(p), `dirname(${JSON.stringify(p)})`);
    assert.equal(ours.extname(p), node.extname(p), `extname(${JSON.stringify(p)})`);
    assert.equal(ours.isAbsolute(p), node.isAbsolute(p), `isAbsolute(${JSON.stringify(p)})`);
    if (p) assert.equal(ours.join(p, 'x.json'), node.join(p, 'x.json'), `join(${JSON.stringify(p)}, 'x.json')`);
    // A drive or root after a folder is no path the core builds (node:path.win32 even prefixes `.\\` to such a join).
    if (!/^(?:[A-Za-z]:|[\\/])/.test(p)) assert.equal(ours.join('sub', p), node.join('sub', p), `join('sub', ${JSON.stringify(p)})`);
  }
}

describe('core paths (no node:path)', () => {
  it('POSIX style gives node:path.posix answers', () => sameAs(posixPaths, posix, POSIX));
  it('win32 style gives node:path.win32 answers', () => sameAs(win32Paths, win32, WIN));

  it('resolve against an absolute folder, as the core resolves a config next to another', () => {
    for (const [base, file] of [
      ['/w/configs', '../ds/zero2.json'],
      ['/w/configs', './x.json'],
      ['/w', '/abs/x.json'],
      ['/', '..'],
    ])
      assert.equal(posixPaths.resolve(base, file), posix.resolve(base, file), `resolve(${base}, ${file})`);
    for (const [base, file] of [
      ['C:\\w\\configs', '..\\ds\\zero2.json'],
      ['C:\\w\\configs', '../ds/zero2.json'],
      ['C:\\w', 'D:\\other\\x.json'],
      ['C:\\w', '\\top\\x.json'],
      ['\\\\srv\\share\\w', '..\\x.json'],
      ['c:\\w\\', 'x.json'],
    ])
      assert.equal(win32Paths.resolve(base, file), win32.resolve(base, file), `resolve(${base}, ${file})`);
  });

  it('relative between absolute paths (win32: drive and case do not matter, another drive gives the target)', () => {
    for (const [a, b] of [
      ['/w', '/w/configs/x.yml'],
      ['/w/a/b', '/w/c'],
      ['/w', '/w'],
      ['/w/', '/w/x/'],
    ])
      assert.equal(posixPaths.relative(a, b), posix.relative(a, b), `relative(${a}, ${b})`);
    for (const [a, b] of [
      ['C:\\w', 'C:\\w\\configs\\x.yml'],
      ['c:\\W', 'C:\\w\\Configs\\x.yml'],
      ['C:\\w\\a\\b', 'C:\\w\\c'],
      ['C:\\w', 'D:\\x'],
    ])
      assert.equal(win32Paths.relative(a, b), win32.relative(a, b), `relative(${a}, ${b})`);
  });

  it('the host picks the style: POSIX by default, win32 when the Node host runs on Windows', () => {
    assert.equal(pathStyle(), 'posix');
    assert.equal(basename('C:\\w\\x.yml'), 'C:\\w\\x.yml');
    setPathStyle('win32');
    try {
      assert.equal(basename('C:\\w\\x.yml'), 'x.yml');
      assert.equal(join('C:\\w', 'configs/x.yml'), 'C:\\w\\configs\\x.yml');
    } finally {
      setPathStyle('posix');
    }
  });
});
