/**
 * Test support shared by the staff, customers, status and customer-display tests: a fake `window.pos`
 * that behaves like main where it matters (PIN checks with a failure counter and lock-out, the
 * session, events pushed from the privileged side), a real RxDB database on fake-indexeddb, and a
 * render helper that provides the till's context and an i18n instance.
 */
import type {
  CommandInput,
  CommandOutput,
  DesktopBridge,
  EventPayload,
  PosCommand,
  PosEvent,
  PosResult,
  Settings,
  StaffSession,
} from '@pos/app/contracts/desktop-bridge';
import { COMMAND_NAMES } from '@pos/app/contracts/desktop-bridge';
import type { StaffDoc } from '@pos/app';
import { render, type RenderResult } from '@testing-library/react';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import type { i18n as I18n } from 'i18next';
import type { ReactElement, ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';
import type { StoreApi } from 'zustand';
import {
  TillContext,
  type RequestApproval,
  type SessionState,
  type TillServices,
} from '../app/till-context.tsx';
import { createTillDatabase, type TillDatabase, type TillSync } from '../db/index.ts';
import { createI18n } from '../i18n/i18n.ts';
import { createDesktop, type Desktop } from '../platform/desktop.ts';
import { createSessionStore } from './session-store.ts';

type Handler<C extends PosCommand> = (input: CommandInput<C>) => Promise<PosResult<CommandOutput<C>>>;

export interface FakeBridge {
  readonly bridge: DesktopBridge;
  readonly desktop: Desktop;
  /** Every command called, in order (inputs included: tests check what was sent). */
  readonly calls: { readonly command: PosCommand; readonly input: unknown }[];
  handle<C extends PosCommand>(command: C, handler: Handler<C>): void;
  emit<E extends PosEvent>(event: E, payload: EventPayload<E>): void;
  /** Subscribers per event, to check screens unsubscribe. */
  listenerCount(event: PosEvent): number;
}

export const ok = <T,>(value: T): PosResult<T> => ({ ok: true, value });
export const refused = <T,>(
  code: 'pin_mismatch' | 'locked_out' | 'unavailable' | 'invalid_input' | 'internal',
  message: string,
): PosResult<T> => ({
  ok: false,
  error: { code, message },
});

/** Every command answers `unavailable` until a test (or `fakeMain`) handles it. */
export function createFakeBridge(): FakeBridge {
  const handlers = new Map<PosCommand, (input: unknown) => Promise<PosResult<unknown>>>();
  const listeners = new Map<PosEvent, Set<(payload: unknown) => void>>();
  const calls: { command: PosCommand; input: unknown }[] = [];
  const api: Record<string, unknown> = {};
  for (const command of COMMAND_NAMES) {
    api[command] = (input?: unknown) => {
      calls.push({ command, input });
      const handler = handlers.get(command);
      if (handler === undefined) {
        return Promise.resolve(refused('unavailable', `${command} is not available in this test.`));
      }
      return handler(input);
    };
  }
  api.on = (event: PosEvent, callback: (payload: unknown) => void) => {
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    set.add(callback);
    return () => set.delete(callback);
  };
  const bridge = api as DesktopBridge;
  return {
    bridge,
    desktop: createDesktop(bridge),
    calls,
    handle(command, handler) {
      handlers.set(command, handler as (input: unknown) => Promise<PosResult<unknown>>);
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    },
    listenerCount(event) {
      return listeners.get(event)?.size ?? 0;
    },
  };
}

/**
 * Main's staff commands as main/src/commands/staff-auth.ts answers them: a PIN per staff id (the test
 * knows the PINs; no scrypt here), wrong PINs counted per person, the `maxFailures`-th wrong one locks
 * that person out, and the lock-out message names the minutes left.
 */
export function fakeMain(
  fake: FakeBridge,
  options: {
    readonly pins: Readonly<Record<string, string>>;
    readonly now: () => Date;
    readonly maxFailures?: number;
    readonly lockoutMinutes?: number;
  },
): { session(): StaffSession | null } {
  const maxFailures = options.maxFailures ?? 5;
  const lockoutMs = (options.lockoutMinutes ?? 5) * 60_000;
  const failures = new Map<string, number>();
  const lockedUntil = new Map<string, number>();
  let session: StaffSession | null = null;
  const lockedMessage = (ms: number) => {
    const minutes = Math.max(1, Math.ceil(ms / 60_000));
    return `Too many wrong PINs. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
  };
  const check = (staffId: string, pin: string): PosResult<Date> => {
    const now = options.now().getTime();
    const until = lockedUntil.get(staffId) ?? 0;
    if (until > now) return refused('locked_out', lockedMessage(until - now));
    if (options.pins[staffId] === pin) {
      failures.delete(staffId);
      return ok(options.now());
    }
    const count = (failures.get(staffId) ?? 0) + 1;
    failures.set(staffId, count);
    if (count >= maxFailures) {
      failures.delete(staffId);
      lockedUntil.set(staffId, now + lockoutMs);
      return refused('locked_out', lockedMessage(lockoutMs));
    }
    return refused('pin_mismatch', 'Wrong PIN.');
  };
  fake.handle('staff.signIn', (input) => {
    const result = check(input.staffId, input.pin);
    if (!result.ok) return Promise.resolve(result);
    session = { staffId: input.staffId, role: input.role, signedInAt: result.value.toISOString() };
    return Promise.resolve(ok(session));
  });
  fake.handle('staff.verifyPin', (input) => {
    const result = check(input.staffId, input.pin);
    if (!result.ok) return Promise.resolve(result);
    return Promise.resolve(ok({ staffId: input.staffId, verifiedAt: result.value.toISOString() }));
  });
  fake.handle('staff.signOut', () => {
    session = null;
    return Promise.resolve(ok({ done: true as const }));
  });
  fake.handle('staff.getSession', () => Promise.resolve(ok(session)));
  return { session: () => session };
}

const HASH = 'c2NyeXB0LWhhc2gtb2YtdGhlLXBpbi1mb3ItdGVzdHM=';
const SALT = 'c2FsdC1zYWx0LXNhbHQtc2FsdA==';

export function staffDoc(
  fields: Partial<StaffDoc> & Pick<StaffDoc, 'id' | 'displayName' | 'staffCode'>,
): StaffDoc {
  return {
    cardKey: '',
    role: 'cashier',
    storeIds: [],
    active: true,
    pin: {
      algorithm: 'scrypt',
      hash: HASH,
      salt: SALT,
      cost: 16_384,
      blockSize: 8,
      parallelization: 1,
      keyLength: 32,
    },
    failedPinAttempts: 0,
    updatedAt: '2026-11-01T08:00:00.000Z',
    ...fields,
  };
}

let databases = 0;
const openDatabases: TillDatabase[] = [];

export async function createTestDatabase(): Promise<TillDatabase> {
  const db = await createTillDatabase({
    name: `renderer-ui-${Date.now()}-${++databases}`,
    indexedDb: { indexedDB, IDBKeyRange },
  });
  openDatabases.push(db);
  return db;
}

/** Call from afterEach. */
export async function removeTestDatabases(): Promise<void> {
  for (const db of openDatabases.splice(0)) await db.remove();
}

export const TEST_SETTINGS: Settings = {
  tillName: 'Till 3',
  storeId: 'store-1',
  locale: 'en-GB',
  syncServerOrigin: null,
  syncDeviceId: 'device-7',
  receiptCopies: 1,
  customerDisplayEnabled: true,
  idleLockSeconds: 120,
};

export interface TestTill {
  readonly services: TillServices;
  readonly session: StoreApi<SessionState>;
  readonly i18n: I18n;
  readonly view: RenderResult;
}

export interface TestTillOptions {
  readonly db: TillDatabase;
  readonly desktop: Desktop;
  readonly locale?: string;
  readonly session?: StoreApi<SessionState>;
  readonly settings?: Partial<Settings>;
  readonly sync?: TillSync | null;
  readonly now?: () => Date;
  readonly newId?: () => string;
  readonly requestApproval?: RequestApproval;
}

export function testServices(options: TestTillOptions): TillServices {
  let ids = 0;
  return {
    db: options.db,
    desktop: options.desktop,
    settings: { ...TEST_SETTINGS, ...options.settings },
    currency: 'EUR',
    locale: options.locale ?? 'en-GB',
    timeZone: 'Europe/Zurich',
    now: options.now ?? (() => new Date('2026-11-23T10:00:00.000Z')),
    newId: options.newId ?? (() => `0193a000-0000-7000-8000-${String(++ids).padStart(12, '0')}`),
    sync: options.sync ?? null,
    session: options.session ?? createSessionStore(),
    requestApproval: options.requestApproval ?? (() => Promise.resolve(null)),
  };
}

export function Providers(props: {
  readonly services: TillServices;
  readonly i18n: I18n;
  readonly children: ReactNode;
}): ReactElement {
  return (
    <I18nextProvider i18n={props.i18n}>
      <TillContext.Provider value={props.services}>{props.children}</TillContext.Provider>
    </I18nextProvider>
  );
}

export async function renderTill(ui: ReactElement, options: TestTillOptions): Promise<TestTill> {
  const i18n = await createI18n(options.locale ?? 'en-GB');
  const services = testServices(options);
  const view = render(
    <Providers services={services} i18n={i18n}>
      {ui}
    </Providers>,
  );
  return { services, session: services.session, i18n, view };
}
