/**
 * `staff`: who may sign in at the store's tills, pulled from the server (HQ manages staff). Tills verify
 * PINs offline, so each row carries the PIN's salted scrypt hash, its salt and its cost parameters, never
 * the PIN. Staff sign in with their staff code or by badging a staff card (`cardKey`), then the PIN.
 *
 * Lock-out: `failedPinAttempts` / `lockedUntil` here are HQ's view (HQ can lock or unlock someone).
 * Because the collection is pull-only, a till counts its own failures in an RxDB local document shaped as
 * `PinLockoutState`, and refuses sign-in while either says locked.
 */
import type { MigrationStrategies, RxJsonSchema } from 'rxdb';
import { booleanSchema, dateTimeSchema, idListSchema, idSchema, nameSchema, roleSchema } from './common.ts';
import type { SchemaType } from './type-checks.ts';

export const STAFF_SCHEMA_VERSION = 0;

/** At least 16 bytes (22 base64 characters without padding). */
const base64Schema = {
  type: 'string',
  pattern: '^[A-Za-z0-9+/]+={0,2}$',
  minLength: 22,
  maxLength: 128,
} as const;

/** scrypt as in Node's `crypto.scrypt(pin, salt, keyLength, { cost, blockSize, parallelization })`. */
export const pinHashSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['algorithm', 'hash', 'salt', 'cost', 'blockSize', 'parallelization', 'keyLength'],
  properties: {
    algorithm: { type: 'string', enum: ['scrypt'] },
    /** The derived key, base64. */
    hash: base64Schema,
    /** At least 16 random bytes, base64. */
    salt: base64Schema,
    /** N: a power of two; 2^14 is the floor for a 4–6 digit secret that is worth guessing offline. */
    cost: { type: 'integer', enum: [16_384, 32_768, 65_536, 131_072, 262_144, 524_288, 1_048_576] },
    /** r */
    blockSize: { type: 'integer', minimum: 1, maximum: 32 },
    /** p */
    parallelization: { type: 'integer', minimum: 1, maximum: 16 },
    keyLength: { type: 'integer', minimum: 16, maximum: 64 },
  },
} as const;

export const staffSchema = {
  title: 'staff',
  description: 'Staff who may sign in, with their role and a salted scrypt hash of their PIN.',
  version: STAFF_SCHEMA_VERSION,
  primaryKey: 'id',
  type: 'object',
  additionalProperties: false,
  properties: {
    id: idSchema,
    displayName: nameSchema,
    /** The short number a cashier types before the PIN. */
    staffCode: { type: 'string', pattern: '^[A-Za-z0-9]{1,16}$', minLength: 1, maxLength: 16 },
    /** `cardKey` of the staff card; '' when the person has none. */
    cardKey: { type: 'string', maxLength: 64 },
    role: roleSchema,
    /** Stores where this person may sign in; empty = every store. */
    storeIds: idListSchema,
    active: booleanSchema,
    pin: pinHashSchema,
    failedPinAttempts: { type: 'integer', minimum: 0, maximum: 1000 },
    /** Locked until this instant (HQ lock or lock-out); absent = not locked. */
    lockedUntil: dateTimeSchema,
    updatedAt: dateTimeSchema,
  },
  required: [
    'id',
    'displayName',
    'staffCode',
    'cardKey',
    'role',
    'storeIds',
    'active',
    'pin',
    'failedPinAttempts',
    'updatedAt',
  ],
  indexes: ['staffCode', 'cardKey'],
} as const;

export type StaffDoc = SchemaType<typeof staffSchema>;

export type PinHash = StaffDoc['pin'];

/** The till's own failure count for one staff member, kept in an RxDB local document. */
export type PinLockoutState = Pick<StaffDoc, 'failedPinAttempts' | 'lockedUntil'>;

export const staffRxSchema: RxJsonSchema<StaffDoc> = staffSchema;

/** Keyed by the version a strategy migrates *to*; v1 adds `1: (v0) => v1`. */
export const staffMigrationStrategies: MigrationStrategies = {};
