/**
 * Start-up, fast whatever the catalog size ("ready to scan" ≤ 2 s, targets.md): read the till's
 * settings from main, open the local database, read the store's configuration (a few hundred
 * documents, by the `kind` index) and the till's shift, and render. Nothing else is awaited: the
 * outbox refill from the journal, the staff session and replication run in the background (selling
 * never waits for the network, and checkouts wait only for the refill). No collection is read whole.
 */
import { SyncClient, TillSync, createTillDatabase } from '../db/index.ts';
import type { TillDatabase } from '../db/index.ts';
import { restoreOutbox } from '../checkout/outbox.ts';
import type { Desktop } from '../platform/desktop.ts';
import { loadStoreConfig } from '../sale/store-config.ts';
import type { StoreConfig } from '../sale/store-config.ts';
import type { AccountHoldSource } from '../tender/account-holds.ts';
import { createSessionStore, restoreSession } from '../staff/index.ts';
import type { Settings } from '@pos/app/contracts/desktop-bridge';
import type { StoreApi } from 'zustand';
import { isRecord, LOCAL_SHIFT, readLocal, writeLocal } from './local-state.ts';
import type { SessionState, TillServices } from './till-context.tsx';

export interface BootedTill {
  readonly settings: Settings;
  readonly storeId: string;
  readonly db: TillDatabase;
  readonly desktop: Desktop;
  readonly session: StoreApi<SessionState>;
  /** Null until the store's settings have been replicated (a till enrolled a moment ago). */
  readonly storeConfig: StoreConfig | null;
  readonly deviceId: string;
  readonly shiftId: string;
  readonly outboxRestored: Promise<number>;
  readonly sync: TillSync | null;
  /** Head office's gift-card and store-credit accounts (holds): the sync client, when the till is enrolled. */
  readonly accounts?: AccountHoldSource;
  readonly now: () => Date;
  readonly newId: () => string;
}

export type BootOutcome =
  | { readonly kind: 'ready'; readonly till: BootedTill }
  | { readonly kind: 'notEnrolled'; readonly settings: Settings }
  | { readonly kind: 'failed'; readonly message: string };

export interface BootOptions {
  readonly desktop: Desktop;
  readonly now: () => Date;
  readonly newId: () => string;
  /** Tests pass a database; the app opens its own (Dexie on the browser's IndexedDB). */
  readonly openDatabase?: (name: string) => Promise<TillDatabase>;
  readonly clientVersion?: string;
}

/** One IndexedDB database per store and device, named so that no other till's data is ever opened. */
export function databaseName(settings: Settings, storeId: string): string {
  const part = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return `omnitill-${part(storeId)}-${part(settings.syncDeviceId ?? 'local')}`;
}

interface ShiftNote {
  readonly shiftId: string;
}

const isShiftNote = (value: unknown): value is ShiftNote =>
  isRecord(value) && typeof value.shiftId === 'string';

/** The till's shift id (opening and closing shifts is a later screen); made once and kept. */
async function tillShift(db: TillDatabase, newId: () => string): Promise<string> {
  const note = await readLocal(db, LOCAL_SHIFT, isShiftNote);
  if (note !== null) return note.shiftId;
  const shiftId = newId();
  await writeLocal(db, LOCAL_SHIFT, { shiftId } satisfies ShiftNote);
  return shiftId;
}

export async function bootTill(options: BootOptions): Promise<BootOutcome> {
  const { desktop } = options;
  let settings: Settings;
  try {
    settings = await desktop.call('settings.get', undefined);
  } catch (error) {
    return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
  const storeId = settings.storeId;
  if (storeId === null) return { kind: 'notEnrolled', settings };
  try {
    const name = databaseName(settings, storeId);
    const db = await (options.openDatabase ?? ((n: string) => createTillDatabase({ name: n })))(name);
    const [storeConfig, shiftId, deviceId] = await Promise.all([
      loadStoreConfig(db, storeId),
      tillShift(db, options.newId),
      settings.syncDeviceId === null
        ? desktop.call('journal.status', undefined).then(
            (status) => status.deviceId.replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 64) || 'till',
            () => 'till',
          )
        : Promise.resolve(settings.syncDeviceId),
    ]);
    const outboxRestored = restoreOutbox(db, desktop);
    outboxRestored.catch((error: unknown) => {
      console.error('restoring the outbox from the journal failed', error);
    });
    const session = createSessionStore();
    void restoreSession(desktop, db, session);
    const connection = await startSync(settings, db, desktop, options.clientVersion ?? '0.1.0');
    return {
      kind: 'ready',
      till: {
        settings,
        storeId,
        db,
        desktop,
        session,
        storeConfig,
        deviceId,
        shiftId,
        outboxRestored,
        sync: connection?.sync ?? null,
        ...(connection === null ? {} : { accounts: connection.client }),
        now: options.now,
        newId: options.newId,
      },
    };
  } catch (error) {
    return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Replication, when the till is enrolled with a server: the refresh token comes from main (it never
 * lives in the renderer's storage). Started, not awaited: the till sells from its local copy. The same
 * client (and so the same access token) places the till's holds on gift cards and store credit.
 */
async function startSync(
  settings: Settings,
  db: TillDatabase,
  desktop: Desktop,
  clientVersion: string,
): Promise<{ readonly sync: TillSync; readonly client: SyncClient } | null> {
  if (settings.syncServerOrigin === null || settings.syncDeviceId === null) return null;
  const token = await desktop.tryCall('sync.getRefreshToken', undefined).catch(() => null);
  const refreshToken = token?.ok === true ? token.value.refreshToken : null;
  if (refreshToken === null) return null;
  const client = new SyncClient({
    baseUrl: `${settings.syncServerOrigin}/api/sync/v1`,
    clientVersion,
    refreshToken,
  });
  const sync = new TillSync({ db, client });
  // Not awaited: the handshake may wait on a slow network; the till sells meanwhile.
  sync.start().catch((error: unknown) => {
    console.error('starting replication failed', error);
  });
  return { sync, client };
}

/** The services every screen reaches through `useTill()`, with the store's currency, locale and zone. */
export function servicesFor(till: BootedTill, config: StoreConfig): Omit<TillServices, 'requestApproval'> {
  return {
    db: till.db,
    desktop: till.desktop,
    settings: till.settings,
    currency: config.currency,
    locale: config.locale,
    timeZone: config.timeZone,
    now: till.now,
    newId: till.newId,
    sync: till.sync,
    session: till.session,
  };
}
