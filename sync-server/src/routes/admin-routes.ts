/**
 * HQ routes: enrolment codes, devices with their sync health, revocation, price changes (JSON or CSV),
 * gift cards and store credit.
 */
import { randomUUID } from 'node:crypto';
import type { ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { ISSUE_BODY_SCHEMA, issueAccountCredit } from '../accounts.ts';
import type { IssueRequest } from '../accounts.ts';
import { createEnrollmentCode, revokeDevice } from '../auth/enrollment.ts';
import type { ServerContext } from '../context.ts';
import { authenticateHq, refuse } from '../context.ts';
import { sqlState } from '../db/adapter.ts';
import { createAjv } from '../events/event-validator.ts';
import {
  applyPriceChanges,
  MAX_PRICE_CHANGES,
  parsePriceCsv,
  PRICE_CHANGES_BODY_SCHEMA,
} from '../price-changes.ts';
import type { PriceChange } from '../price-changes.ts';
import type { StreamRegistry } from './stream-routes.ts';

/** A CSV of 50,000 price rows is about 5 MB. */
export const ADMIN_BODY_LIMIT = 16 * 1024 * 1024;
const MAX_CSV_ROWS = 50_000;

const codeBody = {
  type: 'object',
  additionalProperties: false,
  required: ['storeId'],
  properties: { storeId: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' } },
} as const;

interface DeviceHealthRow {
  readonly device_id: string;
  readonly store_id: string;
  readonly device_name: string;
  readonly app_version: string;
  readonly enrolled_at: string;
  readonly last_seen_at: string | null;
  readonly last_push_at: string | null;
  readonly revoked_at: string | null;
  readonly reported_pending: number | null;
  readonly contiguous_seq: string;
  readonly last_seq: string | null;
  readonly event_count: string;
  readonly quarantined: string;
  readonly rejected: string;
  readonly alerts: string;
}

export function registerAdminRoutes(app: FastifyInstance, ctx: ServerContext, streams: StreamRegistry): void {
  const validatePriceBody = createAjv().compile(PRICE_CHANGES_BODY_SCHEMA);
  // Checked by the schema, typed by hand: ajv's inference from this schema would not be IssueRequest.
  const validateIssueBody: ValidateFunction = createAjv().compile(ISSUE_BODY_SCHEMA);

  app.post<{ Body: { storeId: string } }>(
    '/admin/enrollment-codes',
    { schema: { body: codeBody } },
    async (request, reply) => {
      if (!(await authenticateHq(ctx, request, reply))) return reply;
      const code = await createEnrollmentCode(ctx.db, request.body.storeId, ctx.now());
      return reply.code(201).send(code);
    },
  );

  app.get('/admin/devices', async (request, reply) => {
    if (!(await authenticateHq(ctx, request, reply))) return reply;
    const rows = await ctx.db.query<DeviceHealthRow>(
      `select d.device_id, d.store_id, d.device_name, d.app_version, iso(d.enrolled_at) as enrolled_at,
              iso(d.last_seen_at) as last_seen_at, iso(d.last_push_at) as last_push_at, iso(d.revoked_at) as revoked_at,
              d.reported_pending, d.contiguous_seq::text,
              (select max(device_seq) from events e where e.device_id = d.device_id)::text as last_seq,
              (select count(*) from events e where e.device_id = d.device_id)::text as event_count,
              (select count(*) from events e where e.device_id = d.device_id and e.status = 'quarantined')::text as quarantined,
              (select count(*) from rejected_rows r where r.device_id = d.device_id)::text as rejected,
              (select count(*) from alerts a where a.device_id = d.device_id)::text as alerts
         from devices d order by d.store_id, d.device_name, d.device_id`,
    );
    return {
      devices: rows.map((r) => {
        const lastDeviceSeq = Number(r.last_seq ?? 0);
        const contiguous = Number(r.contiguous_seq);
        return {
          deviceId: r.device_id,
          storeId: r.store_id,
          deviceName: r.device_name,
          appVersion: r.app_version,
          enrolledAt: r.enrolled_at,
          lastSeenAt: r.last_seen_at,
          lastPushAt: r.last_push_at,
          revokedAt: r.revoked_at,
          lastDeviceSeq,
          contiguousDeviceSeq: contiguous,
          // Sequence numbers below the last one the server has not received: the till still holds them.
          missingEvents: lastDeviceSeq - Number(r.event_count),
          reportedPending: r.reported_pending,
          quarantinedEvents: Number(r.quarantined) + Number(r.rejected),
          alerts: Number(r.alerts),
        };
      }),
    };
  });

  app.post<{ Params: { deviceId: string } }>('/admin/devices/:deviceId/revoke', async (request, reply) => {
    if (!(await authenticateHq(ctx, request, reply))) return reply;
    const found = await revokeDevice(ctx.db, request.params.deviceId, ctx.now());
    if (!found) return refuse(reply, 404, 'not_found', 'no such device');
    streams.closeDevice(request.params.deviceId);
    request.log.info({ deviceId: request.params.deviceId }, 'device revoked');
    return { deviceId: request.params.deviceId, revoked: true };
  });

  app.post('/admin/price-changes', { bodyLimit: ADMIN_BODY_LIMIT }, async (request, reply) => {
    if (!(await authenticateHq(ctx, request, reply))) return reply;
    let changes: readonly PriceChange[];
    if (typeof request.body === 'string') {
      const parsed = parsePriceCsv(request.body);
      if (!parsed.ok) return refuse(reply, 400, 'bad_csv', parsed.error);
      if (parsed.changes.length === 0 || parsed.changes.length > MAX_CSV_ROWS) {
        return refuse(reply, 400, 'bad_csv', `between 1 and ${MAX_CSV_ROWS} rows`);
      }
      const problem = parsed.changes.findIndex((c) => !validatePriceBody({ changes: [c] }));
      if (problem >= 0) return refuse(reply, 400, 'bad_csv', `line ${problem + 2}: invalid price row`);
      changes = parsed.changes;
    } else {
      const body: unknown = request.body;
      if (!validatePriceBody(body)) {
        const detail = (validatePriceBody.errors ?? [])
          .slice(0, 3)
          .map((e) => `${e.instancePath} ${e.message ?? ''}`);
        return refuse(
          reply,
          400,
          'bad_request',
          `invalid price changes (max ${MAX_PRICE_CHANGES}): ${detail.join('; ')}`,
        );
      }
      changes = (body as { readonly changes: readonly PriceChange[] }).changes;
    }
    try {
      const applied = await ctx.db.transaction((tx) => applyPriceChanges(tx, changes, ctx.now()));
      return { applied };
    } catch (error) {
      if (error instanceof RangeError) return refuse(reply, 400, 'bad_request', error.message);
      // 23P01: exclusion violation; cannot happen after the splice unless two batches race on one key.
      if (sqlState(error) === '23P01' || sqlState(error) === '40001' || sqlState(error) === '40P01') {
        return refuse(reply, 409, 'conflict', 'overlapping price versions; retry the batch');
      }
      throw error;
    }
  });

  // A new gift card, or credit added to one or to a customer's store credit. Idempotent by `movementId`:
  // HQ's tool sends one so that a retry after a lost answer books nothing twice.
  app.post('/admin/accounts', async (request, reply) => {
    if (!(await authenticateHq(ctx, request, reply))) return reply;
    const body: unknown = request.body;
    if (!validateIssueBody(body)) {
      const detail = (validateIssueBody.errors ?? [])
        .slice(0, 3)
        .map((e) => `${e.instancePath === '' ? '/' : e.instancePath} ${e.message ?? 'is invalid'}`);
      return refuse(reply, 400, 'bad_request', `invalid account credit: ${detail.join('; ')}`);
    }
    const outcome = await issueAccountCredit(ctx.db, body as IssueRequest, ctx.now(), randomUUID);
    switch (outcome.kind) {
      case 'conflict':
        return refuse(
          reply,
          409,
          'conflict',
          `movement ${outcome.movementId} is already booked with other figures`,
        );
      case 'currency_mismatch':
        return refuse(reply, 409, 'currency_mismatch', `the account is kept in ${outcome.currency}`);
      case 'issued':
      case 'replayed':
        return reply
          .code(outcome.kind === 'issued' ? 201 : 200)
          .send({ movementId: outcome.movementId, ...outcome.account });
    }
  });
}
