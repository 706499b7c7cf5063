/**
 * A StarPRNT receipt printer on the other end of a real link (a socat pty, a TCP socket or a fake
 * transport pair), the Star sibling of EscPosPrinterSimulator. It decodes the StarPRNT our encoder
 * emits into text lines, barcodes, QR codes, cuts and drawer pulses, and speaks Star's status protocol
 * (star-status.ts has the byte layouts and their sources):
 *
 * - ESC ACK SOH is answered on arrival with one ASB frame (9 bytes: headers, status 1–7 with the ETB
 *   counter), even while the printer is stopped.
 * - Everything else runs in order from a receive buffer, and only while the printer can print (paper,
 *   cover closed, online, no error): paper-out or an open cover stops the job where it is, and it
 *   resumes after `recover()`.
 * - ESC RS a 1 turns automatic status back on: a frame on every change of condition, and one on
 *   enabling. ETB, when executed (so after everything before it printed), increments the ETB counter,
 *   sets the "ETB executed" bit and sends a frame; CAN and ESC RS E clear the counter.
 * - BEL / SUB kick drawer 1 / 2 with the pulse ESC BEL n1 n2 set (10 ms units); the drawer's switch is
 *   reported in status 1 bit 2, at the level `drawerOpenLevel` says an open drawer gives.
 */
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import { TypedEmitter, type Listener } from '../device/events.ts';
import type { EncoderPrinterModel } from '../devices/printer/profiles.ts';
import { packEtbCounter, packStarNumber } from '../devices/printer/star-status.ts';
import type { PaperState } from '../devices/printer/status.ts';
import type { Transport } from '../transports/transport.ts';
import type { DrawerPulse } from './escpos-printer-interpreter.ts';
import { SimulatedPrinterCondition, type SimulatorCondition } from './simulated-printer-condition.ts';

export interface StarToken {
  /** 'ESC @', 'ESC GS y D', 'LF', 'TEXT', …; 'UNKNOWN' for a byte we do not decode. */
  readonly name: string;
  readonly params: readonly number[];
  readonly data?: Uint8Array;
}

const ESC = 0x1b;
const GS = 0x1d;
const RS = 0x1e;

/** Fixed-length ESC sequences: the byte after ESC → total length including ESC. */
const ESC_FIXED: ReadonlyMap<number, readonly [string, number]> = new Map([
  [0x40, ['ESC @', 2]],
  [0x45, ['ESC E', 2]],
  [0x46, ['ESC F', 2]],
  [0x34, ['ESC 4', 2]],
  [0x35, ['ESC 5', 2]],
  [0x2d, ['ESC -', 3]],
  [0x5f, ['ESC _', 3]],
  [0x64, ['ESC d', 3]],
  [0x69, ['ESC i', 4]],
  [0x07, ['ESC BEL', 4]],
  [0x57, ['ESC W', 3]],
  [0x68, ['ESC h', 3]],
  [0x7a, ['ESC z', 3]],
  [0x30, ['ESC 0', 2]],
  [0x33, ['ESC 3', 3]],
]);

/**
 * A streaming StarPRNT tokenizer for the commands the encoder emits for receipts. Incomplete commands
 * wait for more bytes.
 */
export class StarPrntTokenizer {
  #pending: number[] = [];

  push(bytes: Uint8Array): StarToken[] {
    for (const byte of bytes) this.#pending.push(byte);
    const tokens: StarToken[] = [];
    for (;;) {
      const result = this.#next();
      if (result === undefined) break;
      const [token, used] = result;
      this.#pending = this.#pending.slice(used);
      tokens.push(token);
    }
    return tokens;
  }

  reset(): void {
    this.#pending = [];
  }

  /** Bytes of a command not complete yet. */
  get pendingBytes(): number {
    return this.#pending.length;
  }

