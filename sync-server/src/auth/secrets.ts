/** Random secrets and their stored form. Secrets are never stored; only their SHA-256 is. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Constant-time comparison of two secrets (by their hashes, so lengths never leak). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(sha256Hex(a), 'hex'), Buffer.from(sha256Hex(b), 'hex'));
}

/** Crockford base32 without I, L, O, U: readable over the phone and typed on a till keyboard. */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `XXXX-XXXX-XXXX`: 60 bits, single use and valid one day, so guessing is hopeless. */
export function newEnrollmentCode(): string {
  const bytes = randomBytes(12);
  let out = '';
  for (let i = 0; i < 12; i++) {
    out += CODE_ALPHABET[(bytes[i] ?? 0) & 31] ?? '0';
    if (i === 3 || i === 7) out += '-';
  }
  return out;
}

/** Codes are compared case-insensitively and without separators. */
export function normalizeEnrollmentCode(code: string): string {
  return code.toUpperCase().replace(/[^0-9A-Z]/g, '');
}
