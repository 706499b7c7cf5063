import type { DeviceStatus } from '@pos/app/contracts/desktop-bridge';
import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SyncStatusStore, type TillDatabase, type TillSync } from '../db/index.ts';
import type { Desktop } from '../platform/desktop.ts';
import { createFakeBridge, ok, renderTill, type FakeBridge } from '../staff/fake-till.test-helper.tsx';
import { StatusBar } from './status-bar.tsx';

const NOW = new Date('2026-11-23T10:00:00.000Z');
/** The status bar never touches the database. */
const noDb = null as unknown as TillDatabase;

const status = (
  deviceId: string,
  kind: DeviceStatus['kind'],
  state: DeviceStatus['state'],
  detail = '',
): DeviceStatus => ({
  deviceId,
  kind,
  name: 'sim',
  state,
  detail,
});

function withDevices(devices: DeviceStatus[]): FakeBridge {
  const fake = createFakeBridge();
  fake.handle('hardware.listDevices', () => Promise.resolve(ok({ devices })));
  return fake;
}

const syncWith = (store: SyncStatusStore) => ({ status: store }) as unknown as TillSync;

const texts = (name: string) =>
  within(screen.getByRole('list', { name }))
    .getAllByRole('listitem')
    .map((item) => item.textContent);

afterEach(() => {
  vi.useRealTimers();
});

describe('StatusBar devices', () => {
  it('lists each device in plain words, the ones a sale needs first', async () => {
    const fake = withDevices([
      status('scale-1', 'scale', 'ready'),
      status('term-1', 'payment_terminal', 'offline', 'No answer from 192.168.1.20'),
      status('prn-1', 'printer', 'ready', 'The printer is ready.'),
      status('drw-1', 'drawer', 'ready'),
    ]);
    await renderTill(<StatusBar />, { db: noDb, desktop: fake.desktop, now: () => NOW });
    await waitFor(() => {
      expect(texts('Devices')).toEqual([
        'Printer ready',
        'Drawer ready',
        'Card terminal offline',
        'Scale ready',
      ]);
    });
    expect(screen.getByText('Card terminal offline').closest('li')?.dataset.tone).toBe('error');
  });

  it('shows "Printer: out of paper" while a receipt waits for paper, and recovers when it prints', async () => {
    const fake = withDevices([status('prn-1', 'printer', 'ready', 'The printer is ready.')]);
    await renderTill(<StatusBar />, { db: noDb, desktop: fake.desktop, now: () => NOW });
    await screen.findByText('Printer ready');
    act(() => {
      fake.emit('hardware.printJob', {
        jobId: 'job-1',
        state: 'waiting',
        detail: 'The printer is out of paper. Load a new roll.',
      });
    });
    expect(screen.getByText('Printer: out of paper')).toBeTruthy();
    act(() => {
      fake.emit('hardware.printJob', { jobId: 'job-1', state: 'printed', detail: '' });
    });
    expect(texts('Devices')).toEqual(['Printer ready']);
  });

  it('shows "Printer: out of paper" from a device status event', async () => {
    const fake = withDevices([status('prn-1', 'printer', 'ready', 'The printer is ready.')]);
    await renderTill(<StatusBar />, { db: noDb, desktop: fake.desktop, now: () => NOW });
    await screen.findByText('Printer ready');
    act(() => {
      fake.emit(
        'hardware.deviceStatus',
        status('prn-1', 'printer', 'offline', 'The printer is out of paper. Load a new roll.'),
      );
    });
    expect(texts('Devices')).toEqual(['Printer: out of paper']);
  });

  it('follows the drawer: open, left open, closed', async () => {
    const fake = withDevices([status('drw-1', 'drawer', 'ready')]);
    await renderTill(<StatusBar />, { db: noDb, desktop: fake.desktop, now: () => NOW });
    await screen.findByText('Drawer ready');
    act(() => {
      fake.emit('hardware.drawer', { drawerId: 'drw-1', open: true, leftOpenMs: 0 });
    });
    expect(texts('Devices')).toEqual(['Drawer open']);
    act(() => {
      fake.emit('hardware.drawer', { drawerId: 'drw-1', open: true, leftOpenMs: 45_000 });
    });
    expect(texts('Devices')).toEqual(['Drawer left open – please close it']);
    act(() => {
      fake.emit('hardware.drawer', { drawerId: 'drw-1', open: false, leftOpenMs: 0 });
    });
    expect(texts('Devices')).toEqual(['Drawer closed']);
  });

  it('numbers devices of the same kind', async () => {
    const fake = withDevices([status('prn-a', 'printer', 'ready'), status('prn-b', 'printer', 'offline')]);
    await renderTill(<StatusBar />, { db: noDb, desktop: fake.desktop, now: () => NOW });
    await waitFor(() => {
      expect(texts('Devices')).toEqual(['Printer 1 ready', 'Printer 2 offline']);
    });
  });

  it('says plainly when the device service is not there, and picks it up when it comes back', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const fake = createFakeBridge();
    await renderTill(<StatusBar />, { db: noDb, desktop: fake.desktop, now: () => NOW });
    await screen.findByText('Devices not available – selling still works');
    fake.handle('hardware.listDevices', () =>
      Promise.resolve(ok({ devices: [status('scale-1', 'scale', 'ready')] })),
    );
    await act(async () => {
      await vi.advanceTimersByTimeAsync(15_000);
    });
    expect(texts('Devices')).toEqual(['Scale ready']);
  });

  it('never throws when there is no bridge at all', async () => {
    const broken: Desktop = {
      tryCall: () => Promise.reject(new Error('window.pos is missing')),
      call: () => Promise.reject(new Error('window.pos is missing')),
      on: () => {
        throw new Error('window.pos is missing');
      },
    };
    await renderTill(<StatusBar />, { db: noDb, desktop: broken, now: () => NOW });
    expect(await screen.findByText('Devices not available – selling still works')).toBeTruthy();
    expect(screen.getByText('Not connected to head office')).toBeTruthy();
  });

  it('speaks Chinese in a Chinese store', async () => {
    const fake = withDevices([
      status('prn-1', 'printer', 'offline', 'The printer is out of paper. Load a new roll.'),
    ]);
    await renderTill(<StatusBar />, { db: noDb, desktop: fake.desktop, now: () => NOW, locale: 'zh-CN' });
    expect(await screen.findByText('打印机：缺纸')).toBeTruthy();
  });
});