  /** The next token and the bytes it used; undefined when more bytes are needed. */
  #next(): [StarToken, number] | undefined {
    const b = this.#pending;
    if (b.length === 0) return undefined;
    const first = b[0] ?? 0;
    switch (first) {
      case 0x0a:
        return [{ name: 'LF', params: [] }, 1];
      case 0x07:
        return [{ name: 'BEL', params: [] }, 1];
      case 0x1a:
        return [{ name: 'SUB', params: [] }, 1];
      case 0x17:
        return [{ name: 'ETB', params: [] }, 1];
      case 0x18:
        return [{ name: 'CAN', params: [] }, 1];
      case 0x0d:
        return [{ name: 'CR', params: [] }, 1];
      case ESC:
        return this.#escape();
      default:
        if (first < 0x20) return [{ name: 'UNKNOWN', params: [first] }, 1];
    }
    let end = 0;
    while (end < b.length && (b[end] ?? 0) >= 0x20) end += 1;
    return [{ name: 'TEXT', params: [], data: Uint8Array.from(b.slice(0, end)) }, end];
  }

  #escape(): [StarToken, number] | undefined {
    const b = this.#pending;
    if (b.length < 2) return undefined;
    const second = b[1] ?? 0;
    const fixed = ESC_FIXED.get(second);
    if (fixed !== undefined) {
      const [name, length] = fixed;
      if (b.length < length) return undefined;
      return [{ name, params: b.slice(2, length) }, length];
    }
    if (second === 0x06) {
      if (b.length < 3) return undefined;
      return [{ name: 'ESC ACK', params: [b[2] ?? 0] }, 3];
    }
    if (second === RS) {
      // ESC RS a n, ESC RS E n, ESC RS F n …: one letter, one parameter.
      if (b.length < 4) return undefined;
      return [{ name: `ESC RS ${String.fromCharCode(b[2] ?? 0)}`, params: [b[3] ?? 0] }, 4];
    }
    if (second === 0x62) {
      // ESC b n1 n2 n3 n4 d1 … dk RS: barcode (symbology, mode, width, height), data up to RS.
      const end = b.indexOf(RS, 6);
      if (b.length < 6 || end < 0) return undefined;
      return [{ name: 'ESC b', params: b.slice(2, 6), data: Uint8Array.from(b.slice(6, end)) }, end + 1];
    }
    if (second === GS) return this.#escGs();
    return [{ name: 'UNKNOWN', params: [ESC, second] }, 2];
  }

  #escGs(): [StarToken, number] | undefined {
    const b = this.#pending;
    if (b.length < 3) return undefined;
    const third = b[2] ?? 0;
    if (third === 0x74 || third === 0x61 || third === 0x50) {
      if (b.length < 4) return undefined;
      return [{ name: `ESC GS ${String.fromCharCode(third)}`, params: [b[3] ?? 0] }, 4];
    }
    if (third === 0x79) {
      // QR code: ESC GS y S n m (settings), ESC GS y D 1 0 nL nH data (store), ESC GS y P (print).
      if (b.length < 4) return undefined;
      const fn = String.fromCharCode(b[3] ?? 0);
      if (fn === 'S') {
        if (b.length < 6) return undefined;
        return [{ name: 'ESC GS y S', params: b.slice(4, 6) }, 6];
      }
      if (fn === 'D') {
        if (b.length < 8) return undefined;
        const length = (b[6] ?? 0) + 256 * (b[7] ?? 0);
        if (b.length < 8 + length) return undefined;
        return [
          { name: 'ESC GS y D', params: b.slice(4, 8), data: Uint8Array.from(b.slice(8, 8 + length)) },
          8 + length,
        ];
      }
      return [{ name: `ESC GS y ${fn}`, params: [] }, 4];
    }
    return [{ name: 'UNKNOWN', params: [ESC, GS, third] }, 3];
  }
}

export interface StarPaperBarcode {
  readonly symbology: number;
  readonly data: string;
}

export interface StarPrinterSimulatorOptions {
  /** Whose code-page numbering (ESC GS t) to decode text with (default: TSP100IV). */
  readonly model?: EncoderPrinterModel;
  /** Switch level while the drawer is open (drawers differ; default high, i.e. bit set). */
  readonly drawerOpenLevel?: 'high' | 'low';
}

