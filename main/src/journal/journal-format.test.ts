import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GENESIS_HASH,
  canonicalJson,
  chainHash,
  decodeEntryMeta,
  decodeRecord,
  encodeEntryFrame,
  encodeHeaderFrame,
  entryBodyJson,
  parseSegmentFileName,
  scanSegment,
  segmentFileName,
} from './journal-format.ts';

class Point {
  constructor(readonly x: number) {}
}

describe('canonicalJson', () => {
  it.each<[string, unknown, string]>([
    ['sorted keys, no whitespace', { b: 1, a: [true, null, 'x'] }, '{"a":[true,null,"x"],"b":1}'],
    ['nested objects sorted too', { z: { y: 1, x: 2 }, a: {} }, '{"a":{},"z":{"x":2,"y":1}}'],
    ['keys by UTF-16 code unit', { é: 1, z: 2, A: 3 }, '{"A":3,"z":2,"é":1}'],
    ['undefined properties left out', { a: undefined, b: 2 }, '{"b":2}'],
    ['ECMAScript numbers', [1e21, -0, 0.1, 5e-7, 100], '[1e+21,0,0.1,5e-7,100]'],
    ['escaped strings', 'a"b\n\u0001', '"a\\"b\\n\\u0001"'],
    ['null-prototype objects', Object.assign(Object.create(null) as object, { k: 'v' }), '{"k":"v"}'],
    ['top-level null', null, 'null'],
  ])('%s', (_, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  it.each<[string, unknown, RegExp]>([
    ['NaN', { total: Number.NaN }, /\$\.total is NaN/],
    ['Infinity', [Number.POSITIVE_INFINITY], /\$\[0\] is Infinity/],
    ['undefined in an array', [1, undefined], /\$\[1\] is undefined/],
    ['a Date', { at: new Date(0) }, /\$\.at is not a plain object/],
    ['a Map', new Map(), /\$ is not a plain object/],
    ['a class instance', { p: new Point(1) }, /\$\.p is not a plain object/],
    ['a bigint', { n: 1n }, /\$\.n is a bigint/],
    ['a function', { f: () => 1 }, /\$\.f is a function/],
    ['a cycle', cyclic, /\$\.self refers back to itself/],
  ])('refuses %s', (_, value, message) => {
    expect(() => canonicalJson(value)).toThrow(message);
  });

  it('accepts the same shared object twice when it is not a cycle', () => {
    const shared = { q: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"q":1},"b":{"q":1}}');
  });

  it('is JSON that parses back to the value, and ignores key order', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        expect(canonicalJson(reverseKeys(value))).toBe(text);
      }),
    );
  }, 30_000);
});

function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, item]) => [key, reverseKeys(item)]),
  );
}