describe('StatusBar sync', () => {
  it.each([
    [5, '5 records', 'warn', 'Head office had lost 5 records from this till; they were sent again'],
    [1, '1 record', 'warn', 'Head office had lost 1 record from this till; it was sent again'],
    [
      0,
      'none to re-send',
      'error',
      'Head office lost records from this till that it no longer holds – tell a manager',
    ],
  ])('says when head office had lost events: %s (%s)', async (events, _what, tone, text) => {
    const store = new SyncStatusStore();
    store.synced(NOW.getTime());
    store.update({ recoveredFromDataLoss: { fromDeviceSeq: 41, events } });
    const fake = withDevices([]);
    await renderTill(<StatusBar />, {
      db: noDb,
      desktop: fake.desktop,
      now: () => NOW,
      sync: syncWith(store),
    });
    expect(texts('Connection')).toContain(text);
    expect(screen.getByText(text).closest('li')?.dataset.tone).toBe(tone);
  });

  it('shows online, last synced, waiting and quarantined, live', async () => {
    const store = new SyncStatusStore();
    store.synced(NOW.getTime() - 2 * 60_000 - 5_000);
    store.update({ eventsWaiting: 12, quarantined: 3 });
    const fake = withDevices([]);
    await renderTill(<StatusBar />, {
      db: noDb,
      desktop: fake.desktop,
      now: () => NOW,
      sync: syncWith(store),
    });
    expect(texts('Connection')).toEqual([
      'Online',
      'Synced 2 min ago',
      '12 waiting to send',
      '3 records held by head office – tell a manager',
    ]);
    act(() => {
      store.setOnline(false);
      store.update({ eventsWaiting: 13 });
    });
    expect(texts('Connection').slice(0, 3)).toEqual([
      'Offline – sales are kept on this till',
      'Synced 2 min ago',
      '13 waiting to send',
    ]);
    expect(screen.getByText('13 waiting to send').closest('li')?.dataset.tone).toBe('warn');
  });

  it('says while a catalog download is under way, with the records so far, and not after', async () => {
    const store = new SyncStatusStore();
    store.synced(NOW.getTime());
    const fake = withDevices([]);
    await renderTill(<StatusBar />, {
      db: noDb,
      desktop: fake.desktop,
      now: () => NOW,
      sync: syncWith(store),
    });
    // Nothing has arrived yet (an offline start with a catalog already here): no download line.
    expect(texts('Connection')).toEqual(['Online', 'Synced just now', 'All sent']);
    act(() => {
      store.update({ catalog: { state: 'downloading', rows: 45_000 } });
    });
    expect(texts('Connection')).toContain('Downloading the catalog: 45,000 records so far');
    act(() => {
      store.update({ catalog: { state: 'ready', rows: 100_000 } });
    });
    expect(texts('Connection')).toEqual(['Online', 'Synced just now', 'All sent']);
  });

  it('brings "synced … ago" up to date as time passes', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let now = NOW;
    const store = new SyncStatusStore();
    store.synced(NOW.getTime() - 30_000);
    await renderTill(<StatusBar />, {
      db: noDb,
      desktop: withDevices([]).desktop,
      now: () => now,
      sync: syncWith(store),
    });
    expect(screen.getByText('Synced just now')).toBeTruthy();
    now = new Date(NOW.getTime() + 90 * 60_000);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(15_000);
    });
    expect(screen.getByText('Synced 1 hour ago')).toBeTruthy();
    expect(screen.getByText('All sent')).toBeTruthy();
  });

  it('says when it has never synced', async () => {
    const store = new SyncStatusStore();
    await renderTill(<StatusBar />, {
      db: noDb,
      desktop: withDevices([]).desktop,
      now: () => NOW,
      sync: syncWith(store),
    });
    expect(texts('Connection')).toEqual(['Connecting…', 'Never synced', 'All sent']);
  });
});