interface StarSimulatorEvents {
  readonly command: StarToken;
  /** Each ASB frame written back. */
  readonly reply: Uint8Array;
}

/** Code pages the simulator can read: ESC GS t number → 256 characters, found by probing the encoder. */
function starCodeTables(model: EncoderPrinterModel): Map<number, string[]> {
  const tables = new Map<number, string[]>();
  // Single UTF-16 units only (Latin-1, Latin Extended-A, €), so sample[k] is the k-th character.
  let sample = '';
  for (let c = 0xa1; c <= 0x17f; c++) sample += String.fromCharCode(c);
  sample += '€';
  for (const codepage of ['cp437', 'cp858', 'cp852', 'cp850', 'cp866'] as const) {
    const chars: string[] = [];
    for (let i = 0; i < 256; i++) chars.push(i < 0x80 ? String.fromCharCode(i) : '?');
    try {
      const encoder = new ReceiptPrinterEncoder({ printerModel: model, newline: '\n' }).codepage(codepage);
      for (const char of sample) encoder.text(char).newline();
      // Each character comes out as ESC GS t n (once), then its byte, then LF.
      const bytes = encoder.encode();
      let number: number | undefined;
      let k = 0;
      for (let i = 0; i < bytes.length; i++) {
        if (bytes[i] === ESC && bytes[i + 1] === GS && bytes[i + 2] === 0x74) {
          number ??= bytes[i + 3];
          i += 3;
          continue;
        }
        if (bytes[i] === 0x0a) {
          k += 1;
          continue;
        }
        const byte = bytes[i] ?? 0;
        const char = sample[k];
        if (byte >= 0x80 && char !== undefined && chars[byte] === '?') chars[byte] = char;
      }
      if (number !== undefined && !tables.has(number)) tables.set(number, chars);
    } catch {
      continue; // the model has no such code page
    }
  }
  return tables;
}

