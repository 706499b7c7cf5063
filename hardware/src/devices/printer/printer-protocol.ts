/**
 * What differs between printer command languages, behind one interface the receipt printer device
 * (receipt-printer.ts) drives: how status is asked for and reported, which bytes fence a job (and
 * which reply says it is on paper), how the drawer is kicked and how the printer is restarted after
 * an error. One protocol object serves one device; it keeps the fence bookkeeping of its link.
 *
 * ESC/POS (this file): DLE EOT 1/2/4 (and 3) polls, GS a ASB, GS r 1 as the fence, ESC p, DLE ENQ.
 * StarPRNT: star-protocol.ts.
 */
import { drawerPulse, type DrawerPin } from '../drawer/cash-drawer.ts';
import type { PrinterLanguage } from './profiles.ts';
import {
  JOB_FENCE,
  PrinterReplyParser,
  combineStatus,
  enableAsb,
  parseAsb,
  statusQuery,
  type PrinterStatus,
} from './status.ts';

/** An answer to the status request in flight. */
export type QueryAnswer =
  | { readonly kind: 'byte'; readonly byte: number }
  | { readonly kind: 'status'; readonly status: PrinterStatus };

export type ProtocolEvent =
  /** Answers the status request in flight (ignored when none is). */
  | { readonly kind: 'answer'; readonly answer: QueryAnswer }
  /** The printer reported its condition unasked (automatic status back). */
  | { readonly kind: 'status'; readonly status: PrinterStatus }
  /** Every fence written so far has been answered: all jobs sent are on paper. */
  | { readonly kind: 'fenced' };

/** Sends one status request and resolves with the printer's answer (one request at a time). */
export type AskStatus = (request: Uint8Array) => Promise<QueryAnswer>;

export interface PrinterProtocol {
  readonly language: PrinterLanguage;
  /** Written when the device starts (after a reconnect too): ASB on, counters reset. */
  startCommands(asb: boolean): Uint8Array;
  /** Decodes bytes from the printer. */
  push(bytes: Uint8Array): ProtocolEvent[];
  /** Asks for the full condition through `ask`. */
  queryStatus(ask: AskStatus): Promise<PrinterStatus>;
  /** The bytes to append to a job; from now on the job counts as waiting for its fence. */
  fence(): Uint8Array;
  /** Forgets fences that will never be answered (the printer dropped the job, the link went down). */
  abandonFences(): void;
  /** Forgets partial replies (a new link). */
  reset(): void;
  /** Bytes that kick the drawer on `pin` (2 or 5 of the kick connector). */
  drawerPulse(pin: DrawerPin, onMs: number, offMs: number): Uint8Array;
  /** Restart after a recoverable error; `clearBuffer` also drops what is left of the job. */
  recoverCommand(clearBuffer: boolean): Uint8Array;
}

function expectByte(answer: QueryAnswer): number {
  if (answer.kind !== 'byte') throw new TypeError('an ESC/POS status query was answered with a frame');
  return answer.byte;
}

export class EscPosProtocol implements PrinterProtocol {
  readonly language = 'esc-pos';
  readonly #parser = new PrinterReplyParser();
  /** Fences written whose answers have not arrived; GS r replies carry no id, so they are counted. */
  #outstanding = 0;

  startCommands(asb: boolean): Uint8Array {
    return asb ? enableAsb() : new Uint8Array(0);
  }

  push(bytes: Uint8Array): ProtocolEvent[] {
    const events: ProtocolEvent[] = [];
    for (const reply of this.#parser.push(bytes)) {
      switch (reply.kind) {
        case 'dle_eot':
          events.push({ kind: 'answer', answer: { kind: 'byte', byte: reply.byte } });
          break;
        case 'asb':
          events.push({ kind: 'status', status: parseAsb(reply.bytes) });
          break;
        case 'fence':
          if (this.#outstanding > 0) this.#outstanding -= 1;
          if (this.#outstanding === 0) events.push({ kind: 'fenced' });
          break;
        case 'unknown':
          break;
      }
    }
    return events;
  }

  async queryStatus(ask: AskStatus): Promise<PrinterStatus> {
    const printer = expectByte(await ask(statusQuery(1)));
    const offline = expectByte(await ask(statusQuery(2)));
    const paper = expectByte(await ask(statusQuery(4)));
    const error = (offline & 0x40) !== 0 ? expectByte(await ask(statusQuery(3))) : undefined;
    return combineStatus(printer, offline, paper, error);
  }

  fence(): Uint8Array {
    this.#outstanding += 1;
    return JOB_FENCE;
  }

  abandonFences(): void {
    this.#outstanding = 0;
  }

  reset(): void {
    this.#parser.reset();
    this.#outstanding = 0;
  }

  drawerPulse(pin: DrawerPin, onMs: number, offMs: number): Uint8Array {
    return drawerPulse(pin, onMs, offMs);
  }

  recoverCommand(clearBuffer: boolean): Uint8Array {
    return Uint8Array.of(0x10, 0x05, clearBuffer ? 2 : 1);
  }
}
