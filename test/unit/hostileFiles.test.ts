import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { applyEditsToBytes, decodeText, readRegularFile } from '../../server/src/fileText';
import { AXOLOTL_BASE, FTW, workspace } from './helpers';
import { mergeBomb, unclosedBraces } from './hostileTexts';

/** `ftw` on real files; a hang is cut at 20 s. How fast each file is checked is measured by
 *  `node out/test/bench/hostileBench.js` (docs/benchmarks.md), not asserted here: a loaded CI machine is no clock. */
function ftw(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [FTW, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, NO_COLOR: '1', FTW_NVIDIA_SMI: '/bin/false' },
  });
  assert.equal(r.signal, null, `ftw ${args.join(' ')} did not finish: ${r.signal}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function mkfifo(path: string): void {
  assert.equal(spawnSync('mkfifo', [path]).status, 0, 'mkfifo');
}

describe('files that are not files: never read, never waited on', () => {
  const dir = workspace({
    'train.yml': `${AXOLOTL_BASE}\ndeepspeed: ds.json`,
    'zero.yml': `${AXOLOTL_BASE}\ndeepspeed: zero.json`,
    'model.py': 'import pytorch_lightning as pl\nfrom sib import Base\n\nclass M(Base):\n    def training_epoch_end(self, outputs):\n        pass\n',
  });
  mkfifo(join(dir, 'ds.json'));
  mkfifo(join(dir, 'sib.py'));
  mkfifo(join(dir, 'fifo.yml'));
  symlinkSync('/dev/zero', join(dir, 'to-zero.yml'));
  symlinkSync('/dev/zero', join(dir, 'zero.json'));

  it('ftw check: a linked DeepSpeed FIFO and a symlink to /dev/zero are FT210 errors; the FIFO sibling module is not read', () => {
    const r = ftw(['check', 'train.yml', 'zero.yml', 'model.py', '--format', 'json'], dir);
    const rows = (JSON.parse(r.stdout) as Array<{ file: string; code: string; message: string; range: { start: { line: number } } }>).map(
      (p) => `${p.file}:${p.range.start.line + 1} ${p.code} ${p.message}`,
    );
    assert.deepEqual(
      rows.filter((row) => / FT210 /.test(row)),
      [
        "train.yml:9 FT210 'ds.json' is not a regular file (a FIFO): the run blocks or fails when it opens it. It was not read.",
        "zero.yml:9 FT210 'zero.json' is not a regular file (a character device): the run blocks or fails when it opens it. It was not read.",
      ],
    );
    assert.equal(r.status, 1);
  });

  it('ftw check and ftw fix given a FIFO, /dev/zero, /dev/urandom or a symlink to one: a message each, exit 2', () => {
    for (const command of ['check', 'fix']) {
      const r = ftw([command, 'fifo.yml', 'to-zero.yml', '/dev/urandom'], dir);
      assert.equal(r.status, 2);
      assert.equal(
        r.stderr,
        [
          'ftw: fifo.yml: not a regular file (a FIFO), not read',
          'ftw: to-zero.yml: not a regular file (a character device), not read',
          'ftw: /dev/urandom: not a regular file (a character device), not read',
          '',
        ].join('\n'),
      );
    }
  });

  it('a linked file that is merely binary or large is a file: not FT210', () => {
    const files = workspace({
      'a.yml': `${AXOLOTL_BASE}\ndeepspeed: blob.json`,
      'blob.json': Buffer.from([0x7b, 0x00, 0x7d]),
      'b.yml': `${AXOLOTL_BASE}\ndeepspeed: big.json`,
      'big.json': `{"_comment": "${'x'.repeat(1024 * 1024)}"}`,
    });
    const r = ftw(['check', 'a.yml', 'b.yml', '--format', 'json'], files);
    assert.deepEqual(JSON.parse(r.stdout), []);
  });

  it('a folder walk skips them', () => {
    const r = ftw(['check', '.', '--format', 'json'], dir);
    assert.equal(r.stderr, '');
    assert.equal(r.status, 1);
  });

  it('readRegularFile checks the size on the opened file before reading it', () => {
    const big = workspace({ 'big.yml': 'x'.repeat(2048) });
    assert.deepEqual(readRegularFile(join(big, 'big.yml'), 1024), { ok: false, reason: 'larger than 1 KiB (2 KiB), not read', unread: 'tooLarge' });
    assert.deepEqual(readRegularFile(join(big, 'nope.yml'), 1024), { ok: false, reason: 'no such file', unread: 'missing' });
    assert.deepEqual(readRegularFile(big, 1024), { ok: false, reason: 'is a folder', unread: 'folder' });
  });
});

describe('the pathological files of issue 12, by ftw check: a clear message', () => {
  const rows: Array<[string, string, number, string]> = [
    [
      'merge.yml',
      `# ftw: format=axolotl\nbase_model: NousResearch/Llama-3.2-1B\n${mergeBomb()}`,
      1,
      'merge.yml:4:19: error FT004 YAML aliases and merge keys (<<) here expand to more than 100,000 nodes (an "alias bomb"). PyYAML would expand all of them and may hang; the file was not validated.',
    ],
    [
      'braces.yml',
      unclosedBraces(38),
      1,
      `braces.yml:2:1: error FT001 Syntax error: this '{' is never closed: everything after it is read as part of it (PyYAML: "expected ',' or '}'"). What follows it nests more than 64 levels deep, so it was not read further.`,
    ],
    [
      'stray.yml',
      AXOLOTL_BASE.replace('micro_batch_size: 2', '{oops:\nmicro_batch_size: 2'),
      1,
      `stray.yml:5:1: error FT001 Syntax error: this '{' is never closed: everything after it is read as part of it (PyYAML: "expected ',' or '}'").`,
    ],
    [
      'ds_config.json',
      `{"zero_optimization": {"stage": 2}, "train_micro_batch_size_per_gpu": 2, "_comment": "${'x'.repeat(1_000_000)}"}`,
      0,
      'No problems in 1 config file (1 file read).',
    ],
  ];
  for (const [name, text, status, first] of rows) {
    it(`${name} (${Math.round(text.length / 1024)} KiB)`, () => {
      const dir = workspace({ [name]: text });
      const r = ftw(['check', name], dir);
      assert.equal(r.stdout.split('\n')[0], first);
      assert.equal(r.status, status);
    });
  }
});

