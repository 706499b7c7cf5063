import { describe, expect, it } from 'vitest';
import {
  StarAsbParser,
  isStarHeader1,
  packEtbCounter,
  packStarNumber,
  parseStarAsb,
  starPackedNumber,
} from './star-status.ts';
import { UNKNOWN_STATUS, type PrinterStatus } from './status.ts';

/** A 9-byte frame (ASB version 6, as StarPRNT printers send) with the given status bytes. */
function frame(s1 = 0, s2 = 0, s3 = 0, s4 = 0, counter = 0): number[] {
  return [0x23, 0x0c, s1, s2, s3, s4, 0x00, packEtbCounter(counter), 0x00];
}

const READY: PrinterStatus = { ...UNKNOWN_STATUS, online: true };

describe('Star ASB header numbers (Header 1 length table, Header 2 version table)', () => {
  // The tables in Star's ASB appendix: length 7 → 0x0F, 8 → 0x21 … 15 → 0x2F; version 1 → 0x02 … 31 → 0x6E.
  it.each([
    [0x0f, 7],
    [0x21, 8],
    [0x23, 9],
    [0x25, 10],
    [0x2f, 15],
  ])('Header 1 %s is a %i-byte frame', (header, length) => {
    expect(isStarHeader1(header)).toBe(true);
    expect(starPackedNumber(header)).toBe(length);
    expect(packStarNumber(length) | 0x01).toBe(header);
  });

  it.each([
    [0x02, 1],
    [0x06, 3],
    [0x0c, 6],
    [0x20, 8],
    [0x6e, 31],
  ])('Header 2 %s is ASB version %i', (header, version) => {
    expect(starPackedNumber(header)).toBe(version);
  });

  it('tells Header 1 from ESC/POS status bytes and body bytes', () => {
    expect(isStarHeader1(0x12)).toBe(false); // a DLE EOT reply
    expect(isStarHeader1(0x10)).toBe(false); // an ESC/POS ASB first byte
    expect(isStarHeader1(0x91)).toBe(false); // bit 7 set
  });
});

describe('parseStarAsb (status bytes from the ASB appendix, as libstario reads them)', () => {
  it.each<[string, number[], PrinterStatus]>([
    ['all clear', frame(), READY],
    ['offline (status 1 bit 3)', frame(0x08), { ...READY, online: false }],
    ['cover open (status 1 bit 5) with offline', frame(0x28), { ...READY, online: false, coverOpen: true }],
    ['drawer switch (status 1 bit 2)', frame(0x04), { ...READY, drawerPin3High: true }],
    ['FEED button (status 1 bit 6)', frame(0x40), { ...READY, feedButton: true }],
    [
      'mechanical error (status 2 bit 2)',
      frame(0x08, 0x04),
      { ...READY, online: false, error: true, errorCause: 'mechanical' },
    ],
    [
      'auto-cutter error (status 2 bit 3)',
      frame(0x08, 0x08),
      { ...READY, online: false, error: true, errorCause: 'autocutter' },
    ],
    [
      'unrecoverable error (status 2 bit 5) wins over a cutter error',
      frame(0x08, 0x28),
      { ...READY, online: false, error: true, errorCause: 'unrecoverable' },
    ],
    [
      'head too hot (status 2 bit 6)',
      frame(0x08, 0x40),
      { ...READY, online: false, error: true, errorCause: 'auto_recoverable' },
    ],
    [
      'head up (status 3 bit 1)',
      frame(0x08, 0, 0x02),
      { ...READY, online: false, error: true, errorCause: 'mechanical' },
    ],
    ['paper end (status 4 bit 3)', frame(0x08, 0, 0, 0x08), { ...READY, online: false, paper: 'out' }],
    ['near end, inner sensor (status 4 bit 2)', frame(0, 0, 0, 0x04), { ...READY, paper: 'near_end' }],
    ['near end, outer sensor (status 4 bit 1)', frame(0, 0, 0, 0x02), { ...READY, paper: 'near_end' }],
    ['paper end beats near end', frame(0x08, 0, 0, 0x0c), { ...READY, online: false, paper: 'out' }],
  ])('%s', (_name, bytes, status) => {
    expect(parseStarAsb(bytes).status).toEqual(status);
  });

  it.each([0, 1, 2, 5, 7, 8, 16, 21, 31])('reads ETB counter %i from status 6', (counter) => {
    const asb = parseStarAsb(frame(0, 0, 0, 0, counter));
    expect(asb.etbCounter).toBe(counter);
    expect(asb.version).toBe(6);
  });

  it('packs the counter in bits 1, 2, 3, 5 and 6, never in 0, 4 or 7', () => {
    for (let counter = 0; counter < 32; counter++) expect(packEtbCounter(counter) & 0x91).toBe(0);
    expect(packEtbCounter(31)).toBe(0x6e);
  });

  it('reports the ETB-executed bit (status 1 bit 1)', () => {
    expect(parseStarAsb(frame(0x02)).etbExecuted).toBe(true);
    expect(parseStarAsb(frame()).etbExecuted).toBe(false);
  });

  it('has no counter in a 7-byte frame', () => {
    const asb = parseStarAsb([0x0f, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00]);
    expect(asb.etbCounter).toBeUndefined();
    expect(asb.version).toBe(1);
  });
});

