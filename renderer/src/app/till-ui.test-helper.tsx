/**
 * Renders the whole till (TillApp: runtime, actions, keyboard, staff screens, status bar) over the
 * seeded store and the fake privileged side of till-fixture.test-helper.ts, signed in as the cashier.
 */
import { render, type RenderResult } from '@testing-library/react';
import type { StaffSession } from '@pos/app/contracts/desktop-bridge';
import { createI18n } from '../i18n/i18n.ts';
import type { TillDatabase } from '../db/index.ts';
import { restoreOutbox } from '../checkout/outbox.ts';
import type { BootedTill } from './boot.ts';
import { TillApp } from './till-app.tsx';
import type { RuntimeOptions } from './runtime.ts';
import {
  createFakeMain,
  createSeededDatabase,
  DEVICE,
  idSource,
  sessionStore,
  storeConfigOf,
  STORE,
  T0,
} from './till-fixture.test-helper.ts';
import type { FakeMain, StoreOptions } from './till-fixture.test-helper.ts';

export interface RenderedTill {
  readonly view: RenderResult;
  readonly main: FakeMain;
  readonly db: TillDatabase;
  readonly till: BootedTill;
}

export interface RenderTillOptions {
  readonly locale?: string;
  readonly role?: StaffSession['role'];
  readonly store?: StoreOptions;
  readonly main?: FakeMain;
  readonly runtime?: Partial<RuntimeOptions>;
}

const opened: TillDatabase[] = [];

export async function renderTill(options: RenderTillOptions = {}): Promise<RenderedTill> {
  const db = await createSeededDatabase(options.store);
  opened.push(db);
  const main = options.main ?? createFakeMain({ locale: options.locale ?? 'en-IE' });
  const settings = await main.desktop.call('settings.get', undefined);
  const till: BootedTill = {
    settings,
    storeId: STORE,
    db,
    desktop: main.desktop,
    session: sessionStore(options.role),
    storeConfig: storeConfigOf(options.store),
    deviceId: DEVICE,
    shiftId: 'shift-1',
    outboxRestored: restoreOutbox(db, main.desktop),
    sync: null,
    now: () => new Date(T0),
    newId: idSource(),
  };
  const i18n = await createI18n(options.locale ?? 'en-IE');
  const view = render(
    <TillApp
      till={till}
      i18n={i18n}
      runtimeOptions={{ scale: { attempts: 3, intervalMs: 5 }, paymentPollMs: 20, ...options.runtime }}
    />,
  );
  return { view, main, db, till };
}

export async function removeRenderedTills(): Promise<void> {
  for (const db of opened.splice(0)) await db.remove();
}

/**
 * A keyboard-wedge scanner: the code's characters and Enter as keydowns in one burst (the same
 * millisecond), on whatever has the focus.
 */
export function wedgeScan(code: string, target: Element = document.activeElement ?? document.body): void {
  for (const key of [...Array.from(code), 'Enter']) {
    target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
  }
}
