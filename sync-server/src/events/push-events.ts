/**
 * `POST /push/events`: one transaction per request, rows in event-id order. The server never refuses a
 * fact: a row it cannot apply is kept, quarantined, acknowledged and returned as a receipt (the row with
 * `serverStatus: 'quarantined'`), so one bad row never blocks a till's queue. Exactly-once effect comes
 * from `insert … on conflict do nothing` on the event id inside the transaction that applies it.
 */
import { canonicalJson, contentHash, withoutNonContent } from '../canonical-hash.ts';
import type { DbAdapter, Queryable } from '../db/adapter.ts';
import { eventEffects } from './effects.ts';
import type { LoyaltyAccrual, Movement, StockCount } from './effects.ts';
import { createEnvelopeValidator } from './event-validator.ts';
import type { EventValidator } from './event-validator.ts';
import { applyAccruals } from './loyalty.ts';
import { applyStockEffects } from './stock-projection.ts';

export const MAX_PUSH_ROWS = 100;
/** A till clock this far ahead of the server's is flagged (never refused: a sale is a fact). */
export const CLOCK_SKEW_TOLERANCE_MS = 5 * 60 * 1000;
const MAX_REASON_LENGTH = 500;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type Doc = Readonly<Record<string, unknown>>;

export interface PushIdentity {
  readonly deviceId: string;
  readonly storeId: string;
}

export interface PushSummary {
  /** Documents returned to the till (receipts and stored copies); usually empty. */
  readonly conflicts: readonly Doc[];
  readonly applied: number;
  readonly quarantined: number;
  readonly duplicates: number;
  readonly alerts: number;
}

export class DeviceRevokedError extends Error {
  constructor() {
    super('device revoked');
    this.name = 'DeviceRevokedError';
  }
}

function isRecord(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function receipt(doc: Doc, reason: string): Doc {
  return {
    ...doc,
    _deleted: false,
    serverStatus: 'quarantined',
    serverReason: reason.slice(0, MAX_REASON_LENGTH),
  };
}

interface StoredEvent {
  readonly event_id: string;
  readonly doc: Doc;
  readonly content_sha256: string;
  readonly status: 'applied' | 'quarantined';
  readonly reason: string | null;
}

function storedCopy(row: StoredEvent): Doc {
  const doc: Doc = { ...row.doc, _deleted: false };
  return row.status === 'quarantined' ? receipt(doc, row.reason ?? 'quarantined') : doc;
}

/** Real documents are shallow; a deep one would only exhaust the stack of the hashing and validation. */
export const MAX_DOC_DEPTH = 32;

/** Depth of nested objects/arrays, measured without recursion (stops at `limit + 1`). */
export function depthExceeds(value: unknown, limit: number): boolean {
  const stack: { v: unknown; d: number }[] = [{ v: value, d: 0 }];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === undefined || typeof item.v !== 'object' || item.v === null) continue;
    if (item.d >= limit) return true;
    for (const child of Object.values(item.v)) stack.push({ v: child, d: item.d + 1 });
  }
  return false;
}

/** PostgreSQL's jsonb cannot store U+0000; such a row is kept as a sanitised copy and quarantined. */
function hasNul(text: string): boolean {
  return text.includes('\\u0000');
}

/** A row can be filed in `events` (and so deduplicated) when its keys have the right types. */
function fileable(doc: Doc): string | undefined {
  if (typeof doc.eventId !== 'string' || !UUID_PATTERN.test(doc.eventId))
    return 'eventId is not a lowercase UUID';
  if (typeof doc.deviceSeq !== 'number' || !Number.isSafeInteger(doc.deviceSeq) || doc.deviceSeq < 1)
    return 'deviceSeq is not a positive integer';
  if (typeof doc.type !== 'string' || doc.type.length > 64) return 'type is missing';
  if (typeof doc.schemaVersion !== 'number' || !Number.isSafeInteger(doc.schemaVersion))
    return 'schemaVersion is missing';
  if (typeof doc.occurredAt !== 'string' || Number.isNaN(Date.parse(doc.occurredAt)))
    return 'occurredAt is not a time';
  if (!isRecord(doc.payload)) return 'payload is not an object';
  if (hasNul(canonicalJson(doc))) return 'text contains NUL characters';
  return undefined;
}

export interface PushDeps {
  readonly db: DbAdapter;
  readonly validator: EventValidator;
  readonly now: () => Date;
}

const envelopeValid = createEnvelopeValidator();

