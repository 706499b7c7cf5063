/**
 * Short-lived access tokens (JWT, HS256). The signing secret is generated once and kept in the database
 * (server_meta), so every instance on one PostgreSQL server signs and verifies with the same key.
 */
import { jwtVerify, SignJWT } from 'jose';
import { randomToken } from './secrets.ts';
import type { Queryable } from '../db/adapter.ts';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const TOKEN_ISSUER = 'omnitill-sync';
export const TOKEN_AUDIENCE = 'omnitill-till';
/** Tills pull and push; there is no other scope yet. */
export const TILL_SCOPE = 'till';

export interface AccessClaims {
  readonly deviceId: string;
  readonly storeId: string;
  readonly scope: string;
}

export async function loadTokenSecret(db: Queryable): Promise<Uint8Array> {
  // Two instances starting together: the first insert wins and both read the winner.
  await db.query(`insert into server_meta (k, v) values ('token_secret', $1) on conflict (k) do nothing`, [
    randomToken(32),
  ]);
  const rows = await db.query<{ v: string }>(`select v from server_meta where k = 'token_secret'`);
  const secret = rows[0]?.v;
  if (secret === undefined) throw new Error('token secret missing');
  return Buffer.from(secret, 'base64url');
}

export async function issueAccessToken(
  key: Uint8Array,
  claims: AccessClaims,
  nowSeconds: number,
): Promise<{ readonly token: string; readonly expiresAt: number }> {
  const expiresAt = nowSeconds + ACCESS_TOKEN_TTL_SECONDS;
  const token = await new SignJWT({ store: claims.storeId, scope: claims.scope })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.deviceId)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(expiresAt)
    .sign(key);
  return { token, expiresAt };
}

/** The token's claims, or undefined when it is malformed, forged, expired or not ours. */
export async function verifyAccessToken(
  key: Uint8Array,
  token: string,
  nowSeconds: number,
): Promise<AccessClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      currentDate: new Date(nowSeconds * 1000),
    });
    const { sub, store, scope } = payload;
    if (typeof sub !== 'string' || typeof store !== 'string' || typeof scope !== 'string') return undefined;
    return { deviceId: sub, storeId: store, scope };
  } catch {
    return undefined;
  }
}
