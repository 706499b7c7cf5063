/**
 * ESC/POS printer status: the real-time DLE EOT n replies, automatic status back (ASB, GS a) and the
 * GS r 1 answer we use as the end-of-job fence, decoded into one `PrinterStatus`.
 *
 * The three reply kinds share the return channel and carry no request id, but their bit patterns
 * differ, which is how `PrinterReplyParser` tells them apart:
 * - DLE EOT reply: 0xx1xx10 ((b & 0x93) === 0x12)
 * - ASB: 4 bytes, the first 0xx1xx00 ((b & 0x93) === 0x10), the others with bits 4 and 7 clear
 * - GS r 1 reply: bits 4 and 7 clear (0xx0xxxx), outside an ASB
 * A DLE EOT reply does not say which n it answers: the caller keeps one query in flight at a time.
 */

export const DLE_EOT = 0x10;
export type DleEotFunction = 1 | 2 | 3 | 4;

/** DLE EOT n. */
export function statusQuery(n: DleEotFunction): Uint8Array {
  return Uint8Array.of(0x10, 0x04, n);
}

/** GS r 1: "transmit paper sensor status"; answered only after everything before it was printed. */
export const JOB_FENCE = Uint8Array.of(0x1d, 0x72, 0x01);

/** ASB bits we ask for: drawer, online/offline, errors, paper sensors (GS a n). */
export const ASB_ALL = 0x01 | 0x02 | 0x04 | 0x08;

export function enableAsb(mask: number = ASB_ALL): Uint8Array {
  return Uint8Array.of(0x1d, 0x61, mask & 0xff);
}

export type PaperState = 'ok' | 'near_end' | 'out';

export interface PrinterStatus {
  readonly online: boolean;
  readonly coverOpen: boolean;
  readonly paper: PaperState;
  /** Raw level of drawer-kick connector pin 3; whether that means open depends on the drawer. */
  readonly drawerPin3High: boolean;
  readonly feedButton: boolean;
  /** An error stopped the printer (cutter jam, head overheating, unrecoverable). */
  readonly error: boolean;
  readonly errorCause?: PrinterErrorCause;
}

export type PrinterErrorCause = 'mechanical' | 'autocutter' | 'unrecoverable' | 'auto_recoverable';

export const UNKNOWN_STATUS: PrinterStatus = {
  online: false,
  coverOpen: false,
  paper: 'ok',
  drawerPin3High: false,
  feedButton: false,
  error: false,
};

export function isDleEotReply(byte: number): boolean {
  return (byte & 0x93) === 0x12;
}

export function isAsbFirstByte(byte: number): boolean {
  return (byte & 0x93) === 0x10;
}

/** DLE EOT 1: printer status. */
export interface PrinterStatusBits {
  readonly drawerPin3High: boolean;
  readonly offline: boolean;
  readonly waitingForRecovery: boolean;
  readonly feedButton: boolean;
}

/** DLE EOT 2: why the printer is offline. */
export interface OfflineCauseBits {
  readonly coverOpen: boolean;
  readonly feedingByButton: boolean;
  readonly stoppedByPaperEnd: boolean;
  readonly errorOccurred: boolean;
}

/** DLE EOT 3: which error. */
export interface ErrorCauseBits {
  readonly mechanical: boolean;
  readonly autocutter: boolean;
  readonly unrecoverable: boolean;
  readonly autoRecoverable: boolean;
}

/** DLE EOT 4: roll paper sensors. */
export interface PaperSensorBits {
  readonly nearEnd: boolean;
  readonly end: boolean;
}

const bit = (byte: number, n: number): boolean => ((byte >> n) & 1) === 1;

export function parsePrinterStatus(byte: number): PrinterStatusBits {
  return {
    drawerPin3High: bit(byte, 2),
    offline: bit(byte, 3),
    waitingForRecovery: bit(byte, 5),
    feedButton: bit(byte, 6),
  };
}

export function parseOfflineCause(byte: number): OfflineCauseBits {
  return {
    coverOpen: bit(byte, 2),
    feedingByButton: bit(byte, 3),
    stoppedByPaperEnd: bit(byte, 5),
    errorOccurred: bit(byte, 6),
  };
}

export function parseErrorCause(byte: number): ErrorCauseBits {
  return {
    mechanical: bit(byte, 2),
    autocutter: bit(byte, 3),
    unrecoverable: bit(byte, 5),
    autoRecoverable: bit(byte, 6),
  };
}

/** Either sensor bit of a pair counts: models differ in whether they set one or both. */
export function parsePaperSensor(byte: number): PaperSensorBits {
  return { nearEnd: (byte & 0x0c) !== 0, end: (byte & 0x60) !== 0 };
}

