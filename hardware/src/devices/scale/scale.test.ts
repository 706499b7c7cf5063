import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDefaultRegistry } from '../../index.ts';
import { ScaleSimulator } from '../../simulators/scale-simulator.ts';
import { FakeTransport } from '../../transports/fake-transport.ts';
import { Toledo8217Scale, type ScaleConfig } from './scale.ts';
import type { ScaleReading } from './toledo-8217.ts';

const config: ScaleConfig = { responseTimeoutMs: 200, pollIntervalMs: 50, zeroValid: false };

async function setUp(overrides: Partial<ScaleConfig> = {}) {
  const [deviceSide, scaleSide] = FakeTransport.pair('scale port', 'scale');
  const scale = new Toledo8217Scale('deli', deviceSide, { ...config, ...overrides });
  const simulator = new ScaleSimulator(scaleSide);
  await simulator.start();
  await scale.open();
  await scale.claim();
  await scale.enable();
  return { scale, simulator, deviceSide };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Toledo8217Scale.readStableWeight', () => {
  it('returns a stable weight after one request', async () => {
    const { scale, simulator, deviceSide } = await setUp();
    simulator.set({ weight: 1234 });
    await expect(scale.readStableWeight()).resolves.toBe(1234);
    expect(deviceSide.writtenText).toBe('W');
  });

  it('polls through motion and returns the settled weight', async () => {
    const { scale, simulator } = await setUp();
    simulator.set({ weight: 2750, motionForRequests: 4 });
    const weighing = scale.readStableWeight(2000);
    await vi.advanceTimersByTimeAsync(4 * config.pollIntervalMs);
    await expect(weighing).resolves.toBe(2750);
    expect(simulator.requests).toBe(5);
  });

  it.each([
    ['motion', { weight: 300, motion: true }, 'The scale did not settle. Keep the item still.'],
    ['an empty platter', { weight: 0 }, 'The scale shows no weight. Place the item on the scale.'],
    [
      'a scale that could not set zero',
      { weight: 0, motion: false },
      'The scale is not ready to weigh. Clear the platter and zero the scale.',
    ],
  ])('times out on %s with the matching message', async (name, state, message) => {
    const { scale, simulator } = await setUp();
    simulator.set(state);
    if (name === 'a scale that could not set zero') {
      // The simulator has no zero-capture failure of its own: play the status reply by hand.
      simulator.set({ silent: true });
      simulator.onRequest(() => {
        void simulator.transport.write(Uint8Array.of(2, 0x3f, 0b0001000, 13));
      });
    }
    const weighing = expect(scale.readStableWeight(1000)).rejects.toMatchObject({ code: 'timeout', message });
    await vi.advanceTimersByTimeAsync(1000);
    await weighing;
  });

  it('accepts a stable zero when zero is valid', async () => {
    const { scale, simulator } = await setUp({ zeroValid: true });
    simulator.set({ weight: 0 });
    await expect(scale.readStableWeight()).resolves.toBe(0);
  });

  it.each([
    [{ overCapacity: true }, 'over_capacity', 'The item is too heavy for the scale. Take it off the scale.'],
    [{ underZero: true }, 'under_zero', 'The scale reads below zero. Clear the platter and zero the scale.'],
  ])('refuses %o at once', async (state, code, message) => {
    const { scale, simulator } = await setUp();
    simulator.set(state);
    await expect(scale.readStableWeight()).rejects.toMatchObject({ code, message });
    expect(simulator.requests).toBe(1);
  });

  it('reports a silent scale as off, keeps asking, and as online once it answers', async () => {
    const { scale, simulator } = await setUp();
    simulator.set({ weight: 900, silent: true });
    const silent = expect(scale.readStableWeight(1000)).rejects.toMatchObject({
      code: 'timeout',
      message: 'The scale does not answer. Check that it is switched on and connected.',
    });
    await vi.advanceTimersByTimeAsync(1000);
    await silent;
    expect(scale.powerState).toBe('off');
    expect(simulator.requests).toBe(5);
    simulator.set({ silent: false });
    await expect(scale.readStableWeight()).resolves.toBe(900);
    expect(scale.powerState).toBe('online');
  });

  it('refuses a second weighing while one runs', async () => {
    const { scale, simulator } = await setUp();
    simulator.set({ weight: 100, motionForRequests: 2 });
    const first = scale.readStableWeight();
    await expect(scale.readStableWeight()).rejects.toMatchObject({ code: 'busy' });
    await expect(scale.readLiveWeight()).rejects.toMatchObject({ code: 'busy' });
    await vi.advanceTimersByTimeAsync(200);
    await expect(first).resolves.toBe(100);
  });

  it('stops a weighing when the scale is unplugged, with the offline error', async () => {
    const { scale, simulator, deviceSide } = await setUp();
    simulator.set({ weight: 100, silent: true });
    const weighing = expect(scale.readStableWeight()).rejects.toMatchObject({ code: 'offline' });
    deviceSide.vanish();
    await weighing;
    await scale.close();
  });

  it('refuses to weigh unless enabled', async () => {
    const { scale } = await setUp();
    await scale.disable();
    await expect(scale.readStableWeight()).rejects.toMatchObject({ code: 'disabled' });
  });
});

describe('Toledo8217Scale live weight and health', () => {
  it('reports each reading as an event, including motion', async () => {
    const { scale, simulator } = await setUp();
    const readings: ScaleReading[] = [];
    scale.on('reading', (reading) => readings.push(reading));
    simulator.set({ weight: 480, motion: true });
    await expect(scale.readLiveWeight()).resolves.toMatchObject({ condition: 'motion', weight: null });
    simulator.set({ motion: false });
    await expect(scale.readLiveWeight()).resolves.toMatchObject({ condition: 'stable', weight: 480 });
    expect(readings.map((r) => r.condition)).toEqual(['motion', 'stable']);
  });

  it('answers an external health check by asking the scale', async () => {
    const { scale, simulator } = await setUp();
    simulator.set({ weight: 0 });
    await expect(scale.checkHealth('external')).resolves.toMatchObject({
      ok: true,
      text: 'The scale answers on scale port (stable).',
    });
    simulator.set({ silent: true });
    const report = scale.checkHealth('external');
    await vi.advanceTimersByTimeAsync(200);
    await expect(report).resolves.toMatchObject({ ok: false, status: { powerState: 'off' } });
  });

  it('reports a reply nobody asked for that is malformed as an input error', async () => {
    const { scale, deviceSide } = await setUp();
    const codes: string[] = [];
    scale.on('error', (event) => codes.push(`${event.locus}:${event.error.code}`));
    deviceSide.inject(Uint8Array.of(2, 0x3f, 0b1000000, 13));
    expect(codes).toEqual(['input_data:protocol']);
  });

  it('is built by the default registry with its settings', () => {
    const device = createDefaultRegistry().create(
      {
        id: 'deli',
        kind: 'scale',
        transport: { type: 'serial', path: '/dev/ttyUSB1', baudRate: 9600, dataBits: 7, parity: 'even' },
        settings: { responseTimeoutMs: 300, zeroValid: true },
      },
      { createTransport: () => new FakeTransport() },
    );
    expect(device instanceof Toledo8217Scale ? device.config : device).toEqual({
      responseTimeoutMs: 300,
      pollIntervalMs: 100,
      zeroValid: true,
    });
  });
});
