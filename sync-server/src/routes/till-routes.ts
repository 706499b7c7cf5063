/** The till's sync routes: device state, pull, push of events and customers, account balances. */
import type { ValidateFunction } from 'ajv';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { accountAvailability, HOLD_BODY_SCHEMA, placeHold, releaseHold } from '../account-holds.ts';
import type { HoldRequest } from '../account-holds.ts';
import { ACCOUNT_TYPES } from '../accounts.ts';
import type { AccountType } from '../accounts.ts';
import { isPullCollection } from '../collections.ts';
import type { ServerContext } from '../context.ts';
import { authenticateDevice, checkStoreScope, refuse } from '../context.ts';
import { pushCustomers } from '../customers.ts';
import { createAjv } from '../events/event-validator.ts';
import { MAX_PUSH_ROWS, pushEvents } from '../events/push-events.ts';
import { MAX_PULL_LIMIT, pullCollection } from '../pull.ts';

const pullQuery = {
  type: 'object',
  properties: {
    epoch: { type: 'string', maxLength: 64 },
    txid: { type: 'string', pattern: '^[0-9]{1,20}$' },
    seq: { type: 'string', pattern: '^[0-9]{1,18}$' },
    limit: { type: 'string', pattern: '^[0-9]{1,9}$' },
    storeId: { type: 'string', maxLength: 64 },
  },
} as const;

interface PullQuery {
  readonly epoch?: string;
  readonly txid?: string;
  readonly seq?: string;
  readonly limit?: string;
  readonly storeId?: string;
}

const pushBody = {
  type: 'object',
  required: ['rows'],
  properties: { rows: { type: 'array' } },
} as const;

interface PushBody {
  readonly rows: readonly unknown[];
}

/**
 * A reference as a till's tender may carry one (tenderRecordSchema: up to 128 characters), without
 * control characters (PostgreSQL text cannot hold NUL). Fastify routes path parameters of at most 100
 * characters; the references HQ issues are far shorter.
 */
const accountParams = {
  type: 'object',
  required: ['type', 'reference'],
  properties: {
    type: { type: 'string', enum: ACCOUNT_TYPES },
    reference: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[^\\u0000-\\u001f\\u007f]+$' },
  },
} as const;

const holdParams = {
  type: 'object',
  required: ['holdId'],
  properties: { holdId: { type: 'string', pattern: HOLD_BODY_SCHEMA.properties.holdId.pattern } },
} as const;

const storeQuery = {
  type: 'object',
  properties: { storeId: { type: 'string', maxLength: 64 } },
} as const;

/** The till may say how many events wait in its outbox; HQ sees it in the devices list. */
function reportedPending(request: FastifyRequest): number | null {
  const header = request.headers['x-pos-outbox-pending'];
  return typeof header === 'string' && /^\d{1,9}$/.test(header) ? Number(header) : null;
}