export class StarPrinterSimulator {
  readonly #tokenizer = new StarPrntTokenizer();
  readonly #events = new TypedEmitter<StarSimulatorEvents>();
  readonly #drawerOpenLevel: 'high' | 'low';
  readonly #tables: Map<number, string[]>;
  readonly #condition = new SimulatedPrinterCondition<StarToken>({
    execute: (token) => {
      this.#execute(token);
    },
    report: () => {
      if (this.#asb) this.#sendFrame();
    },
  });
  #asb = false;
  #etbCounter = 0;
  #etbExecuted = false;
  #codepage = 0;
  #line = '';
  #pulse = { onMs: 200, offMs: 200 };
  #qr = '';
  /** Printed text lines, decoded. */
  readonly transcript: string[] = [];
  readonly barcodes: StarPaperBarcode[] = [];
  readonly qrcodes: string[] = [];
  readonly cuts: ('full' | 'partial')[] = [];
  readonly pulses: DrawerPulse[] = [];
  /** Every byte received, for golden comparisons. */
  readonly received: number[] = [];
  /** ESC ACK SOH requests received. */
  statusRequests = 0;
  /** Drops everything but status requests, as a printer that lost its buffer in a power blip. */
  loseJobs = false;
  /** Commands the decoder did not know (a test fails on them). */
  readonly unknown: StarToken[] = [];

  constructor(
    readonly transport: Transport,
    options: StarPrinterSimulatorOptions = {},
  ) {
    this.#drawerOpenLevel = options.drawerOpenLevel ?? 'high';
    this.#tables = starCodeTables(options.model ?? 'star-tsp100iv');
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

  get asbEnabled(): boolean {
    return this.#asb;
  }

  get etbCounter(): number {
    return this.#etbCounter;
  }

  get bufferedCommands(): number {
    return this.#condition.bufferedCommands;
  }

  on<K extends keyof StarSimulatorEvents>(event: K, listener: Listener<StarSimulatorEvents[K]>): () => void {
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

  setDrawerOpen(open: boolean): void {
    this.#condition.setDrawerOpen(open);
  }

  /** The current ASB frame (what ESC ACK SOH would answer), without sending it. */
  frame(): Uint8Array {
    const c = this.#condition.state;
    const stopped = !this.#condition.canPrint;
    const flag = (on: boolean, bit: number): number => (on ? 1 << bit : 0);
    const switchHigh = c.drawerOpen === (this.#drawerOpenLevel === 'high');
    return Uint8Array.of(
      packStarNumber(9) | 0x01,
      packStarNumber(6),
      flag(this.#etbExecuted, 1) | flag(switchHigh, 2) | flag(stopped, 3) | flag(c.coverOpen, 5),
      flag(c.error === 'autocutter', 3) | flag(c.error === 'unrecoverable', 5),
      0x00,
      flag(c.paper === 'near_end', 2) | flag(c.paper === 'out', 3),
      0x00,
      packEtbCounter(this.#etbCounter),
      0x00,
    );
  }

  #receive(bytes: Uint8Array): void {
    for (const byte of bytes) this.received.push(byte);
    for (const token of this.#tokenizer.push(bytes)) {
      if (token.name === 'ESC ACK' && token.params[0] === 0x01) {
        this.statusRequests += 1;
        this.#sendFrame();
        continue;
      }
      if (!this.loseJobs) this.#condition.hold(token);
    }
    this.#condition.run();
  }

  #execute(token: StarToken): void {
    const [n = 0, m = 0] = token.params;
    let fed = false;
    switch (token.name) {
      case 'TEXT': {
        const table = this.#tables.get(this.#codepage);
        for (const byte of token.data ?? []) this.#line += table?.[byte] ?? String.fromCharCode(byte);
        break;
      }
      case 'LF':
        this.transcript.push(this.#line);
        this.#line = '';
        fed = true;
        break;
      case 'ESC GS t':
        this.#codepage = n;
        break;
      case 'ESC @':
        this.#codepage = 0;
        break;
      case 'CAN':
      case 'ESC RS E':
        this.#etbCounter = 0;
        this.#etbExecuted = false;
        break;
      case 'ESC RS a':
        this.#asb = n === 1 || n === 0x31;
        if (this.#asb) this.#sendFrame();
        break;
      case 'ETB':
        this.#etbCounter = (this.#etbCounter + 1) % 32;
        this.#etbExecuted = true;
        if (this.#asb) this.#sendFrame();
        break;
      case 'ESC d':
        this.cuts.push(n === 0 || n === 0x30 || n === 2 || n === 0x32 ? 'full' : 'partial');
        break;
      case 'ESC BEL':
        this.#pulse = { onMs: n * 10, offMs: m * 10 };
        break;
      case 'BEL':
      case 'SUB':
        this.pulses.push({ pin: token.name === 'BEL' ? 0 : 1, ...this.#pulse });
        this.#condition.kickDrawer();
        break;
      case 'ESC b':
        this.barcodes.push({ symbology: n, data: new TextDecoder('latin1').decode(token.data) });
        break;
      case 'ESC GS y D':
        this.#qr = new TextDecoder('utf-8').decode(token.data);
        break;
      case 'ESC GS y P':
        this.qrcodes.push(this.#qr);
        break;
      case 'UNKNOWN':
        this.unknown.push(token);
        break;
      default:
        // Styles, alignment, print triggers, QR settings: they do not change what the tests read.
        break;
    }
    this.#events.emit('command', token);
    if (fed) this.#condition.lineFed();
  }

  #sendFrame(): void {
    const frame = this.frame();
    // The printer clears the "ETB executed" bit once it has reported it.
    this.#etbExecuted = false;
    this.#events.emit('reply', frame);
    // A link that closed under the simulator (a test killing socat) is not the simulator's failure.
    this.transport.write(frame).catch(() => undefined);
  }
}
