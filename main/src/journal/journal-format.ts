/**
 * The on-disk format of the sales journal, free of file I/O so it can be tested byte by byte.
 *
 * A segment file is a run of frames:
 *
 *   magic (4: FF 4F 4A 31) | length (u32 LE) | crc32 of length bytes + record (u32 LE) | record
 *
 * The first record of a segment is its header ('H' + JSON): the device, the sequence of its first
 * entry and the hash of the entry before it, so a segment still verifies after older segments were
 * pruned. Every other record is an entry ('E' + prev hash (32) + hash (32) + canonical JSON body).
 *
 * Why this framing makes a torn write unambiguous: a crash can only damage the end of the last
 * segment, and whatever it leaves there (a short header, a length running past the end of the file,
 * zeros, a frame whose CRC fails) stops decoding, with no intact frame after it. A damaged frame
 * *followed by* an intact one cannot come from a crash, so it is reported as tampering instead. The
 * magic starts with 0xFF, a byte that never occurs in UTF-8, so it cannot appear inside the JSON
 * text of a record and resynchronising after damage cannot be fooled by a payload.
 *
 * hash = SHA-256(prev hash bytes ‖ body bytes), where the body is RFC 8785-style canonical JSON
 * (sorted keys, no whitespace, ECMAScript number formatting) of
 * {deviceId, eventId, payload, recordedAt, sequence, type}.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export const GENESIS_HASH = '0'.repeat(64);
export const FRAME_MAGIC: Buffer = Buffer.from([0xff, 0x4f, 0x4a, 0x31]);
export const FRAME_HEADER_BYTES = 12;
/** Far above any sale; a bigger length field is damage, not data. */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;
export const JOURNAL_FORMAT = 'omnitill-sales-journal';
export const JOURNAL_FORMAT_VERSION = 1;

const HASH_BYTES = 32;
const RECORD_HEADER = 0x48; // 'H'
const RECORD_ENTRY = 0x45; // 'E'
const ENTRY_PREFIX_BYTES = 1 + 2 * HASH_BYTES;
const SEGMENT_NAME = /^segment-(\d{16})\.journal$/;
const HEX_HASH = /^[0-9a-f]{64}$/;

// ---------------------------------------------------------------------------------------------
// Canonical JSON

export class CanonicalJsonError extends TypeError {
  override readonly name = 'CanonicalJsonError';
}

/**
 * Canonical JSON text of `value`, refusing anything JSON would silently change (NaN, Infinity,
 * undefined in arrays, Dates, Maps, class instances, cycles). Object properties whose value is
 * undefined are left out, as JSON.stringify does, so optional fields behave as expected.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  writeCanonical(value, '$', [], out);
  return out.join('');
}

function writeCanonical(value: unknown, path: string, ancestors: object[], out: string[]): void {
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value))
        throw new CanonicalJsonError(`${path} is ${value}, which JSON cannot hold`);
      out.push(JSON.stringify(value));
      return;
    case 'object':
      break;
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      throw new CanonicalJsonError(`${path} is a ${typeof value}, which JSON cannot hold`);
  }
  if (value === null) {
    out.push('null');
    return;
  }
  if (ancestors.includes(value)) throw new CanonicalJsonError(`${path} refers back to itself`);
  if (ancestors.length >= 64) throw new CanonicalJsonError(`${path} is nested more than 64 levels deep`);
  ancestors.push(value);
  if (Array.isArray(value)) {
    out.push('[');
    const items: readonly unknown[] = value;
    items.forEach((item, index) => {
      if (index > 0) out.push(',');
      if (item === undefined) throw new CanonicalJsonError(`${path}[${index}] is undefined`);
      writeCanonical(item, `${path}[${index}]`, ancestors, out);
    });
    out.push(']');
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new CanonicalJsonError(`${path} is not a plain object`);
    }
    const record = value as Readonly<Record<string, unknown>>;
    // Default sort compares UTF-16 code units, which is the order RFC 8785 asks for.
    const keys = Object.keys(record).sort();
    out.push('{');
    let first = true;
    for (const key of keys) {
      const item = record[key];
      if (item === undefined) continue;
      if (!first) out.push(',');
      first = false;
      out.push(JSON.stringify(key), ':');
      writeCanonical(item, `${path}.${key}`, ancestors, out);
    }
    out.push('}');
  }
  ancestors.pop();
}

// ---------------------------------------------------------------------------------------------
// Records

export interface SegmentHeader {
  readonly format: typeof JOURNAL_FORMAT;
  readonly version: number;
  readonly deviceId: string;
  readonly firstSequence: number;
  /** Hash of the entry before this segment's first entry (GENESIS_HASH for sequence 1). */
  readonly prevHash: string;
  readonly createdAt: string;
}

