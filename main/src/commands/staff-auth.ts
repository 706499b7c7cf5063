import { scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { PinHash, StaffSession } from '../contract.ts';
import { CommandError } from './command-error.ts';

export interface StaffAuthOptions {
  readonly clock: () => Date;
  /** Wrong PINs in a row before a lock-out. */
  readonly maxFailures?: number;
  readonly lockoutMs?: number;
}

interface Attempts {
  failures: number;
  lockedUntil: number;
}

/**
 * scrypt's memory is 128·N·r bytes. The staff schema allows parameters up to gigabytes; a till
 * refuses anything above this, so a bad (or hostile) record cannot exhaust main's memory.
 */
export const MAX_SCRYPT_MEMORY_BYTES = 256 * 1024 * 1024;

/** Entries kept in the failure table; ids are bounded by the contract, the count by this. */
const MAX_TRACKED_STAFF = 10_000;

/**
 * PIN checks and the signed-in session, in main. The staff record (with its scrypt hash) comes
 * from the renderer's database, so main cannot vouch for the record; what it guarantees is that
 * the PIN is checked with scrypt in constant time and that the failure counter, and so the
 * lock-out, lives outside the page where a compromised renderer could reset it.
 *
 * A failure is counted before scrypt runs and forgiven on success, so parallel attempts cannot
 * all slip in under the limit while the first ones are still hashing.
 */
export class StaffAuth {
  readonly #clock: () => Date;
  readonly #maxFailures: number;
  readonly #lockoutMs: number;
  readonly #attempts = new Map<string, Attempts>();
  #session: StaffSession | null = null;
  #hashing: Promise<unknown> = Promise.resolve();

  constructor(options: StaffAuthOptions) {
    this.#clock = options.clock;
    this.#maxFailures = options.maxFailures ?? 5;
    this.#lockoutMs = options.lockoutMs ?? 5 * 60_000;
  }

  getSession(): StaffSession | null {
    return this.#session;
  }

  signOut(): void {
    this.#session = null;
  }

  async signIn(request: {
    staffId: string;
    role: StaffSession['role'];
    pin: string;
    pinHash: PinHash;
  }): Promise<StaffSession> {
    const at = await this.verifyPin(request);
    this.#session = { staffId: request.staffId, role: request.role, signedInAt: at.toISOString() };
    return this.#session;
  }

  /** Resolves with the verification time, or throws CommandError pin_mismatch / locked_out. */
  async verifyPin(request: { staffId: string; pin: string; pinHash: PinHash }): Promise<Date> {
    if (scryptMemory(request.pinHash) > MAX_SCRYPT_MEMORY_BYTES) {
      throw new CommandError(
        'invalid_input',
        'The staff record has a PIN hash this till cannot check. Call HQ.',
      );
    }
    const { attempts, ordinal } = this.#begin(request.staffId);
    let isMatch: boolean;
    try {
      // One scrypt at a time: PIN entry is human-paced, and a burst cannot multiply the memory.
      const turn = this.#hashing.then(() => pinMatches(request.pin, request.pinHash));
      this.#hashing = turn.catch(() => false);
      isMatch = await turn;
    } catch (error) {
      throw new CommandError('invalid_input', 'The staff record has an unusable PIN hash.', { cause: error });
    }
    if (!isMatch) {
      if (ordinal >= this.#maxFailures) {
        attempts.lockedUntil = this.#clock().getTime() + this.#lockoutMs;
        throw lockedOut(this.#lockoutMs);
      }
      throw new CommandError('pin_mismatch', 'Wrong PIN.');
    }
    this.#attempts.delete(request.staffId);
    return this.#clock();
  }

  #begin(staffId: string): { attempts: Attempts; ordinal: number } {
    const now = this.#clock().getTime();
    let attempts = this.#attempts.get(staffId);
    const lockedUntil = attempts?.lockedUntil ?? 0;
    if (lockedUntil > now) throw lockedOut(lockedUntil - now);
    // New, or a lock-out that has run out (lockedUntil set but past): start counting afresh.
    if (lockedUntil !== 0 || attempts === undefined) {
      if (attempts === undefined && this.#attempts.size >= MAX_TRACKED_STAFF) this.#evictOne();
      attempts = { failures: 0, lockedUntil: 0 };
      this.#attempts.set(staffId, attempts);
    }
    // Attempts still hashing count too: once they reach the limit, further ones are not tried.
    if (attempts.failures >= this.#maxFailures) throw lockedOut(this.#lockoutMs);
    attempts.failures += 1;
    return { attempts, ordinal: attempts.failures };
  }

  #evictOne(): void {
    // Prefer dropping someone who is not locked out, so flooding ids cannot lift a lock-out.
    const now = this.#clock().getTime();
    for (const [id, entry] of this.#attempts) {
      if (entry.lockedUntil <= now) {
        this.#attempts.delete(id);
        return;
      }
    }
    throw new CommandError('locked_out', 'Too many wrong PINs on this till. Try again later.');
  }
}

function lockedOut(remainingMs: number): CommandError {
  const minutes = Math.max(1, Math.ceil(remainingMs / 60_000));
  return new CommandError(
    'locked_out',
    `Too many wrong PINs. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
  );
}

/** scrypt(pin, salt) compared in constant time with the stored key. */
export async function pinMatches(pin: string, stored: PinHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  if (expected.length !== stored.keyLength) return false;
  const salt = Buffer.from(stored.salt, 'base64');
  const derived = await scryptAsync(pin, salt, stored.keyLength, {
    N: stored.cost,
    r: stored.blockSize,
    p: stored.parallelization,
    // Node's default cap (32 MiB) is below what N = 2^16 and up need; callers bound it first.
    maxmem: scryptMemory(stored) + 1024 * 1024,
  });
  return timingSafeEqual(derived, expected);
}

export function scryptMemory(stored: PinHash): number {
  return 128 * stored.cost * stored.blockSize;
}

function scryptAsync(pin: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(pin.normalize('NFC'), salt, keyLength, options, (error, key) => {
      if (error === null) resolve(key);
      else reject(error);
    });
  });
}
