/**
 * Outbox events and their journal form. The journal (main, fsync'd) is the durable copy; the RxDB
 * `events` outbox is what replication pushes, and IndexedDB writes are not fsync'd, so on every start
 * the outbox is refilled from the journal (architecture.md, the sale path, step 5).
 *
 * A journal entry holds `eventId` and `type` itself and assigns the device sequence; its payload is
 * the rest of the outbox envelope (schema version, store, device, time, payload). So an entry alone
 * rebuilds the exact outbox event, and the outbox insert is idempotent by `eventId`: restoring twice,
 * or restoring an event the checkout also inserted, never makes a second one.
 */
import { CURRENT_EVENT_VERSIONS, isEventType, UTC_TIMESTAMP_PATTERN, UUID_V7_PATTERN } from '@pos/app';
import type { EventType, OutboxEvent, SaleRecord } from '@pos/app';
import type { CommandOutput } from '@pos/app/contracts/desktop-bridge';
import type { TillDatabase } from '../db/index.ts';
import type { Desktop } from '../platform/desktop.ts';

type JournalEntry = CommandOutput<'journal.append'>;

/** The envelope before the journal numbers it. */
export type PendingEvent = Omit<OutboxEvent, 'deviceSeq'>;

export interface SaleEventInput {
  readonly eventId: string;
  readonly storeId: string;
  readonly deviceId: string;
  readonly record: SaleRecord;
}

export function saleCompletedEvent(input: SaleEventInput): PendingEvent {
  return {
    eventId: input.eventId,
    type: 'sale.completed',
    schemaVersion: CURRENT_EVENT_VERSIONS['sale.completed'],
    storeId: input.storeId,
    deviceId: input.deviceId,
    // The record's completion time is the fact's time; canonical UTC, as the events index needs.
    occurredAt: new Date(input.record.completedAt).toISOString(),
    payload: input.record,
  };
}

/** What `journal.append` stores as the entry's payload. */
export interface JournalPayload {
  readonly schemaVersion: number;
  readonly storeId: string;
  readonly deviceId: string;
  readonly occurredAt: string;
  readonly payload: OutboxEvent['payload'];
}

export function journalPayload(event: PendingEvent): JournalPayload {
  return {
    schemaVersion: event.schemaVersion,
    storeId: event.storeId,
    deviceId: event.deviceId,
    occurredAt: event.occurredAt,
    payload: event.payload,
  };
}

export function numbered(event: PendingEvent, sequence: number): OutboxEvent {
  return { ...event, deviceSeq: sequence } as OutboxEvent;
}

const UUID_V7 = new RegExp(UUID_V7_PATTERN);
const UTC_TIMESTAMP = new RegExp(UTC_TIMESTAMP_PATTERN);

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The outbox event a journal entry stands for, or null for an entry that is not one (the journal's
 * own tamper acknowledgements, or an entry some other writer shaped differently).
 */
export function outboxEventFromEntry(entry: JournalEntry): OutboxEvent | null {
  if (!isEventType(entry.type) || !UUID_V7.test(entry.eventId)) return null;
  const body = entry.payload;
  if (!isRecord(body)) return null;
  const { schemaVersion, storeId, deviceId, occurredAt, payload } = body;
  if (
    typeof schemaVersion !== 'number' ||
    typeof storeId !== 'string' ||
    typeof deviceId !== 'string' ||
    typeof occurredAt !== 'string' ||
    !UTC_TIMESTAMP.test(occurredAt) ||
    !isRecord(payload)
  ) {
    return null;
  }
  const type: EventType = entry.type;
  return {
    eventId: entry.eventId,
    type,
    schemaVersion,
    storeId,
    deviceId,
    deviceSeq: entry.sequence,
    occurredAt,
    payload,
  } as OutboxEvent;
}

/** Inserts events that are not in the outbox yet; returns how many were new. */
export async function insertMissing(db: TillDatabase, events: readonly OutboxEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const existing = await db.events.findByIds(events.map((e) => e.eventId)).exec();
  const missing = events.filter((e) => !existing.has(e.eventId));
  if (missing.length === 0) return 0;
  const result = await db.events.bulkInsert(missing);
  // A conflict means another writer inserted it meanwhile: it is there, which is all that matters.
  const failed = result.error.filter((e) => e.status !== 409);
  if (failed.length > 0) {
    throw new Error(`The outbox refused ${failed.length} event(s) (status ${failed[0]?.status ?? '?'}).`);
  }
  return result.success.length;
}

export const RESTORE_PAGE = 500;

/**
 * Re-inserts into the outbox what the journal holds beyond the outbox's highest device sequence.
 * Returns how many events were restored.
 */
export async function restoreOutbox(db: TillDatabase, desktop: Desktop): Promise<number> {
  const newest = await db.events.findOne({ selector: {}, sort: [{ deviceSeq: 'desc' }] }).exec();
  let after = newest === null ? 0 : newest.deviceSeq;
  let restored = 0;
  for (;;) {
    const { entries } = await desktop.call('journal.readAfter', {
      afterSequence: after,
      limit: RESTORE_PAGE,
    });
    const events = entries.map(outboxEventFromEntry).filter((e): e is OutboxEvent => e !== null);
    restored += await insertMissing(db, events);
    const last = entries[entries.length - 1];
    if (last === undefined || entries.length < RESTORE_PAGE) break;
    after = last.sequence;
  }
  return restored;
}

/** The outbox event of a sale among the newest sales, e.g. to tell whether a sale resumed after a crash was already completed. */
export async function findSaleEvent(
  db: TillDatabase,
  saleId: string,
  lookBack = 50,
): Promise<OutboxEvent | null> {
  const docs = await db.events
    .find({
      selector: { type: 'sale.completed' },
      sort: [{ type: 'asc' }, { deviceSeq: 'desc' }],
      limit: lookBack,
    })
    .exec();
  for (const doc of docs) {
    const event = doc.toJSON();
    if (event.type === 'sale.completed' && event.payload.saleId === saleId) return event;
  }
  return null;
}