export interface EntryBody {
  readonly deviceId: string;
  readonly eventId: string;
  readonly type: string;
  readonly payload: JsonValue;
  readonly recordedAt: string;
  readonly sequence: number;
}

export type DecodedRecord =
  | { readonly kind: 'header'; readonly header: SegmentHeader }
  | {
      readonly kind: 'entry';
      readonly prevHash: string;
      readonly hash: string;
      /** Exactly the bytes that were hashed. */
      readonly bodyBytes: Buffer;
      readonly body: EntryBody;
    }
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * The body JSON of an entry, built by concatenation because the keys are already in canonical
 * order and the payload was canonicalised once when the event arrived.
 */
export function entryBodyJson(
  fields: Omit<EntryBody, 'payload'> & { readonly canonicalPayload: string },
): string {
  return (
    `{"deviceId":${JSON.stringify(fields.deviceId)},"eventId":${JSON.stringify(fields.eventId)},` +
    `"payload":${fields.canonicalPayload},"recordedAt":${JSON.stringify(fields.recordedAt)},` +
    `"sequence":${fields.sequence},"type":${JSON.stringify(fields.type)}}`
  );
}

export function chainHash(prevHash: string, bodyBytes: Uint8Array): string {
  return createHash('sha256').update(Buffer.from(prevHash, 'hex')).update(bodyBytes).digest('hex');
}

/** One framed entry record, ready to write, and its hash. */
export function encodeEntryFrame(prevHash: string, bodyJson: string): { frame: Buffer; hash: string } {
  const bodyLength = Buffer.byteLength(bodyJson, 'utf8');
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + ENTRY_PREFIX_BYTES + bodyLength);
  const recordStart = FRAME_HEADER_BYTES;
  const bodyStart = recordStart + ENTRY_PREFIX_BYTES;
  frame.write(bodyJson, bodyStart, bodyLength, 'utf8');
  const hash = chainHash(prevHash, frame.subarray(bodyStart));
  frame[recordStart] = RECORD_ENTRY;
  frame.write(prevHash, recordStart + 1, HASH_BYTES, 'hex');
  frame.write(hash, recordStart + 1 + HASH_BYTES, HASH_BYTES, 'hex');
  sealFrame(frame);
  return { frame, hash };
}

export function encodeHeaderFrame(header: Omit<SegmentHeader, 'format' | 'version'>): Buffer {
  const json = canonicalJson({ ...header, format: JOURNAL_FORMAT, version: JOURNAL_FORMAT_VERSION });
  const length = Buffer.byteLength(json, 'utf8');
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + 1 + length);
  frame[FRAME_HEADER_BYTES] = RECORD_HEADER;
  frame.write(json, FRAME_HEADER_BYTES + 1, length, 'utf8');
  sealFrame(frame);
  return frame;
}

/** Writes magic, length and CRC into the first 12 bytes of a frame whose record is in place. */
function sealFrame(frame: Buffer): void {
  FRAME_MAGIC.copy(frame, 0);
  frame.writeUInt32LE(frame.length - FRAME_HEADER_BYTES, 4);
  frame.writeUInt32LE(frameCrc(frame, 0, frame.length - FRAME_HEADER_BYTES), 8);
}

function frameCrc(buffer: Buffer, frameStart: number, recordLength: number): number {
  const lengthBytes = buffer.subarray(frameStart + 4, frameStart + 8);
  const record = buffer.subarray(
    frameStart + FRAME_HEADER_BYTES,
    frameStart + FRAME_HEADER_BYTES + recordLength,
  );
  return crc32(record, crc32(lengthBytes));
}

