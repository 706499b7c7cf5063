/**
 * Types for `@point-of-sale/barcode-parser` 1.0.4, which ships JavaScript only. Written from the
 * package's dist code, not its README: the README documents `GS1.decode()`, but 1.0.4 exports
 * `GS1.parse()` only. Only what the library really does is declared here; note that it validates
 * nothing (no check digits, no value lengths, no dates) — callers must.
 */
declare module '@point-of-sale/barcode-parser' {
  /** Symbology names as the library spells them (from `Aim.decode`, `Detector.detect`). */
  export type Symbology =
    | 'anker'
    | 'aztec-code'
    | 'channel-code'
    | 'chinese-sensible-code'
    | 'codabar'
    | 'codablock-a'
    | 'codablock-f'
    | 'code1'
    | 'code11'
    | 'code128'
    | 'code16k'
    | 'code39'
    | 'code93'
    | 'data-matrix'
    | 'ean13'
    | 'ean8'
    | 'gs1-128'
    | 'gs1-databar-expanded'
    | 'gs1-databar-limited'
    | 'gs1-databar-omni'
    | 'interleaved-2-of-5'
    | 'itf'
    | 'maxicode'
    | 'msi'
    | 'ocr'
    | 'pdf417'
    | 'plessey'
    | 'posi-code'
    | 'qr-code'
    | 'qr-code-micro'
    | 'straight-2-of-5'
    | 'super-code'
    | 'telepen'
    | 'upca'
    | 'upce';

  /**
   * `fnc1`: 1 = FNC1 in first position (GS1 data), 2 = FNC1 in second position (AIM/industry
   * data), `true` = Aztec's "after an initial letter or digit pair".
   */
  export type Fnc1 = 1 | 2 | true;

  export interface AimResult {
    /** `null` when the code letter, or the modifier/length combination, is not recognised. */
    readonly symbology: Symbology | null;
    /** QR code model, only for `]Q`. */
    readonly model?: 1 | 2;
    readonly fnc1?: Fnc1;
  }

  export interface Gs1Input {
    /** The barcode data without the AIM prefix; FNC1 separators transmitted as GS (0x1D). */
    readonly value: string;
    readonly symbology?: Symbology | null;
    readonly fnc1?: Fnc1;
  }

  export interface Gs1Element {
    /** Absent when the element does not start with an AI the library knows. */
    readonly ai?: string;
    /** The AI's label from the library's table (e.g. "GTIN", "BATCH/LOT"); absent with `ai`. */
    readonly label?: string;
    /** Raw value, not scaled or converted (3103 "001250" stays a string). */
    readonly value: string;
  }

  export interface Gs1Result {
    readonly elements: readonly Gs1Element[];
    /** The value of AI 01 when present, as found (not checked, not padded for element strings). */
    readonly gtin?: string;
  }

  export interface DetectResult {
    readonly symbology: Symbology;
    readonly guess: boolean;
  }

  export const Aim: {
    /** `aim` is the 3-character identifier (`]E0`); `value` the data after it (used for `]E` lengths). */
    decode(aim: string, value: string): AimResult;
  };

  export const GS1: {
    /**
     * Splits element strings when `fnc1` is set, the value contains GS, or the symbology is a GS1
     * DataBar; reads GS1 Digital Link URLs; otherwise wraps EAN/UPC/ITF-14 data as AI 01.
     * Returns `undefined` when nothing was found.
     */
    parse(input: Gs1Input): Gs1Result | undefined;
    readonly DigitalLink: {
      /** Truthy (a match array) when `data` looks like a GS1 Digital Link URI. */
      is(data: unknown): RegExpMatchArray | null | false;
      /** Elements of a Digital Link; drops (and console.logs) invalid ones. Throws on a bad URL. */
      parse(link: string): Gs1Element[];
    };
  };

  export const Detector: {
    /** GS1 mod-10 check digit of the digits given (the payload, without a check digit). */
    checkdigit(barcode: string): number;
    detect(barcode: string): DetectResult | undefined;
  };

  export const Symbologies: {
    readonly UPCA: {
      /** UPC-E form of a 12-digit UPC-A, or the input unchanged when it does not compress. */
      compress(value: string): string;
    };
    readonly UPCE: {
      /** 12-digit UPC-A from an 8-digit UPC-E; does not check its input. */
      expand(value: string): string;
    };
  };
}
