/** The till's sync routes: device state, pull, push of events and customers, account balances. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ACCOUNT_TYPES, accountBalance } from '../accounts.ts';
import type { AccountType } from '../accounts.ts';
import { isPullCollection } from '../collections.ts';
import type { ServerContext } from '../context.ts';
import { authenticateDevice, checkStoreScope, refuse } from '../context.ts';
import { pushCustomers } from '../customers.ts';
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
      const account = await accountBalance(ctx.db, type, reference);
      if (account === undefined) return refuse(reply, 404, 'not_found', `no such ${type} account`);
      return account;
    },
  );
}
