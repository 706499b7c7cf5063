import { describe, expect, it } from 'vitest';
import { parsePriceCsv } from './price-changes.ts';

const HEADER = 'priceBookId,productId,sku,amount,currency,taxIncluded,validFrom,validTo';

describe('price CSV', () => {
  it('reads rows, with and without an end', () => {
    const parsed = parsePriceCsv(
      `${HEADER}\r\nPB,P1,S1,1299,EUR,true,2026-01-01T00:00:00.000Z,\nPB,P2,S2,5,EUR,false,2026-01-01T00:00:00.000Z,2026-02-01T00:00:00.000Z\n`,
    );
    expect(parsed).toEqual({
      ok: true,
      changes: [
        {
          priceBookId: 'PB',
          productId: 'P1',
          sku: 'S1',
          amount: 1299,
          currency: 'EUR',
          taxIncluded: true,
          validFrom: '2026-01-01T00:00:00.000Z',
        },
        {
          priceBookId: 'PB',
          productId: 'P2',
          sku: 'S2',
          amount: 5,
          currency: 'EUR',
          taxIncluded: false,
          validFrom: '2026-01-01T00:00:00.000Z',
          validTo: '2026-02-01T00:00:00.000Z',
        },
      ],
    });
  });

  it.each([
    ['a,b\n1,2', 'header must be'],
    [
      `${HEADER}\nPB,P1,S1,12.99,EUR,true,2026-01-01T00:00:00.000Z,`,
      'line 2: amount must be whole minor units',
    ],
    [`${HEADER}\nPB,P1,S1,12,EUR,yes,2026-01-01T00:00:00.000Z,`, 'line 2: taxIncluded must be true or false'],
    [`${HEADER}\nPB,P1,S1,12,EUR,true`, 'line 2: expected 8 fields'],
  ])('refuses %j', (csv, message) => {
    const parsed = parsePriceCsv(csv);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });
});
