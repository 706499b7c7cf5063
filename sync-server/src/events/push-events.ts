/**
 * `POST /push/events`: one transaction per request, rows in event-id order. The server never refuses a
 * fact: a row it cannot apply is kept, quarantined, acknowledged and returned as a receipt (the row with
 * `serverStatus: 'quarantined'`), so one bad row never blocks a till's queue. Exactly-once effect comes
 * from `insert … on conflict do nothing` on the event id inside the transaction that applies it.
 *
 * Everything that needs no database (hashing, validation, the domain effects) is done here first; then
 * the request is one call of the `omnitill_push_events` function (migration 006), which files the rows,
 * applies the effects of the new ones set-based (ledger, stock projection, loyalty), records alerts and
 * rejected rows and advances the device's contiguous sequence, as one statement and so one transaction
 * with no round trip inside it. This file then builds the answer from what the function reports.
 *
 * A request whose valid rows pay from (or refund to) a gift card or store credit wraps that call in one
 * statement that also books the account movements of the events the function inserted (migration 008):
 * the same transaction, still one round trip, and ordinary pushes run exactly the statement they did.
 */
import {
  canonicalJson,
  NON_CONTENT_FIELDS,
  NotCanonicalError,
  sha256Hex,
  withoutNonContent,
} from '../canonical-hash.ts';
import type { DbAdapter } from '../db/adapter.ts';
import { eventEffects } from './effects.ts';
import type { Effects } from './effects.ts';
import { createEnvelopeValidator } from './event-validator.ts';
import type { EventValidator } from './event-validator.ts';

export const MAX_PUSH_ROWS = 100;
/** A till clock this far ahead of the server's is flagged (never refused: a sale is a fact). */
export const CLOCK_SKEW_TOLERANCE_MS = 5 * 60 * 1000;
const MAX_REASON_LENGTH = 500;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** PostgreSQL's timestamptz cannot hold every instant JavaScript can (years beyond 9999 print as "+010000"). */
const MIN_OCCURRED_MS = Date.UTC(1, 0, 1);
const MAX_OCCURRED_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

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

/** Real documents are shallow; a deep one would only exhaust the stack of the hashing and validation. */
export const MAX_DOC_DEPTH = 32;

/**
 * Whether objects/arrays nest deeper than `limit`. Recursive, but never deeper than `limit + 1` frames:
 * it stops descending there, so a hostile document cannot exhaust the stack.
 */
export function depthExceeds(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit <= 0) return true;
  if (Array.isArray(value)) {
    for (const child of value as readonly unknown[]) if (depthExceeds(child, limit - 1)) return true;
    return false;
  }
  for (const key in value) {
    if (depthExceeds((value as Readonly<Record<string, unknown>>)[key], limit - 1)) return true;
  }
  return false;
}

/** PostgreSQL's jsonb cannot store U+0000; such a row is kept as a sanitised copy and quarantined. */
function hasNul(text: string): boolean {
  return text.includes('\\u0000');
}

/** The fields that are not content, as canonical JSON (empty object when there are none). */
function nonContentJson(doc: Doc): string {
  const out: Record<string, unknown> = {};
  for (const field of NON_CONTENT_FIELDS) if (field in doc) out[field] = doc[field];
  return canonicalJson(out);
}

/** A row can be filed in `events` (and so deduplicated) when its keys have the right types. */
function unfileable(doc: Doc): string | undefined {
  if (typeof doc.eventId !== 'string' || !UUID_PATTERN.test(doc.eventId))
    return 'eventId is not a lowercase UUID';
  if (typeof doc.deviceSeq !== 'number' || !Number.isSafeInteger(doc.deviceSeq) || doc.deviceSeq < 1)
    return 'deviceSeq is not a positive integer';
  if (typeof doc.type !== 'string' || doc.type.length > 64) return 'type is missing';
  if (typeof doc.schemaVersion !== 'number' || !Number.isSafeInteger(doc.schemaVersion))
    return 'schemaVersion is missing';
  if (typeof doc.occurredAt !== 'string') return 'occurredAt is not a time';
  const at = Date.parse(doc.occurredAt);
  if (Number.isNaN(at) || at < MIN_OCCURRED_MS || at > MAX_OCCURRED_MS) return 'occurredAt is not a time';
  if (!isRecord(doc.payload)) return 'payload is not an object';
  return undefined;
}

