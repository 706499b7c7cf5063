import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash } from './canonical-hash.ts';

describe('canonical JSON and content hash', () => {
  it.each([
    [{ b: 1, a: [true, null, 'x'] }, '{"a":[true,null,"x"],"b":1}'],
    [{ n: 1.0, m: 1e21, s: '\u00e9' }, '{"m":1e+21,"n":1,"s":"é"}'],
    [{ z: { y: 2, x: 1 } }, '{"z":{"x":1,"y":2}}'],
  ])('serialises %j as RFC 8785', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('ignores key order and RxDB or server bookkeeping, but not content', () => {
    const a = { eventId: 'e', payload: { q: 1, p: 2 } };
    const b = {
      payload: { p: 2, q: 1 },
      eventId: 'e',
      _rev: '3-x',
      _meta: { lwt: 1 },
      _deleted: false,
      serverStatus: 'quarantined',
    };
    expect(contentHash(a)).toBe(contentHash(b));
    expect(contentHash(a)).not.toBe(contentHash({ eventId: 'e', payload: { q: 1, p: 3 } }));
    // SHA-256 of '{"eventId":"e","payload":{"p":2,"q":1}}', computed with Python's hashlib.
    expect(contentHash(a)).toBe('d8ae6fd0b3b5dfbdfcc3b64a9fb215a07564325f2ef64d466db462682ea8f887');
  });
});