describe('StarAsbParser framing', () => {
  it('reads frames split across chunks at every position', () => {
    const bytes = Uint8Array.from([...frame(0x28, 0, 0, 0x08, 3), ...frame(0, 0, 0, 0, 4)]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const parser = new StarAsbParser();
      const frames = [...parser.push(bytes.subarray(0, cut)), ...parser.push(bytes.subarray(cut))];
      expect(frames.map((f) => f.etbCounter)).toEqual([3, 4]);
      expect(frames[0]?.status.coverOpen).toBe(true);
    }
  });

  it('takes the length from Header 1 (7, 9 and 15 bytes)', () => {
    const parser = new StarAsbParser();
    const seven = [0x0f, 0x02, 0x20, 0, 0, 0, 0];
    const fifteen = [0x2f, 0x0e, 0, 0, 0, 0x08, 0, packEtbCounter(9), 0, 0, 0, 0, 0, 0, 0];
    const frames = parser.push(Uint8Array.from([...seven, ...frame(), ...fifteen]));
    expect(frames.map((f) => f.length)).toEqual([7, 9, 15]);
    expect(frames[0]?.status.coverOpen).toBe(true);
    expect(frames[2]?.status.paper).toBe('out');
    expect(frames[2]?.etbCounter).toBe(9);
  });

  it('skips garbage before, between and after frames', () => {
    const parser = new StarAsbParser();
    const noise = [0xff, 0x12, 0x10, 0x80, 0x13, 0x11, 0x05]; // 0x13/0x11: XOFF/XON
    const frames = parser.push(Uint8Array.from([...noise, ...frame(0x04), ...noise, ...frame(), ...noise]));
    expect(frames.map((f) => f.status.drawerPin3High)).toEqual([true, false]);
    expect(parser.dropped).toBe(noise.length * 3);
  });

  it('drops a frame cut short by a byte that cannot be in it, and reads on from that byte', () => {
    const parser = new StarAsbParser();
    const cut = frame(0x28).slice(0, 5);
    const frames = parser.push(Uint8Array.from([...cut, ...frame(0, 0, 0, 0, 2)]));
    expect(frames).toHaveLength(1);
    expect(frames[0]?.etbCounter).toBe(2);
    expect(frames[0]?.status.coverOpen).toBe(false);
  });

  it('ignores a header whose length is below the 7-byte minimum', () => {
    const parser = new StarAsbParser();
    expect(parser.push(Uint8Array.of(0x01, 0x03, 0x05, 0x07, 0x09, 0x0b, 0x0d))).toEqual([]);
  });

  it('forgets a partial frame on reset', () => {
    const parser = new StarAsbParser();
    parser.push(Uint8Array.from(frame().slice(0, 4)));
    parser.reset();
    expect(parser.push(Uint8Array.from(frame().slice(4)))).toEqual([]);
    expect(parser.push(Uint8Array.from(frame(0x08)))).toHaveLength(1);
  });
});
