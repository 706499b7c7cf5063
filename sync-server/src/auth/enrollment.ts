/**
 * Enrolment of a till: HQ creates a single-use code bound to a store and valid 24 h; the till trades it
 * for a device id and a long-lived refresh token (stored here only as its SHA-256).
 */
import { randomUUID } from 'node:crypto';
import { newEnrollmentCode, normalizeEnrollmentCode, randomToken, sha256Hex } from './secrets.ts';
import type { DbAdapter, Queryable } from '../db/adapter.ts';

export const ENROLLMENT_CODE_TTL_MS = 24 * 60 * 60 * 1000;

export interface EnrollmentCode {
  readonly code: string;
  readonly storeId: string;
  readonly expiresAt: string;
}

export async function createEnrollmentCode(
  db: Queryable,
  storeId: string,
  now: Date,
): Promise<EnrollmentCode> {
  const code = newEnrollmentCode();
  const expiresAt = new Date(now.getTime() + ENROLLMENT_CODE_TTL_MS).toISOString();
  await db.query('insert into enrollment_codes (code_sha256, store_id, expires_at) values ($1, $2, $3)', [
    sha256Hex(normalizeEnrollmentCode(code)),
    storeId,
    expiresAt,
  ]);
  return { code, storeId, expiresAt };
}

export interface Enrollment {
  readonly deviceId: string;
  readonly storeId: string;
  readonly refreshToken: string;
}

/** Undefined when the code is unknown, used or expired (the caller answers 401 alike). */
export async function enrollDevice(
  db: DbAdapter,
  input: { readonly code: string; readonly deviceName: string; readonly appVersion: string },
  now: Date,
): Promise<Enrollment | undefined> {
  const deviceId = randomUUID();
  const refreshToken = randomToken(32);
  return db.transaction(async (tx) => {
    // One statement claims the code, so two tills racing with one code cannot both enrol.
    const claimed = await tx.query<{ store_id: string }>(
      `update enrollment_codes set used_at = $2, used_by_device = $3
        where code_sha256 = $1 and used_at is null and expires_at > $2 returning store_id`,
      [sha256Hex(normalizeEnrollmentCode(input.code)), now.toISOString(), deviceId],
    );
    const storeId = claimed[0]?.store_id;
    if (storeId === undefined) return undefined;
    await tx.query(
      `insert into devices (device_id, store_id, device_name, app_version, refresh_sha256, enrolled_at)
       values ($1, $2, $3, $4, $5, $6)`,
      [deviceId, storeId, input.deviceName, input.appVersion, sha256Hex(refreshToken), now.toISOString()],
    );
    return { deviceId, storeId, refreshToken };
  });
}

export interface DeviceRow {
  readonly device_id: string;
  readonly store_id: string;
  readonly revoked: boolean;
}

export async function findDeviceByRefreshToken(
  db: Queryable,
  refreshToken: string,
): Promise<DeviceRow | undefined> {
  const rows = await db.query<DeviceRow>(
    'select device_id, store_id, revoked_at is not null as revoked from devices where refresh_sha256 = $1',
    [sha256Hex(refreshToken)],
  );
  return rows[0];
}

export async function revokeDevice(db: Queryable, deviceId: string, now: Date): Promise<boolean> {
  const rows = await db.query<{ device_id: string }>(
    'update devices set revoked_at = coalesce(revoked_at, $2) where device_id = $1 returning device_id',
    [deviceId, now.toISOString()],
  );
  return rows.length > 0;
}
