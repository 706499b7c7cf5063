import { describe, expect, it } from 'vitest';
import { clientTooOld, compareVersions } from './protocol-version.ts';

describe('client version gate', () => {
  it.each([
    ['1.2.3', '1.2.3', 0],
    ['1.2.3', '1.10.0', -1],
    ['2.0.0', '1.99.99', 1],
    ['1.2.3-beta.1', '1.2.3', 0],
    ['1.2', '1.2.0', undefined],
  ])('compare(%s, %s) = %s', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });

  it.each([
    ['1', '1.0.0', undefined],
    ['2', '0.1.0', undefined],
    [undefined, '1.0.0', 'X-Pos-Protocol is missing'],
    ['0', '1.0.0', 'protocol 0 is older than 1'],
    ['1', undefined, 'X-Pos-Client-Version is missing'],
    ['1', '0.0.9', 'client 0.0.9 is older than the minimum 0.1.0'],
    ['1', 'latest', 'X-Pos-Client-Version is not a version'],
  ])('protocol %s, client %s → %s', (protocol, client, expected) => {
    expect(clientTooOld(protocol, client, '0.1.0')).toBe(expected);
  });
});
