import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32c, maskedCrc32c, readTfEvents } from '../../server/src/jobs/tfevents';
import { pointsFromScalars } from '../../server/src/jobs/chart';
import { event, f64, key, lenField, record, simple, tensorDouble, tensorFloat, tensorVector, text, u32, varint } from '../lib/tfeventsEncoder';

// An event file built byte by byte from the format's specification, with an encoder of the tests' own
// (test/lib/tfeventsEncoder.ts, independent of the reader); test/runtime/tfevents.test.ts reads one tensorboardX wrote.

const FILE_VERSION = [...key(1, 1), ...f64(1765090000.5), ...lenField(3, text('brain.Event:2'))];
function sampleFile(): Uint8Array {
  return Uint8Array.from([
    ...record(FILE_VERSION),
    ...record(event(1, 1765090001, [simple('train/loss', 2.5), simple('train/learning_rate', 2e-5)])),
    ...record(event(2, 1765090002, [tensorFloat('train/loss', 2.25), tensorVector('grad_hist')])),
    ...record(event(2, 1765090003, [tensorDouble('eval/loss', 2.125)])),
    ...record(event(300, 1765090004, [simple('train/loss', 1.5), simple('train/epoch', 0.3)])),
  ]);
}

describe('tfevents: CRC-32C', () => {
  it('the standard check value: crc32c("123456789") = 0xE3069283 (RFC 3720 test vectors)', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  });
  it('masked CRC of a 24-byte length: a3 7f 4b 22, the bytes 8–11 of files that PyTorch and TensorFlow write (their first record is a 24-byte file_version Event)', () => {
    const len = Buffer.alloc(8);
    len.writeUInt32LE(24);
    assert.deepEqual(u32(maskedCrc32c(len)), [0xa3, 0x7f, 0x4b, 0x22]);
    assert.equal(record(FILE_VERSION).length, 12 + 24 + 4, 'our file_version Event is 24 bytes too');
  });
});

describe('tfevents: reading scalars', () => {
  it('simple_value, float tensor and double tensor_content scalars, in file order; non-scalars skipped', () => {
    const r = readTfEvents(sampleFile());
    assert.equal(r.problem, undefined);
    assert.equal(r.records, 5);
    assert.deepEqual(
      r.scalars.map((s) => [s.step, s.tag, s.value, s.wallTime]),
      [
        [1, 'train/loss', 2.5, 1765090001],
        [1, 'train/learning_rate', Math.fround(2e-5), 1765090001],
        [2, 'train/loss', 2.25, 1765090002],
        [2, 'eval/loss', 2.125, 1765090003],
        [300, 'train/loss', 1.5, 1765090004],
        [300, 'train/epoch', Math.fround(0.3), 1765090004],
      ],
    );
  });
  it('as chart points: Hugging Face tags mapped to loss, eval loss and learning rate, merged per step', () => {
    assert.deepEqual(pointsFromScalars(readTfEvents(sampleFile()).scalars), [
      { step: 1, loss: 2.5, learningRate: Math.fround(2e-5) },
      { step: 2, loss: 2.25, evalLoss: 2.125 },
      { step: 300, loss: 1.5 },
    ]);
  });
  it('an empty file: no scalars, no problem', () => {
    assert.deepEqual(readTfEvents(new Uint8Array()), { scalars: [], records: 0 });
  });
});

describe('tfevents: damaged files give what was read and say why, never throw', () => {
  const good = sampleFile();
  const firstTwo = record(FILE_VERSION).length + record(event(1, 1765090001, [simple('train/loss', 2.5), simple('train/learning_rate', 2e-5)])).length;
  it('cut inside a record (a file still being written): the records before it', () => {
    const r = readTfEvents(good.subarray(0, firstTwo + 20));
    assert.equal(r.records, 2);
    assert.deepEqual(
      r.scalars.map((s) => s.tag),
      ['train/loss', 'train/learning_rate'],
    );
    assert.match(r.problem ?? '', new RegExp(`^record 3 at byte ${firstTwo}: the file ends inside the record \\(\\d+ bytes announced, 8 present\\)$`));
  });
  it('cut inside the 12-byte header', () => {
    const r = readTfEvents(good.subarray(0, firstTwo + 5));
    assert.equal(r.problem, `record 3 at byte ${firstTwo}: the file ends inside the record header (5 of 12 bytes)`);
  });
  it('a flipped bit in the data: data checksum', () => {
    const bad = Uint8Array.from(good);
    bad[firstTwo + 14] = bad[firstTwo + 14] ^ 0x04;
    const r = readTfEvents(bad);
    assert.equal(r.records, 2);
    assert.equal(r.problem, `record 3 at byte ${firstTwo}: the data checksum does not match (damaged)`);
  });
  it('a flipped bit in the length: length checksum (a huge length is never trusted)', () => {
    const bad = Uint8Array.from(good);
    bad[firstTwo + 5] = 0x7f;
    assert.equal(readTfEvents(bad).problem, `record 3 at byte ${firstTwo}: the length checksum does not match (not an event file, or damaged)`);
  });
  it('not an event file at all (a YAML config)', () => {
    const r = readTfEvents(Buffer.from('base_model: meta-llama/Llama-3.1-8B\nlora_r: 16\n'));
    assert.deepEqual([r.records, r.scalars.length], [0, 0]);
    assert.match(r.problem ?? '', /^record 1 at byte 0: the length checksum does not match/);
  });
  it('good checksums around a malformed Event (a length that runs past its message): stops with a clear reason', () => {
    const malformed = [...key(5, 2), ...varint(50), 1, 2, 3];
    const r = readTfEvents(Uint8Array.from([...record(FILE_VERSION), ...record(malformed)]));
    assert.equal(r.records, 1);
    assert.equal(r.problem, 'record 2 at byte 40: not a valid Event: a field runs past the end of its message');
  });
  it('every prefix of a good file reads without throwing, never invents a scalar, and is silent only at a record boundary', () => {
    const all = readTfEvents(good).scalars;
    const boundaries = new Set([0]);
    let at = 0;
    for (let i = 0; i < 5; i++) boundaries.add((at += 16 + new DataView(good.buffer).getUint32(at, true)));
    assert.ok(boundaries.has(good.length));
    for (let n = 0; n <= good.length; n++) {
      const r = readTfEvents(good.subarray(0, n));
      assert.deepEqual(r.scalars, all.slice(0, r.scalars.length));
      assert.equal(r.problem === undefined, boundaries.has(n), `prefix of ${n} bytes: ${r.problem}`);
    }
  });
});
