/** What every route needs: the database, keys, validator, fan-out and clock of one server instance. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessClaims } from './auth/access-token.ts';
import { TILL_SCOPE, verifyAccessToken } from './auth/access-token.ts';
import { secretsEqual } from './auth/secrets.ts';
import type { DbAdapter } from './db/adapter.ts';
import type { EventValidator } from './events/event-validator.ts';
import type { Fanout } from './fanout.ts';

export interface ServerContext {
  readonly db: DbAdapter;
  readonly epoch: string;
  readonly tokenKey: Uint8Array;
  readonly validator: EventValidator;
  readonly fanout: Fanout;
  readonly now: () => Date;
  readonly minClientVersion: string;
  readonly hqToken: string;
  readonly keepAliveMs: number;
  /** How long a gift-card / store-credit hold lasts uncaptured; default DEFAULT_HOLD_TTL_MS (account-holds.ts). */
  readonly accountHoldTtlMs?: number;
}

export function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/.exec(header);
  return match?.[1];
}

export function refuse(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return reply.code(status).send({ error, message });
}

/**
 * The till behind a request: a valid, unexpired access token of a device that is not revoked. Sends
 * 401 (or 403 for a token of another scope) and returns undefined otherwise. With `deviceCheckedLater`
 * only the token is checked here: the caller must then refuse an unknown, revoked or moved device itself
 * (the event push does, in the statement that applies it).
 */
export async function authenticateDevice(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  options: { readonly deviceCheckedLater?: boolean } = {},
): Promise<AccessClaims | undefined> {
  const token = bearer(request);
  if (token === undefined) {
    await refuse(reply, 401, 'unauthorized', 'missing access token');
    return undefined;
  }
  const claims = await verifyAccessToken(ctx.tokenKey, token, Math.floor(ctx.now().getTime() / 1000));
  if (claims === undefined) {
    await refuse(reply, 401, 'unauthorized', 'invalid or expired access token');
    return undefined;
  }
  if (claims.scope !== TILL_SCOPE) {
    await refuse(reply, 403, 'forbidden', 'token scope does not allow this');
    return undefined;
  }
  // The event push checks the device in the statement that applies it (one round trip fewer per push).
  if (options.deviceCheckedLater === true) return claims;
  const rows = await ctx.db.query<{ store_id: string; revoked: boolean }>(
    'select store_id, revoked_at is not null as revoked from devices where device_id = $1',
    [claims.deviceId],
  );
  const device = rows[0];
  if (device === undefined || device.revoked || device.store_id !== claims.storeId) {
    await refuse(reply, 401, 'unauthorized', 'device is revoked or unknown');
    return undefined;
  }
  return claims;
}

export async function authenticateHq(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<boolean> {
  const token = bearer(request);
  if (token === undefined || !secretsEqual(token, ctx.hqToken)) {
    await refuse(reply, 401, 'unauthorized', 'HQ credential required');
    return false;
  }
  return true;
}

/** A request naming a store (query `storeId`) must name the token's own. */
export async function checkStoreScope(
  request: FastifyRequest,
  reply: FastifyReply,
  claims: AccessClaims,
): Promise<boolean> {
  const query = request.query as Readonly<Record<string, unknown>> | undefined;
  const requested = query?.storeId;
  if (requested !== undefined && requested !== claims.storeId) {
    await refuse(reply, 403, 'forbidden', 'the token belongs to another store');
    return false;
  }
  return true;
}
