/**
 * An encoder of TensorBoard event files for tests and benchmarks, written from the format's specification and
 * independent of the reader in server/src/jobs/tfevents.ts (only crc32c is shared, and it is checked on its own
 * against RFC 3720's check value): TFRecord framing (tensorflow/core/lib/io/record_writer.cc) around protobuf Events
 * (tensorboard/compat/proto/event.proto, summary.proto, tensor.proto; encoding rules:
 * https://protobuf.dev/programming-guides/encoding/).
 */
import { crc32c } from '../../server/src/jobs/tfevents';

export function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}
export const key = (field: number, wire: number) => varint(field * 8 + wire);
export const lenField = (field: number, bytes: number[]) => [...key(field, 2), ...varint(bytes.length), ...bytes];
export const text = (s: string) => [...Buffer.from(s, 'utf8')];
export function f32(v: number): number[] {
  const b = Buffer.alloc(4);
  b.writeFloatLE(v);
  return [...b];
}
export function f64(v: number): number[] {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return [...b];
}
export const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return [...b];
};

/** Event{wall_time, step, summary{value: [...]}} */
export function event(step: number, wallTime: number, values: number[][]): number[] {
  const summary = values.flatMap((v) => lenField(1, v));
  return [...key(1, 1), ...f64(wallTime), ...key(2, 0), ...varint(step), ...lenField(5, summary)];
}
/** Summary.Value with simple_value (TF 1.x, tensorboardX). */
export const simple = (tag: string, v: number) => [...lenField(1, text(tag)), ...key(2, 5), ...f32(v)];
/** Summary.Value with a one-element tensor: packed float_val, or tensor_content of a double (TF 2.x, PyTorch). */
export const tensorFloat = (tag: string, v: number) => [...lenField(1, text(tag)), ...lenField(8, [...key(1, 0), ...varint(1), ...lenField(5, f32(v))])];
export const tensorDouble = (tag: string, v: number) => [...lenField(1, text(tag)), ...lenField(8, [...key(1, 0), ...varint(2), ...lenField(4, f64(v))])];
/** A histogram-like tensor (3 floats): not a scalar, skipped. */
export const tensorVector = (tag: string) => [
  ...lenField(1, text(tag)),
  ...lenField(8, [...key(1, 0), ...varint(1), ...lenField(5, [...f32(1), ...f32(2), ...f32(3)])]),
];

export function record(data: number[]): number[] {
  const len = Buffer.alloc(8);
  len.writeUInt32LE(data.length, 0);
  // The mask, written out again here from tensorflow/core/lib/hash/crc32c.h: rotate right by 15, add 0xa282ead8.
  const mask = (c: number) => ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
  return [...len, ...u32(mask(crc32c(len))), ...data, ...u32(mask(crc32c(Uint8Array.from(data))))];
}
