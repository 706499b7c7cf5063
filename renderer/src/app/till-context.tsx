/**
 * What every screen of the till reaches through React context: the local database, the bridge to
 * main, the till's settings, the clock and id source (injected, so tests control time and ids), and
 * the session store. Zustand vanilla stores hold UI and session state only; persisted data is read
 * from RxDB queries and totals are computed by `@pos/app` (architecture.md, conventions).
 */
import type { ApprovalRecord, Permission, Role } from '@pos/app';
import type { Settings, StaffSession } from '@pos/app/contracts/desktop-bridge';
import { createContext, useContext } from 'react';
import { useStore, type StoreApi } from 'zustand';
import type { TillDatabase, TillSync } from '../db/index.ts';
import type { Desktop } from '../platform/desktop.ts';

/** Who is signed in, and whether the till is locked (the session stays; the PIN unlocks it). */
export interface SessionState {
  readonly session: StaffSession | null;
  /** The signed-in person's display name, from the staff collection. */
  readonly staffName: string;
  readonly locked: boolean;
  signedIn(session: StaffSession, staffName: string): void;
  lock(): void;
  unlock(): void;
  signedOut(): void;
}

/**
 * Asks for a manager's PIN on the spot for one action the signed-in role may not do. Resolves with
 * the recorded approval, or null when the cashier cancels. Provided by the staff screens.
 */
export type RequestApproval = (request: {
  readonly permission: Permission;
  /** Why, in the cashier's words or the action's name; shown to the manager and recorded. */
  readonly reason: string;
  readonly lineId?: string;
}) => Promise<ApprovalRecord | null>;

export interface TillServices {
  readonly db: TillDatabase;
  readonly desktop: Desktop;
  readonly settings: Settings;
  /** Store-wide settings that come from HQ through RxDB (`config` kind 'store'): currency, locale, time zone. */
  readonly currency: string;
  readonly locale: string;
  readonly timeZone: string;
  readonly now: () => Date;
  /** UUIDv7 ids (events, sales, lines, payments). */
  readonly newId: () => string;
  /** Null when the till is not enrolled with a sync server (it still sells; events wait). */
  readonly sync: TillSync | null;
  readonly session: StoreApi<SessionState>;
  readonly requestApproval: RequestApproval;
}

export const TillContext = createContext<TillServices | null>(null);

export function useTill(): TillServices {
  const services = useContext(TillContext);
  if (services === null) throw new Error('useTill() outside <TillContext.Provider>');
  return services;
}

export function useSession<T>(selector: (state: SessionState) => T): T {
  return useStore(useTill().session, selector);
}

export type { Role };
