import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeTransport } from '../transports/fake-transport.ts';
import { BaseDevice } from './base-device.ts';
import type { DeviceError } from './errors.ts';
import type { DeviceErrorEvent, DeviceStatus } from './types.ts';

class TestDevice extends BaseDevice {
  readonly kind = 'scanner';
  readonly label = 'test device';
  starts = 0;
  readonly stops: DeviceError[] = [];
  readonly received: string[] = [];
  startError: Error | undefined;

  protected override onStart(): Promise<void> {
    this.starts += 1;
    return this.startError === undefined ? Promise.resolve() : Promise.reject(this.startError);
  }

  protected override onStop(reason: DeviceError): void {
    this.stops.push(reason);
  }

  protected onData(bytes: Uint8Array): void {
    this.received.push(Buffer.from(bytes).toString('latin1'));
  }

  ready(): void {
    this.requireReady();
  }
}

/** A transport whose open() waits until the test lets it finish. */
class SlowTransport extends FakeTransport {
  finishOpen: () => void = () => undefined;
  override open(): Promise<void> {
    return new Promise((resolve) => {
      this.finishOpen = () => {
        void super.open().then(resolve);
      };
    });
  }
}

function setUp(transport = new FakeTransport('test link')) {
  const device = new TestDevice('dev-1', transport, {
    reconnect: { initialDelayMs: 100, maxDelayMs: 400, factor: 2 },
  });
  const statuses: string[] = [];
  const errors: DeviceErrorEvent[] = [];
  device.on('status', (status: DeviceStatus) => statuses.push(`${status.state}/${status.powerState}`));
  device.on('error', (event) => errors.push(event));
  return { device, transport, statuses, errors };
}

async function enabled(device: TestDevice): Promise<void> {
  await device.open();
  await device.claim();
  await device.enable();
}

describe('lifecycle', () => {
  it('goes closed → opened → claimed → enabled and back, opening the link on claim only', async () => {
    const { device, transport, statuses } = setUp();
    await device.open();
    expect(transport.isOpen).toBe(false);
    await device.claim();
    expect(transport.isOpen).toBe(true);
    await device.enable();
    expect(device.starts).toBe(1);
    await device.disable();
    expect(device.stops.map((reason) => reason.code)).toEqual(['disabled']);
    await device.release();
    expect(transport.isOpen).toBe(false);
    await device.close();
    expect(statuses).toEqual([
      'opened/unknown',
      'claimed/online',
      'enabled/online',
      'claimed/online',
      'opened/unknown',
      'closed/unknown',
    ]);
  });

  type Operation = 'open' | 'claim' | 'enable' | 'disable' | 'release';
  type Start = 'closed' | 'opened' | 'claimed' | 'enabled';

  async function bringTo(device: TestDevice, state: Start): Promise<void> {
    if (state === 'closed') return;
    await device.open();
    if (state === 'opened') return;
    await device.claim();
    if (state === 'claimed') return;
    await device.enable();
  }

  it.each<[Operation, Start, string]>([
    ['open', 'opened', 'illegal'],
    ['open', 'claimed', 'illegal'],
    ['open', 'enabled', 'illegal'],
    ['claim', 'closed', 'closed'],
    ['enable', 'closed', 'closed'],
    ['enable', 'opened', 'not_claimed'],
    ['disable', 'closed', 'closed'],
    ['disable', 'opened', 'not_claimed'],
    ['release', 'closed', 'closed'],
    ['release', 'opened', 'not_claimed'],
  ])('refuses %s from %s with %s and changes nothing', async (operation, start, code) => {
    const { device } = setUp();
    await bringTo(device, start);
    await expect(device[operation]()).rejects.toMatchObject({ name: 'DeviceError', code });
    expect(device.state).toBe(start);
  });

  it.each<[Operation, Start]>([
    ['claim', 'claimed'],
    ['claim', 'enabled'],
    ['enable', 'enabled'],
    ['disable', 'claimed'],
  ])('treats %s from %s as a no-op', async (operation, start) => {
    const { device, transport } = setUp();
    await bringTo(device, start);
    await device[operation]();
    expect(device.state).toBe(start);
    expect(transport.openCount).toBe(1);
    expect(device.starts).toBe(start === 'enabled' ? 1 : 0);
  });

  it('closes from enabled in one call, stopping and releasing on the way', async () => {
    const { device, transport } = setUp();
    await enabled(device);
    await device.close();
    expect(device.status).toEqual({ state: 'closed', powerState: 'unknown' });
    expect(transport.isOpen).toBe(false);
    expect(device.stops).toHaveLength(1);
    await device.close();
  });

  it('runs lifecycle calls in call order: a close issued during a claim waits for it', async () => {
    const transport = new SlowTransport();
    const { device } = setUp(transport);
    await device.open();
    const claiming = device.claim();
    const closing = device.close();
    await Promise.resolve();
    transport.finishOpen();
    await claiming;
    await closing;
    expect(device.state).toBe('closed');
    expect(transport.isOpen).toBe(false);
  });

  it('keeps the device opened when the link cannot be opened, with the link error', async () => {
    const { device, transport } = setUp();
    transport.vanish();
    await device.open();
    await expect(device.claim()).rejects.toMatchObject({ code: 'offline' });
    expect(device.status).toEqual({ state: 'opened', powerState: 'unknown' });
  });

  it('backs out of an enable whose device refuses to start', async () => {
    const { device } = setUp();
    await device.open();
    await device.claim();
    device.startError = new Error('init refused');
    await expect(device.enable()).rejects.toMatchObject({
      code: 'failure',
      message: 'The test device failed: init refused',
    });
    expect(device.state).toBe('claimed');
  });

  it('delivers data only while enabled', async () => {
    const { device, transport } = setUp();
    await device.open();
    await device.claim();
    transport.inject('early');
    await device.enable();
    transport.inject('scan');
    await device.disable();
    transport.inject('late');
    expect(device.received).toEqual(['scan']);
  });
});