export async function pushEvents(
  deps: PushDeps,
  identity: PushIdentity,
  rows: readonly unknown[],
): Promise<PushSummary> {
  const docs = rows
    .map((row) => (isRecord(row) && isRecord(row.newDocumentState) ? row.newDocumentState : row))
    .map((doc, index) => ({ doc, index }));
  // Event-id order: two overlapping retries take their row locks in the same order.
  docs.sort((a, b) => {
    const ka = isRecord(a.doc) && typeof a.doc.eventId === 'string' ? a.doc.eventId : '';
    const kb = isRecord(b.doc) && typeof b.doc.eventId === 'string' ? b.doc.eventId : '';
    return ka < kb ? -1 : ka > kb ? 1 : a.index - b.index;
  });
  const now = deps.now().toISOString();

  return deps.db.transaction(async (tx) => {
    // Locks the device row: pushes of one device are serialised, and a revoked device stops here.
    const device = await tx.query<{ contiguous_seq: string }>(
      `update devices set last_push_at = $2, last_seen_at = $2
        where device_id = $1 and revoked_at is null returning contiguous_seq::text`,
      [identity.deviceId, now],
    );
    if (device.length === 0) throw new DeviceRevokedError();

    const conflicts: Doc[] = [];
    const movements: Movement[] = [];
    const counts: StockCount[] = [];
    const accruals: LoyaltyAccrual[] = [];
    let applied = 0;
    let quarantined = 0;
    let duplicates = 0;
    let alerts = 0;

    const reject = async (doc: unknown, reason: string): Promise<void> => {
      // The till adopted an earlier receipt and pushes it back once: that closes the loop.
      if (isRecord(doc) && doc.serverStatus === 'quarantined') return;
      quarantined++;
      await tx.query(
        'insert into rejected_rows (device_id, store_id, reason, doc) values ($1, $2, $3, $4::jsonb)',
        [identity.deviceId, identity.storeId, reason.slice(0, MAX_REASON_LENGTH), safeJson(doc)],
      );
      if (isRecord(doc) && typeof doc.eventId === 'string') conflicts.push(receipt(doc, reason));
    };

    for (const { doc } of docs) {
      if (!isRecord(doc)) {
        await reject(doc, 'row is not an object');
        continue;
      }
      // A deleted event is the till pruning its outbox: nothing to do.
      if (doc._deleted === true) continue;
      if (depthExceeds(doc, MAX_DOC_DEPTH)) {
        await reject({ eventId: doc.eventId }, `document nested deeper than ${MAX_DOC_DEPTH} levels`);
        continue;
      }
      if (doc.deviceId !== identity.deviceId || doc.storeId !== identity.storeId) {
        await reject(doc, 'deviceId/storeId of the event differ from the signed-in device');
        continue;
      }
      const unfileable = fileable(doc);
      if (unfileable !== undefined) {
        await reject(doc, unfileable);
        continue;
      }
      const content = withoutNonContent(doc);
      const hash = contentHash(doc);
      const eventId = doc.eventId as string;
      const facts = {
        eventId,
        storeId: identity.storeId,
        type: doc.type as string,
        schemaVersion: doc.schemaVersion as number,
        occurredAt: doc.occurredAt as string,
        payload: doc.payload as Doc,
      };

      let reason: string | undefined;
      const envelope = envelopeValid(doc);
      if (!envelope.ok) reason = `envelope: ${envelope.errors.join('; ')}`;
      let effects:
        | {
            movements: readonly Movement[];
            counts: readonly StockCount[];
            accruals: readonly LoyaltyAccrual[];
          }
        | undefined;
      if (reason === undefined) {
        const valid = deps.validator.validate(facts.type, facts.schemaVersion, facts.payload);
        if (!valid.ok) reason = `${facts.type}@${facts.schemaVersion}: ${valid.errors.join('; ')}`;
      }
      if (reason === undefined) {
        const result = eventEffects(facts);
        if (result.ok) effects = result.effects;
        else reason = result.reason;
      }

      const inserted = await tx.query<{ event_id: string }>(
        `insert into events (event_id, device_id, store_id, device_seq, type, schema_version, occurred_at,
                             doc, content_sha256, status, reason, received_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12)
         on conflict do nothing returning event_id`,
        [
          eventId,
          identity.deviceId,
          identity.storeId,
          doc.deviceSeq as number,
          facts.type,
          facts.schemaVersion,
          facts.occurredAt,
          canonicalJson(content),
          hash,
          reason === undefined ? 'applied' : 'quarantined',
          reason ?? null,
          now,
        ],
      );
      if (inserted.length > 0) {
        if (reason !== undefined) {
          quarantined++;
          conflicts.push(receipt(doc, reason));
        } else {
          applied++;
          if (Date.parse(facts.occurredAt) - deps.now().getTime() > CLOCK_SKEW_TOLERANCE_MS) {
            alerts++;
            await alert(tx, 'clock_skew', identity, eventId, {
              occurredAt: facts.occurredAt,
              receivedAt: now,
            });
          }
          if (effects !== undefined) {
            movements.push(...effects.movements);
            counts.push(...effects.counts);
            accruals.push(...effects.accruals);
          }
        }
        continue;
      }

      // Not new: an identical resend, or a key reused for different content.
      const [byId] = await tx.query<StoredEvent>(
        'select event_id, doc, content_sha256, status, reason from events where event_id = $1',
        [eventId],
      );
      if (byId !== undefined) {
        if (byId.content_sha256 === hash) {
          duplicates++;
          // The first receipt may have been lost with its response: repeat it until the till has it.
          if (byId.status === 'quarantined' && doc.serverStatus !== 'quarantined')
            conflicts.push(storedCopy(byId));
          continue;
        }
        alerts++;
        await alert(tx, 'event_id_reused', identity, eventId, {
          receivedSha256: hash,
          storedSha256: byId.content_sha256,
        });
        await tx.query(
          'insert into rejected_rows (device_id, store_id, reason, doc) values ($1, $2, $3, $4::jsonb)',
          [identity.deviceId, identity.storeId, 'event id reused with different content', safeJson(doc)],
        );
        conflicts.push(storedCopy(byId));
        continue;
      }
      const [bySeq] = await tx.query<StoredEvent>(
        `select event_id, doc, content_sha256, status, reason from events where device_id = $1 and device_seq = $2`,
        [identity.deviceId, doc.deviceSeq as number],
      );
      alerts++;
      await alert(tx, 'device_seq_reused', identity, eventId, {
        deviceSeq: doc.deviceSeq,
        storedEventId: bySeq?.event_id ?? null,
      });
      await tx.query(
        'insert into rejected_rows (device_id, store_id, reason, doc) values ($1, $2, $3, $4::jsonb)',
        [
          identity.deviceId,
          identity.storeId,
          `deviceSeq ${String(doc.deviceSeq)} already used by event ${bySeq?.event_id ?? '?'}`,
          safeJson(doc),
        ],
      );
      if (bySeq !== undefined) conflicts.push(storedCopy(bySeq));
    }

    const negative = await applyStockEffects(tx, movements, counts);
    for (const level of negative) {
      alerts++;
      await alert(tx, 'negative_stock', identity, null, level);
    }
    for (const customerId of await applyAccruals(tx, accruals)) {
      alerts++;
      await alert(tx, 'loyalty_unknown_customer', identity, null, { customerId });
    }
    await advanceContiguousSeq(tx, identity.deviceId);
    return { conflicts, applied, quarantined, duplicates, alerts };
  });
}

