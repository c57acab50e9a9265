import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createProgress, progressLine, PROGRESS_MIN_FILES } from '../../server/src/cli/progress';
import { AXOLOTL_BASE, REPO } from './helpers';

// `ftw check`'s progress line: on a terminal (stdout and stderr), in the text format, for trees of more than 200
// files; never in json/sarif/github output and never when piped. The terminal is a real pseudo-terminal from
// util-linux `script`.

const FTW = join(REPO, 'bin', 'ftw');
const ERASE = '\x1b[K';

describe('progressLine', () => {
  const rows: Array<[number, number, string, number, string]> = [
    [0, 450, 'configs/a.yml', 80, 'ftw check: 0/450 files (0%) configs/a.yml'],
    [120, 450, 'configs/sft/llama.yml', 80, 'ftw check: 120/450 files (26%) configs/sft/llama.yml'],
    [450, 450, '', 80, 'ftw check: 450/450 files (100%)'],
    // A long path keeps its end, and the line fits the terminal.
    [7, 300, 'very/long/folder/names/that/go/on/and/on/until/the/terminal/ends/config.yml', 60, 'ftw check: 7/300 files (2%) …l/the/terminal/ends/config.yml'],
    // Too narrow for a path: the count only, cut to the width.
    [7, 300, 'a.yml', 30, 'ftw check: 7/300 files (2%)'],
    [7, 300, 'a.yml', 12, 'ftw check: '],
  ];
  for (const [done, total, current, columns, expected] of rows) {
    it(`${done}/${total} at ${columns} columns`, () => {
      const line = progressLine(done, total, current, columns);
      assert.equal(line, expected);
      assert.ok(line.length < columns);
    });
  }
});

describe('createProgress', () => {
  function recorder(total: number, enabled: boolean) {
    const written: string[] = [];
    let clock = 0;
    const progress = createProgress(total, { enabled, write: (s) => written.push(s), columns: 80, now: () => clock });
    return { progress, written, advance: (ms: number) => (clock += ms) };
  }

  it(`silent for ${PROGRESS_MIN_FILES} files or fewer, and when disabled`, () => {
    for (const [total, enabled] of [
      [PROGRESS_MIN_FILES, true],
      [5000, false],
    ] as const) {
      const r = recorder(total, enabled);
      r.progress.step('a.yml');
      r.progress.note('Lightning checks of 3 Python files');
      r.progress.done();
      assert.deepEqual(r.written, []);
    }
  });

  it('redraws in place at most every 100 ms, and erases itself at the end', () => {
    const r = recorder(PROGRESS_MIN_FILES + 1, true);
    r.progress.step('a.yml'); // drawn: the first one
    r.progress.step('b.yml'); // same instant: not drawn
    r.advance(99);
    r.progress.step('c.yml'); // 99 ms: not drawn
    r.advance(1);
    r.progress.step('d.yml'); // 100 ms: drawn
    r.progress.note('Lightning checks of 3 Python files');
    r.progress.done();
    r.progress.done(); // twice: nothing more
    assert.deepEqual(r.written, [
      `\rftw check: 0/201 files (0%) a.yml${ERASE}`,
      `\rftw check: 3/201 files (1%) d.yml${ERASE}`,
      `\rftw check: Lightning checks of 3 Python files${ERASE}`,
      `\r${ERASE}`,
    ]);
  });
});

describe('ftw check: the progress line in a real terminal, and nowhere else', () => {
  const tree = mkdtempSync(join(tmpdir(), 'ftw-progress-'));
  for (let i = 0; i < PROGRESS_MIN_FILES + 50; i++) writeFileSync(join(tree, `c${String(i).padStart(3, '0')}.yml`), AXOLOTL_BASE);
  writeFileSync(join(tree, 'train.py'), 'import pytorch_lightning as pl\n\ntrainer = pl.Trainer(gpus=1)\n');
  const small = mkdtempSync(join(tmpdir(), 'ftw-progress-small-'));
  for (let i = 0; i < 20; i++) writeFileSync(join(small, `c${i}.yml`), AXOLOTL_BASE);
  const env = { ...process.env, NO_COLOR: '1' };

  const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
  /** Runs `ftw ARGS` with stdout and stderr on a pseudo-terminal (util-linux `script`); returns what it showed. */
  function inTerminal(args: string[], cwd: string) {
    const command = [process.execPath, FTW, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd, encoding: 'utf8', env, timeout: 120_000 });
    return { status: r.status, shown: r.stdout.replace(/\r\n/g, '\n') };
  }

  it('piped: no progress on stderr, even for a large tree', () => {
    const r = spawnSync(process.execPath, [FTW, 'check', '.'], { cwd: tree, encoding: 'utf8', env });
    assert.equal(r.status, 1);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^train\.py:3:22: error FT305 /);
  });

  it('terminal, large tree: progress lines, the Lightning phase, then a clean line before the report', (t) => {
    if (!hasScript) return t.skip('util-linux `script` is not installed: no pseudo-terminal');
    const r = inTerminal(['check', '.'], tree);
    assert.equal(r.status, 1, r.shown);
    // The first line at once, then redraws every 100 ms for as long as the configs take (none when all 251 are read
    // within the first 100 ms; the redraw timing is the fake-clock test above), then the Lightning phase.
    assert.match(
      r.shown,
      /^\rftw check: 0\/251 files \(0%\) (c\d{3}\.yml|train\.py)\x1b\[K(\rftw check: \d+\/251 files \(\d+%\) \S+\x1b\[K)*\rftw check: Lightning checks/,
    );
    assert.ok(
      r.shown.includes(`\rftw check: Lightning checks of 1 Python file${ERASE}\r${ERASE}train.py:3:22: error FT305 `),
      JSON.stringify(r.shown.slice(0, 2000)),
    );
    assert.match(r.shown, /in 251 config files \(251 files read\)/);
  });

  for (const format of ['json', 'sarif', 'github']) {
    it(`terminal, large tree, --format ${format}: no progress`, (t) => {
      if (!hasScript) return t.skip('util-linux `script` is not installed: no pseudo-terminal');
      const r = inTerminal(['check', '.', '--format', format], tree);
      assert.equal(r.status, 1);
      assert.doesNotMatch(r.shown, /ftw check: |\x1b\[K/);
    });
  }

  it('terminal, 20 files: no progress', (t) => {
    if (!hasScript) return t.skip('util-linux `script` is not installed: no pseudo-terminal');
    const r = inTerminal(['check', '.'], small);
    assert.equal(r.status, 0);
    assert.equal(r.shown, 'No problems in 20 config files (20 files read).\n');
  });
});
