/**
 * An ESC/POS tokenizer: splits a byte stream into named commands, text runs and unknown bytes. It is
 * used two ways: tests assert that every byte our renderer produces belongs to a command we know (the
 * "command inventory" check), and the printer simulator uses it to take a job apart as a printer
 * would. It knows the commands we emit and the ones a printer must answer (real-time DLE commands,
 * GS r, GS I), with their exact parameter lengths, so an unknown byte never swallows what follows.
 *
 * Streaming: `EscPosTokenizer.push` keeps an incomplete command until its remaining bytes arrive, as
 * bytes from a serial port or a socket come in arbitrary chunks.
 *
 * Text in Chinese (Kanji) mode (after FS &) is read two bytes per character when the first byte is
 * 0x80 or above, the GB18030 double-byte form our renderer emits there.
 */

export type EscPosTokenKind = 'text' | 'control' | 'command' | 'unknown';

export interface EscPosToken {
  readonly kind: EscPosTokenKind;
  /** Mnemonic: 'ESC @', 'GS k', 'LF', 'TEXT', 'UNKNOWN'. */
  readonly name: string;
  /** Every byte the token covers, prefix included. */
  readonly bytes: Uint8Array;
  /** The single-byte parameters after the prefix (for GS ( k: cn and fn). */
  readonly params: readonly number[];
  /** Variable-length payload: barcode data, QR data, image bits, text bytes. */
  readonly data?: Uint8Array;
}

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const DLE = 0x10;

/** Control bytes that stand alone. */
const CONTROLS: ReadonlyMap<number, string> = new Map([
  [0x0a, 'LF'],
  [0x0d, 'CR'],
  [0x09, 'HT'],
  [0x0c, 'FF'],
  [0x18, 'CAN'],
]);

/** ESC commands with a fixed count of parameter bytes. */
const ESC_FIXED: ReadonlyMap<number, readonly [string, number]> = new Map([
  [0x40, ['ESC @', 0]], // initialize
  [0x32, ['ESC 2', 0]], // default line spacing
  [0x21, ['ESC !', 1]], // print mode
  [0x2d, ['ESC -', 1]], // underline
  [0x45, ['ESC E', 1]], // emphasized
  [0x47, ['ESC G', 1]], // double-strike
  [0x4d, ['ESC M', 1]], // font
  [0x74, ['ESC t', 1]], // character code table
  [0x61, ['ESC a', 1]], // justification
  [0x52, ['ESC R', 1]], // international character set
  [0x33, ['ESC 3', 1]], // line spacing
  [0x64, ['ESC d', 1]], // feed n lines
  [0x4a, ['ESC J', 1]], // feed n dots
  [0x20, ['ESC SP', 1]], // right-side character spacing
  [0x7b, ['ESC {', 1]], // upside-down
  [0x56, ['ESC V', 1]], // 90° rotation
  [0x34, ['ESC 4', 1]], // italic (some models)
  [0x3d, ['ESC =', 1]], // select peripheral device
  [0x24, ['ESC $', 2]], // absolute position
  [0x70, ['ESC p', 3]], // drawer kick pulse
]);

/** GS commands with a fixed count of parameter bytes. */
const GS_FIXED: ReadonlyMap<number, readonly [string, number]> = new Map([
  [0x21, ['GS !', 1]], // character size
  [0x42, ['GS B', 1]], // reverse (white on black)
  [0x48, ['GS H', 1]], // HRI position
  [0x66, ['GS f', 1]], // HRI font
  [0x68, ['GS h', 1]], // barcode height
  [0x77, ['GS w', 1]], // barcode module width
  [0x61, ['GS a', 1]], // automatic status back
  [0x72, ['GS r', 1]], // transmit status (our end-of-job fence)
  [0x49, ['GS I', 1]], // transmit printer id
  [0x4c, ['GS L', 2]], // left margin
  [0x57, ['GS W', 2]], // print area width
  [0x50, ['GS P', 2]], // motion units
]);

/** FS commands with a fixed count of parameter bytes. */
const FS_FIXED: ReadonlyMap<number, readonly [string, number]> = new Map([
  [0x2e, ['FS .', 0]], // cancel Kanji (Chinese) mode
  [0x26, ['FS &', 0]], // select Kanji (Chinese) mode
  [0x21, ['FS !', 1]], // Kanji print mode
  [0x2d, ['FS -', 1]], // Kanji underline
  [0x43, ['FS C', 1]], // Kanji code system
]);

/** Human descriptions, for test failure messages and the simulator's log. */
export const ESC_POS_COMMAND_NAMES: readonly string[] = [
  ...CONTROLS.values(),
  ...[...ESC_FIXED.values()].map(([name]) => name),
  'ESC *',
  ...[...GS_FIXED.values()].map(([name]) => name),
  'GS V',
  'GS k',
  'GS v 0',
  'GS (',
  ...[...FS_FIXED.values()].map(([name]) => name),
  'DLE EOT',
  'DLE ENQ',
  'DLE DC4',
  'TEXT',
];

