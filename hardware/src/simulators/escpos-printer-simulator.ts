/**
 * An ESC/POS receipt printer on the other end of a real link (a pty from socat, a TCP socket, or a
 * fake transport pair). It behaves like a thermal printer where our drivers can tell:
 *
 * - Received bytes go through a receive buffer. Real-time commands (DLE EOT, DLE ENQ, DLE DC4) are
 *   answered on arrival, even while the printer is stopped; everything else is executed in order, and
 *   only while the printer can print (paper loaded, cover closed, online, no error).
 * - Out of paper, an open cover or an error stops execution where it is: the rest of the job stays in
 *   the buffer and prints after `recover()`, as a real printer resumes after a new roll is loaded.
 * - `GS r 1` is answered when it is executed, i.e. after everything before it has printed; that is the
 *   driver's end-of-job fence.
 * - `GS a n` turns on automatic status back: 4 bytes on every status change (and once on enabling).
 * - `ESC p` opens the simulated drawer, whose sensor the driver reads on connector pin 3.
 *
 * What was printed is kept as paper items (interpreter) and as a text transcript; `renderPreview`
 * (escpos-printer-preview.ts) draws them as a PNG.
 */
import { TypedEmitter, type Listener } from '../device/events.ts';
import { EscPosTokenizer, type EscPosToken } from '../devices/printer/escpos-tokenizer.ts';
import type { EncoderPrinterModel } from '../devices/printer/profiles.ts';
import type { PaperState } from '../devices/printer/status.ts';
import type { Transport } from '../transports/transport.ts';
import { EscPosInterpreter, type DrawerPulse, type PaperItem } from './escpos-printer-interpreter.ts';
import { SimulatedPrinterCondition, type SimulatorCondition } from './simulated-printer-condition.ts';

// Part of this module's API since before the condition was shared with the StarPRNT simulator.
export type { SimulatorCondition } from './simulated-printer-condition.ts';

export interface EscPosPrinterSimulatorOptions {
  /** Whose ESC t numbering to decode text with (default: Epson TM-T88). */
  readonly model?: EncoderPrinterModel;
  /** Pin 3 level while the drawer is open (drawers differ; default high). */
  readonly drawerOpenLevel?: 'high' | 'low';
}

interface SimulatorEvents {
  /** Each executed command, for tests that watch the job's progress. */
  readonly command: EscPosToken;
  /** Each real-time or fence reply written back. */
  readonly reply: Uint8Array;
}

