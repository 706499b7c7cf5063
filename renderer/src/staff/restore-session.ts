/**
 * After a reload (or a renderer crash) main may still hold a session. The till resumes it locked:
 * the same person's PIN brings them back to their open sale, and nobody walks up to an open till.
 */
import type { StoreApi } from 'zustand';
import type { SessionState } from '../app/till-context.tsx';
import type { TillDatabase } from '../db/index.ts';
import type { Desktop } from '../platform/desktop.ts';
import { findStaffById } from './staff-lookup.ts';

/** Resolves true when a session was resumed (locked). Never throws: no session means sign in. */
export async function restoreSession(
  desktop: Desktop,
  db: TillDatabase,
  session: StoreApi<SessionState>,
): Promise<boolean> {
  try {
    const result = await desktop.tryCall('staff.getSession', undefined);
    if (!result.ok || result.value === null) return false;
    const staff = await findStaffById(db, result.value.staffId);
    if (staff?.active !== true) {
      // A record HQ removed or deactivated: end main's session rather than resume it.
      await desktop.tryCall('staff.signOut', undefined);
      return false;
    }
    session.getState().signedIn(result.value, staff.displayName);
    session.getState().lock();
    return true;
  } catch {
    return false;
  }
}

/** Signs out in main, then in the UI; the UI is cleared even when main cannot be reached. */
export async function signOut(desktop: Desktop, session: StoreApi<SessionState>): Promise<void> {
  try {
    await desktop.tryCall('staff.signOut', undefined);
  } catch {
    // Main unreachable: its session ends when the till restarts; this screen must not stay signed in.
  }
  session.getState().signedOut();
}
