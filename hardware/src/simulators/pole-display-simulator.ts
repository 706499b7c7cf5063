/**
 * A 2-row pole display on the other end of a link: it decodes the command stream (Epson ESC/POS
 * display commands and the CD5220 line commands, see command-sets.ts) into what the customer would
 * see. Bytes it does not understand are kept in `unknownBytes`, so a test can insist there were none.
 * Commands split across reads are reassembled.
 */
import { TypedEmitter, type Listener } from '../device/events.ts';
import { decodeDisplayByte, type DisplayCharset } from '../devices/display/charset.ts';
import type { Transport } from '../transports/transport.ts';

const ESC = 0x1b;
const US = 0x1f;
const CR = 0x0d;
const LF = 0x0a;
const BS = 0x08;
const HT = 0x09;
const HOM = 0x0b;
const CLR = 0x0c;
const CAN = 0x18;
const MAX_LINE_COMMAND = 64;

export interface PoleDisplaySimulatorOptions {
  readonly columns?: number;
  readonly rows?: number;
}

/** How many bytes the command at the start of the buffer takes; 0 when it is not complete yet. */
type Step = number;

export class PoleDisplaySimulator {
  readonly columns: number;
  readonly rows: number;
  brightness = 4;
  cursorVisible = true;
  codeTable = 0;
  readonly unknownBytes: number[] = [];
  readonly #events = new TypedEmitter<{ change: readonly string[] }>();
  #cells: string[][];
  #row = 0;
  #column = 0;
  #pending: number[] = [];

  constructor(
    readonly transport: Transport,
    options: PoleDisplaySimulatorOptions = {},
  ) {
    this.columns = options.columns ?? 20;
    this.rows = options.rows ?? 2;
    this.#cells = this.#blank();
    transport.on('data', (bytes) => {
      this.receive(bytes);
    });
  }

  /** The visible rows, each exactly `columns` characters wide. */
  get lines(): readonly string[] {
    return this.#cells.map((row) => row.join(''));
  }

  start(): Promise<void> {
    return this.transport.open();
  }

  stop(): Promise<void> {
    return this.transport.close();
  }

  onChange(listener: Listener<readonly string[]>): () => void {
    return this.#events.on('change', listener);
  }

  /** Decodes bytes as if they came over the link (also usable without a transport). */
  receive(bytes: Uint8Array): void {
    const before = this.lines.join('\n');
    this.#pending.push(...bytes);
    let offset = 0;
    for (;;) {
      const used = this.#step(this.#pending, offset);
      if (used === 0) break;
      offset += used;
    }
    this.#pending = this.#pending.slice(offset);
    if (this.lines.join('\n') !== before) this.#events.emit('change', this.lines);
  }

  #step(buffer: readonly number[], at: number): Step {
    const byte = buffer[at];
    if (byte === undefined) return 0;
    const available = buffer.length - at;
    switch (byte) {
      case ESC:
        return this.#escape(buffer, at, available);
      case US:
        return this.#unitSeparator(buffer, at, available);
      case CLR:
        this.#cells = this.#blank();
        this.#row = 0;
        this.#column = 0;
        return 1;
      case HOM:
        this.#row = 0;
        this.#column = 0;
        return 1;
      case CAN:
        this.#cells[this.#row] = Array.from({ length: this.columns }, () => ' ');
        this.#column = 0;
        return 1;
      case CR:
        this.#column = 0;
        return 1;
      case LF:
        this.#row = (this.#row + 1) % this.rows;
        return 1;
      case BS:
        this.#column = Math.max(0, this.#column - 1);
        return 1;
      case HT:
        this.#advance();
        return 1;
      default:
        if (byte < 0x20 || byte === 0x7f) {
          this.unknownBytes.push(byte);
          return 1;
        }
        this.#put(decodeDisplayByte(byte, this.#charset()));
        return 1;
    }
  }

  #escape(buffer: readonly number[], at: number, available: number): Step {
    const command = buffer[at + 1];
    if (command === undefined) return 0;
    switch (command) {
      case 0x40: // ESC @
        this.#cells = this.#blank();
        this.#row = 0;
        this.#column = 0;
        this.brightness = 4;
        this.cursorVisible = true;
        this.codeTable = 0;
        return 2;
      case 0x74: // ESC t n
      case 0x3d: // ESC = n (select device)
        if (available < 3) return 0;
        if (command === 0x74) this.codeTable = buffer[at + 2] ?? 0;
        return 3;
      case 0x51: {
        // ESC Q A|B text CR (CD5220)
        if (available < 3) return 0;
        const row = (buffer[at + 2] ?? 0) - 0x41;
        const end = buffer.indexOf(CR, at + 3);
        if (end === -1) {
          if (available > MAX_LINE_COMMAND) {
            this.unknownBytes.push(ESC);
            return 1;
          }
          return 0;
        }
        if (row === 0 || row === 1) {
          const text = buffer.slice(at + 3, end).map((b) => decodeDisplayByte(b, this.#charset()));
          this.#cells[row] = Array.from({ length: this.columns }, (_, i) => text[i] ?? ' ');
        } else {
          this.unknownBytes.push(...buffer.slice(at, end + 1));
        }
        return end + 1 - at;
      }
      default:
        this.unknownBytes.push(ESC, command);
        return 2;
    }
  }

  #unitSeparator(buffer: readonly number[], at: number, available: number): Step {
    const command = buffer[at + 1];
    if (command === undefined) return 0;
    switch (command) {
      case 0x01: // US MD1 overwrite
      case 0x02: // US MD2 vertical scroll
      case 0x03: // US MD3 horizontal scroll
        return 2;
      case 0x43: // US C n
        if (available < 3) return 0;
        this.cursorVisible = buffer[at + 2] === 1;
        return 3;
      case 0x58: // US X n
        if (available < 3) return 0;
        this.brightness = buffer[at + 2] ?? 4;
        return 3;
      case 0x24: {
        // US $ x y (1-based)
        if (available < 4) return 0;
        const x = buffer[at + 2] ?? 1;
        const y = buffer[at + 3] ?? 1;
        this.#column = Math.min(this.columns - 1, Math.max(0, x - 1));
        this.#row = Math.min(this.rows - 1, Math.max(0, y - 1));
        return 4;
      }
      default:
        this.unknownBytes.push(US, command);
        return 2;
    }
  }

  #put(char: string): void {
    const row = this.#cells[this.#row];
    if (row !== undefined) row[this.#column] = char;
    this.#advance();
  }

  /** Overwrite mode: past the last column, the next row; past the last row, home. */
  #advance(): void {
    this.#column += 1;
    if (this.#column < this.columns) return;
    this.#column = 0;
    this.#row = (this.#row + 1) % this.rows;
  }

  #charset(): DisplayCharset {
    return this.codeTable === 16 ? 'wpc1252' : 'ascii';
  }

  #blank(): string[][] {
    return Array.from({ length: this.rows }, () => Array.from({ length: this.columns }, () => ' '));
  }
}
