import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceStatus } from '../src/device/types.ts';
import { Toledo8217Scale } from '../src/devices/scale/scale.ts';
import { createDefaultRegistry } from '../src/index.ts';
import { ScaleSimulator } from '../src/simulators/scale-simulator.ts';
import { SerialTransport } from '../src/transports/serial-transport.ts';
import { openPtyPair, type PtyPair } from './pty-pair.ts';

describe('8217 scale ↔ scale simulator over a socat pty pair', () => {
  let pty: PtyPair;
  let scale: Toledo8217Scale;
  let simulator: ScaleSimulator;
  const statuses: DeviceStatus[] = [];

  beforeEach(async () => {
    statuses.length = 0;
    pty = await openPtyPair();
    const serial = { type: 'serial', baudRate: 9600, dataBits: 7, parity: 'even', stopBits: 1 } as const;
    const device = createDefaultRegistry().create({
      id: 'deli-scale',
      kind: 'scale',
      transport: { ...serial, path: pty.a },
      settings: { responseTimeoutMs: 150, pollIntervalMs: 20 },
    });
    if (!(device instanceof Toledo8217Scale)) throw new Error('expected the 8217 scale driver');
    scale = device;
    scale.on('status', (status) => statuses.push(status));
    await scale.open();
    await scale.claim(2000);
    await scale.enable();
    simulator = new ScaleSimulator(new SerialTransport({ ...serial, path: pty.b }));
    await simulator.start();
  });

  afterEach(async () => {
    await scale.close();
    await simulator.stop();
    await pty.close();
  });

  it('returns a stable weight in thousandths of a kilogram', async () => {
    simulator.set({ weight: 1234 });
    await expect(scale.readStableWeight(1000)).resolves.toBe(1234);
    expect(simulator.requests).toBe(1);
  });

  it('waits through motion and returns the weight once the scale settles', async () => {
    simulator.set({ weight: 502, motionForRequests: 3 });
    await expect(scale.readStableWeight(2000)).resolves.toBe(502);
    expect(simulator.requests).toBe(4);
  });

  it('gives up on an item that never settles, with the message the cashier needs', async () => {
    simulator.set({ weight: 750, motion: true });
    await expect(scale.readStableWeight(300)).rejects.toMatchObject({
      code: 'timeout',
      message: 'The scale did not settle. Keep the item still.',
    });
  });

  it.each([
    [{ overCapacity: true }, 'over_capacity'],
    [{ underZero: true }, 'under_zero'],
  ])('refuses at once when the scale reports %o', async (state, code) => {
    simulator.set({ weight: 0, ...state });
    await expect(scale.readStableWeight(2000)).rejects.toMatchObject({ code });
    expect(simulator.requests).toBe(1);
  });

  it('reports a silent scale as switched off, and online again once it answers', async () => {
    simulator.set({ weight: 100, silent: true });
    await expect(scale.readStableWeight(400)).rejects.toMatchObject({
      code: 'timeout',
      message: 'The scale does not answer. Check that it is switched on and connected.',
    });
    expect(scale.powerState).toBe('off');
    simulator.set({ silent: false });
    await expect(scale.readStableWeight(1000)).resolves.toBe(100);
    expect(scale.powerState).toBe('online');
    expect(statuses.map((status) => `${status.state}/${status.powerState}`)).toEqual([
      'opened/unknown',
      'claimed/online',
      'enabled/online',
      'enabled/off',
      'enabled/online',
    ]);
  });
});
