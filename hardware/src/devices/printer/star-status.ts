/**
 * StarPRNT printer status: Star's Automatic Status Back (ASB), decoded into the same `PrinterStatus`
 * the ESC/POS side uses, plus the ETB counter we use as the end-of-job fence.
 *
 * Sources (Star Micronics' own material; see the Star ASB appendix of the StarPRNT / Star Line Mode
 * command specifications, and Star's LGPL libstario `stario-serial.c`, which decodes the same bytes):
 * - An ASB frame is Header 1, Header 2, then printer status bytes. Header 1 has the form 0xx0xxx1;
 *   bits 1–3 and 5 give the whole frame's length in bytes (7 → 0x0F, 8 → 0x21, 9 → 0x23 … 15 → 0x2F).
 *   Every other byte of a frame has bits 0, 4 and 7 clear. Header 2 carries the ASB version in
 *   bits 1–3, 5 and 6 (1 → 0x02 … 31 → 0x6E; version ≥ 4 means a StarPRNT printer, lower Star Line).
 * - Status 1 (byte 3): bit 1 ETB executed, bit 2 drawer compulsion switch, bit 3 offline, bit 5 cover
 *   open, bit 6 offline by switch input (the FEED button).
 * - Status 2 (byte 4): bit 2 mechanical error, bit 3 auto-cutter error, bit 5 unrecoverable error,
 *   bit 6 stopped by high head temperature (recovers by itself).
 * - Status 3 (byte 5): bit 3 black mark / paper size error (with a shared sensor it means paper out),
 *   bit 2 presenter paper jam, bit 1 head up.
 * - Status 4 (byte 6): bit 3 paper end, bit 2 near end (inner sensor), bit 1 near end (outer sensor).
 * - Status 6 (byte 8, frames of 9 bytes or more): the 5-bit ETB counter in bits 1, 2, 3, 5, 6.
 *
 * Commands: ESC ACK SOH asks for one ASB frame (real time); ESC RS a 1 turns automatic sending on;
 * ETB is executed once everything before it has printed, increments the ETB counter and sends an ASB;
 * ESC RS E 0 clears the counter (without sending an ASB). CAN, which the encoder emits in every job's
 * initialize, clears it too.
 */
import type { PrinterErrorCause, PrinterStatus } from './status.ts';

/** ESC ACK SOH: send one ASB frame now. */
export const STAR_STATUS_REQUEST = Uint8Array.of(0x1b, 0x06, 0x01);
/** ESC RS a 1: send an ASB frame on every status change. */
export const STAR_ENABLE_ASB = Uint8Array.of(0x1b, 0x1e, 0x61, 0x01);
/** ESC RS E 0: clear the ETB counter. */
export const STAR_RESET_ETB = Uint8Array.of(0x1b, 0x1e, 0x45, 0x00);
export const ETB = 0x17;

export const STAR_ASB_MIN_LENGTH = 7;
/** Frames from 9 bytes on carry the ETB counter (printer status 6). */
export const STAR_ASB_ETB_LENGTH = 9;

export function isStarHeader1(byte: number): boolean {
  return (byte & 0x91) === 0x01;
}

/**
 * The value Star packs into bits 1–3, 5 and 6 (skipping the fixed bits 0, 4 and 7): the frame length
 * in Header 1 (bit 6 reserved there, so 7–15), the version in Header 2, the ETB counter in status 6.
 */
export function starPackedNumber(byte: number): number {
  return ((byte >> 1) & 0x07) | ((byte >> 2) & 0x18);
}

/** The inverse of starPackedNumber (0–31), for the simulator and tests. */
export function packStarNumber(n: number): number {
  return ((n & 0x07) << 1) | ((n & 0x18) << 2);
}

/** Bytes after Header 1 have bits 0, 4 and 7 clear. */
function isStarBodyByte(byte: number): boolean {
  return (byte & 0x91) === 0;
}

export interface StarAsb {
  readonly status: PrinterStatus;
  /** ASB version (Header 2); 4 and above are StarPRNT printers. */
  readonly version: number;
  /** An ETB was executed since the previous frame (status 1 bit 1). */
  readonly etbExecuted: boolean;
  /** The ETB counter (0–31), on printers whose frames carry it. */
  readonly etbCounter?: number;
  /** Frame length in bytes. */
  readonly length: number;
}

const bit = (byte: number, n: number): boolean => ((byte >> n) & 1) === 1;

/** Decodes one complete frame (as StarAsbParser delivers it). */
export function parseStarAsb(frame: readonly number[]): StarAsb {
  const [, h2 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, , s6] = frame;
  const cause: PrinterErrorCause | undefined = bit(s2, 5)
    ? 'unrecoverable'
    : bit(s2, 3)
      ? 'autocutter'
      : bit(s2, 2) || bit(s3, 2) || bit(s3, 1)
        ? 'mechanical'
        : bit(s2, 6)
          ? 'auto_recoverable'
          : undefined;
  const paperEnd = bit(s4, 3);
  const nearEnd = bit(s4, 2) || bit(s4, 1);
  const status: PrinterStatus = {
    online: !bit(s1, 3),
    coverOpen: bit(s1, 5),
    paper: paperEnd ? 'out' : nearEnd ? 'near_end' : 'ok',
    // The compulsion switch is the drawer sensor input; CashDrawer's openLevel gives its polarity.
    drawerPin3High: bit(s1, 2),
    feedButton: bit(s1, 6),
    error: cause !== undefined,
    ...(cause === undefined ? {} : { errorCause: cause }),
  };
  const counter = frame.length >= STAR_ASB_ETB_LENGTH && s6 !== undefined ? starPackedNumber(s6) : undefined;
  return {
    status,
    version: starPackedNumber(h2),
    etbExecuted: bit(s1, 1),
    length: frame.length,
    ...(counter === undefined ? {} : { etbCounter: counter }),
  };
}

/** Builds the status 6 byte for an ETB counter value (simulator, tests). */
export function packEtbCounter(counter: number): number {
  return packStarNumber(counter);
}

/**
 * Splits the return channel into ASB frames. The length comes from Header 1; a byte that cannot be
 * part of the frame being read (bit 0, 4 or 7 set) abandons it and is read afresh, and bytes outside
 * a frame that are no Header 1 (line noise, XON/XOFF, a reply to a command we did not send) are
 * counted and dropped. Frames may arrive in any number of chunks.
 */
export class StarAsbParser {
  #frame: number[] = [];
  #length = 0;
  /** Bytes dropped as noise since the parser was made (diagnostics, tests). */
  dropped = 0;

  push(bytes: Uint8Array): StarAsb[] {
    const frames: StarAsb[] = [];
    for (const byte of bytes) {
      if (this.#frame.length > 0) {
        if (isStarBodyByte(byte)) {
          this.#frame.push(byte);
          if (this.#frame.length === this.#length) {
            frames.push(parseStarAsb(this.#frame));
            this.#frame = [];
          }
          continue;
        }
        this.dropped += this.#frame.length;
        this.#frame = [];
      }
      // Header 1's bit 6 is reserved: the length is the low four packed bits.
      const length = starPackedNumber(byte) & 0x0f;
      if (isStarHeader1(byte) && length >= STAR_ASB_MIN_LENGTH) {
        this.#frame = [byte];
        this.#length = length;
      } else {
        this.dropped += 1;
      }
    }
    return frames;
  }

  reset(): void {
    this.#frame = [];
  }
}
