/**
 * Frames the byte stream of a serial (RS-232 or USB-CDC) scanner into scan texts: `[prefix] data terminator`.
 *
 * - The terminator (CR, LF or CRLF) ends a scan. CR and LF bytes at either end of a frame are dropped,
 *   so a scanner sending CRLF to a till configured for CR (or the reverse) still reads cleanly.
 * - With a prefix configured, a frame without it lost its start: it is refused as a partial scan.
 * - A frame longer than `maxLength` is refused once and the rest of it, up to the next terminator, is
 *   skipped, so its tail never shows up as a scan of its own.
 * - A partial scan (bytes but no terminator) is dropped by `discardPartial`, which the device calls
 *   when the line has been quiet too long; it is never merged with the next scan.
 */
import { DeviceError } from '../../device/errors.ts';
import { decodeScanBytes, partialScanError } from './scan.ts';

export type ScanTerminator = 'CR' | 'LF' | 'CRLF';

export const SCAN_TERMINATORS: readonly ScanTerminator[] = ['CR', 'LF', 'CRLF'];

export interface SerialFramingConfig {
  readonly terminator: ScanTerminator;
  /** Characters the scanner sends before each code; '' for none. */
  readonly prefix: string;
  readonly maxLength: number;
}

const CR = 0x0d;
const LF = 0x0a;
const TERMINATOR_BYTES: Readonly<Record<ScanTerminator, readonly number[]>> = {
  CR: [CR],
  LF: [LF],
  CRLF: [CR, LF],
};

export class SerialScanFramer {
  readonly #terminator: readonly number[];
  #buffer: number[] = [];
  #skipping = false;

  constructor(private readonly config: SerialFramingConfig) {
    if (!Number.isInteger(config.maxLength) || config.maxLength < 1) {
      throw new RangeError(`maxLength must be a positive integer: ${config.maxLength}`);
    }
    this.#terminator = TERMINATOR_BYTES[config.terminator];
  }

  /** True while bytes of an unfinished frame are held. */
  get hasPartial(): boolean {
    return this.#skipping || this.#buffer.some((byte) => byte !== CR && byte !== LF);
  }

  /** Feeds received bytes; returns the scan texts and refusals they complete, in order. */
  push(bytes: Uint8Array): (string | DeviceError)[] {
    const out: (string | DeviceError)[] = [];
    const limit = this.config.maxLength + this.#terminator.length;
    for (const byte of bytes) {
      this.#buffer.push(byte);
      if (this.#endsWithTerminator()) {
        const frame = this.#buffer.slice(0, this.#buffer.length - this.#terminator.length);
        this.#buffer = [];
        if (this.#skipping) {
          this.#skipping = false;
          continue;
        }
        const result = this.#frame(frame);
        if (result !== null) out.push(result);
      } else if (this.#buffer.length > limit) {
        if (!this.#skipping) {
          out.push(
            new DeviceError(
              'invalid_scan',
              `The scanner sent more than ${this.config.maxLength} characters without an end-of-code mark. Scan the item again; if it repeats, check the scanner’s suffix setting.`,
            ),
          );
        }
        this.#skipping = true;
        // Keep the last byte: it may be the CR of a CRLF terminator.
        this.#buffer = this.#buffer.slice(-1);
      }
    }
    return out;
  }

  /** Drops an unfinished frame; returns the partial-scan error to report, or null when nothing was held. */
  discardPartial(): DeviceError | null {
    const hadPartial = this.hasPartial;
    const wasSkipping = this.#skipping;
    this.#buffer = [];
    this.#skipping = false;
    return hadPartial && !wasSkipping ? partialScanError('no end-of-code mark arrived') : null;
  }

  #endsWithTerminator(): boolean {
    const terminator = this.#terminator;
    const offset = this.#buffer.length - terminator.length;
    if (offset < 0) return false;
    return terminator.every((byte, i) => this.#buffer[offset + i] === byte);
  }

  #frame(frame: readonly number[]): string | DeviceError | null {
    let start = 0;
    let end = frame.length;
    while (start < end && (frame[start] === CR || frame[start] === LF)) start++;
    while (end > start && (frame[end - 1] === CR || frame[end - 1] === LF)) end--;
    if (start === end) return null;
    const text = decodeScanBytes(Uint8Array.from(frame.slice(start, end)));
    if (typeof text !== 'string') return text;
    const { prefix } = this.config;
    if (prefix !== '' && !text.startsWith(prefix)) return partialScanError('its beginning was lost');
    return text.slice(prefix.length);
  }
}
