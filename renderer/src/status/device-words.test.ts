import type { DeviceStatus } from '@pos/app/contracts/desktop-bridge';
import { describe, expect, it } from 'vitest';
import { conditionOf, printerConditionIn, type DeviceCondition, type DeviceView } from './device-words.ts';

const device = (kind: DeviceStatus['kind'], state: DeviceStatus['state'], detail = ''): DeviceStatus => ({
  deviceId: `${kind}-1`,
  kind,
  name: 'sim',
  state,
  detail,
});

describe('printerConditionIn', () => {
  // The sentences hardware/src/devices/printer/status.ts writes.
  it.each([
    ['The printer is out of paper. Load a new roll.', 'paper_out'],
    ['The printer cover is open. Close it.', 'cover_open'],
    ['The printer cutter is jammed. Open the cover, clear the paper and close it.', 'jammed'],
    ['The printer paper is running low. Have a new roll ready.', 'paper_low'],
    ['The printer is ready.', null],
    ['The printer is offline.', null],
    ['', null],
  ])('%j → %s', (detail, condition) => {
    expect(printerConditionIn(detail)).toBe(condition);
  });
});

describe('conditionOf', () => {
  it.each<[string, DeviceView, DeviceCondition]>([
    ['ready printer', { status: device('printer', 'ready', 'The printer is ready.') }, 'ready'],
    [
      'printer stopped for paper',
      { status: device('printer', 'offline', 'The printer is out of paper. Load a new roll.') },
      'paper_out',
    ],
    ['printer unplugged', { status: device('printer', 'offline', 'The printer is offline.') }, 'offline'],
    [
      'ready printer, paper low',
      { status: device('printer', 'ready', 'The printer paper is running low. Have a new roll ready.') },
      'paper_low',
    ],
    [
      'a job waits for paper',
      {
        status: device('printer', 'ready'),
        printJob: { state: 'waiting', detail: 'The printer is out of paper. Load a new roll.' },
      },
      'paper_out',
    ],
    [
      'a job failed without a reason',
      { status: device('printer', 'ready'), printJob: { state: 'failed', detail: '' } },
      'error',
    ],
    [
      'a job printing',
      { status: device('printer', 'ready'), printJob: { state: 'printing', detail: '' } },
      'printing',
    ],
    ['drawer without sensor news', { status: device('drawer', 'ready') }, 'ready'],
    [
      'drawer open',
      { status: device('drawer', 'ready'), drawer: { open: true, leftOpenMs: 0 } },
      'drawer_open',
    ],
    [
      'drawer left open',
      { status: device('drawer', 'ready'), drawer: { open: true, leftOpenMs: 60_000 } },
      'drawer_left_open',
    ],
    [
      'drawer closed',
      { status: device('drawer', 'ready'), drawer: { open: false, leftOpenMs: 0 } },
      'drawer_closed',
    ],
    ['terminal offline', { status: device('payment_terminal', 'offline') }, 'offline'],
    [
      'terminal taking a payment',
      { status: device('payment_terminal', 'ready'), paying: true },
      'payment_in_progress',
    ],
    ['scale ready', { status: device('scale', 'ready') }, 'ready'],
    ['scanner in error', { status: device('scanner', 'error', 'USB error') }, 'error'],
  ])('%s', (_name, view, condition) => {
    expect(conditionOf(view)).toBe(condition);
  });
});
