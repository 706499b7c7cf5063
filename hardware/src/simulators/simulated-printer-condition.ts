/**
 * The mechanism of a simulated receipt printer, whatever language it speaks: paper, cover, online
 * switch, errors and the drawer switch, and the receive buffer that holds commands while the printer
 * cannot print. The ESC/POS and StarPRNT simulators each own one; what stays theirs is the protocol:
 * decoding, executing a command, and answering status (they do it in `execute` and `report`).
 *
 * - Commands are held in arrival order and executed only while the printer can print (paper loaded,
 *   cover closed, online, no error). Out of paper, an open cover, offline or an error stops execution
 *   where it is, even in the middle of a job; the rest is executed once every cause is cleared, as a
 *   real printer resumes after a new roll is loaded.
 * - `report` is called on every change of the condition, for the automatic status a printer sends.
 */
import type { PaperState } from '../devices/printer/status.ts';

export interface SimulatorCondition {
  readonly paper: PaperState;
  readonly coverOpen: boolean;
  /** Switched offline by the operator (or a fault) without another cause. */
  readonly offline: boolean;
  readonly error: 'autocutter' | 'unrecoverable' | undefined;
  readonly drawerOpen: boolean;
}

export interface SimulatedPrinterHooks<Command> {
  /** Executes one command: called in arrival order, and only while the printer can print. */
  readonly execute: (command: Command) => void;
  /** The condition changed: the place for the automatic status back of the printer's protocol. */
  readonly report: () => void;
}

export class SimulatedPrinterCondition<Command> {
  readonly #hooks: SimulatedPrinterHooks<Command>;
  readonly #buffer: Command[] = [];
  #state: SimulatorCondition = {
    paper: 'ok',
    coverOpen: false,
    offline: false,
    error: undefined,
    drawerOpen: false,
  };
  #linesUntilPaperOut: number | undefined;

  constructor(hooks: SimulatedPrinterHooks<Command>) {
    this.#hooks = hooks;
  }

  get state(): SimulatorCondition {
    return this.#state;
  }

  /** Paper loaded (or near its end), cover closed, online and no error. */
  get canPrint(): boolean {
    const c = this.#state;
    return c.paper !== 'out' && !c.coverOpen && !c.offline && c.error === undefined;
  }

  /** Commands received but not yet executed (the printer is stopped). */
  get bufferedCommands(): number {
    return this.#buffer.length;
  }

  /**
   * Puts a command at the end of the receive buffer without executing anything: the simulator holds
   * a whole chunk of received bytes first (answering real-time requests on arrival), then calls `run`.
   */
  hold(command: Command): void {
    this.#buffer.push(command);
  }

  /** Executes the buffered commands in order, for as long as the printer can print. */
  run(): void {
    while (this.canPrint && this.#buffer.length > 0) {
      const command = this.#buffer.shift();
      if (command === undefined) break;
      this.#hooks.execute(command);
    }
  }

  /** Drops the receive buffer (a power cycle, or a protocol's clear-buffer request). */
  discardBuffered(): void {
    this.#buffer.length = 0;
  }

  /** Changes the condition, reports it when anything changed, and resumes printing if it can. */
  change(change: Partial<SimulatorCondition>): void {
    const before = this.#state;
    this.#state = { ...before, ...change };
    const after = this.#state;
    const changed = (Object.keys(after) as (keyof SimulatorCondition)[]).some(
      (key) => before[key] !== after[key],
    );
    if (changed) this.#hooks.report();
    this.run();
  }

  /**
   * A drawer kick executed as part of a job: the drawer opens and the status is reported even when it
   * was open already. It does not call `run`: the kick is executed from inside it.
   */
  kickDrawer(): void {
    this.#state = { ...this.#state, drawerOpen: true };
    this.#hooks.report();
  }

  /** The simulator fed a line: counts down `runOutOfPaperAfter`. */
  lineFed(): void {
    if (this.#linesUntilPaperOut === undefined) return;
    this.#linesUntilPaperOut -= 1;
    if (this.#linesUntilPaperOut <= 0) {
      this.#linesUntilPaperOut = undefined;
      this.change({ paper: 'out' });
    }
  }

  /** Runs out of paper after printing `lines` more lines (0: at once). */
  runOutOfPaperAfter(lines: number): void {
    if (lines <= 0) this.change({ paper: 'out' });
    else this.#linesUntilPaperOut = lines;
  }

  setPaper(paper: PaperState): void {
    this.#linesUntilPaperOut = undefined;
    this.change({ paper });
  }

  openCover(): void {
    this.change({ coverOpen: true });
  }

  goOffline(): void {
    this.change({ offline: true });
  }

  fail(error: 'autocutter' | 'unrecoverable'): void {
    this.change({ error });
  }

  /** New roll loaded, cover closed, back online, error cleared: resumes the buffered job. */
  recover(): void {
    this.#linesUntilPaperOut = undefined;
    this.change({ paper: 'ok', coverOpen: false, offline: false, error: undefined });
  }

  setDrawerOpen(open: boolean): void {
    this.change({ drawerOpen: open });
  }
}
