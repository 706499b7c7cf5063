import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PinHash } from '../contract.ts';
import { CommandError } from './command-error.ts';
import { StaffAuth, pinMatches } from './staff-auth.ts';

// Reference hash made with Node's scrypt directly, as HQ would: PIN 2468, N=2^14, r=8, p=1.
const salt = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
const PIN_HASH: PinHash = {
  algorithm: 'scrypt',
  hash: scryptSync('2468', salt, 32, { N: 16384, r: 8, p: 1 }).toString('base64'),
  salt: salt.toString('base64'),
  cost: 16384,
  blockSize: 8,
  parallelization: 1,
  keyLength: 32,
};

function clockAt(start: string) {
  let now = new Date(start).getTime();
  return { clock: () => new Date(now), advance: (ms: number) => (now += ms) };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof CommandError) return `${error.code}: ${error.message}`;
    throw error;
  }
}

describe('pinMatches', () => {
  it.each([
    ['2468', true],
    ['2469', false],
    ['0000', false],
    ['24680', false],
  ])('%s → %s', async (pin, expected) => {
    expect(await pinMatches(pin, PIN_HASH)).toBe(expected);
  });

  it('refuses a stored hash whose length disagrees with keyLength', async () => {
    expect(await pinMatches('2468', { ...PIN_HASH, keyLength: 16 })).toBe(false);
  });

  it('accepts an unpadded stored hash (the staff schema allows it)', async () => {
    expect(await pinMatches('2468', { ...PIN_HASH, hash: PIN_HASH.hash.replace(/=+$/, '') })).toBe(true);
  });
});

describe('StaffAuth', () => {
  const request = { staffId: 'staff-7', role: 'cashier' as const, pinHash: PIN_HASH };

  it('signs in with the right PIN and keeps the session until sign-out', async () => {
    const { clock } = clockAt('2026-11-23T09:00:00.000Z');
    const auth = new StaffAuth({ clock });
    expect(await auth.signIn({ ...request, pin: '2468' })).toEqual({
      staffId: 'staff-7',
      role: 'cashier',
      signedInAt: '2026-11-23T09:00:00.000Z',
    });
    expect(auth.getSession()?.staffId).toBe('staff-7');
    auth.signOut();
    expect(auth.getSession()).toBeNull();
  });

  it('locks out on the 5th wrong PIN for 5 minutes, even for the right PIN, then counts afresh', async () => {
    const { clock, advance } = clockAt('2026-11-23T09:00:00.000Z');
    const auth = new StaffAuth({ clock });
    const results: string[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1)
      results.push(await codeOf(auth.signIn({ ...request, pin: '1111' })));
    expect(results).toEqual([
      'pin_mismatch: Wrong PIN.',
      'pin_mismatch: Wrong PIN.',
      'pin_mismatch: Wrong PIN.',
      'pin_mismatch: Wrong PIN.',
      'locked_out: Too many wrong PINs. Try again in 5 minutes.',
    ]);
    advance(4 * 60_000 + 30_000);
    expect(await codeOf(auth.signIn({ ...request, pin: '2468' }))).toBe(
      'locked_out: Too many wrong PINs. Try again in 1 minute.',
    );
    expect(auth.getSession()).toBeNull();
    advance(30_000);
    expect(await codeOf(auth.signIn({ ...request, pin: '2468' }))).toBe('ok');
  });

  it('counts parallel wrong attempts before hashing, so a burst cannot exceed the limit', async () => {
    const { clock } = clockAt('2026-11-23T09:00:00.000Z');
    const auth = new StaffAuth({ clock, maxFailures: 3 });
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => codeOf(auth.verifyPin({ ...request, pin: '9999' }))),
    );
    expect(outcomes.filter((o) => o.startsWith('pin_mismatch'))).toHaveLength(2);
    expect(outcomes.filter((o) => o.startsWith('locked_out'))).toHaveLength(4);
  });

  it('a success resets the failure count; another staff member is unaffected', async () => {
    const { clock } = clockAt('2026-11-23T09:00:00.000Z');
    const auth = new StaffAuth({ clock, maxFailures: 2 });
    expect(await codeOf(auth.verifyPin({ ...request, pin: '1111' }))).toBe('pin_mismatch: Wrong PIN.');
    expect(await codeOf(auth.verifyPin({ ...request, pin: '2468' }))).toBe('ok');
    expect(await codeOf(auth.verifyPin({ ...request, pin: '1111' }))).toBe('pin_mismatch: Wrong PIN.');
    expect(await codeOf(auth.verifyPin({ ...request, staffId: 'staff-8', pin: '1111' }))).toBe(
      'pin_mismatch: Wrong PIN.',
    );
  });

  it('refuses parameters needing more than 256 MiB without counting a failure', async () => {
    const { clock } = clockAt('2026-11-23T09:00:00.000Z');
    const auth = new StaffAuth({ clock, maxFailures: 1 });
    // 128 · 2^20 · 8 = 1 GiB
    const costly = { ...PIN_HASH, cost: 1_048_576 as const, blockSize: 8 };
    expect(await codeOf(auth.verifyPin({ ...request, pin: '2468', pinHash: costly }))).toBe(
      'invalid_input: The staff record has a PIN hash this till cannot check. Call HQ.',
    );
    expect(await codeOf(auth.verifyPin({ ...request, pin: '2468' }))).toBe('ok');
  });

  it('verifyPin does not change who is signed in', async () => {
    const { clock } = clockAt('2026-11-23T09:00:00.000Z');
    const auth = new StaffAuth({ clock });
    await auth.signIn({ ...request, pin: '2468' });
    await auth.verifyPin({ staffId: 'manager-1', pin: '2468', pinHash: PIN_HASH });
    expect(auth.getSession()?.staffId).toBe('staff-7');
  });
});