function errorCauseOf(bits: ErrorCauseBits): PrinterErrorCause | undefined {
  if (bits.unrecoverable) return 'unrecoverable';
  if (bits.autocutter) return 'autocutter';
  if (bits.mechanical) return 'mechanical';
  if (bits.autoRecoverable) return 'auto_recoverable';
  return undefined;
}

/** Combines the replies to DLE EOT 1, 2 and 4 (and 3 when 2 reported an error). */
export function combineStatus(
  printer: number,
  offlineCause: number,
  paperSensor: number,
  errorCause?: number,
): PrinterStatus {
  const p = parsePrinterStatus(printer);
  const o = parseOfflineCause(offlineCause);
  const s = parsePaperSensor(paperSensor);
  const cause = errorCause === undefined ? undefined : errorCauseOf(parseErrorCause(errorCause));
  return {
    online: !p.offline,
    coverOpen: o.coverOpen,
    paper: s.end || o.stoppedByPaperEnd ? 'out' : s.nearEnd ? 'near_end' : 'ok',
    drawerPin3High: p.drawerPin3High,
    feedButton: p.feedButton,
    error: o.errorOccurred,
    ...(cause === undefined ? {} : { errorCause: cause }),
  };
}

/** The 4 bytes of an automatic status back. */
export function parseAsb(bytes: readonly [number, number, number, number]): PrinterStatus {
  const [b1, b2, b3] = bytes;
  const cause = errorCauseOf({
    mechanical: bit(b2, 2),
    autocutter: bit(b2, 3),
    unrecoverable: bit(b2, 5),
    autoRecoverable: bit(b2, 6),
  });
  return {
    online: !bit(b1, 3),
    coverOpen: bit(b1, 5),
    paper: (b3 & 0x0c) !== 0 ? 'out' : (b3 & 0x03) !== 0 ? 'near_end' : 'ok',
    drawerPin3High: bit(b1, 2),
    feedButton: bit(b1, 6),
    error: cause !== undefined,
    ...(cause === undefined ? {} : { errorCause: cause }),
  };
}

/** Can a job be printed now? Near-end still prints. */
export function isReady(status: PrinterStatus): boolean {
  return status.online && !status.coverOpen && status.paper !== 'out' && !status.error;
}

/** What keeps the printer from printing, for the cashier. */
export function describeStatus(status: PrinterStatus): string {
  if (status.coverOpen) return 'The printer cover is open. Close it.';
  if (status.paper === 'out') return 'The printer is out of paper. Load a new roll.';
  if (status.error) {
    switch (status.errorCause) {
      case 'autocutter':
        return 'The printer cutter is jammed. Open the cover, clear the paper and close it.';
      case 'unrecoverable':
        return 'The printer has a fault. Switch it off and on again; call service if it stays.';
      case 'mechanical':
      case 'auto_recoverable':
      case undefined:
        return 'The printer reports an error. Wait a moment or switch it off and on again.';
    }
  }
  if (!status.online) return 'The printer is offline.';
  if (status.paper === 'near_end') return 'The printer paper is running low. Have a new roll ready.';
  return 'The printer is ready.';
}

export type PrinterReply =
  | { readonly kind: 'dle_eot'; readonly byte: number }
  | { readonly kind: 'asb'; readonly bytes: readonly [number, number, number, number] }
  | { readonly kind: 'fence'; readonly byte: number }
  /** A byte that fits no pattern (line noise, a reply to a command we did not send). */
  | { readonly kind: 'unknown'; readonly byte: number };

/** Splits the printer's return channel into replies (see the module comment for the patterns). */
export class PrinterReplyParser {
  #asb: number[] = [];

  push(bytes: Uint8Array): PrinterReply[] {
    const replies: PrinterReply[] = [];
    for (const byte of bytes) {
      if (this.#asb.length > 0) {
        if ((byte & 0x90) === 0) {
          this.#asb.push(byte);
          if (this.#asb.length === 4) {
            const [b1 = 0, b2 = 0, b3 = 0, b4 = 0] = this.#asb;
            replies.push({ kind: 'asb', bytes: [b1, b2, b3, b4] });
            this.#asb = [];
          }
          continue;
        }
        // An interrupted ASB: drop it and read this byte afresh.
        this.#asb = [];
      }
      if (isDleEotReply(byte)) replies.push({ kind: 'dle_eot', byte });
      else if (isAsbFirstByte(byte)) this.#asb = [byte];
      else if ((byte & 0x90) === 0) replies.push({ kind: 'fence', byte });
      else replies.push({ kind: 'unknown', byte });
    }
    return replies;
  }

  reset(): void {
    this.#asb = [];
  }
}