describe('entry frames', () => {
  const body = entryBodyJson({
    deviceId: 'till-1',
    eventId: 'e-1',
    type: 'sale.completed',
    canonicalPayload: '{"a":2,"b":1}',
    recordedAt: '2025-03-01T09:00:00.000Z',
    sequence: 1,
  });

  it('builds the canonical body', () => {
    expect(body).toBe(
      '{"deviceId":"till-1","eventId":"e-1","payload":{"a":2,"b":1},' +
        '"recordedAt":"2025-03-01T09:00:00.000Z","sequence":1,"type":"sale.completed"}',
    );
  });

  it('hashes prev hash bytes then body bytes with SHA-256', () => {
    // Vectors computed with Python's hashlib.
    expect(chainHash(GENESIS_HASH, Buffer.from('{"a":1}'))).toBe(
      'b06a229070741292512e8760f470dd7a4c46ccfdf253df781d88dabe58c1ccb1',
    );
    expect(encodeEntryFrame(GENESIS_HASH, body).hash).toBe(
      'a5efa408052a7f6f9eb9a7810c16404322475f69830d62388b07e1e519b278a8',
    );
  });

  it('lays out magic, length, CRC-32 and the record', () => {
    const { frame, hash } = encodeEntryFrame(GENESIS_HASH, body);
    const recordLength = 1 + 32 + 32 + 138;
    expect(frame.length).toBe(12 + recordLength);
    expect([...frame.subarray(0, 4)]).toEqual([0xff, 0x4f, 0x4a, 0x31]);
    expect(frame.readUInt32LE(4)).toBe(recordLength);
    expect(frame.readUInt32LE(8)).toBe(crc32(frame.subarray(12), crc32(frame.subarray(4, 8))));
    expect(frame[12]).toBe(0x45);
    expect(frame.toString('hex', 13, 45)).toBe(GENESIS_HASH);
    expect(frame.toString('hex', 45, 77)).toBe(hash);
    expect(frame.toString('utf8', 77)).toBe(body);
  });

  it('decodes what it encodes', () => {
    const { frame, hash } = encodeEntryFrame(GENESIS_HASH, body);
    const record = decodeRecord(frame.subarray(12));
    expect(record).toMatchObject({
      kind: 'entry',
      prevHash: GENESIS_HASH,
      hash,
      body: {
        deviceId: 'till-1',
        eventId: 'e-1',
        type: 'sale.completed',
        payload: { a: 2, b: 1 },
        recordedAt: '2025-03-01T09:00:00.000Z',
        sequence: 1,
      },
    });
    const header = encodeHeaderFrame({
      deviceId: 'till-1',
      firstSequence: 7,
      prevHash: hash,
      createdAt: '2025-03-01T00:00:00.000Z',
    });
    expect(decodeRecord(header.subarray(12))).toEqual({
      kind: 'header',
      header: {
        format: 'omnitill-sales-journal',
        version: 1,
        deviceId: 'till-1',
        firstSequence: 7,
        prevHash: hash,
        createdAt: '2025-03-01T00:00:00.000Z',
      },
    });
  });

  it.each([
    ['an unknown record kind', Buffer.from('X{}')],
    ['an entry too short for its hashes', Buffer.from('E1234')],
    ['a header that is not JSON', Buffer.from('H{not json')],
    [
      'an entry body without a sequence',
      Buffer.concat([Buffer.from('E'), Buffer.alloc(64), Buffer.from('{"payload":1}')]),
    ],
  ])('reports %s as invalid', (_, record) => {
    expect(decodeRecord(record).kind).toBe('invalid');
  });
});

describe('decodeEntryMeta', () => {
  function record(body: string): Buffer {
    return encodeEntryFrame(GENESIS_HASH, body).frame.subarray(12);
  }

  it('reads the fields around any payload without parsing it, as the full parse does', () => {
    // Strings built from the pieces that could fool a search for the envelope's keys.
    const text = fc
      .array(
        fc.constantFrom(
          'a',
          '"',
          '\\',
          ',',
          ':',
          '{',
          '}',
          ',"payload":',
          ',"recordedAt":',
          'é',
          '😀',
          '\u0000',
        ),
        {
          maxLength: 6,
        },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.dictionary(text, text)),
        text,
        text,
        text,
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        (payload, eventId, type, recordedAt, sequence) => {
          const canonicalPayload = canonicalJson(payload);
          const body = entryBodyJson({
            deviceId: 'd',
            eventId,
            type,
            canonicalPayload,
            recordedAt,
            sequence,
          });
          const decoded = decodeEntryMeta(record(body));
          expect(decoded.kind === 'entry' ? decoded.meta : decoded).toEqual({
            deviceId: 'd',
            eventId,
            type,
            recordedAt,
            sequence,
          });
        },
      ),
    );
  }, 30_000);

  it.each([
    [
      'keys named like the envelope inside the payload',
      '{"deviceId":"d","eventId":"e,\\"payload\\":1","payload":{"a":1,"recordedAt":"x","sequence":9,"type":"y"},"recordedAt":"r","sequence":2,"type":"t"}',
    ],
    [
      'keys in another order',
      '{"type":"t","sequence":2,"recordedAt":"r","payload":{},"eventId":"e,\\"payload\\":1","deviceId":"d"}',
    ],
  ])('gets %s right', (_, body) => {
    expect(decodeEntryMeta(record(body))).toMatchObject({
      kind: 'entry',
      meta: { deviceId: 'd', eventId: 'e,"payload":1', type: 't', recordedAt: 'r', sequence: 2 },
    });
  });

  it('refuses headers and bodies without the fields', () => {
    const header = encodeHeaderFrame({
      deviceId: 'd',
      firstSequence: 1,
      prevHash: GENESIS_HASH,
      createdAt: 'c',
    });
    expect(decodeEntryMeta(header.subarray(12)).kind).toBe('not-entry');
    expect(decodeEntryMeta(record('{"deviceId":"d","payload":1,"recordedAt":"r","sequence":1}')).kind).toBe(
      'not-entry',
    );
  });
});