/** What an audit row can hold of anything a till sent. */
function safeJson(value: unknown): string {
  try {
    if (depthExceeds(value, MAX_DOC_DEPTH)) return JSON.stringify({ unstorable: 'nested too deeply' });
    return canonicalJson(value ?? null).replaceAll('\\u0000', '\\ufffd');
  } catch {
    return JSON.stringify({ unstorable: typeof value });
  }
}

async function alert(
  tx: Queryable,
  kind: string,
  identity: PushIdentity,
  eventId: string | null,
  detail: object,
): Promise<void> {
  await tx.query(
    'insert into alerts (kind, device_id, store_id, event_id, detail) values ($1, $2, $3, $4, $5::jsonb)',
    [kind, identity.deviceId, identity.storeId, eventId, JSON.stringify(detail)],
  );
}

/** contiguous_seq = the highest n such that events 1..n of the device are all on the server. */
async function advanceContiguousSeq(tx: Queryable, deviceId: string): Promise<void> {
  await tx.query(
    `with recursive c(s) as (
       select contiguous_seq from devices where device_id = $1
       union all
       select c.s + 1 from c where exists (select 1 from events e where e.device_id = $1 and e.device_seq = c.s + 1))
     update devices set contiguous_seq = (select max(s) from c) where device_id = $1`,
    [deviceId],
  );
}
