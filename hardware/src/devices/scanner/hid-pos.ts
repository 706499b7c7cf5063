/**
 * HID POS bar code scanners (USB-IF "HID Point of Sale Usage Tables" 1.02, usage page 0x8C, Bar Code
 * Scanner application collection 0x02). Scanners in HID POS mode send a 64-byte Scanned Data input
 * report; with node-hid the report ID is its first byte:
 *
 *   byte 0      report ID (0x02, Scanned Data Report)
 *   byte 1      number of data bytes in this report (0–56)
 *   bytes 2–4   AIM symbology identifier (']', code, modifier), or zeros when the scanner sends none
 *   bytes 5–60  decoded data
 *   byte 61     vendor symbology id (e.g. Honeywell's code letter)
 *   byte 62     reserved
 *   byte 63     bit 0: more data follows in the next report
 *
 * A code longer than 56 bytes spans several reports; they are concatenated until one arrives with the
 * continuation bit clear. Other report IDs (attribute, status) are not scans and are ignored.
 */
import { concatBytes } from '../../device/bytes.ts';
import { DeviceError } from '../../device/errors.ts';
import { decodeScanBytes } from './scan.ts';

export const HID_POS_SCANNER_USAGE_PAGE = 0x8c;
export const HID_POS_BAR_CODE_SCANNER_USAGE = 0x02;
export const HID_POS_SCANNED_DATA_REPORT_ID = 0x02;
export const HID_POS_REPORT_LENGTH = 64;
export const HID_POS_MAX_DATA_PER_REPORT = 56;

/** Honeywell scanners enter HID POS data mode on this feature report (report 0xFE, value 1). */
export const HONEYWELL_HID_POS_MODE_REPORT: Uint8Array = Uint8Array.of(0xfe, 0x01);

export interface HidPosScannedData {
  /** ']E0' etc., or null when bytes 2–4 do not hold an AIM identifier. */
  readonly aimId: string | null;
  readonly data: Uint8Array;
  readonly vendorSymbology: number;
  readonly more: boolean;
}

const AIM_FLAG = 0x5d; // ']'

/**
 * Parses one input report; returns null for reports that are not Scanned Data reports. Throws
 * DeviceError 'protocol' for a Scanned Data report that cannot be right.
 */
export function parseHidPosReport(report: Uint8Array): HidPosScannedData | null {
  if (report[0] !== HID_POS_SCANNED_DATA_REPORT_ID) return null;
  if (report.length < HID_POS_REPORT_LENGTH) {
    throw new DeviceError(
      'protocol',
      `The scanner sent a ${report.length}-byte HID POS report; ${HID_POS_REPORT_LENGTH} bytes were expected. Scan the item again.`,
      { length: report.length },
    );
  }
  const length = report[1] ?? 0;
  if (length > HID_POS_MAX_DATA_PER_REPORT) {
    throw new DeviceError(
      'protocol',
      `The scanner's HID POS report claims ${length} data bytes; a report holds at most ${HID_POS_MAX_DATA_PER_REPORT}. Scan the item again.`,
      { length },
    );
  }
  const aimBytes = report.subarray(2, 5);
  const aimId = aimBytes[0] === AIM_FLAG ? String.fromCharCode(...aimBytes) : null;
  return {
    aimId,
    data: report.slice(5, 5 + length),
    vendorSymbology: report[61] ?? 0,
    more: ((report[63] ?? 0) & 0x01) === 1,
  };
}

/** Joins continuation reports into one scan. */
export class HidPosAssembler {
  #aimId: string | null = null;
  #chunks: Uint8Array[] = [];

  get hasPartial(): boolean {
    return this.#chunks.length > 0;
  }

  /**
   * Feeds one input report. Returns the finished scan text (AIM identifier first) or a refusal, or
   * null when the report was not a scan or more reports are to come.
   */
  push(report: Uint8Array): string | DeviceError | null {
    let parsed: HidPosScannedData | null;
    try {
      parsed = parseHidPosReport(report);
    } catch (error) {
      this.discard();
      if (error instanceof DeviceError) return error;
      throw error;
    }
    if (parsed === null) return null;
    if (this.#chunks.length === 0) this.#aimId = parsed.aimId;
    this.#chunks.push(parsed.data);
    if (parsed.more) return null;
    const aimId = this.#aimId;
    const bytes = concatBytes(this.#chunks);
    this.discard();
    const data = decodeScanBytes(bytes);
    if (typeof data !== 'string') return data;
    return `${aimId ?? ''}${data}`;
  }

  discard(): void {
    this.#chunks = [];
    this.#aimId = null;
  }
}

/** Builds Scanned Data reports for a code, as a scanner would; for fakes, simulators and tests. */
export function encodeHidPosReports(
  aimId: string | null,
  data: Uint8Array,
  vendorSymbology = 0,
): Uint8Array[] {
  if (aimId !== null && !/^\][\x21-\x7e]{2}$/.test(aimId))
    throw new RangeError(`not an AIM identifier: ${aimId}`);
  const reports: Uint8Array[] = [];
  let offset = 0;
  do {
    const chunk = data.subarray(offset, offset + HID_POS_MAX_DATA_PER_REPORT);
    offset += chunk.length;
    const report = new Uint8Array(HID_POS_REPORT_LENGTH);
    report[0] = HID_POS_SCANNED_DATA_REPORT_ID;
    report[1] = chunk.length;
    if (aimId !== null) report.set([aimId.charCodeAt(0), aimId.charCodeAt(1), aimId.charCodeAt(2)], 2);
    report.set(chunk, 5);
    report[61] = vendorSymbology;
    report[63] = offset < data.length ? 1 : 0;
    reports.push(report);
  } while (offset < data.length);
  return reports;
}
