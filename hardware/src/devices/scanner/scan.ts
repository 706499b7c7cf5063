/**
 * What every scanner transport delivers. A scan leaves the hardware layer only after the domain core's
 * `interpretScan` has read it (AIM identifier, GTIN check digit, GS1 element string, variable measure);
 * what it refuses (control characters, truncated GTINs, bad check digits, empty codes) becomes an
 * 'invalid_scan' error event carrying the domain's message for the cashier, and never a data event.
 *
 * `text` is the scan exactly as sent, AIM identifier included: telling a GS1 element string from a
 * plain number needs it, so it is never dropped.
 */
import { interpretScan, isDomainError, type ScanConfig, type ScanResult } from '@pos/app';
import { DeviceError } from '../../device/errors.ts';

export type ScanSource = 'serial' | 'hid' | 'keyboard';

export interface ScanData {
  /** The scan as sent, AIM identifier included, without prefix and terminator. */
  readonly text: string;
  readonly source: ScanSource;
  /** What the code means: GTIN, GS1 data, variable measure or internal code, with its lookup key. */
  readonly result: ScanResult;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes scanner bytes as UTF-8 (ASCII for nearly every code); refuses byte soup. */
export function decodeScanBytes(bytes: Uint8Array): string | DeviceError {
  try {
    return utf8.decode(bytes);
  } catch {
    return new DeviceError(
      'invalid_scan',
      'The scanner sent unreadable data. Scan the item again; if it repeats, check the scanner’s connection settings (baud rate).',
      { bytes: bytes.length },
    );
  }
}

/** Interprets the scan; a refusal of the domain core becomes an 'invalid_scan' DeviceError with its message. */
export function toScanData(text: string, source: ScanSource, config: ScanConfig): ScanData | DeviceError {
  try {
    return { text, source, result: interpretScan(text, config) };
  } catch (error) {
    if (!isDomainError(error)) throw error;
    return new DeviceError(
      'invalid_scan',
      error.message,
      { ...error.params, reason: error.code },
      { cause: error },
    );
  }
}

export function partialScanError(why: string): DeviceError {
  return new DeviceError('partial_scan', `The scan was incomplete (${why}). Scan the item again.`);
}