describe('ftw fix: one pass to the fixed point, and every byte it did not change kept', () => {
  it('pl.Trainer(gpus=2, accelerator="ddp") is fixed in one run (accelerator="ddp" was a strategy: gpus= brings the accelerator)', () => {
    const dir = workspace({ 'train.py': 'import pytorch_lightning as pl\n\ntrainer = pl.Trainer(gpus=2, accelerator="ddp")\n' });
    const r = ftw(['fix'], dir);
    assert.equal(
      r.stdout,
      'train.py: 2 fixed\n  3: Use accelerator="gpu", devices=2\n  3: Rename to strategy\nFixed 2 problems; 0 need a decision (run ftw check).\n',
    );
    assert.equal(
      readFileSync(join(dir, 'train.py'), 'utf8'),
      'import pytorch_lightning as pl\n\ntrainer = pl.Trainer(accelerator="gpu", devices=2, strategy="ddp")\n',
    );
    assert.equal(
      readFileSync(join(dir, 'train.py'), 'utf8'),
      'import pytorch_lightning as pl\n\ntrainer = pl.Trainer(accelerator="gpu", devices=2, strategy="ddp")\n',
    );
    assert.match(ftw(['fix'], dir).stdout, /^Fixed 0 problems/);
  });

  it('a UTF-8 BOM, CRLF line ends and invalid UTF-8 outside the edit are written back as they were', () => {
    const before = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(`${AXOLOTL_BASE.replace(/\n/g, '\r\n')}\r\nlora_dropuot: 0.1\r\n# caf`),
      Buffer.from([0xe9, 0xff, 0xc3]),
      Buffer.from(' \u00e9t\u00e9\r\n'),
    ]);
    const dir = workspace({ 'qlora.yml': before });
    const r = ftw(['fix', 'qlora.yml'], dir);
    assert.equal(r.stdout, "qlora.yml: 1 fixed\n  9: Change 'lora_dropuot' to 'lora_dropout'\nFixed 1 problem; 1 needs a decision (run ftw check).\n");
    assert.deepEqual(readFileSync(join(dir, 'qlora.yml')), Buffer.from(before.toString('latin1').replace('lora_dropuot', 'lora_dropout'), 'latin1'));
  });

  it('a UTF-16 config is read (not called binary), reported, and fixed in UTF-16', () => {
    const text = `${AXOLOTL_BASE}\nlora_dropuot: 0.1\n`;
    const dir = workspace({ 'qlora.yml': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]) });
    const check = ftw(['check', 'qlora.yml'], dir);
    assert.equal(
      check.stdout.split('\n')[0],
      'qlora.yml:1:1: error FT001 This file is UTF-16LE (with a byte order mark): Python reads config files as UTF-8 and stops with a UnicodeDecodeError. Save it as UTF-8.',
    );
    assert.match(check.stdout, /qlora\.yml:9:1: warning FT101 Unknown key 'lora_dropuot'/);
    ftw(['fix', 'qlora.yml'], dir);
    assert.deepEqual(
      readFileSync(join(dir, 'qlora.yml')),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace('dropuot', 'dropout'), 'utf16le')]),
    );
  });

  it('edits land on the bytes their characters came from, across malformed and 4-byte sequences', () => {
    const bytes = Buffer.concat([Buffer.from('a'), Buffer.from([0xe2, 0x82]), Buffer.from('b😀c'), Buffer.from([0x80]), Buffer.from('d')]);
    const decoded = decodeText(bytes)!;
    assert.equal(decoded.text, 'a\uFFFDb😀c\uFFFDd');
    assert.deepEqual([decoded.invalidUtf8At, decoded.invalidUtf8Char], [1, 1]);
    const c = decoded.text.indexOf('c');
    const out = applyEditsToBytes(bytes, decoded, [
      { start: c, end: c + 1, newText: 'C' },
      { start: 0, end: 1, newText: 'A' },
    ]);
    assert.deepEqual(out, Buffer.concat([Buffer.from('A'), Buffer.from([0xe2, 0x82]), Buffer.from('b😀C'), Buffer.from([0x80]), Buffer.from('d')]));
  });
});