type Step = { readonly token: EscPosToken; readonly length: number } | 'incomplete';

export interface TokenizerState {
  /** FS & was seen (and no FS . or ESC @ since): text is double-byte. */
  kanji: boolean;
}

/**
 * Reads one token at `start`. Returns 'incomplete' when the buffer ends inside a command. `state`
 * is updated for commands that change how later bytes read (FS &, FS ., ESC @).
 */
export function readToken(buf: Uint8Array, start: number, state: TokenizerState): Step {
  const first = buf[start];
  if (first === undefined) return 'incomplete';
  const control = CONTROLS.get(first);
  if (control !== undefined) return step(buf, start, 1, 'control', control, []);
  switch (first) {
    case ESC:
      return readEsc(buf, start, state);
    case GS:
      return readGs(buf, start);
    case FS:
      return readFs(buf, start, state);
    case DLE:
      return readDle(buf, start);
    default:
      break;
  }
  if (first >= 0x20 && first !== 0x7f) return readText(buf, start, state);
  return step(buf, start, 1, 'unknown', 'UNKNOWN', []);
}

function readText(buf: Uint8Array, start: number, state: TokenizerState): Step {
  let end = start;
  while (end < buf.length) {
    const byte = buf[end] ?? 0;
    if (byte < 0x20 || byte === 0x7f) break;
    if (state.kanji && byte >= 0x80) {
      // A lead byte whose trail has not arrived yet: stop before it and wait for more.
      if (end + 1 >= buf.length) {
        if (end === start) return 'incomplete';
        break;
      }
      end += 2;
      continue;
    }
    end += 1;
  }
  const bytes = buf.slice(start, end);
  return { token: { kind: 'text', name: 'TEXT', bytes, params: [], data: bytes }, length: end - start };
}

function readEsc(buf: Uint8Array, start: number, state: TokenizerState): Step {
  const code = buf[start + 1];
  if (code === undefined) return 'incomplete';
  const fixed = ESC_FIXED.get(code);
  if (fixed !== undefined) {
    const [name, count] = fixed;
    if (code === 0x40) state.kanji = false;
    return fixedStep(buf, start, 2, count, name);
  }
  if (code === 0x2a) {
    // ESC * m nL nH d…: bit image, 1 byte per column (8-dot modes) or 3 (24-dot modes).
    const m = buf[start + 2];
    const nL = buf[start + 3];
    const nH = buf[start + 4];
    if (m === undefined || nL === undefined || nH === undefined) return 'incomplete';
    const size = (nL + nH * 256) * (m === 32 || m === 33 ? 3 : 1);
    return payloadStep(buf, start, 5, size, 'ESC *', [m, nL, nH]);
  }
  return step(buf, start, 1, 'unknown', 'UNKNOWN', []);
}

function readFs(buf: Uint8Array, start: number, state: TokenizerState): Step {
  const code = buf[start + 1];
  if (code === undefined) return 'incomplete';
  const fixed = FS_FIXED.get(code);
  if (fixed === undefined) return step(buf, start, 1, 'unknown', 'UNKNOWN', []);
  const [name, count] = fixed;
  const result = fixedStep(buf, start, 2, count, name);
  if (result !== 'incomplete') {
    if (code === 0x26) state.kanji = true;
    if (code === 0x2e) state.kanji = false;
  }
  return result;
}

function readGs(buf: Uint8Array, start: number): Step {
  const code = buf[start + 1];
  if (code === undefined) return 'incomplete';
  const fixed = GS_FIXED.get(code);
  if (fixed !== undefined) return fixedStep(buf, start, 2, fixed[1], fixed[0]);
  switch (code) {
    case 0x56: {
      // GS V m [n]: function B (65, 66, 97, 98, 103, 104) carries a feed amount.
      const m = buf[start + 2];
      if (m === undefined) return 'incomplete';
      const withFeed = [65, 66, 97, 98, 103, 104].includes(m);
      return fixedStep(buf, start, 2, withFeed ? 2 : 1, 'GS V');
    }
    case 0x6b: {
      const m = buf[start + 2];
      if (m === undefined) return 'incomplete';
      if (m <= 6) {
        // Function A: data runs up to a NUL.
        const nul = buf.indexOf(0, start + 3);
        if (nul < 0) return 'incomplete';
        return payloadStep(buf, start, 3, nul - (start + 3), 'GS k', [m], 1);
      }
      const n = buf[start + 3];
      if (n === undefined) return 'incomplete';
      return payloadStep(buf, start, 4, n, 'GS k', [m, n]);
    }
    case 0x76: {
      // GS v 0 m xL xH yL yH d…: raster bit image, xL+xH·256 bytes per row.
      if (buf.length < start + 8) return 'incomplete';
      const header = [...buf.subarray(start + 2, start + 8)];
      const [zero = 0, m = 0, xL = 0, xH = 0, yL = 0, yH = 0] = header;
      if (zero !== 0x30 && zero !== 0) return step(buf, start, 1, 'unknown', 'UNKNOWN', []);
      return payloadStep(buf, start, 8, (xL + xH * 256) * (yL + yH * 256), 'GS v 0', [m, xL, xH, yL, yH]);
    }
    case 0x28: {
      // GS ( X pL pH …: length-prefixed functions (k = 2-D codes, D = real-time switches, L = graphics).
      const fn = buf[start + 2];
      const pL = buf[start + 3];
      const pH = buf[start + 4];
      if (fn === undefined || pL === undefined || pH === undefined) return 'incomplete';
      const length = pL + pH * 256;
      if (buf.length < start + 5 + length) return 'incomplete';
      const body = buf.slice(start + 5, start + 5 + length);
      const params = fn === 0x6b ? [...body.subarray(0, 2)] : [];
      const token: EscPosToken = {
        kind: 'command',
        name: `GS ( ${String.fromCharCode(fn)}`,
        bytes: buf.slice(start, start + 5 + length),
        params,
        data: fn === 0x6b ? body.slice(2) : body,
      };
      return { token, length: 5 + length };
    }
    default:
      return step(buf, start, 1, 'unknown', 'UNKNOWN', []);
  }
}