describe('claim timeout', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives up after the timeout and closes the link if it opens afterwards', async () => {
    const transport = new SlowTransport();
    const { device } = setUp(transport);
    await device.open();
    const claiming = device.claim(1000);
    const outcome = expect(claiming).rejects.toMatchObject({
      code: 'timeout',
      message: 'The test device on test device did not open within 1000 ms.',
    });
    await vi.advanceTimersByTimeAsync(1000);
    await outcome;
    transport.finishOpen();
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.isOpen).toBe(false);
    expect(device.state).toBe('opened');
  });
});

describe('losing the link', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('goes offline with an error event, retries with backoff, and restarts the device when the link is back', async () => {
    const { device, transport, statuses, errors } = setUp();
    await enabled(device);
    statuses.length = 0;

    transport.vanish();
    expect(device.status).toEqual({ state: 'enabled', powerState: 'offline' });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.locus).toBe('device');
    expect(errors[0]?.error.code).toBe('offline');
    expect(device.stops.at(-1)).toBe(errors[0]?.error);
    expect(() => {
      device.ready();
    }).toThrow(expect.objectContaining({ code: 'offline' }) as Error);

    // Attempts at +100, +200 (300), +400 (700), +400 (1100): backoff 100 ms doubling, capped at 400.
    const opensBefore = transport.openCount;
    await vi.advanceTimersByTimeAsync(99);
    expect(transport.openCount - opensBefore).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.openCount - opensBefore).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(transport.openCount - opensBefore).toBe(2);
    await vi.advanceTimersByTimeAsync(400);
    expect(transport.openCount - opensBefore).toBe(3);
    await vi.advanceTimersByTimeAsync(399);
    expect(transport.openCount - opensBefore).toBe(3);

    transport.plugIn();
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.openCount - opensBefore).toBe(4);
    expect(device.status).toEqual({ state: 'enabled', powerState: 'online' });
    expect(device.starts).toBe(2);
    expect(statuses).toEqual(['enabled/offline', 'enabled/online']);
    expect(errors).toHaveLength(1);
  });

  it('stops reconnecting once released', async () => {
    const { device, transport } = setUp();
    await enabled(device);
    transport.vanish();
    await device.release();
    const opens = transport.openCount;
    transport.plugIn();
    await vi.advanceTimersByTimeAsync(5000);
    expect(transport.openCount).toBe(opens);
    expect(device.status).toEqual({ state: 'opened', powerState: 'unknown' });
  });

  it('can be enabled while offline and starts once the link returns', async () => {
    const { device, transport } = setUp();
    await device.open();
    await device.claim();
    transport.vanish();
    await device.enable();
    expect(device.status).toEqual({ state: 'enabled', powerState: 'offline' });
    expect(device.starts).toBe(0);
    transport.plugIn();
    await vi.advanceTimersByTimeAsync(100);
    expect(device.starts).toBe(1);
    expect(device.powerState).toBe('online');
  });

  it('ignores a link loss while not claimed', async () => {
    const { device, transport, errors } = setUp();
    await device.open();
    transport.vanish();
    expect(errors).toEqual([]);
    expect(device.powerState).toBe('unknown');
  });
});

describe('checkHealth', () => {
  it('reports the model internally in any state, without I/O', async () => {
    const { device, transport } = setUp();
    await expect(device.checkHealth()).resolves.toEqual({
      ok: false,
      level: 'internal',
      status: { state: 'closed', powerState: 'unknown' },
      text: 'The test device is closed.',
    });
    await enabled(device);
    await expect(device.checkHealth('internal')).resolves.toMatchObject({
      ok: true,
      text: 'The test device on test link is ready.',
    });
    vi.useFakeTimers();
    try {
      transport.vanish();
      await expect(device.checkHealth('internal')).resolves.toMatchObject({
        ok: false,
        text: 'The test device on test link is disconnected; the till keeps trying to reconnect.',
      });
      await device.close();
    } finally {
      vi.useRealTimers();
    }
    expect(transport.written).toEqual([]);
  });

  it('asks the device externally, only when enabled', async () => {
    const { device } = setUp();
    await device.open();
    await device.claim();
    await expect(device.checkHealth('external')).rejects.toMatchObject({ code: 'disabled' });
    await device.enable();
    await expect(device.checkHealth('external')).resolves.toMatchObject({
      ok: true,
      level: 'external',
      text: 'The test device is connected on test link.',
    });
  });
});
