import { beforeEach, describe, expect, it } from 'vitest';
import { SimulatedPrinterCondition, type SimulatorCondition } from './simulated-printer-condition.ts';

/** A printer whose commands are bytes: 0x0a feeds a line, as in both printer languages. */
describe('SimulatedPrinterCondition', () => {
  let printer: SimulatedPrinterCondition<number>;
  let executed: number[];
  let reports: SimulatorCondition[];

  beforeEach(() => {
    executed = [];
    reports = [];
    printer = new SimulatedPrinterCondition<number>({
      execute: (byte) => {
        executed.push(byte);
        if (byte === 0x0a) printer.lineFed();
      },
      report: () => reports.push(printer.state),
    });
  });

  const receive = (...bytes: number[]): void => {
    for (const byte of bytes) printer.hold(byte);
    printer.run();
  };

  type Act = (p: SimulatedPrinterCondition<number>) => void;

  /** Each cause that stops the printer, and the change that clears that cause alone. */
  const stops: readonly { name: string; stop: Act; clear: Partial<SimulatorCondition> }[] = [
    {
      name: 'paper out',
      stop: (p) => {
        p.setPaper('out');
      },
      clear: { paper: 'ok' },
    },
    {
      name: 'paper run out at once',
      stop: (p) => {
        p.runOutOfPaperAfter(0);
      },
      clear: { paper: 'ok' },
    },
    {
      name: 'cover open',
      stop: (p) => {
        p.openCover();
      },
      clear: { coverOpen: false },
    },
    {
      name: 'offline',
      stop: (p) => {
        p.goOffline();
      },
      clear: { offline: false },
    },
    {
      name: 'cutter jam',
      stop: (p) => {
        p.fail('autocutter');
      },
      clear: { error: undefined },
    },
    {
      name: 'unrecoverable error',
      stop: (p) => {
        p.fail('unrecoverable');
      },
      clear: { error: undefined },
    },
  ];

  it('prints what it receives at once while nothing stops it', () => {
    receive(0x41, 0x0a, 0x42);
    expect(executed).toEqual([0x41, 0x0a, 0x42]);
    expect(printer.canPrint).toBe(true);
    expect(printer.bufferedCommands).toBe(0);
  });

  it.each(stops)(
    '$name: not ready, holds what it receives, prints it in order once cleared',
    ({ stop, clear }) => {
      stop(printer);
      expect(printer.canPrint).toBe(false);
      receive(0x41, 0x0a);
      receive(0x42);
      expect(executed).toEqual([]);
      expect(printer.bufferedCommands).toBe(3);
      printer.change(clear);
      expect(printer.canPrint).toBe(true);
      expect(executed).toEqual([0x41, 0x0a, 0x42]);
      expect(printer.bufferedCommands).toBe(0);
    },
  );

  it.each(stops)('$name stops printing; recover() resumes it', ({ stop }) => {
    stop(printer);
    receive(0x41);
    printer.recover();
    expect(executed).toEqual([0x41]);
  });

  const harmless: readonly [string, Act][] = [
    [
      'paper near its end',
      (p) => {
        p.setPaper('near_end');
      },
    ],
    [
      'drawer open',
      (p) => {
        p.setDrawerOpen(true);
      },
    ],
    [
      'drawer kicked',
      (p) => {
        p.kickDrawer();
      },
    ],
  ];

  it.each(harmless)('%s does not stop printing', (_name, act) => {
    act(printer);
    receive(0x41);
    expect(printer.canPrint).toBe(true);
    expect(executed).toEqual([0x41]);
  });

  /** The independent causes (paper, cover, switch, error): every one must be cleared to print. */
  const causes = stops.filter(({ name }) =>
    ['paper out', 'cover open', 'offline', 'cutter jam'].includes(name),
  );

  it.each(causes.map(({ name }) => name))(
    'with every cause at once, prints nothing until %s, the last, is cleared',
    (last) => {
      for (const { stop } of causes) stop(printer);
      receive(1, 2, 3);
      const order = [
        ...causes.filter(({ name }) => name !== last),
        ...causes.filter(({ name }) => name === last),
      ];
      for (const { name, clear } of order) {
        expect(printer.canPrint, `before clearing ${name}`).toBe(false);
        expect(executed, `before clearing ${name}`).toEqual([]);
        printer.change(clear);
      }
      expect(executed).toEqual([1, 2, 3]);
      expect(printer.bufferedCommands).toBe(0);
    },
  );

  it('loses and doubles nothing across stops, arrivals and repeated recoveries', () => {
    receive(1, 2);
    printer.openCover();
    receive(3, 4);
    printer.goOffline();
    receive(5);
    printer.recover();
    printer.recover();
    receive(6);
    printer.fail('autocutter');
    receive(7);
    printer.run();
    printer.change({ error: undefined });
    printer.run();
    expect(executed).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(printer.bufferedCommands).toBe(0);
  });

  it('runs out of paper after the given lines, mid-job, and finishes the job after a new roll', () => {
    printer.runOutOfPaperAfter(2);
    receive(0x61, 0x0a, 0x62, 0x0a, 0x63, 0x0a);
    expect(executed).toEqual([0x61, 0x0a, 0x62, 0x0a]);
    expect(printer.state.paper).toBe('out');
    expect(printer.bufferedCommands).toBe(2);
    printer.recover();
    expect(executed).toEqual([0x61, 0x0a, 0x62, 0x0a, 0x63, 0x0a]);
  });

  it('forgets a pending paper-out on a new roll', () => {
    printer.runOutOfPaperAfter(1);
    printer.setPaper('ok');
    receive(0x0a, 0x0a);
    expect(printer.state.paper).toBe('ok');
    expect(executed).toEqual([0x0a, 0x0a]);
  });

  it('drops held commands when the buffer is discarded', () => {
    printer.goOffline();
    receive(1, 2);
    printer.discardBuffered();
    printer.recover();
    receive(3);
    expect(executed).toEqual([3]);
  });

  it('reports each change of condition once, and nothing when nothing changed', () => {
    printer.openCover();
    printer.openCover();
    printer.setDrawerOpen(false);
    printer.recover();
    expect(reports.map((r) => r.coverOpen)).toEqual([true, false]);
  });

  it('reports a drawer kick even when the drawer was open, without running held commands', () => {
    printer.setDrawerOpen(true);
    printer.hold(1);
    reports.length = 0;
    printer.kickDrawer();
    // The kick runs from inside run(): a nested run would execute what follows it out of turn.
    expect(executed).toEqual([]);
    expect(reports).toEqual([
      { paper: 'ok', coverOpen: false, offline: false, error: undefined, drawerOpen: true },
    ]);
    printer.run();
    expect(executed).toEqual([1]);
  });
});
