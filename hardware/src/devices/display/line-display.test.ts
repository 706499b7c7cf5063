import { describe, expect, it } from 'vitest';
import { createDefaultRegistry } from '../../index.ts';
import { PoleDisplaySimulator } from '../../simulators/pole-display-simulator.ts';
import { FakeTransport } from '../../transports/fake-transport.ts';
import { cd5220CommandSet, epsonCommandSet } from './command-sets.ts';
import { LineDisplay, type LineDisplayConfig } from './line-display.ts';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const text = (value: string): string => Buffer.from(value, 'latin1').toString('hex');

describe('command sets', () => {
  it('encodes Epson commands byte for byte', () => {
    expect(hex(epsonCommandSet.initialize('wpc1252'))).toBe('1b40' + '1f01' + '1f4300' + '1b7410' + '0c');
    expect(hex(epsonCommandSet.initialize('ascii'))).toBe('1b401f011f43001b74000c');
    expect(hex(epsonCommandSet.clear())).toBe('0c');
    expect(hex(epsonCommandSet.brightness(2) ?? new Uint8Array())).toBe('1f5802');
    expect(hex(epsonCommandSet.writeRows([Uint8Array.of(0x41), Uint8Array.of(0x42)]))).toBe(
      '1f24010141' + '1f24010242',
    );
  });

  it('encodes CD5220 commands byte for byte', () => {
    expect(hex(cd5220CommandSet.initialize('ascii'))).toBe('1b400c');
    expect(hex(cd5220CommandSet.writeRows([Uint8Array.of(0x41), Uint8Array.of(0x42)]))).toBe(
      '1b5141410d' + '1b5142420d',
    );
    expect(cd5220CommandSet.brightness(3)).toBeNull();
  });
});

async function setUp(config: Partial<LineDisplayConfig> = {}) {
  const transport = new FakeTransport('display port');
  const display = new LineDisplay('pole', transport, {
    commandSet: epsonCommandSet,
    columns: 20,
    charset: 'ascii',
    ...config,
  });
  await display.open();
  await display.claim();
  await display.enable();
  return { display, transport };
}

describe('LineDisplay', () => {
  it('initialises on enable and writes each line from its first column, fitted to the width', async () => {
    const { display, transport } = await setUp({ brightness: 3 });
    expect(transport.written.map(hex)).toEqual([
      '1b401f011f43001b74000c' +
        '1f5803' +
        '1f2401' +
        '01' +
        text(' '.repeat(20)) +
        '1f2401' +
        '02' +
        text(' '.repeat(20)),
    ]);
    await display.showLines('Organic bananas 1.2 kg', 'Crème  3,50 €');
    expect(hex(transport.written[1] ?? new Uint8Array())).toBe(
      '1f240101' + text('Organic bananas 1.2 ') + '1f240102' + text('Creme  3,50 EUR     '),
    );
    expect(display.visibleLines).toEqual(['Organic bananas 1.2 ', 'Creme  3,50 EUR     ']);
  });

  it('refuses output unless enabled, and brightness on a set without it', async () => {
    const { display } = await setUp({ commandSet: cd5220CommandSet });
    await expect(display.setBrightness(2)).rejects.toMatchObject({ code: 'illegal' });
    await display.disable();
    await expect(display.showLines('a')).rejects.toMatchObject({ code: 'disabled' });
  });

  it('refuses a character set its command set cannot select', () => {
    expect(
      () =>
        new LineDisplay('pole', new FakeTransport(), {
          commandSet: cd5220CommandSet,
          columns: 20,
          charset: 'wpc1252',
        }),
    ).toThrow(expect.objectContaining({ code: 'invalid_config' }) as Error);
  });

  it('keeps the text while unplugged and shows it as soon as the display is back', async () => {
    const transport = new FakeTransport('display port');
    const display = new LineDisplay(
      'pole',
      transport,
      { commandSet: epsonCommandSet, columns: 20, charset: 'ascii' },
      { reconnect: { initialDelayMs: 1, maxDelayMs: 1, factor: 1 } },
    );
    const simulator = new PoleDisplaySimulator(new FakeTransport());
    transport.on('data', () => undefined);
    await display.open();
    await display.claim();
    await display.enable();
    transport.vanish();
    await display.showLines('Total', '12.50');
    const writesWhileOffline = transport.written.length;
    transport.plugIn();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(display.powerState).toBe('online');
    expect(transport.written.length).toBe(writesWhileOffline + 1);
    simulator.receive(transport.written.at(-1) ?? new Uint8Array());
    expect(simulator.lines).toEqual(['Total               ', '12.50               ']);
    await display.close();
  });

  it.each([
    [undefined, 'line_display.epson'],
    ['CD5220', 'line_display.cd5220'],
    ['cd-5220 compatible', 'line_display.cd5220'],
    ['DM-D110', 'line_display.epson'],
  ])('is driven for model %s by %s', (model, id) => {
    const transport = { type: 'serial', path: '/dev/ttyUSB2', baudRate: 9600 } as const;
    expect(
      createDefaultRegistry().select({
        id: 'pole',
        kind: 'line_display',
        transport,
        ...(model === undefined ? {} : { model }),
      }).id,
    ).toBe(id);
  });
});