export function decodeRecord(record: Buffer): DecodedRecord {
  const kind = record[0];
  if (kind === RECORD_HEADER) {
    const parsed = parseJson(record.subarray(1));
    const header = asSegmentHeader(parsed);
    return header === null
      ? { kind: 'invalid', reason: 'segment header is not valid JSON of the expected shape' }
      : { kind: 'header', header };
  }
  if (kind === RECORD_ENTRY && record.length > ENTRY_PREFIX_BYTES) {
    const prevHash = record.toString('hex', 1, 1 + HASH_BYTES);
    const hash = record.toString('hex', 1 + HASH_BYTES, ENTRY_PREFIX_BYTES);
    const bodyBytes = record.subarray(ENTRY_PREFIX_BYTES);
    const body = asEntryBody(parseJson(bodyBytes));
    return body === null
      ? { kind: 'invalid', reason: 'entry body is not valid JSON of the expected shape' }
      : { kind: 'entry', prevHash, hash, bodyBytes, body };
  }
  return { kind: 'invalid', reason: `unknown record kind ${String(kind)}` };
}

export type EntryMeta = Omit<EntryBody, 'payload'>;

export type DecodedEntryMeta =
  | {
      readonly kind: 'entry';
      readonly prevHash: string;
      readonly hash: string;
      readonly bodyBytes: Buffer;
      readonly meta: EntryMeta;
    }
  | { readonly kind: 'not-entry' };

const PAYLOAD_KEY = Buffer.from(',"payload":');
const RECORDED_AT_KEY = Buffer.from(',"recordedAt":');

/**
 * An entry's fields without parsing its payload: what opening the journal needs for every entry.
 * The canonical body puts deviceId and eventId before the payload and recordedAt, sequence and
 * type after it, and a JSON string cannot hold an unescaped quote, so the first `,"payload":` and
 * the last `,"recordedAt":` are the top-level ones. Anything else takes the full parse.
 */
export function decodeEntryMeta(record: Buffer): DecodedEntryMeta {
  if (record[0] !== RECORD_ENTRY || record.length <= ENTRY_PREFIX_BYTES) return { kind: 'not-entry' };
  const bodyBytes = record.subarray(ENTRY_PREFIX_BYTES);
  const prevHash = record.toString('hex', 1, 1 + HASH_BYTES);
  const hash = record.toString('hex', 1 + HASH_BYTES, ENTRY_PREFIX_BYTES);
  const payloadAt = bodyBytes.indexOf(PAYLOAD_KEY);
  const recordedAtKey = bodyBytes.lastIndexOf(RECORDED_AT_KEY);
  if (payloadAt > 0 && recordedAtKey > payloadAt + PAYLOAD_KEY.length) {
    const head = parseJsonText(`${bodyBytes.toString('utf8', 0, payloadAt)}}`);
    const tail = parseJsonText(`{${bodyBytes.toString('utf8', recordedAtKey + 1)}`);
    const meta = isObject(head) && isObject(tail) ? asEntryMeta({ ...head, ...tail }) : null;
    if (meta !== null) return { kind: 'entry', prevHash, hash, bodyBytes, meta };
  }
  const full = decodeRecord(record);
  if (full.kind !== 'entry') return { kind: 'not-entry' };
  const { deviceId, eventId, type, recordedAt, sequence } = full.body;
  return {
    kind: 'entry',
    prevHash,
    hash,
    bodyBytes,
    meta: { deviceId, eventId, type, recordedAt, sequence },
  };
}

