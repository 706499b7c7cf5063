/**
 * Who is signed in at this till, and whether the screen is locked. UI state only: main owns the real
 * session and the PIN failure counter (staff.signIn / staff.verifyPin), this mirrors what main said so
 * screens can render without a round trip. It never holds a PIN.
 */
import type { StaffSession } from '@pos/app/contracts/desktop-bridge';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { SessionState } from '../app/till-context.tsx';

export function createSessionStore(initial?: {
  readonly session: StaffSession;
  readonly staffName: string;
  readonly locked?: boolean;
}): StoreApi<SessionState> {
  return createStore<SessionState>()((set, get) => ({
    session: initial?.session ?? null,
    staffName: initial?.staffName ?? '',
    locked: initial?.locked ?? false,
    signedIn(session, staffName) {
      set({ session, staffName, locked: false });
    },
    lock() {
      // Nobody to protect: a till with no session shows the sign-in screen, not the lock screen.
      if (get().session === null) return;
      set({ locked: true });
    },
    unlock() {
      if (get().session === null) return;
      set({ locked: false });
    },
    signedOut() {
      set({ session: null, staffName: '', locked: false });
    },
  }));
}