export interface PushDeps {
  readonly db: DbAdapter;
  readonly validator: EventValidator;
  readonly now: () => Date;
}

const envelopeValid = createEnvelopeValidator();

/** A row that can be filed in `events`, with everything computed that needs no database. */
interface Candidate {
  /** Position in the request after sorting: answers keep this order. */
  readonly pos: number;
  readonly doc: Doc;
  readonly eventId: string;
  readonly deviceSeq: number;
  readonly type: string;
  readonly schemaVersion: number;
  /** Normalised instant (the document keeps what the till wrote). */
  readonly occurredAt: string;
  readonly occurredMs: number;
  /** Canonical JSON of the content, which is what `events.doc` stores. */
  readonly content: string;
  readonly hash: string;
  /** Why it is quarantined; undefined = valid. */
  readonly reason: string | undefined;
  readonly effects: Effects | undefined;
}

/** A row that cannot even be filed: it goes to `rejected_rows`. */
interface Rejection {
  readonly pos: number;
  readonly doc: unknown;
  readonly reason: string;
}

type Prepared =
  | { readonly kind: 'candidate'; readonly c: Candidate }
  | { readonly kind: 'rejection'; readonly r: Rejection };

function prepare(deps: PushDeps, identity: PushIdentity, doc: unknown, pos: number): Prepared | undefined {
  const reject = (what: unknown, reason: string): Prepared => ({
    kind: 'rejection',
    r: { pos, doc: what, reason },
  });
  if (!isRecord(doc)) return reject(doc, 'row is not an object');
  // A deleted event is the till pruning its outbox: nothing to do.
  if (doc._deleted === true) return undefined;
  if (depthExceeds(doc, MAX_DOC_DEPTH))
    return reject({ eventId: doc.eventId }, `document nested deeper than ${MAX_DOC_DEPTH} levels`);
  if (doc.deviceId !== identity.deviceId || doc.storeId !== identity.storeId)
    return reject(doc, 'deviceId/storeId of the event differ from the signed-in device');
  const keys = unfileable(doc);
  if (keys !== undefined) return reject(doc, keys);
  let content: string;
  try {
    content = canonicalJson(withoutNonContent(doc));
    if (hasNul(content) || hasNul(nonContentJson(doc))) return reject(doc, 'text contains NUL characters');
  } catch (error) {
    // JSON can spell a number no double holds (1e400): no canonical form, so no hash to deduplicate by.
    if (error instanceof NotCanonicalError) return reject(doc, `not storable as JSON: ${error.message}`);
    throw error;
  }

  const eventId = doc.eventId as string;
  const type = doc.type as string;
  const schemaVersion = doc.schemaVersion as number;
  const occurredMs = Date.parse(doc.occurredAt as string);
  const payload = doc.payload as Doc;
  let reason: string | undefined;
  let effects: Effects | undefined;
  const envelope = envelopeValid(doc);
  if (!envelope.ok) reason = `envelope: ${envelope.errors.join('; ')}`;
  if (reason === undefined) {
    const valid = deps.validator.validate(type, schemaVersion, payload);
    if (!valid.ok) reason = `${type}@${schemaVersion}: ${valid.errors.join('; ')}`;
  }
  if (reason === undefined) {
    const result = eventEffects({
      eventId,
      storeId: identity.storeId,
      type,
      schemaVersion,
      occurredAt: doc.occurredAt as string,
      payload,
    });
    if (result.ok) effects = result.effects;
    else reason = result.reason;
  }
  return {
    kind: 'candidate',
    c: {
      pos,
      doc,
      eventId,
      deviceSeq: doc.deviceSeq as number,
      type,
      schemaVersion,
      occurredAt: new Date(occurredMs).toISOString(),
      occurredMs,
      content,
      hash: sha256Hex(content),
      reason,
      effects,
    },
  };
}