export class EscPosPrinterSimulator {
  readonly #tokenizer = new EscPosTokenizer();
  readonly #interpreter: EscPosInterpreter;
  readonly #events = new TypedEmitter<SimulatorEvents>();
  readonly #drawerOpenLevel: 'high' | 'low';
  readonly #condition = new SimulatedPrinterCondition<EscPosToken>({
    execute: (token) => {
      this.#execute(token);
    },
    report: () => {
      if (this.#asb !== 0) this.#send(this.#asbBytes());
    },
  });
  #asb = 0;
  /** Every byte received, for golden comparisons. */
  readonly received: number[] = [];
  /** Real-time queries received (DLE EOT n), by n, to show when the driver polled. */
  readonly statusQueries: number[] = [];

  constructor(
    readonly transport: Transport,
    options: EscPosPrinterSimulatorOptions = {},
  ) {
    this.#interpreter = new EscPosInterpreter(options.model ?? 'epson-tm-t88vi');
    this.#drawerOpenLevel = options.drawerOpenLevel ?? 'high';
    transport.on('data', (bytes) => {
      this.#receive(bytes);
    });
  }

  start(): Promise<void> {
    return this.transport.open();
  }

  stop(): Promise<void> {
    return this.transport.close();
  }

  get condition(): SimulatorCondition {
    return this.#condition.state;
  }

  get items(): readonly PaperItem[] {
    return this.#interpreter.items;
  }

  /** The printed text lines, decoded. */
  get transcript(): string[] {
    return this.#interpreter.lines;
  }

  get pulses(): readonly DrawerPulse[] {
    return this.#interpreter.pulses;
  }

  /** Commands received but not yet executed (the printer is stopped). */
  get bufferedCommands(): number {
    return this.#condition.bufferedCommands;
  }

  get asbEnabled(): boolean {
    return this.#asb !== 0;
  }

  on<K extends keyof SimulatorEvents>(event: K, listener: Listener<SimulatorEvents[K]>): () => void {
    return this.#events.on(event, listener);
  }

  /** Runs out of paper after printing `lines` more lines (0: at once). */
  runOutOfPaperAfter(lines: number): void {
    this.#condition.runOutOfPaperAfter(lines);
  }

  setPaper(paper: PaperState): void {
    this.#condition.setPaper(paper);
  }

  openCover(): void {
    this.#condition.openCover();
  }

  goOffline(): void {
    this.#condition.goOffline();
  }

  fail(error: 'autocutter' | 'unrecoverable'): void {
    this.#condition.fail(error);
  }

  /** New roll loaded, cover closed, back online, error cleared: resumes the buffered job. */
  recover(): void {
    this.#condition.recover();
  }

  /** Switched off and on: the receive buffer is lost, the condition is fresh, ASB is off again. */
  powerCycle(): void {
    this.#condition.discardBuffered();
    this.#tokenizer.reset();
    this.#asb = 0;
    this.recover();
  }

  /** The cashier pushes the drawer shut (or opens it with a key). */
  setDrawerOpen(open: boolean): void {
    this.#condition.setDrawerOpen(open);
  }

  /** Forgets what was printed (not the condition). */
  clearPaper(): void {
    this.#interpreter.items.length = 0;
    this.#interpreter.pulses.length = 0;
    this.received.length = 0;
    this.statusQueries.length = 0;
  }

  get #pin3High(): boolean {
    return this.#condition.state.drawerOpen === (this.#drawerOpenLevel === 'high');
  }

  #receive(bytes: Uint8Array): void {
    for (const byte of bytes) this.received.push(byte);
    for (const token of this.#tokenizer.push(bytes)) {
      if (!this.#realTime(token)) this.#condition.hold(token);
    }
    this.#condition.run();
  }

  /** Handles DLE commands on arrival; false for everything that waits its turn in the buffer. */
  #realTime(token: EscPosToken): boolean {
    const [n = 0, a = 0] = token.params;
    switch (token.name) {
      case 'DLE EOT':
        this.statusQueries.push(n);
        this.#send(Uint8Array.of(this.#dleEotReply(n)));
        return true;
      case 'DLE ENQ':
        // 1: recover from a recoverable error and restart; 2: the same, clearing the buffer.
        if (n === 2) this.#condition.discardBuffered();
        if (this.#condition.state.error === 'autocutter') this.#condition.change({ error: undefined });
        return true;
      case 'DLE DC4':
        if (n === 1)
          this.#interpreter.pulses.push({
            pin: (a & 1) === 1 ? 1 : 0,
            onMs: (token.params[2] ?? 0) * 100,
            offMs: (token.params[2] ?? 0) * 100,
          });
        if (n === 1) this.#condition.setDrawerOpen(true);
        return true;
      default:
        return false;
    }
  }

  #execute(token: EscPosToken): void {
    const [n = 0] = token.params;
    switch (token.name) {
      case 'GS a':
        this.#asb = n;
        if (n !== 0) this.#send(this.#asbBytes());
        break;
      case 'GS r':
        // n = 1/49 paper sensor, 2/50 drawer; both answer 0xx0xxxx.
        if (n === 1 || n === 49) this.#send(Uint8Array.of(this.#paperBits()));
        if (n === 2 || n === 50) this.#send(Uint8Array.of(this.#pin3High ? 0x01 : 0x00));
        break;
      case 'ESC p':
        this.#condition.kickDrawer();
        break;
      case 'ESC @':
        break;
      default:
        break;
    }
    const fed = this.#interpreter.execute(token);
    this.#events.emit('command', token);
    if (fed) this.#condition.lineFed();
  }

  #paperBits(): number {
    const { paper } = this.#condition.state;
    return (paper === 'near_end' ? 0x03 : 0) | (paper === 'out' ? 0x0c : 0);
  }

  #dleEotReply(n: number): number {
    const c = this.#condition.state;
    const stopped = !this.#condition.canPrint;
    const flag = (on: boolean, bit: number): number => (on ? 1 << bit : 0);
    switch (n) {
      case 1:
        return 0x12 | flag(this.#pin3High, 2) | flag(stopped, 3) | flag(c.error === 'autocutter', 5);
      case 2:
        return 0x12 | flag(c.coverOpen, 2) | flag(c.paper === 'out', 5) | flag(c.error !== undefined, 6);
      case 3:
        return 0x12 | flag(c.error === 'autocutter', 3) | flag(c.error === 'unrecoverable', 5);
      case 4:
        return 0x12 | (c.paper === 'near_end' ? 0x0c : 0) | (c.paper === 'out' ? 0x6c : 0);
      default:
        return 0x12;
    }
  }

  #asbBytes(): Uint8Array {
    const c = this.#condition.state;
    const stopped = !this.#condition.canPrint;
    const flag = (on: boolean, bit: number): number => (on ? 1 << bit : 0);
    return Uint8Array.of(
      0x10 | flag(this.#pin3High, 2) | flag(stopped, 3) | flag(c.coverOpen, 5),
      flag(c.error === 'autocutter', 3) | flag(c.error === 'unrecoverable', 5),
      this.#paperBits(),
      0x00,
    );
  }

  #send(bytes: Uint8Array): void {
    this.#events.emit('reply', bytes);
    // A link that closed under the simulator (a test killing socat) is not the simulator's failure.
    this.transport.write(bytes).catch(() => undefined);
  }
}
