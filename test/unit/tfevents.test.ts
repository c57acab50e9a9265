import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32c, maskedCrc32c, readTfEvents } from '../../server/src/core/jobs/tfevents';
import { pointsFromScalars } from '../../server/src/core/jobs/chart';

// An event file built byte by byte from the format's specification, with an encoder written here (independent of
// the reader): TFRecord framing (tensorflow/core/lib/io/record_writer.cc) around protobuf Events
// (tensorboard/compat/proto/event.proto, summary.proto, tensor.proto; encoding rules:
// https://protobuf.dev/programming-guides/encoding/).

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}
const key = (field: number, wire: number) => varint(field * 8 + wire);
const lenField = (field: number, bytes: number[]) => [...key(field, 2), ...varint(bytes.length), ...bytes];
const text = (s: string) => [...Buffer.from(s, 'utf8')];
function f32(v: number): number[] {
  const b = Buffer.alloc(4);
  b.writeFloatLE(v);
  return [...b];
}
function f64(v: number): number[] {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return [...b];
}
const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return [...b];
};

/** Event{wall_time, step, summary{value: [...]}} */
function event(step: number, wallTime: number, values: number[][]): number[] {
  const summary = values.flatMap((v) => lenField(1, v));
  return [...key(1, 1), ...f64(wallTime), ...key(2, 0), ...varint(step), ...lenField(5, summary)];
}
/** Summary.Value with simple_value (TF 1.x, tensorboardX). */
const simple = (tag: string, v: number) => [...lenField(1, text(tag)), ...key(2, 5), ...f32(v)];
/** Summary.Value with a one-element tensor: packed float_val, or tensor_content of a double (TF 2.x, PyTorch). */
const tensorFloat = (tag: string, v: number) => [...lenField(1, text(tag)), ...lenField(8, [...key(1, 0), ...varint(1), ...lenField(5, f32(v))])];
const tensorDouble = (tag: string, v: number) => [...lenField(1, text(tag)), ...lenField(8, [...key(1, 0), ...varint(2), ...lenField(4, f64(v))])];
/** A histogram-like tensor (3 floats): not a scalar, skipped. */
const tensorVector = (tag: string) => [...lenField(1, text(tag)), ...lenField(8, [...key(1, 0), ...varint(1), ...lenField(5, [...f32(1), ...f32(2), ...f32(3)])])];

function record(data: number[]): number[] {
  const len = Buffer.alloc(8);
  len.writeUInt32LE(data.length, 0);
  // The mask, written out again here from tensorflow/core/lib/hash/crc32c.h: rotate right by 15, add 0xa282ead8.
  const mask = (c: number) => ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
  return [...len, ...u32(mask(crc32c(len))), ...data, ...u32(mask(crc32c(Uint8Array.from(data))))];
}

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
    assert.deepEqual(r.scalars.map((s) => s.tag), ['train/loss', 'train/learning_rate']);
    assert.match(r.problem ?? '', new RegExp(`^record 3 at byte ${firstTwo}: the file ends inside the record \\(\\d+ bytes announced, 8 present\\)$`));
  });
  it('cut inside the 12-byte header', () => {
    const r = readTfEvents(good.subarray(0, firstTwo + 5));
    assert.equal(r.problem, `record 3 at byte ${firstTwo}: the file ends inside the record header (5 of 12 bytes)`);
  });
  it('a flipped bit in the data: data checksum', () => {
    const bad = Uint8Array.from(good);
    bad[firstTwo + 14] = bad[firstTwo + 14]! ^ 0x04;
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
