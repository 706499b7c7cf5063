import { beforeEach, describe, expect, it } from 'vitest';
import { FakeTransport } from '../transports/fake-transport.ts';
import { decodeCode128Data } from './escpos-printer-interpreter.ts';
import { EscPosPrinterSimulator } from './escpos-printer-simulator.ts';

/** The host end of the link: what it writes reaches the simulator, what the simulator answers lands in `replies`. */
describe('EscPosPrinterSimulator', () => {
  let host: FakeTransport;
  let sim: EscPosPrinterSimulator;
  let replies: number[];

  // The fake link delivers on a microtask; a few turns let bytes and answers cross.
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 4; i++) await Promise.resolve();
  };
  const send = async (...bytes: number[]): Promise<void> => {
    await host.write(Uint8Array.from(bytes));
    await flush();
  };

  beforeEach(async () => {
    let device: FakeTransport;
    [host, device] = FakeTransport.pair();
    replies = [];
    host.on('data', (bytes) => replies.push(...bytes));
    sim = new EscPosPrinterSimulator(device);
    await sim.start();
    await host.open();
  });

  it.each([
    ['ready', () => undefined, [0x12, 0x12, 0x12, 0x12]],
    [
      'cover open',
      (s: EscPosPrinterSimulator) => {
        s.openCover();
      },
      [0x1a, 0x16, 0x12, 0x12],
    ],
    [
      'paper out',
      (s: EscPosPrinterSimulator) => {
        s.setPaper('out');
      },
      [0x1a, 0x32, 0x12, 0x7e],
    ],
    [
      'paper near end',
      (s: EscPosPrinterSimulator) => {
        s.setPaper('near_end');
      },
      [0x12, 0x12, 0x12, 0x1e],
    ],
    [
      'offline',
      (s: EscPosPrinterSimulator) => {
        s.goOffline();
      },
      [0x1a, 0x12, 0x12, 0x12],
    ],
    [
      'cutter jam',
      (s: EscPosPrinterSimulator) => {
        s.fail('autocutter');
      },
      [0x3a, 0x52, 0x1a, 0x12],
    ],
    [
      'drawer open',
      (s: EscPosPrinterSimulator) => {
        s.setDrawerOpen(true);
      },
      [0x16, 0x12, 0x12, 0x12],
    ],
  ])('answers DLE EOT 1–4 when %s', async (_name, act, expected) => {
    act(sim);
    await send(0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x03, 0x10, 0x04, 0x04);
    expect(replies).toEqual(expected);
  });

  it('holds a job while out of paper, answers status meanwhile, and the fence only after recovery', async () => {
    sim.setPaper('out');
    await send(...Buffer.from('one\ntwo\n', 'latin1'), 0x1d, 0x72, 0x01);
    expect(sim.transcript).toEqual([]);
    expect(sim.bufferedCommands).toBe(5);
    await send(0x10, 0x04, 0x04);
    expect(replies).toEqual([0x7e]);
    sim.recover();
    await flush();
    expect(sim.transcript).toEqual(['one', 'two']);
    expect(replies).toEqual([0x7e, 0x00]);
  });

  it('sends ASB on enabling and on every change', async () => {
    await send(0x1d, 0x61, 0x0f);
    expect(replies).toEqual([0x10, 0x00, 0x00, 0x00]);
    sim.openCover();
    sim.recover();
    sim.setPaper('near_end');
    await flush();
    expect(replies.slice(4)).toEqual([
      0x38, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x00, 0x03, 0x00,
    ]);
  });

  it('opens the drawer on ESC p and clears the buffer on DLE ENQ 2', async () => {
    await send(0x1b, 0x70, 0x01, 0x19, 0x32);
    expect(sim.pulses).toEqual([{ pin: 1, onMs: 50, offMs: 100 }]);
    expect(sim.condition.drawerOpen).toBe(true);
    sim.goOffline();
    await send(...Buffer.from('lost\n', 'latin1'), 0x10, 0x05, 0x02);
    sim.recover();
    expect(sim.transcript).toEqual([]);
  });

  it('runs out of paper after the given number of lines', async () => {
    sim.runOutOfPaperAfter(2);
    await send(...Buffer.from('a\nb\nc\n', 'latin1'));
    expect(sim.transcript).toEqual(['a', 'b']);
    expect(sim.condition.paper).toBe('out');
  });

  it.each([
    ['code set B', '{BS1-T1-000101', 'S1-T1-000101'],
    ['literal brace', '{BA{{B', 'A{B'],
    ['code set C pairs', '{C\u000c\u0022', '1234'],
  ])('decodes CODE128 data: %s', (_name, data, text) => {
    expect(decodeCode128Data(Uint8Array.from(Buffer.from(data, 'latin1')))).toBe(text);
  });
});
