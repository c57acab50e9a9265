import { closeSync, constants, fstatSync, ftruncateSync, openSync, readSync, writeSync, type Stats } from 'node:fs';

/**
 * Reading a file named by a config, a command line or the workspace, which may be anything: only regular files
 * are read, and only up to a size checked on the opened handle (so a FIFO, /dev/zero, /dev/urandom or a symlink
 * to one never blocks or fills memory). Text is decoded as the training tools read it, and edits are written back
 * over the original bytes, so a BOM, invalid UTF-8 and everything outside the edited ranges stay as they were.
 */

/** Why a file was not read: it does not exist, it is a folder, it is not a regular file (a FIFO, a device, a
 *  socket), it is larger than the cap, or reading it failed. */
export type Unread = 'missing' | 'folder' | 'special' | 'tooLarge' | 'failed';

export type RegularFile = { ok: true; bytes: Buffer } | { ok: false; reason: string; unread: Unread };

/** What a path is, for the message when it is not a regular file. */
function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The bytes of a regular file of at most `maxBytes`. Opened non-blocking (opening a FIFO with no writer would
 * otherwise wait forever), then judged by fstat on that handle: no race with a path swapped in between.
 */
export function readRegularFile(path: string, maxBytes: number): RegularFile {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'no such file', unread: 'missing' };
    if (code === 'EISDIR') return { ok: false, reason: 'is a folder', unread: 'folder' };
    if (code === 'ENXIO') return { ok: false, reason: 'not a regular file (a socket), not read', unread: 'special' };
    return { ok: false, reason: `cannot read (${code ?? String(e)})`, unread: 'failed' };
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return { ok: false, reason: 'is a folder', unread: 'folder' };
    if (!st.isFile()) return { ok: false, reason: `not a regular file (${kindOf(st)}), not read`, unread: 'special' };
    if (st.size > maxBytes) return { ok: false, reason: `larger than ${formatBytes(maxBytes)} (${formatBytes(st.size)}), not read`, unread: 'tooLarge' };
    const bytes = Buffer.allocUnsafe(st.size);
    let read = 0;
    while (read < st.size) {
      const n = readSync(fd, bytes, read, st.size - read, read);
      if (n === 0) break; // truncated while we read: keep what is there
      read += n;
    }
    return { ok: true, bytes: read === st.size ? bytes : bytes.subarray(0, read) };
  } catch (e) {
    return { ok: false, reason: `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, unread: 'failed' };
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a file in place, only if it is (still) a regular file: opened non-blocking for writing (a FIFO swapped in
 * since it was read fails instead of waiting for a reader), checked with fstat, then truncated and written.
 * True, or why not.
 */
export function writeRegularFile(path: string, bytes: Uint8Array): true | string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENXIO' ? 'not a regular file, not written' : `cannot write (${code ?? String(e)})`;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return `not a regular file (${kindOf(st)}), not written`;
    ftruncateSync(fd, 0);
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, written);
    return true;
  } catch (e) {
    return `cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
  } finally {
    closeSync(fd);
  }
}