/** One filed row as the push function takes it; `doc` is spliced in as the canonical text it is. */
function eventRowJson(c: Candidate, first: boolean, now: number): string {
  const skew =
    c.reason === undefined && c.occurredMs - now > CLOCK_SKEW_TOLERANCE_MS
      ? JSON.stringify({ occurredAt: c.doc.occurredAt, receivedAt: new Date(now).toISOString() })
      : 'null';
  return (
    `{"ord":${c.pos},"event_id":${JSON.stringify(c.eventId)},"device_seq":${c.deviceSeq},` +
    `"type":${JSON.stringify(c.type)},"schema_version":${c.schemaVersion},` +
    `"occurred_at":${JSON.stringify(c.occurredAt)},"content_sha256":"${c.hash}",` +
    `"status":"${c.reason === undefined ? 'applied' : 'quarantined'}",` +
    `"reason":${c.reason === undefined ? 'null' : JSON.stringify(c.reason)},"first":${first},` +
    `"adopted":${c.doc.serverStatus === 'quarantined'},"skew":${skew},"nc":${nonContentJson(c.doc)},` +
    `"doc":${c.content}}`
  );
}

const PUSH_CALL = 'omnitill_push_events($1, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb, $7::jsonb, $8::jsonb)';

const PUSH_SQL = `select ${PUSH_CALL}::text as r, 0 as account_alerts`;

/** What the push statement answers: the function's report, and what the account part booked. */
interface PushStatementRow {
  readonly r: string | null;
  readonly account_alerts: number;
}

/**
 * The push function, then (in the same statement) the account movements ($9) of the events it inserted:
 * a duplicate, a retry or a quarantined event books nothing, and a movement id seen before is absorbed.
 * The CTE calling the function is read twice, so PostgreSQL runs it exactly once, before the insert that
 * needs its answer. An account whose balance in that currency falls below zero is accepted and flagged
 * (a till without a hold, or one whose hold expired, may spend what another till spent); the statement's
 * snapshot holds the movements before this one, so the new balance is that sum plus what was just inserted.
 *
 * A debit just booked captures the holds its sale placed on that account (migration 009: same store, same
 * sale id, still open), so they stop counting now that the ledger does: in this statement, so no reader
 * ever sees both or neither. A duplicate push inserts no movement and so captures nothing again.
 */
const PUSH_WITH_ACCOUNTS_SQL = `
  with p as (select ${PUSH_CALL} as r),
  ins as (
    insert into account_movements (movement_id, type, reference, amount, currency, reason, event_id, store_id,
                                   occurred_at, received_at)
    select x.movement_id, x.type, x.reference, x.amount, x.currency, x.reason, x.event_id, x.store_id,
           x.occurred_at, $3
      from p, jsonb_to_recordset($9::jsonb) as x(ord integer, movement_id text, type text, reference text,
           amount bigint, currency text, reason text, event_id text, store_id text, occurred_at timestamptz)
     where p.r is not null and x.event_id in (select jsonb_array_elements_text(p.r->'new'))
     order by x.ord
    on conflict (movement_id) do nothing
    returning movement_id, type, reference, currency, amount),
  cap as (
    update account_holds h set captured_at = $3, captured_by_event = c.event_id
      from (select x.sale_id, x.type, x.reference, min(x.event_id) as event_id
              from ins i join jsonb_to_recordset($9::jsonb) as x(movement_id text, sale_id text, type text,
                   reference text, event_id text) on x.movement_id = i.movement_id
             where x.sale_id is not null
             group by x.sale_id, x.type, x.reference) c
     where h.store_id = $2 and h.sale_id = c.sale_id and h.type = c.type and h.reference = c.reference
       and h.captured_at is null and h.released_at is null
    returning 1),
  bal as (
    select i.type, i.reference, i.currency,
           sum(i.amount) + (select coalesce(sum(m.amount), 0) from account_movements m
                             where m.type = i.type and m.reference = i.reference and m.currency = i.currency)
             as balance
      from ins i group by i.type, i.reference, i.currency),
  a as (
    insert into alerts (kind, device_id, store_id, event_id, detail)
    select 'account_overdrawn', $1, $2, null,
           jsonb_build_object('type', b.type, 'reference', b.reference, 'currency', b.currency, 'balance', b.balance)
      from bal b where b.balance < 0
     order by b.type, b.reference, b.currency
    returning 1)
  select p.r::text as r, (select count(*) from a)::int as account_alerts from p`;

