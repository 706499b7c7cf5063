import { describe, expect, it } from 'vitest';
import { percentile, report, summarize } from './harness.ts';

describe('percentile (nearest rank)', () => {
  it.each([
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95, 10],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 10, 1],
    [[7], 99, 7],
  ])('%j p%i = %i', (sample, p, expected) => {
    expect(percentile(sample, p)).toBe(expected);
  });

  it('refuses an empty sample', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
  });
});

describe('report', () => {
  it('ends with one parseable JSON line in the agreed shape', () => {
    const out = report('demo', [summarize('case a', 'ms', [3, 1, 2], '≤ 2 ms')]);
    const last = out.trim().split('\n').at(-1) ?? '';
    expect(JSON.parse(last)).toEqual({
      suite: 'demo',
      results: [{ name: 'case a', unit: 'ms', p50: 2, p95: 3, p99: 3 }],
    });
  });
});