function parseJson(bytes: Buffer): unknown {
  return parseJsonText(bytes.toString('utf8'));
}

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSequence(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

function asSegmentHeader(value: unknown): SegmentHeader | null {
  if (!isObject(value)) return null;
  const { format, version, deviceId, firstSequence, prevHash, createdAt } = value;
  if (
    format !== JOURNAL_FORMAT ||
    version !== JOURNAL_FORMAT_VERSION ||
    typeof deviceId !== 'string' ||
    !isSequence(firstSequence) ||
    typeof prevHash !== 'string' ||
    !HEX_HASH.test(prevHash) ||
    typeof createdAt !== 'string'
  ) {
    return null;
  }
  return { format, version, deviceId, firstSequence, prevHash, createdAt };
}

function asEntryMeta(value: unknown): EntryMeta | null {
  if (!isObject(value)) return null;
  const { deviceId, eventId, type, recordedAt, sequence } = value;
  if (
    typeof deviceId !== 'string' ||
    typeof eventId !== 'string' ||
    typeof type !== 'string' ||
    typeof recordedAt !== 'string' ||
    !isSequence(sequence)
  ) {
    return null;
  }
  return { deviceId, eventId, type, recordedAt, sequence };
}

function asEntryBody(value: unknown): EntryBody | null {
  const meta = asEntryMeta(value);
  if (meta === null || !isObject(value) || !('payload' in value)) return null;
  // JSON.parse only ever yields JSON values.
  return { ...meta, payload: value.payload as JsonValue };
}

// ---------------------------------------------------------------------------------------------
// Frames and segments

export interface Frame {
  /** Byte offset of the frame's magic in the segment file. */
  readonly offset: number;
  /** Whole frame length, header included. */
  readonly length: number;
  readonly record: Buffer;
}

export interface DamagedRange {
  readonly offset: number;
  readonly length: number;
  readonly reason: string;
}

export interface SegmentScan {
  readonly frames: readonly Frame[];
  /** Damage followed by an intact frame: never the work of a crash. */
  readonly damaged: readonly DamagedRange[];
  /** Damage with no intact frame after it, running to the end of the buffer: what a crash leaves. */
  readonly tail: DamagedRange | null;
}

type FrameAttempt =
  { readonly ok: true; readonly frame: Frame } | { readonly ok: false; readonly reason: string };

function frameAt(buffer: Buffer, offset: number): FrameAttempt {
  if (buffer.length - offset < FRAME_HEADER_BYTES) return { ok: false, reason: 'incomplete frame header' };
  if (buffer.compare(FRAME_MAGIC, 0, FRAME_MAGIC.length, offset, offset + FRAME_MAGIC.length) !== 0) {
    return { ok: false, reason: 'no frame magic' };
  }
  const recordLength = buffer.readUInt32LE(offset + 4);
  if (recordLength === 0 || recordLength > MAX_RECORD_BYTES) {
    return { ok: false, reason: `implausible record length ${recordLength}` };
  }
  const end = offset + FRAME_HEADER_BYTES + recordLength;
  if (end > buffer.length) return { ok: false, reason: 'record runs past the end of the file' };
  if (frameCrc(buffer, offset, recordLength) !== buffer.readUInt32LE(offset + 8)) {
    return { ok: false, reason: 'checksum mismatch' };
  }
  const record = buffer.subarray(offset + FRAME_HEADER_BYTES, end);
  return { ok: true, frame: { offset, length: end - offset, record } };
}

/** The intact frame starting at `offset`, or why there is none. */
export function decodeFrameAt(buffer: Buffer, offset: number): Frame | string {
  const attempt = frameAt(buffer, offset);
  return attempt.ok ? attempt.frame : attempt.reason;
}

function nextIntactFrame(buffer: Buffer, from: number): number {
  let at = buffer.indexOf(FRAME_MAGIC, from);
  while (at !== -1) {
    if (frameAt(buffer, at).ok) return at;
    at = buffer.indexOf(FRAME_MAGIC, at + 1);
  }
  return -1;
}

/** Splits a segment file's bytes into intact frames, damage in the middle, and a damaged tail. */
export function scanSegment(buffer: Buffer): SegmentScan {
  const frames: Frame[] = [];
  const damaged: DamagedRange[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const attempt = frameAt(buffer, offset);
    if (attempt.ok) {
      frames.push(attempt.frame);
      offset += attempt.frame.length;
      continue;
    }
    const next = nextIntactFrame(buffer, offset + 1);
    if (next === -1) {
      return { frames, damaged, tail: { offset, length: buffer.length - offset, reason: attempt.reason } };
    }
    damaged.push({ offset, length: next - offset, reason: attempt.reason });
    offset = next;
  }
  return { frames, damaged, tail: null };
}

export function segmentFileName(firstSequence: number): string {
  return `segment-${String(firstSequence).padStart(16, '0')}.journal`;
}

/** The first sequence a segment file name claims, or null for any other file. */
export function parseSegmentFileName(name: string): number | null {
  const match = SEGMENT_NAME.exec(name);
  const digits = match?.[1];
  if (digits === undefined) return null;
  const value = Number(digits);
  return Number.isSafeInteger(value) && value >= 1 ? value : null;
}
