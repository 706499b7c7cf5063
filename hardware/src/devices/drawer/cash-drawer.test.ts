import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TypedEmitter } from '../../device/events.ts';
import { UNKNOWN_STATUS, type PrinterStatus } from '../printer/status.ts';
import {
  CashDrawer,
  DEFAULT_DRAWER_CONFIG,
  drawerPulse,
  isDrawerOpen,
  type DrawerHost,
} from './cash-drawer.ts';

describe('drawerPulse', () => {
  it.each([
    // ESC p m t1 t2; m 0 = pin 2, 1 = pin 5; times in 2 ms units.
    [2, 100, 500, [0x1b, 0x70, 0x00, 50, 250]],
    [5, 100, 500, [0x1b, 0x70, 0x01, 50, 250]],
    [2, 50, 50, [0x1b, 0x70, 0x00, 25, 25]],
    [2, 3, 1000, [0x1b, 0x70, 0x00, 2, 255]], // 1.5 units rounds to 2; 500 units is kept at 255
    [5, 1, 2, [0x1b, 0x70, 0x01, 1, 1]], // never 0, which some printers read as "no pulse"
  ] as const)('pin %i, %i ms on, %i ms off', (pin, on, off, expected) => {
    expect([...drawerPulse(pin, on, off)]).toEqual(expected);
  });
});

describe('isDrawerOpen (sensor polarity)', () => {
  it.each([
    [true, 'high', true],
    [false, 'high', false],
    [true, 'low', false],
    [false, 'low', true],
  ] as const)('pin 3 high=%s, open when %s → %s', (high, level, open) => {
    expect(isDrawerOpen({ ...UNKNOWN_STATUS, drawerPin3High: high }, level)).toBe(open);
  });
});

class FakeHost implements DrawerHost {
  readonly sent: Uint8Array[] = [];
  readonly events = new TypedEmitter<{ printerStatus: PrinterStatus }>();
  pin3High = false;
  polls = 0;

  sendCommand(bytes: Uint8Array): Promise<void> {
    this.sent.push(bytes);
    return Promise.resolve();
  }

  queryStatus(): Promise<PrinterStatus> {
    this.polls += 1;
    return Promise.resolve({ ...UNKNOWN_STATUS, online: true, drawerPin3High: this.pin3High });
  }

  on(event: 'printerStatus', listener: (status: PrinterStatus) => void): () => void {
    return this.events.on(event, listener);
  }

  /** The printer pushes an ASB with the new sensor level. */
  push(high: boolean): void {
    this.pin3High = high;
    this.events.emit('printerStatus', { ...UNKNOWN_STATUS, online: true, drawerPin3High: high });
  }
}

describe('CashDrawer', () => {
  let host: FakeHost;

  beforeEach(() => {
    vi.useFakeTimers();
    host = new FakeHost();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('kicks with the configured pin and timing', async () => {
    const drawer = new CashDrawer(host, { ...DEFAULT_DRAWER_CONFIG, pin: 5, onMs: 120, offMs: 240 });
    await drawer.openDrawer();
    expect(host.sent.map((b) => [...b])).toEqual([[0x1b, 0x70, 0x01, 60, 120]]);
    drawer.dispose();
  });

  it('follows the sensor with the configured polarity', () => {
    const drawer = new CashDrawer(host, { ...DEFAULT_DRAWER_CONFIG, openLevel: 'low' });
    const seen: boolean[] = [];
    drawer.on('drawer', ({ open }) => seen.push(open));
    host.push(true); // closed for this drawer
    host.push(false); // open
    host.push(false); // no change, no event
    host.push(true);
    expect(seen).toEqual([false, true, false]);
    drawer.dispose();
  });

  it('raises leftOpen once when open longer than the limit, and not when closed in time', async () => {
    const drawer = new CashDrawer(host, { ...DEFAULT_DRAWER_CONFIG, leftOpenAfterMs: 30_000 });
    const left: number[] = [];
    drawer.on('leftOpen', ({ openForMs }) => left.push(openForMs));
    host.push(true);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(left).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(left).toEqual([30_000]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(left).toEqual([30_000]);

    host.push(false);
    host.push(true);
    await vi.advanceTimersByTimeAsync(10_000);
    host.push(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(left).toEqual([30_000]);
    drawer.dispose();
  });

  it('polls while open and sees the close without ASB', async () => {
    const drawer = new CashDrawer(host, { ...DEFAULT_DRAWER_CONFIG, pollIntervalMs: 500 });
    await drawer.openDrawer();
    host.pin3High = true; // the drawer springs open; no ASB
    await vi.advanceTimersByTimeAsync(500);
    expect(drawer.isOpen).toBe(true);
    const closed = drawer.waitForClose();
    host.pin3High = false;
    await vi.advanceTimersByTimeAsync(500);
    await closed;
    expect(drawer.isOpen).toBe(false);
    const polls = host.polls;
    await vi.advanceTimersByTimeAsync(5000);
    expect(host.polls).toBe(polls);
    drawer.dispose();
  });

  it('stops polling after a kick when a drawer without a sensor never reports open', async () => {
    const drawer = new CashDrawer(host, { ...DEFAULT_DRAWER_CONFIG, pollIntervalMs: 100 });
    await drawer.openDrawer();
    await vi.advanceTimersByTimeAsync(10_000);
    // 5 polls after the kick, the sixth tick stops the timer.
    expect(host.polls).toBe(5);
    drawer.dispose();
  });

  it('refuses pulse times the command cannot carry', () => {
    expect(() => new CashDrawer(host, { ...DEFAULT_DRAWER_CONFIG, onMs: 600 })).toThrow(RangeError);
  });
});
