/**
 * Small pieces of device state kept in RxDB local documents (architecture.md: counters and device
 * state go there, not in collections): the till's shift, a checkout or card payment in progress. Each
 * value is wrapped so that "none" can be written as null instead of deleting the document.
 */
import type { TillDatabase } from '../db/index.ts';

interface Wrapped<T> {
  readonly value: T | null;
}

/** The stored value when `isValue` accepts it (an older build may have stored another shape), else null. */
export async function readLocal<T>(
  db: TillDatabase,
  id: string,
  isValue: (value: unknown) => value is T,
): Promise<T | null> {
  const doc = await db.getLocal<Wrapped<unknown>>(id);
  const value: unknown = doc?.toJSON().data.value ?? null;
  return isValue(value) ? value : null;
}

export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Stores plain JSON (what RxDB can keep); null clears the value. */
export async function writeLocal(db: TillDatabase, id: string, value: object | null): Promise<void> {
  await db.upsertLocal<Wrapped<object>>(id, { value });
}

export const LOCAL_SHIFT = 'till-shift';
export const LOCAL_PENDING_CHECKOUT = 'pending-checkout';
export const LOCAL_PENDING_PAYMENT = 'pending-payment';