/** `1 MiB`, `512 KiB`: how the readers' messages give sizes. */
export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round((n / 1048576) * 10) / 10} MiB` : `${Math.round(n / 1024)} KiB`;
}

export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

export interface DecodedText {
  /** The text without its byte order mark, as an editor shows it (malformed UTF-8 becomes U+FFFD). */
  text: string;
  encoding: Encoding;
  /** Bytes of the byte order mark at the start (0 when there is none). */
  bomBytes: number;
  /** Byte and character offsets of the first malformed UTF-8 sequence, or null. */
  invalidUtf8At: number | null;
  invalidUtf8Char: number | null;
}

/**
 * Decodes a file: UTF-16 when it starts with a UTF-16 byte order mark, or when its first bytes are ASCII text with
 * every other byte NUL (UTF-16 without a mark); else UTF-8. Null for binary data (NUL bytes in UTF-8 text).
 */
export function decodeText(bytes: Uint8Array): DecodedText | null {
  const utf16 = utf16Encoding(bytes);
  if (utf16) {
    const bomBytes = utf16.bom ? 2 : 0;
    return {
      text: new TextDecoder(utf16.encoding, { ignoreBOM: true }).decode(bytes.subarray(bomBytes)),
      encoding: utf16.encoding,
      bomBytes,
      invalidUtf8At: null,
      invalidUtf8Char: null,
    };
  }
  if (bytes.subarray(0, 8192).includes(0)) return null;
  const bomBytes = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(bomBytes);
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(body);
  let invalidUtf8At: number | null = null;
  let invalidUtf8Char: number | null = null;
  if (text.includes('\uFFFD')) {
    const at = firstInvalid(body);
    if (at < body.length) {
      invalidUtf8At = at + bomBytes;
      invalidUtf8Char = new TextDecoder('utf-8', { ignoreBOM: true }).decode(body.subarray(0, at)).length;
    }
  }
  return { text, encoding: 'utf-8', bomBytes, invalidUtf8At, invalidUtf8Char };
}

function utf16Encoding(bytes: Uint8Array): { encoding: 'utf-16le' | 'utf-16be'; bom: boolean } | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', bom: true };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', bom: true };
  const n = Math.min(bytes.length, 512) & ~1;
  if (n < 4) return null;
  let le = true;
  let be = true;
  for (let i = 0; i < n; i += 2) {
    const a = bytes[i];
    const b = bytes[i + 1];
    le &&= a !== 0 && a < 0x80 && b === 0;
    be &&= b !== 0 && b < 0x80 && a === 0;
  }
  return le ? { encoding: 'utf-16le', bom: false } : be ? { encoding: 'utf-16be', bom: false } : null;
}

/**
 * Length in bytes of the UTF-8 sequence at `i`, and how many UTF-16 code units it decodes to. A malformed
 * sequence gives its maximal subpart and one unit (U+FFFD), as the WHATWG decoder (TextDecoder) does.
 */
function utf8Step(bytes: Uint8Array, i: number): { bytes: number; units: number; valid: boolean } {
  const b = bytes[i];
  if (b < 0x80) return { bytes: 1, units: 1, valid: true };
  let need: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) need = 1;
  else if (b >= 0xe0 && b <= 0xef) {
    need = 2;
    if (b === 0xe0) lo = 0xa0;
    if (b === 0xed) hi = 0x9f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    need = 3;
    if (b === 0xf0) lo = 0x90;
    if (b === 0xf4) hi = 0x8f;
  } else return { bytes: 1, units: 1, valid: false };
  let k = 1;
  for (; k <= need; k++) {
    const c = bytes[i + k];
    if (c === undefined || c < lo || c > hi) return { bytes: k, units: 1, valid: false };
    lo = 0x80;
    hi = 0xbf;
  }
  return { bytes: k, units: need === 3 ? 2 : 1, valid: true };
}

function firstInvalid(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const step = utf8Step(bytes, i);
    if (!step.valid) return i;
    i += step.bytes;
  }
  return bytes.length;
}

/** An edit of the decoded text, by character offsets. */
export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

/**
 * The file's bytes with the edits applied: each edit replaces exactly the bytes its range decoded from, and
 * every other byte (a BOM, malformed UTF-8, CRLF) is kept. Edits are applied in order of their start, as
 * TextDocument.applyEdits does.
 */
export function applyEditsToBytes(bytes: Uint8Array, decoded: DecodedText, edits: OffsetEdit[]): Buffer {
  const sorted = edits
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.start - b.e.start || a.i - b.i)
    .map((x) => x.e);
  const byteAt = byteOffsets(
    bytes,
    decoded,
    sorted.flatMap((e) => [e.start, e.end]),
  );
  const parts: Uint8Array[] = [];
  let last = 0;
  for (const e of sorted) {
    const start = Math.max(byteAt.get(e.start)!, last);
    const end = Math.max(byteAt.get(e.end)!, start);
    parts.push(bytes.subarray(last, start), encode(e.newText, decoded.encoding));
    last = end;
  }
  parts.push(bytes.subarray(last));
  return Buffer.concat(parts);
}

function encode(text: string, encoding: Encoding): Buffer {
  if (encoding === 'utf-8') return Buffer.from(text, 'utf8');
  const le = Buffer.from(text, 'utf16le');
  return encoding === 'utf-16le' ? le : le.swap16();
}

/** Byte offsets of the given character offsets, found in one walk over the bytes. */
function byteOffsets(bytes: Uint8Array, decoded: DecodedText, offsets: number[]): Map<number, number> {
  const wanted = [...new Set(offsets)].sort((a, b) => a - b);
  const out = new Map<number, number>();
  if (decoded.encoding !== 'utf-8') {
    for (const o of wanted) out.set(o, Math.min(bytes.length, decoded.bomBytes + 2 * o));
    return out;
  }
  let unit = 0;
  let i = decoded.bomBytes;
  let w = 0;
  while (w < wanted.length) {
    if (wanted[w] <= unit || i >= bytes.length) {
      out.set(wanted[w], i);
      w++;
      continue;
    }
    const step = utf8Step(bytes, i);
    i += step.bytes;
    unit += step.units;
  }
  return out;
}
