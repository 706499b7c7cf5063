/**
 * Byte encoders for 2-line pole displays (VFD/LCD, usually 2 × 20).
 *
 * 'epson' — Epson's ESC/POS customer display commands (DM-D series and the many displays emulating
 * them):
 *   ESC @        1B 40        initialise (clears, cursor home, settings reset)
 *   US MD1       1F 01        overwrite mode (no scrolling)
 *   US C n       1F 43 n      cursor off (0) / on (1)
 *   CLR          0C           clear the screen, cursor home
 *   US $ x y     1F 24 x y    cursor to column x, row y (1-based)
 *   US X n       1F 58 n      brightness, 1 (dim) … 4 (full)
 *   ESC t n      1B 74 n      character code table: 0 = PC437, 16 = WPC1252
 *
 * 'cd5220' — the CD5220 command set common on generic displays:
 *   ESC @        1B 40        initialise
 *   CLR          0C           clear
 *   ESC Q A …CR  1B 51 41 … 0D   write the upper line
 *   ESC Q B …CR  1B 51 42 … 0D   write the lower line
 * It has no brightness or code table command we rely on, so it runs in ASCII only.
 */
import { concatBytes } from '../../device/bytes.ts';
import { DeviceError } from '../../device/errors.ts';
import type { DisplayCharset } from './charset.ts';

export type DisplayCommandSetName = 'epson' | 'cd5220';

export type Brightness = 1 | 2 | 3 | 4;

export interface DisplayCommandSet {
  readonly name: DisplayCommandSetName;
  readonly charsets: readonly DisplayCharset[];
  /** Puts the display in a known state: cleared, no scrolling, no cursor, the given code table. */
  initialize(charset: DisplayCharset): Uint8Array;
  clear(): Uint8Array;
  /** Writes each row from its first column; rows are already fitted to the width. */
  writeRows(rows: readonly Uint8Array[]): Uint8Array;
  /** Null when the command set has no brightness command. */
  brightness(level: Brightness): Uint8Array | null;
}

const ESC = 0x1b;
const US = 0x1f;
const CLR = 0x0c;
const CR = 0x0d;

const EPSON_CODE_TABLE: Readonly<Record<DisplayCharset, number>> = { ascii: 0, wpc1252: 16 };

export const epsonCommandSet: DisplayCommandSet = {
  name: 'epson',
  charsets: ['ascii', 'wpc1252'],
  initialize: (charset) =>
    Uint8Array.of(ESC, 0x40, US, 0x01, US, 0x43, 0x00, ESC, 0x74, EPSON_CODE_TABLE[charset], CLR),
  clear: () => Uint8Array.of(CLR),
  writeRows: (rows) => concatBytes(rows.flatMap((row, i) => [Uint8Array.of(US, 0x24, 1, i + 1), row])),
  brightness: (level) => Uint8Array.of(US, 0x58, level),
};

const CD5220_ROWS = [0x41, 0x42]; // 'A', 'B'

export const cd5220CommandSet: DisplayCommandSet = {
  name: 'cd5220',
  charsets: ['ascii'],
  initialize: () => Uint8Array.of(ESC, 0x40, CLR),
  clear: () => Uint8Array.of(CLR),
  writeRows: (rows) =>
    concatBytes(
      rows.map((row, i) => {
        const rowCode = CD5220_ROWS[i];
        if (rowCode === undefined) throw new RangeError(`the CD5220 set has two rows, not ${rows.length}`);
        return concatBytes([Uint8Array.of(ESC, 0x51, rowCode), row, Uint8Array.of(CR)]);
      }),
    ),
  brightness: () => null,
};

export function unsupportedCharset(set: DisplayCommandSet, charset: DisplayCharset): DeviceError {
  return new DeviceError(
    'invalid_config',
    `The ${set.name} display command set cannot show the ${charset} character set; use ${set.charsets.join(' or ')}.`,
  );
}
