import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LineDisplay } from '../src/devices/display/line-display.ts';
import { createDefaultRegistry } from '../src/index.ts';
import { PoleDisplaySimulator } from '../src/simulators/pole-display-simulator.ts';
import { SerialTransport } from '../src/transports/serial-transport.ts';
import { openPtyPair, type PtyPair } from './pty-pair.ts';
import { until } from './until.ts';

describe.each([
  ['epson', undefined, 'wpc1252'],
  ['cd5220', 'CD5220', 'ascii'],
] as const)('%s pole display ↔ pole display simulator over a socat pty pair', (_set, model, charset) => {
  let pty: PtyPair;
  let display: LineDisplay;
  let simulator: PoleDisplaySimulator;

  beforeEach(async () => {
    pty = await openPtyPair();
    simulator = new PoleDisplaySimulator(
      new SerialTransport({ type: 'serial', path: pty.b, baudRate: 9600 }),
    );
    await simulator.start();
    const device = createDefaultRegistry().create({
      id: 'pole',
      kind: 'line_display',
      transport: { type: 'serial', path: pty.a, baudRate: 9600 },
      ...(model === undefined ? {} : { model }),
      settings: { charset },
    });
    if (!(device instanceof LineDisplay)) throw new Error('expected a line display driver');
    display = device;
    await display.open();
    await display.claim(2000);
    await display.enable();
  });

  afterEach(async () => {
    await display.close();
    await simulator.stop();
    await pty.close();
  });

  it('shows two lines, clipped to 20 columns', async () => {
    await display.showLines('Organic bananas 1.2 kg', 'Total          12.50');
    await until(() => simulator.lines[1] === 'Total          12.50', 'the second line');
    expect(simulator.lines).toEqual(['Organic bananas 1.2 ', 'Total          12.50']);
    expect(simulator.unknownBytes).toEqual([]);
  });

  it('replaces a longer text by a shorter one without leftovers, and clears', async () => {
    await display.showLines('Welcome to Omnitill!', 'Next customer please');
    await display.showLines('Thank you', '');
    await until(() => simulator.lines[0] === 'Thank you           ', 'the new first line');
    expect(simulator.lines[1]).toBe(' '.repeat(20));
    await display.clear();
    await until(() => simulator.lines[0] === ' '.repeat(20), 'a clear screen');
    expect(simulator.unknownBytes).toEqual([]);
  });

  it('shows accented text in its character set, falling back where it must', async () => {
    await display.showLines('Crème brûlée', 'Łódź 3,50 €');
    const expected =
      charset === 'wpc1252'
        ? ['Crème brûlée        ', 'Lódz 3,50 €         ']
        : ['Creme brulee        ', 'Lodz 3,50 EUR       '];
    await until(() => simulator.lines[1] === expected[1], 'the second line');
    expect(simulator.lines).toEqual(expected);
  });
});