function readDle(buf: Uint8Array, start: number): Step {
  const code = buf[start + 1];
  if (code === undefined) return 'incomplete';
  switch (code) {
    case 0x04: {
      // DLE EOT n; n = 7 and 8 (extended status) carry one more byte.
      const n = buf[start + 2];
      if (n === undefined) return 'incomplete';
      return fixedStep(buf, start, 2, n === 7 || n === 8 ? 2 : 1, 'DLE EOT');
    }
    case 0x05:
      return fixedStep(buf, start, 2, 1, 'DLE ENQ');
    case 0x14: {
      // DLE DC4 fn …: fn 1 (pulse) and 2 (power off) take 2 more bytes, 7 takes 1, 8 (clear buffer) 7.
      const fn = buf[start + 2];
      if (fn === undefined) return 'incomplete';
      const extra = fn === 7 ? 1 : fn === 8 ? 7 : 2;
      return fixedStep(buf, start, 2, 1 + extra, 'DLE DC4');
    }
    default:
      return step(buf, start, 1, 'unknown', 'UNKNOWN', []);
  }
}

function step(
  buf: Uint8Array,
  start: number,
  length: number,
  kind: EscPosTokenKind,
  name: string,
  params: readonly number[],
): Step {
  return { token: { kind, name, bytes: buf.slice(start, start + length), params }, length };
}

function fixedStep(buf: Uint8Array, start: number, prefix: number, count: number, name: string): Step {
  if (buf.length < start + prefix + count) return 'incomplete';
  const params = [...buf.subarray(start + prefix, start + prefix + count)];
  return step(buf, start, prefix + count, 'command', name, params);
}

function payloadStep(
  buf: Uint8Array,
  start: number,
  header: number,
  size: number,
  name: string,
  params: readonly number[],
  trailer = 0,
): Step {
  const length = header + size + trailer;
  if (buf.length < start + length) return 'incomplete';
  const token: EscPosToken = {
    kind: 'command',
    name,
    bytes: buf.slice(start, start + length),
    params,
    data: buf.slice(start + header, start + header + size),
  };
  return { token, length };
}

/** Tokenizes a byte stream that arrives in chunks. */
export class EscPosTokenizer {
  readonly #state: TokenizerState = { kanji: false };
  #pending: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): EscPosToken[] {
    const buf = this.#pending.length === 0 ? chunk : concat(this.#pending, chunk);
    const tokens: EscPosToken[] = [];
    let offset = 0;
    while (offset < buf.length) {
      const result = readToken(buf, offset, this.#state);
      if (result === 'incomplete') break;
      tokens.push(result.token);
      offset += result.length;
    }
    this.#pending = buf.slice(offset);
    return tokens;
  }

  /** Bytes held back, waiting for the rest of a command. */
  get pendingLength(): number {
    return this.#pending.length;
  }

  reset(): void {
    this.#pending = new Uint8Array(0);
    this.#state.kanji = false;
  }
}

/** Tokenizes a whole job. A command cut off at the end becomes one 'unknown' token named TRUNCATED. */
export function tokenizeEscPos(bytes: Uint8Array): EscPosToken[] {
  const tokenizer = new EscPosTokenizer();
  const tokens = tokenizer.push(bytes);
  if (tokenizer.pendingLength > 0) {
    const rest = bytes.slice(bytes.length - tokenizer.pendingLength);
    tokens.push({ kind: 'unknown', name: 'TRUNCATED', bytes: rest, params: [] });
  }
  return tokens;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
