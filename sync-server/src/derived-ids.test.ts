import { describe, expect, it } from 'vitest';
import { lineMovementId, tenderMovementId, uuidV5 } from './derived-ids.ts';

describe('UUIDv5', () => {
  // Reference values from Python's uuid.uuid5 with the RFC namespaces.
  it.each([
    ['6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com', '2ed6657d-e927-568b-95e1-2665a8aea6a2'],
    ['6ba7b811-9dad-11d1-80b4-00c04fd430c8', 'http://python.org/', '4c565f0d-3f5a-5890-b41b-20cf47701c5e'],
  ])('uuidV5(%s, %s)', (ns, name, expected) => {
    expect(uuidV5(ns, name)).toBe(expected);
  });

  it('derives one stable movement id per (event, line) and different ids otherwise', () => {
    const e = '01900000-0000-7000-8000-000000000001';
    expect(lineMovementId(e, 'L1')).toBe(lineMovementId(e, 'L1'));
    expect(lineMovementId(e, 'L1')).not.toBe(lineMovementId(e, 'L2'));
    expect(lineMovementId(e, 'L1')).not.toBe(lineMovementId('01900000-0000-7000-8000-000000000002', 'L1'));
  });

  it('derives one stable account movement id per (event, tender), apart from the line movements', () => {
    const e = '01900000-0000-7000-8000-000000000001';
    expect(tenderMovementId(e, 'T1')).toBe(tenderMovementId(e, 'T1'));
    expect(tenderMovementId(e, 'T1')).not.toBe(tenderMovementId(e, 'T2'));
    expect(tenderMovementId(e, 'T1')).not.toBe(
      tenderMovementId('01900000-0000-7000-8000-000000000002', 'T1'),
    );
    expect(tenderMovementId(e, 'L1')).not.toBe(lineMovementId(e, 'L1'));
  });
});
