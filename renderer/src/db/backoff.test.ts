import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';

const exact = { baseMs: 1_000, maxMs: 60_000, factor: 2, jitter: 0 };

describe('backoffDelay', () => {
  it.each([
    [0, 1_000],
    [1, 2_000],
    [2, 4_000],
    [3, 8_000],
    [4, 16_000],
    [5, 32_000],
    [6, 60_000],
    [7, 60_000],
    [1_000_000, 60_000],
  ])('attempt %i waits %i ms without jitter', (attempt, expected) => {
    expect(backoffDelay(attempt, exact)).toBe(expected);
  });

  it.each([
    // jitter 0.5: the delay is drawn from [d/2, d]
    [0, 0, 2_000],
    [0, 1, 1_000],
    [0, 0.5, 1_500],
    [3, 0.25, 14_000],
    [10, 0.999999, 30_000],
  ])('attempt %i with random %d and jitter 0.5 waits %i ms', (attempt, random, expected) => {
    expect(backoffDelay(attempt, { ...exact, baseMs: 2_000, jitter: 0.5 }, () => random)).toBe(expected);
  });

  it('the default schedule starts at 2 s and caps at 5 min', () => {
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => 0)).toBe(2_000);
    expect(backoffDelay(20, DEFAULT_BACKOFF, () => 0)).toBe(300_000);
    expect(backoffDelay(20, DEFAULT_BACKOFF, () => 1)).toBe(240_000);
  });

  it('refuses a negative or fractional attempt', () => {
    expect(() => backoffDelay(-1)).toThrow(RangeError);
    expect(() => backoffDelay(1.5)).toThrow(RangeError);
  });

  it('never exceeds the cap and never goes below (1 - jitter) of the un-jittered delay', () => {
    fc.assert(
      fc.property(
        fc.nat(200),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, random, jitter) => {
          const policy = { ...exact, jitter };
          const delay = backoffDelay(attempt, policy, () => random);
          const raw = backoffDelay(attempt, exact);
          expect(delay).toBeLessThanOrEqual(policy.maxMs);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(raw * (1 - jitter)));
        },
      ),
    );
  });
});

describe('Backoff', () => {
  it('grows with consecutive failures and starts over after a success', () => {
    const backoff = new Backoff(exact);
    expect([backoff.fail(), backoff.fail(), backoff.fail()]).toEqual([1_000, 2_000, 4_000]);
    expect(backoff.consecutiveFailures).toBe(3);
    expect(backoff.nextDelay).toBe(8_000);
    backoff.succeed();
    expect(backoff.consecutiveFailures).toBe(0);
    expect(backoff.fail()).toBe(1_000);
  });
});