/** A segment: header then `count` entries, with each frame's offset. */
function segment(count: number): { bytes: Buffer; offsets: number[] } {
  const frames = [
    encodeHeaderFrame({
      deviceId: 'd',
      firstSequence: 1,
      prevHash: GENESIS_HASH,
      createdAt: '2025-01-01T00:00:00Z',
    }),
  ];
  let prev = GENESIS_HASH;
  for (let sequence = 1; sequence <= count; sequence++) {
    const body = entryBodyJson({
      deviceId: 'd',
      eventId: `e${sequence}`,
      type: 't',
      canonicalPayload: `{"n":${sequence}}`,
      recordedAt: '2025-01-01T00:00:00.000Z',
      sequence,
    });
    const { frame, hash } = encodeEntryFrame(prev, body);
    frames.push(frame);
    prev = hash;
  }
  const offsets: number[] = [];
  let offset = 0;
  for (const frame of frames) {
    offsets.push(offset);
    offset += frame.length;
  }
  return { bytes: Buffer.concat(frames), offsets };
}

describe('scanSegment', () => {
  const { bytes, offsets } = segment(3);
  const lastStart = offsets[3]!;

  it('reads every frame of an intact segment', () => {
    const scan = scanSegment(bytes);
    expect(scan.frames.map((frame) => frame.offset)).toEqual(offsets);
    expect(scan.damaged).toEqual([]);
    expect(scan.tail).toBeNull();
  });

  it('treats a write cut at any byte as a torn tail starting at that frame', () => {
    for (let cut = lastStart + 1; cut < bytes.length; cut++) {
      const scan = scanSegment(bytes.subarray(0, cut));
      expect(scan.frames.length).toBe(3);
      expect(scan.damaged).toEqual([]);
      expect(scan.tail).toMatchObject({ offset: lastStart, length: cut - lastStart });
    }
  });

  it.each([
    ['zeros', Buffer.alloc(700)],
    ['noise', Buffer.from([1, 2, 3, 0xff, 0x4f, 0x4a, 0x31, 9, 9])],
    [
      'a frame whose length runs past the end',
      Buffer.from([0xff, 0x4f, 0x4a, 0x31, 0, 1, 0, 0, 1, 2, 3, 4, 5]),
    ],
  ])('treats %s after the last frame as a torn tail', (_, junk) => {
    const scan = scanSegment(Buffer.concat([bytes, junk]));
    expect(scan.frames.length).toBe(4);
    expect(scan.tail).toMatchObject({ offset: bytes.length, length: junk.length });
  });

  it('reports a damaged frame followed by intact ones as damage, not a tail', () => {
    const copy = Buffer.from(bytes);
    const second = offsets[2]!;
    copy[second + 40] = copy[second + 40]! ^ 0x01;
    const scan = scanSegment(copy);
    expect(scan.frames.map((frame) => frame.offset)).toEqual([offsets[0], offsets[1], offsets[3]]);
    expect(scan.damaged).toEqual([
      { offset: second, length: offsets[3]! - second, reason: 'checksum mismatch' },
    ]);
    expect(scan.tail).toBeNull();
  });

  it('resynchronises after bytes inserted between frames', () => {
    const junk = Buffer.from('garbage that is not a frame');
    const at = offsets[2]!;
    const scan = scanSegment(Buffer.concat([bytes.subarray(0, at), junk, bytes.subarray(at)]));
    expect(scan.frames.length).toBe(4);
    expect(scan.damaged).toEqual([{ offset: at, length: junk.length, reason: 'no frame magic' }]);
  });
});

describe('segment file names', () => {
  it.each<[string, number | null]>([
    ['segment-0000000000000001.journal', 1],
    ['segment-0000000000012345.journal', 12_345],
    ['segment-0000000000000000.journal', null],
    ['segment-1.journal', null],
    ['journal.lock', null],
    ['segment-0000000000000001.journal.tmp', null],
  ])('%s → %s', (name, sequence) => {
    expect(parseSegmentFileName(name)).toBe(sequence);
  });

  it('pads names so they sort by sequence', () => {
    expect(segmentFileName(42)).toBe('segment-0000000000000042.journal');
    expect([segmentFileName(100), segmentFileName(9)].sort()).toEqual([
      segmentFileName(9),
      segmentFileName(100),
    ]);
  });
});
