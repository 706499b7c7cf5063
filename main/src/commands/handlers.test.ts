import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMainServices, type MainServices } from '../host/main-services.ts';
import { silentLogger } from '../logging/logger.ts';
import { EventHub } from './events.ts';
import { createCommandHandlers } from './handlers.ts';
import { createDispatcher, type Dispatcher } from './dispatcher.ts';
import { createUnavailableHardwareHost } from './hardware-host.ts';
import { FileSecretStore } from './secret-store.ts';
import { SettingsStore } from './settings-store.ts';
import { StaffAuth } from './staff-auth.ts';

const APP_INFO = {
  appName: 'Omnitill',
  appVersion: '1.0.0',
  host: 'web',
  platform: 'linux',
  startedAt: '2026-11-23T10:00:00.000Z',
} as const;

let dir: string;
let services: MainServices;
let dispatcher: Dispatcher<null>;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omnitill-handlers-'));
  services = await openMainServices({
    dataDir: dir,
    logger: silentLogger,
    appInfo: APP_INFO,
    clock: () => new Date('2026-11-23T10:15:00.000Z'),
  });
  dispatcher = createDispatcher({
    handlers: services.handlers,
    isTrustedSender: () => true,
    logger: silentLogger,
  });
});
afterEach(async () => {
  await services.close();
  await rm(dir, { recursive: true, force: true });
});

const sale = (eventId: string, total: number) => ({ eventId, type: 'sale.completed', payload: { total } });

describe('journal commands over the real SalesJournal', () => {
  it('appends with gap-free sequences and a hash chain, reads after, reports status', async () => {
    const first = await dispatcher.dispatch('journal.append', sale('s-1', 1299), null);
    const second = await dispatcher.dispatch('journal.append', sale('s-2', 500), null);
    expect(first).toMatchObject({
      ok: true,
      value: { sequence: 1, prevHash: '0'.repeat(64), recordedAt: '2026-11-23T10:15:00.000Z' },
    });
    expect(second).toMatchObject({ ok: true, value: { sequence: 2 } });
    if (!first.ok || !second.ok) throw new Error('unreachable');
    expect((second.value as { prevHash: string }).prevHash).toBe((first.value as { hash: string }).hash);

    const after = await dispatcher.dispatch('journal.readAfter', { afterSequence: 1, limit: 10 }, null);
    expect(after).toMatchObject({
      ok: true,
      value: { entries: [{ sequence: 2, eventId: 's-2', payload: { total: 500 } }] },
    });

    const status = await dispatcher.dispatch('journal.status', undefined, null);
    expect(status).toMatchObject({
      ok: true,
      value: { firstSequence: 1, lastSequence: 2, appendsBlocked: false, unacknowledgedFindings: 0 },
    });
  });

  it('a retried event id returns the same entry; other content under it is journal_conflict', async () => {
    await dispatcher.dispatch('journal.append', sale('s-1', 1299), null);
    expect(await dispatcher.dispatch('journal.append', sale('s-1', 1299), null)).toMatchObject({
      ok: true,
      value: { sequence: 1 },
    });
    const conflict = await dispatcher.dispatch('journal.append', sale('s-1', 1), null);
    expect(conflict).toMatchObject({ ok: false, error: { code: 'journal_conflict' } });
  });
});

describe('commands without their service', () => {
  it('journal commands answer unavailable when the journal is not open', async () => {
    const logger = silentLogger;
    const handlers = createCommandHandlers({
      appInfo: APP_INFO,
      settings: await SettingsStore.open(join(dir, 'other-settings.json'), logger),
      staff: new StaffAuth({ clock: () => new Date() }),
      journal: () => null,
      hardware: createUnavailableHardwareHost(),
      secrets: new FileSecretStore(join(dir, 'other-secrets.json')),
      events: new EventHub(logger),
    });
    const bare = createDispatcher({ handlers, isTrustedSender: () => true, logger });
    expect(await bare.dispatch('journal.status', undefined, null)).toEqual({
      ok: false,
      error: { code: 'unavailable', message: 'The sales journal is not open on this till. Call support.' },
    });
  });

  it.each([
    [
      'hardware.printReceipt',
      {
        jobId: 'job-1',
        receipt: {
          kind: 'sale',
          receiptNumber: 'S-1-000001',
          currency: 'EUR',
          locale: 'en-IE',
          copy: false,
          blocks: [{ kind: 'footer', lines: ['Thank you'] }],
        },
        copy: false,
      },
    ],
    ['hardware.readScale', undefined],
    ['hardware.startPayment', { paymentId: 'pay-1', kind: 'sale', amount: 1299, currency: 'EUR' }],
    ['hardware.listDevices', undefined],
  ])('%s answers unavailable until the worker exists', async (command, input) => {
    expect(await dispatcher.dispatch(command, input, null)).toEqual({
      ok: false,
      error: { code: 'unavailable', message: 'The hardware service is not running on this till.' },
    });
  });
});

describe('sync credentials and settings', () => {
  it('stores, returns and clears the refresh token', async () => {
    expect(await dispatcher.dispatch('sync.getRefreshToken', undefined, null)).toEqual({
      ok: true,
      value: { refreshToken: null },
    });
    await dispatcher.dispatch('sync.setRefreshToken', { refreshToken: 'rt.0123456789abcdef' }, null);
    expect(await dispatcher.dispatch('sync.getRefreshToken', undefined, null)).toEqual({
      ok: true,
      value: { refreshToken: 'rt.0123456789abcdef' },
    });
    await dispatcher.dispatch('sync.clearRefreshToken', undefined, null);
    expect(await dispatcher.dispatch('sync.getRefreshToken', undefined, null)).toEqual({
      ok: true,
      value: { refreshToken: null },
    });
  });

  it('settings.set publishes settings.changed with the whole new settings', async () => {
    const seen: unknown[] = [];
    services.events.subscribe((event, payload) => seen.push([event, payload]));
    const result = await dispatcher.dispatch(
      'settings.set',
      { syncServerOrigin: 'https://sync.omnitill.example' },
      null,
    );
    expect(result).toMatchObject({ ok: true, value: { syncServerOrigin: 'https://sync.omnitill.example' } });
    expect(seen).toEqual([['settings.changed', (result as { value: unknown }).value]]);
  });
});