export function registerTillRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/device/state', async (request, reply) => {
    const claims = await authenticateDevice(ctx, request, reply);
    if (claims === undefined) return reply;
    const now = ctx.now();
    const rows = await ctx.db.query<{ last_seq: string | null; contiguous_seq: string }>(
      `update devices set last_seen_at = $2, reported_pending = coalesce($3, reported_pending)
        where device_id = $1
        returning (select max(device_seq) from events where device_id = $1)::text as last_seq,
                  contiguous_seq::text`,
      [claims.deviceId, now.toISOString(), reportedPending(request)],
    );
    const row = rows[0];
    return {
      serverEpoch: ctx.epoch,
      deviceId: claims.deviceId,
      storeId: claims.storeId,
      lastDeviceSeq: Number(row?.last_seq ?? 0),
      contiguousDeviceSeq: Number(row?.contiguous_seq ?? 0),
      minClientVersion: ctx.minClientVersion,
      serverTime: now.toISOString(),
    };
  });

  app.get<{ Params: { collection: string }; Querystring: PullQuery }>(
    '/pull/:collection',
    { schema: { querystring: pullQuery } },
    async (request, reply) => {
      const claims = await authenticateDevice(ctx, request, reply);
      if (claims === undefined) return reply;
      if (!(await checkStoreScope(request, reply, claims))) return reply;
      const { collection } = request.params;
      if (!isPullCollection(collection))
        return refuse(reply, 404, 'not_found', `no collection ${collection}`);
      const q = request.query;
      const limit = q.limit === undefined ? 100 : Math.max(1, Math.min(Number(q.limit), MAX_PULL_LIMIT));
      const checkpoint =
        q.epoch !== undefined && q.txid !== undefined && q.seq !== undefined
          ? { epoch: q.epoch, txid: q.txid, seq: Number(q.seq) }
          : undefined;
      return pullCollection(ctx.db, collection, {
        checkpoint,
        storeId: claims.storeId,
        limit,
        epoch: ctx.epoch,
      });
    },
  );

  app.post<{ Body: PushBody }>('/push/events', { schema: { body: pushBody } }, async (request, reply) => {
    const oversize = request.body.rows.length > MAX_PUSH_ROWS;
    // A push within limits is refused for a revoked device by the push itself (DeviceRevokedError → 401);
    // an oversize one never reaches it, so the device is checked here first, as on every other route.
    const claims = await authenticateDevice(ctx, request, reply, { deviceCheckedLater: !oversize });
    if (claims === undefined) return reply;
    if (oversize) {
      return refuse(reply, 413, 'too_many_rows', `at most ${MAX_PUSH_ROWS} rows per push`);
    }
    const summary = await pushEvents(
      { db: ctx.db, validator: ctx.validator, now: ctx.now },
      { deviceId: claims.deviceId, storeId: claims.storeId },
      request.body.rows,
    );
    if (summary.quarantined > 0 || summary.alerts > 0) {
      request.log.warn(
        { deviceId: claims.deviceId, quarantined: summary.quarantined, alerts: summary.alerts },
        'push with quarantined rows or alerts',
      );
    }
    return summary.conflicts;
  });

  app.post<{ Body: PushBody }>('/push/customers', { schema: { body: pushBody } }, async (request, reply) => {
    const claims = await authenticateDevice(ctx, request, reply);
    if (claims === undefined) return reply;
    if (request.body.rows.length > MAX_PUSH_ROWS) {
      return refuse(reply, 413, 'too_many_rows', `at most ${MAX_PUSH_ROWS} rows per push`);
    }
    return pushCustomers(ctx.db, { deviceId: claims.deviceId, storeId: claims.storeId }, request.body.rows);
  });

  // Gift cards and store credit are chain-wide: any store's till may read any account's balance.
  app.get<{ Params: { type: AccountType; reference: string }; Querystring: { storeId?: string } }>(
    '/accounts/:type/:reference',
    { schema: { params: accountParams, querystring: storeQuery } },
    async (request, reply) => {
      const claims = await authenticateDevice(ctx, request, reply);
      if (claims === undefined) return reply;
      if (!(await checkStoreScope(request, reply, claims))) return reply;
      const { type, reference } = request.params;
      const account = await accountAvailability(ctx.db, type, reference, ctx.now());
      if (account === undefined) return refuse(reply, 404, 'not_found', `no such ${type} account`);
      // `balance` is the ledger's; `available` is what the account may pay now, less other tills' holds.
      return account;
    },
  );

  // Checked by the schema, typed by hand (as HQ's account body): strict, with no coercion of "1000".
  const validateHoldBody: ValidateFunction = createAjv().compile(HOLD_BODY_SCHEMA);

  // The till authorises what the cashier tenders from an account before it takes the payment; the sale's
  // push captures the hold. Accounts are chain-wide, the hold belongs to the till that placed it.
  app.post<{ Params: { type: AccountType; reference: string }; Querystring: { storeId?: string } }>(
    '/accounts/:type/:reference/holds',
    { schema: { params: accountParams, querystring: storeQuery } },
    async (request, reply) => {
      const claims = await authenticateDevice(ctx, request, reply);
      if (claims === undefined) return reply;
      if (!(await checkStoreScope(request, reply, claims))) return reply;
      const body: unknown = request.body;
      if (!validateHoldBody(body)) {
        const detail = (validateHoldBody.errors ?? [])
          .slice(0, 3)
          .map((e) => `${e.instancePath === '' ? '/' : e.instancePath} ${e.message ?? 'is invalid'}`);
        return refuse(reply, 400, 'bad_request', `invalid hold: ${detail.join('; ')}`);
      }
      const { type, reference } = request.params;
      const outcome = await placeHold(
        ctx.db,
        type,
        reference,
        body as HoldRequest,
        { deviceId: claims.deviceId, storeId: claims.storeId },
        ctx.now(),
        ctx.accountHoldTtlMs,
      );
      switch (outcome.kind) {
        case 'placed':
        case 'replayed':
          return reply.code(outcome.kind === 'placed' ? 201 : 200).send(outcome.hold);
        case 'not_found':
          return refuse(reply, 404, 'not_found', `no such ${type} account`);
        case 'currency_mismatch':
          return refuse(reply, 409, 'currency_mismatch', `the account is kept in ${outcome.currency}`);
        case 'insufficient':
          return reply.code(409).send({
            error: 'insufficient_balance',
            message: `the account can pay at most ${String(outcome.available)} ${outcome.currency} now`,
            available: outcome.available,
            currency: outcome.currency,
          });
        case 'conflict':
          return refuse(reply, 409, 'conflict', 'the hold id is already used for another hold');
        case 'inactive':
          return refuse(reply, 409, 'hold_inactive', `the hold was ${outcome.state}; place a new one`);
      }
    },
  );

  app.delete<{ Params: { holdId: string }; Querystring: { storeId?: string } }>(
    '/accounts/holds/:holdId',
    { schema: { params: holdParams, querystring: storeQuery } },
    async (request, reply) => {
      const claims = await authenticateDevice(ctx, request, reply);
      if (claims === undefined) return reply;
      if (!(await checkStoreScope(request, reply, claims))) return reply;
      const outcome = await releaseHold(ctx.db, request.params.holdId, claims.deviceId, ctx.now());
      switch (outcome.kind) {
        case 'not_found':
          return refuse(reply, 404, 'not_found', 'no such hold');
        case 'forbidden':
          return refuse(reply, 403, 'forbidden', 'the hold belongs to another till');
        case 'released':
        case 'already_released':
          return { holdId: request.params.holdId.toLowerCase(), state: 'released' };
        case 'captured':
          return { holdId: request.params.holdId.toLowerCase(), state: 'captured' };
      }
    },
  );
}
