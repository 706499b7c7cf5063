import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash, NotCanonicalError } from './canonical-hash.ts';

describe('canonical JSON and content hash', () => {
  it.each([
    [{ b: 1, a: [true, null, 'x'] }, '{"a":[true,null,"x"],"b":1}'],
    [{ n: 1.0, m: 1e21, s: '\u00e9' }, '{"m":1e+21,"n":1,"s":"é"}'],
    [{ z: { y: 2, x: 1 } }, '{"z":{"x":1,"y":2}}'],
    // RFC 8785 §3.2.2.3 number forms, and -0 as 0.
    [[-0, 1e-7, 0.000001, 123456789012345680000, 5e-324], '[0,1e-7,0.000001,123456789012345680000,5e-324]'],
    // Keys sort by UTF-16 code units: "10" before "9", "Z" before "a", U+20AC before U+1F600's surrogates.
    [
      { 9: 'n', 10: 'm', a: 1, Z: 2, '\u20ac': 3, '\u{1f600}': 4 },
      '{"10":"m","9":"n","Z":2,"a":1,"€":3,"😀":4}',
    ],
    [{ u: undefined, s: 'line\nbreak "q" \u0001' }, '{"s":"line\\nbreak \\"q\\" \\u0001"}'],
  ])('serialises %j as RFC 8785', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('produces what the canonicalize package produces for any JSON value (the stored hashes stay valid)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), (value) => {
        // A JSON text round trip: what a request body parses to (-0 included, as JSON.parse keeps it).
        const parsed: unknown = JSON.parse(JSON.stringify(value));
        expect(canonicalJson(parsed)).toBe(canonicalize(parsed));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses with a RangeError what has no canonical form: 1e400 parses to Infinity', () => {
    const parsed: unknown = JSON.parse('{"a":[1e400]}');
    expect(() => canonicalJson(parsed)).toThrow(NotCanonicalError);
    expect(() => canonicalJson(undefined)).toThrow(RangeError);
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
