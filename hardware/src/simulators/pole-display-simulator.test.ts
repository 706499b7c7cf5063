import { describe, expect, it } from 'vitest';
import { FakeTransport } from '../transports/fake-transport.ts';
import { PoleDisplaySimulator } from './pole-display-simulator.ts';

const bytes = (...parts: (string | number)[]): Uint8Array =>
  Uint8Array.from(
    parts.flatMap((part) => (typeof part === 'number' ? [part] : Array.from(Buffer.from(part, 'latin1')))),
  );

describe('PoleDisplaySimulator', () => {
  it('decodes Epson commands: init, cursor moves, text, overwrite wrap, brightness, code table', () => {
    const display = new PoleDisplaySimulator(new FakeTransport());
    display.receive(bytes(0x1b, 0x40, 0x1f, 0x01, 0x1f, 0x43, 0, 0x1f, 0x58, 2, 0x1b, 0x74, 16));
    display.receive(bytes(0x1f, 0x24, 5, 2, 'Caf', 0xe9, 0x1f, 0x24, 1, 1, 'x'.repeat(22)));
    expect(display.lines).toEqual(['x'.repeat(20), 'xx  Café' + ' '.repeat(12)]);
    expect(display).toMatchObject({ brightness: 2, cursorVisible: false, codeTable: 16, unknownBytes: [] });
    display.receive(bytes(0x0c));
    expect(display.lines).toEqual([' '.repeat(20), ' '.repeat(20)]);
  });

  it('decodes CD5220 line commands', () => {
    const display = new PoleDisplaySimulator(new FakeTransport());
    display.receive(bytes(0x1b, 0x51, 0x42, 'Total 9.99', 0x0d, 0x1b, 0x51, 0x41, 'Milk', 0x0d));
    expect(display.lines).toEqual(['Milk                ', 'Total 9.99          ']);
    expect(display.unknownBytes).toEqual([]);
  });

  it('reassembles commands split across reads', () => {
    const display = new PoleDisplaySimulator(new FakeTransport());
    for (const byte of bytes(0x1f, 0x24, 1, 2, 'AB', 0x1b, 0x51, 0x41, 'top', 0x0d))
      display.receive(Uint8Array.of(byte));
    expect(display.lines).toEqual(['top                 ', 'AB                  ']);
  });

  it('records bytes it does not understand', () => {
    const display = new PoleDisplaySimulator(new FakeTransport());
    display.receive(bytes(0x07, 0x1b, 0x99, 'A'));
    expect(display.unknownBytes).toEqual([0x07, 0x1b, 0x99]);
  });
});
