/**
 * Finding the person who is signing in or approving, in the pulled `staff` collection: by staff code or
 * by staff card (both indexed), and the checks the till makes before asking main to verify a PIN
 * (inactive, another store's, locked by HQ). Main then checks the PIN and owns the failure counter.
 */
import { cardKey, type StaffDoc } from '@pos/app';
import type { TillDatabase } from '../db/index.ts';

/** Most people a sign-in screen shows as tiles; larger teams type their code. */
export const MAX_STAFF_TILES = 24;

export async function findStaffByCode(db: TillDatabase, code: string): Promise<StaffDoc | null> {
  const trimmed = code.trim();
  if (!/^[A-Za-z0-9]{1,16}$/u.test(trimmed)) return null;
  const exact = await db.staff.findOne({ selector: { staffCode: trimmed } }).exec();
  if (exact !== null) return exact.toMutableJSON();
  // Codes are printed in capitals on badges; people type them in lower case.
  const upper = trimmed.toUpperCase();
  if (upper === trimmed) return null;
  const folded = await db.staff.findOne({ selector: { staffCode: upper } }).exec();
  return folded === null ? null : folded.toMutableJSON();
}

export async function findStaffByCard(db: TillDatabase, key: string): Promise<StaffDoc | null> {
  const normalised = cardKey(key);
  // '' is every card-less person's key: never a match.
  if (normalised === '') return null;
  const doc = await db.staff.findOne({ selector: { cardKey: normalised } }).exec();
  return doc === null ? null : doc.toMutableJSON();
}

export async function findStaffById(db: TillDatabase, staffId: string): Promise<StaffDoc | null> {
  const doc = await db.staff.findOne(staffId).exec();
  return doc === null ? null : doc.toMutableJSON();
}

/** Staff with no stores listed work at every store. */
function worksAt(staff: StaffDoc, storeId: string | null): boolean {
  return staff.storeIds.length === 0 || (storeId !== null && staff.storeIds.includes(storeId));
}

export type StaffRefusal =
  | { readonly kind: 'inactive' }
  | { readonly kind: 'other_store' }
  | { readonly kind: 'locked'; readonly minutes: number };

/** Why this person may not sign in at this till now, or null when main may check their PIN. */
export function staffRefusal(staff: StaffDoc, storeId: string | null, now: Date): StaffRefusal | null {
  if (!staff.active) return { kind: 'inactive' };
  if (!worksAt(staff, storeId)) return { kind: 'other_store' };
  if (staff.lockedUntil !== undefined) {
    const left = Date.parse(staff.lockedUntil) - now.getTime();
    if (left > 0) return { kind: 'locked', minutes: Math.max(1, Math.ceil(left / 60_000)) };
  }
  return null;
}

/** The people shown as tiles: active, allowed at this store, by name. */
export async function listStaffForTiles(db: TillDatabase, storeId: string | null): Promise<StaffDoc[]> {
  // The staff list is small (one store's team plus chain-wide staff); the limit bounds a large chain.
  const docs = await db.staff.find({ limit: 500 }).exec();
  return (
    docs
      .map((doc) => doc.toMutableJSON())
      // HQ staff are allowed everywhere but work at no till: they type their code instead of a tile.
      .filter((staff) => staff.active && staff.role !== 'hq' && worksAt(staff, storeId))
      .sort((a, b) => a.displayName.localeCompare(b.displayName))
      .slice(0, MAX_STAFF_TILES)
  );
}
