/**
 * The StarPRNT side of the receipt printer (see printer-protocol.ts for the interface, star-status.ts
 * for the ASB bytes and their sources).
 *
 * - Status: ESC RS a 1 turns on automatic status back; a poll is ESC ACK SOH, answered by one ASB
 *   frame. Any frame is the printer's whole condition, so the first frame after a poll answers it.
 * - End-of-job fence: Star has no GS r. Its ETB command is executed only after everything before it
 *   has printed, then increments the 5-bit ETB counter and sends an ASB carrying it; Star's own
 *   libstario confirms a print block the same way (send ETB, wait for the counter to move). Every job
 *   the encoder makes starts with CAN, which clears the counter, so counting across jobs is useless.
 *   Instead each fence clears the counter itself (ESC RS E 0) and then sends one ETB or two, in turn:
 *   the job is on paper when a frame shows this fence's count. A stale frame from the previous job
 *   shows the other count, and one lost frame does no harm, since every later poll shows the counter.
 *   Printers whose frames have no counter (7 bytes) are confirmed by the "ETB executed" bit instead.
 * - Drawer: ESC BEL n1 n2 sets the pulse (10 ms units, 1–127), then BEL kicks external device 1
 *   (connector pin 2) or SUB device 2 (pin 5). Recovery: none by command; Star printers resume by
 *   themselves once the cause is cleared, so an empty command is sent.
 */
import type { DrawerPin } from '../drawer/cash-drawer.ts';
import type { AskStatus, PrinterProtocol, ProtocolEvent } from './printer-protocol.ts';
import {
  ETB,
  STAR_ENABLE_ASB,
  STAR_RESET_ETB,
  STAR_STATUS_REQUEST,
  StarAsbParser,
  type StarAsb,
} from './star-status.ts';
import type { PrinterStatus } from './status.ts';

export class StarPrntProtocol implements PrinterProtocol {
  readonly language = 'star-prnt';
  readonly #parser = new StarAsbParser();
  /** The ETB count the latest fence leaves behind; undefined when no fence is outstanding. */
  #expected: 1 | 2 | undefined;
  #next: 1 | 2 = 1;

  startCommands(asb: boolean): Uint8Array {
    return asb ? STAR_ENABLE_ASB : new Uint8Array(0);
  }

  push(bytes: Uint8Array): ProtocolEvent[] {
    const events: ProtocolEvent[] = [];
    for (const frame of this.#parser.push(bytes)) {
      events.push({ kind: 'status', status: frame.status });
      events.push({ kind: 'answer', answer: { kind: 'status', status: frame.status } });
      if (this.#confirms(frame)) {
        this.#expected = undefined;
        events.push({ kind: 'fenced' });
      }
    }
    return events;
  }

  async queryStatus(ask: AskStatus): Promise<PrinterStatus> {
    const answer = await ask(STAR_STATUS_REQUEST);
    if (answer.kind !== 'status') throw new TypeError('a Star status request was answered with one byte');
    return answer.status;
  }

  fence(): Uint8Array {
    const count = this.#next;
    this.#next = count === 1 ? 2 : 1;
    this.#expected = count;
    return count === 1 ? Uint8Array.of(...STAR_RESET_ETB, ETB) : Uint8Array.of(...STAR_RESET_ETB, ETB, ETB);
  }

  abandonFences(): void {
    this.#expected = undefined;
  }

  reset(): void {
    this.#parser.reset();
    this.#expected = undefined;
  }

  drawerPulse(pin: DrawerPin, onMs: number, offMs: number): Uint8Array {
    const units = (ms: number): number => Math.min(127, Math.max(1, Math.round(ms / 10)));
    return Uint8Array.of(0x1b, 0x07, units(onMs), units(offMs), pin === 2 ? 0x07 : 0x1a);
  }

  recoverCommand(): Uint8Array {
    return new Uint8Array(0);
  }

  #confirms(frame: StarAsb): boolean {
    if (this.#expected === undefined) return false;
    if (frame.etbCounter !== undefined) return frame.etbCounter === this.#expected;
    return frame.etbExecuted;
  }
}
