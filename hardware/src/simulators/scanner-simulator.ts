/**
 * A serial barcode scanner on the other end of a link: it "scans" by writing `prefix + AIM id + code +
 * terminator`, byte for byte what a scanner in USB-COM or RS-232 mode sends. It can also send what real
 * scanners and bad cables produce: a partial scan (no terminator) and garbage bytes.
 */
import type { ScanTerminator } from '../devices/scanner/serial-framing.ts';
import type { Transport } from '../transports/transport.ts';

export interface ScannerSimulatorOptions {
  readonly terminator?: ScanTerminator;
  readonly prefix?: string;
}

const TERMINATOR_TEXT: Readonly<Record<ScanTerminator, string>> = { CR: '\r', LF: '\n', CRLF: '\r\n' };

export class ScannerSimulator {
  readonly terminator: ScanTerminator;
  readonly prefix: string;

  constructor(
    readonly transport: Transport,
    options: ScannerSimulatorOptions = {},
  ) {
    this.terminator = options.terminator ?? 'CR';
    this.prefix = options.prefix ?? '';
  }

  start(): Promise<void> {
    return this.transport.open();
  }

  stop(): Promise<void> {
    return this.transport.close();
  }

  /** One complete scan; `aimId` such as ']E0' goes in front of the code, as a scanner set to send it. */
  scan(code: string, aimId = ''): Promise<void> {
    return this.sendText(`${this.prefix}${aimId}${code}${TERMINATOR_TEXT[this.terminator]}`);
  }

  /** The start of a scan with no terminator, as when a cable is pulled mid-code. */
  sendPartial(text: string, aimId = ''): Promise<void> {
    return this.sendText(`${this.prefix}${aimId}${text}`);
  }

  /** Raw bytes: line noise, a wrong baud rate, a terminator sent on its own. */
  sendBytes(bytes: Uint8Array | readonly number[]): Promise<void> {
    return this.transport.write(Uint8Array.from(bytes));
  }

  sendText(text: string): Promise<void> {
    return this.transport.write(new TextEncoder().encode(text));
  }
}
