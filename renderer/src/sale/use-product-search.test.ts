import { describe, expect, it } from 'vitest';
import { SEARCH_INTERVAL_MS, searchDelay } from './use-product-search.ts';

describe('when a search for new text starts', () => {
  it.each([
    { case: 'the first key of all', last: Number.NEGATIVE_INFINITY, now: 5, wait: 0 },
    { case: 'the first key after a pause', last: 1_000, now: 1_000 + SEARCH_INTERVAL_MS + 400, wait: 0 },
    {
      case: 'exactly one interval after the last query',
      last: 1_000,
      now: 1_000 + SEARCH_INTERVAL_MS,
      wait: 0,
    },
    { case: 'a key 20 ms after the last query', last: 1_000, now: 1_020, wait: SEARCH_INTERVAL_MS - 20 },
    { case: 'a key in the same millisecond', last: 1_000, now: 1_000, wait: SEARCH_INTERVAL_MS },
  ])('$case: waits $wait ms', ({ last, now, wait }) => {
    expect(searchDelay(last, now)).toBe(wait);
  });

  it('never starts two queries less than an interval apart while keys keep coming', () => {
    // Keys every 7 ms for half a second; a query starts when its wait runs out before the next key.
    let lastStarted = Number.NEGATIVE_INFINITY;
    const starts: number[] = [];
    for (let key = 0; key <= 500; key += 7) {
      const due = key + searchDelay(lastStarted, key);
      if (due < key + 7 || key + 7 > 500) {
        lastStarted = due;
        starts.push(due);
      }
    }
    expect(starts[0]).toBe(0);
    for (let i = 1; i < starts.length; i++) {
      expect((starts[i] ?? 0) - (starts[i - 1] ?? 0)).toBeGreaterThanOrEqual(SEARCH_INTERVAL_MS);
    }
  });
});
