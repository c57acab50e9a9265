/**
 * The scalar subset of TensorBoard event files (`events.out.tfevents.*`), read from bytes. No parser of this format
 * is maintained on npm (checked December 2026: the registry has TFRecord readers for tf.Example, nothing that decodes
 * Event/Summary), so this is a small reader of what a loss chart needs.
 *
 * Framing (TFRecord; tensorflow/core/lib/io/record_writer.cc): each record is
 *   uint64 length (little-endian) · uint32 masked CRC32C of those 8 bytes · `length` bytes of data · uint32 masked
 *   CRC32C of the data;
 * the mask is ((crc >>> 15) | (crc << 17)) + 0xa282ead8 (tensorflow/core/lib/hash/crc32c.h, Mask).
 * Each record's data is a protobuf `Event` (tensorboard/compat/proto/event.proto): wall_time = 1 (double),
 * step = 2 (int64), summary = 5 (Summary). `Summary` (summary.proto): repeated Value value = 1; `Value`: tag = 1,
 * simple_value = 2 (float), tensor = 8 (TensorProto). `TensorProto` (tensor.proto): dtype = 1 (DT_FLOAT = 1,
 * DT_DOUBLE = 2 in types.proto), tensor_content = 4 (raw little-endian), float_val = 5, double_val = 6 (packed or not).
 * TF 1.x and tensorboardX write simple_value; TF 2.x `tf.summary.scalar` and PyTorch write a one-element tensor.
 */

export interface TfScalar {
  step: number;
  wallTime: number;
  tag: string;
  value: number;
}

export interface TfEventsResult {
  scalars: TfScalar[];
  /** Records read whole (with good checksums), scalar or not. */
  records: number;
  /** Why reading stopped early: a checksum that does not match, a record cut off, a malformed Event. */
  problem?: string;
}

const CRC_TABLE = (() => {
  // CRC-32C (Castagnoli), reflected polynomial 0x82F63B78 (RFC 3720 §B.4).
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function maskedCrc32c(bytes: Uint8Array): number {
  const c = crc32c(bytes);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

class ProtoError extends Error {}

/** A protobuf reader over one message: only what Event, Summary and TensorProto use. */
class Proto {
  private pos = 0;
  private readonly view: DataView;
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new ProtoError('a number runs past the end of its message');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * scale;
      if (!(b & 0x80)) return result;
      scale *= 128;
    }
    throw new ProtoError('a number longer than 10 bytes');
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new ProtoError('a field runs past the end of its message');
  }
  double(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  float(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }
  bytes(): Uint8Array {
    const n = this.varint();
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  advance(n: number): void {
    this.need(n);
    this.pos += n;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.advance(8);
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.advance(4);
    else throw new ProtoError(`unsupported wire type ${wire}`);
  }
  /** Each field as (number, wire type), the reader positioned on its value. */
  *fields(): Generator<[number, number]> {
    while (!this.done()) {
      const key = this.varint();
      yield [Math.floor(key / 8), key & 7];
    }
  }
}

const DT_FLOAT = 1;
const DT_DOUBLE = 2;

/** A TensorProto holding exactly one float or double, as TF 2.x and PyTorch write scalars; else undefined. */
function tensorScalar(buf: Uint8Array): number | undefined {
  const p = new Proto(buf);
  let dtype = 0;
  const values: number[] = [];
  let content: Uint8Array | undefined;
  for (const [field, wire] of p.fields()) {
    if (field === 1 && wire === 0) dtype = p.varint();
    else if (field === 4 && wire === 2) content = p.bytes();
    else if ((field === 5 || field === 6) && wire === 2) {
      const packed = new Proto(p.bytes());
      while (!packed.done()) values.push(field === 5 ? packed.float() : packed.double());
    } else if (field === 5 && wire === 5) values.push(p.float());
    else if (field === 6 && wire === 1) values.push(p.double());
    else p.skip(wire);
  }
  if (content && content.length) {
    const view = new DataView(content.buffer, content.byteOffset, content.byteLength);
    if (dtype === DT_FLOAT && content.length === 4) return view.getFloat32(0, true);
    if (dtype === DT_DOUBLE && content.length === 8) return view.getFloat64(0, true);
    return undefined;
  }
  return (dtype === DT_FLOAT || dtype === DT_DOUBLE) && values.length === 1 ? values[0] : undefined;
}

const utf8 = new TextDecoder('utf-8');

function summaryScalars(buf: Uint8Array, step: number, wallTime: number, out: TfScalar[]): void {
  const summary = new Proto(buf);
  for (const [field, wire] of summary.fields()) {
    if (field !== 1 || wire !== 2) {
      summary.skip(wire);
      continue;
    }
    const value = new Proto(summary.bytes());
    let tag = '';
    let v: number | undefined;
    for (const [f, w] of value.fields()) {
      if (f === 1 && w === 2) tag = utf8.decode(value.bytes());
      else if (f === 2 && w === 5) v = value.float();
      else if (f === 8 && w === 2) v = tensorScalar(value.bytes()) ?? v;
      else value.skip(w);
    }
    if (tag && v !== undefined) out.push({ step, wallTime, tag, value: v });
  }
}

/**
 * Every scalar of an event file, in file order. A damaged file is read up to the damage and `problem` says where
 * and what: a file being written ends inside a record, which is reported the same way (the scalars before it are
 * good). Never throws on any input.
 */
export function readTfEvents(bytes: Uint8Array): TfEventsResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scalars: TfScalar[] = [];
  let records = 0;
  let pos = 0;
  const stop = (what: string): TfEventsResult => ({ scalars, records, problem: `record ${records + 1} at byte ${pos}: ${what}` });
  while (pos < bytes.length) {
    if (pos + 12 > bytes.length) return stop(`the file ends inside the record header (${bytes.length - pos} of 12 bytes)`);
    const header = bytes.subarray(pos, pos + 8);
    if (view.getUint32(pos + 8, true) !== maskedCrc32c(header)) return stop('the length checksum does not match (not an event file, or damaged)');
    const length = view.getUint32(pos, true) + view.getUint32(pos + 4, true) * 2 ** 32;
    const end = pos + 12 + length + 4;
    if (end > bytes.length) return stop(`the file ends inside the record (${length} bytes announced, ${Math.max(0, bytes.length - pos - 12)} present)`);
    const data = bytes.subarray(pos + 12, pos + 12 + length);
    if (view.getUint32(pos + 12 + length, true) !== maskedCrc32c(data)) return stop('the data checksum does not match (damaged)');
    try {
      const event = new Proto(data);
      let step = 0;
      let wallTime = 0;
      let summary: Uint8Array | undefined;
      for (const [field, wire] of event.fields()) {
        if (field === 1 && wire === 1) wallTime = event.double();
        else if (field === 2 && wire === 0) step = event.varint();
        else if (field === 5 && wire === 2) summary = event.bytes();
        else event.skip(wire);
      }
      // Summary comes after step in what writers emit, but protobuf allows any order: decode it last, and keep a
      // record's scalars only when all of it decodes.
      const found: TfScalar[] = [];
      if (summary) summaryScalars(summary, step, wallTime, found);
      scalars.push(...found);
    } catch (e) {
      if (e instanceof ProtoError) return stop(`not a valid Event: ${e.message}`);
      throw e;
    }
    records++;
    pos = end;
  }
  return { scalars, records };
}
