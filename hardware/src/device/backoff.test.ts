import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, backoffDelay } from './backoff.ts';

describe('backoffDelay', () => {
  it.each([
    [0, 250],
    [1, 500],
    [2, 1000],
    [3, 2000],
    [4, 4000],
    [5, 5000],
    [30, 5000],
  ])('waits before attempt %i: %i ms', (attempt, delay) => {
    expect(backoffDelay(DEFAULT_BACKOFF, attempt)).toBe(delay);
  });

  it('rejects a negative or fractional attempt as a programming error', () => {
    expect(() => backoffDelay(DEFAULT_BACKOFF, -1)).toThrow(RangeError);
    expect(() => backoffDelay(DEFAULT_BACKOFF, 1.5)).toThrow(RangeError);
  });
});
