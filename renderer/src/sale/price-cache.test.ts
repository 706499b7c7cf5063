import { afterEach, describe, expect, it } from 'vitest';
import { priceDoc, removeTestTills, testTill } from '../app/till-fixture.test-helper.ts';
import { Catalog } from './catalog.ts';
import { PriceCache } from './price-cache.ts';

afterEach(removeTestTills);

describe('PriceCache', () => {
  it('follows price changes from the raw event bulks, never from `prices.$` (RxDB 17.6 keeps its events forever)', async () => {
    const t = await testTill();
    // `collection.$` goes through RxDB's module-level event cache, a Map keyed by event bulk that is
    // never cleared: subscribing to it kept every downloaded price in memory.
    Object.defineProperty(t.db.prices, '$', {
      get(): never {
        throw new Error('prices.$ was subscribed');
      },
    });
    const cache = new PriceCache(t.db, new Catalog(t.db, 'S01'), 'EUR');
    try {
      await cache.ensure('P-MILK');
      let changes = 0;
      cache.onChange(() => {
        changes += 1;
      });
      await t.db.prices.upsert(priceDoc('P-MILK', 175));
      await expect.poll(() => changes, { timeout: 2000 }).toBeGreaterThan(0);
      // A price of a product the till is not dealing with changes nothing.
      const before = changes;
      await t.db.prices.upsert(priceDoc('P-NOT-IN-THE-SALE', 100));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(changes).toBe(before);
    } finally {
      cache.close();
    }
  });
});