/** What the push function says about a row it did not insert. */
interface OldRow {
  readonly ord: number;
  /** The event holding the row's deviceSeq, when its id is not on the server. */
  readonly holder: string | null;
  readonly id_sha: string | null;
  readonly id_status: 'applied' | 'quarantined' | null;
  readonly id_reason: string | null;
  /** The stored event of that id, when it differs or was quarantined. */
  readonly id_doc: Doc | null;
}

interface PushResult {
  readonly new: readonly string[];
  readonly old: readonly OldRow[];
  readonly alerts: number;
}

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
  const nowDate = deps.now();
  const nowMs = nowDate.getTime();

  const conflicts: { pos: number; doc: Doc }[] = [];
  const rejected: { reason: string; doc: string }[] = [];
  let quarantined = 0;
  /** Filed rows by position; the first of each event id is the one the insert tries. */
  const candidates = new Map<number, Candidate>();
  const parts: string[] = [];
  const movements: object[] = [];
  const counts: object[] = [];
  const accruals: object[] = [];
  const accounts: object[] = [];
  const seen = new Set<string>();
  docs.forEach(({ doc }, pos) => {
    const prepared = prepare(deps, identity, doc, pos);
    if (prepared === undefined) return;
    if (prepared.kind === 'rejection') {
      const r = prepared.r;
      // The till adopted an earlier receipt and pushes it back once: that closes the loop.
      if (isRecord(r.doc) && r.doc.serverStatus === 'quarantined') return;
      quarantined++;
      rejected.push({ reason: r.reason.slice(0, MAX_REASON_LENGTH), doc: safeJson(r.doc) });
      if (isRecord(r.doc) && typeof r.doc.eventId === 'string')
        conflicts.push({ pos: r.pos, doc: receipt(r.doc, r.reason) });
      return;
    }
    const c = prepared.c;
    candidates.set(pos, c);
    const first = !seen.has(c.eventId);
    seen.add(c.eventId);
    parts.push(eventRowJson(c, first, nowMs));
    if (!first || c.effects === undefined) return;
    for (const m of c.effects.movements) {
      movements.push({
        movement_id: m.movementId,
        store_id: m.storeId,
        product_id: m.productId,
        qty_delta: m.qtyDelta,
        reason: m.reason,
        event_id: m.eventId,
        occurred_at: m.occurredAt,
      });
    }
    for (const k of c.effects.counts) {
      counts.push({
        count_id: k.countId,
        store_id: k.storeId,
        product_id: k.productId,
        quantity: k.quantity,
        event_id: k.eventId,
        counted_at: k.countedAt,
      });
    }
    for (const a of c.effects.accruals) {
      accruals.push({
        sale_id: a.saleId,
        customer_id: a.customerId,
        store_id: a.storeId,
        points: a.points,
        event_id: a.eventId,
        accrued_at: a.accruedAt,
      });
    }
    // The sale whose holds a debit captures (a return's credit captures none).
    const saleId =
      c.type === 'sale.completed' && isRecord(c.doc.payload) && typeof c.doc.payload.saleId === 'string'
        ? c.doc.payload.saleId
        : null;
    for (const a of c.effects.accounts) {
      accounts.push({
        movement_id: a.movementId,
        sale_id: a.amount < 0 ? saleId : null,
        type: a.type,
        reference: a.reference,
        amount: a.amount,
        currency: a.currency,
        reason: a.reason,
        event_id: a.eventId,
        store_id: a.storeId,
        occurred_at: a.occurredAt,
      });
    }
  });
  // Ledger keys in sorted order: overlapping pushes insert (and lock) them in the same order.
  const byKey = (key: string) => (a: object, b: object) => {
    const ka = String((a as Record<string, unknown>)[key]);
    const kb = String((b as Record<string, unknown>)[key]);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
  movements.sort(byKey('movement_id'));
  counts.sort(byKey('count_id'));
  accounts.sort(byKey('movement_id'));
  const ordered = (list: object[]) => JSON.stringify(list.map((row, ord) => ({ ...row, ord })));

  // One statement, its own transaction: the function (migration 006) does every write of the request,
  // and the account statement around it (only when there are account movements) books those too.
  const params = [
    identity.deviceId,
    identity.storeId,
    nowDate.toISOString(),
    `[${parts.join(',')}]`,
    JSON.stringify(rejected),
    ordered(movements),
    ordered(counts),
    JSON.stringify(accruals),
  ];
  const [row] =
    accounts.length === 0
      ? await deps.db.query<PushStatementRow>(PUSH_SQL, params)
      : await deps.db.query<PushStatementRow>(PUSH_WITH_ACCOUNTS_SQL, [...params, ordered(accounts)]);
  if (row?.r === null || row?.r === undefined) throw new DeviceRevokedError();
  const result = JSON.parse(row.r) as PushResult;

  const inserted = new Set(result.new);
  let applied = 0;
  let duplicates = 0;
  const firstSeen = new Set<string>();
  for (const [pos, c] of candidates) {
    const first = !firstSeen.has(c.eventId);
    firstSeen.add(c.eventId);
    if (!first || !inserted.has(c.eventId)) continue;
    if (c.reason === undefined) applied++;
    else {
      quarantined++;
      conflicts.push({ pos, doc: receipt(c.doc, c.reason) });
    }
  }
  for (const old of result.old) {
    const c = candidates.get(old.ord);
    if (c === undefined) continue;
    if (old.id_sha !== null) {
      if (old.id_sha === c.hash) {
        duplicates++;
        // The first receipt may have been lost with its response: repeat it until the till has it.
        if (old.id_status === 'quarantined' && old.id_doc !== null && c.doc.serverStatus !== 'quarantined')
          conflicts.push({ pos: old.ord, doc: storedCopy(old) });
        continue;
      }
      // The same id with other content: the stored copy goes back (the function raised the alert).
      if (old.id_doc !== null) conflicts.push({ pos: old.ord, doc: storedCopy(old) });
      continue;
    }
    // The till adopted the receipt below and pushes it back once: that closes the loop.
    if (c.doc.serverStatus === 'quarantined') continue;
    // Another event holds the deviceSeq: a receipt for the row the till sent, under its own id (RxDB
    // cannot take a document it did not push), naming the holder.
    quarantined++;
    conflicts.push({
      pos: old.ord,
      doc: receipt(c.doc, `deviceSeq ${String(c.deviceSeq)} already used by event ${old.holder ?? '?'}`),
    });
  }
  conflicts.sort((a, b) => a.pos - b.pos);
  return {
    conflicts: conflicts.map((c) => c.doc),
    applied,
    quarantined,
    duplicates,
    alerts: result.alerts + row.account_alerts,
  };
}

function storedCopy(old: OldRow): Doc {
  const doc: Doc = { ...(old.id_doc ?? {}), _deleted: false };
  return old.id_status === 'quarantined' ? receipt(doc, old.id_reason ?? 'quarantined') : doc;
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
