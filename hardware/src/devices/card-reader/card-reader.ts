/**
 * The magnetic-stripe card reader (UPOS MSR), for the store's loyalty, gift and staff cards. Readers
 * come two ways:
 *  - 'hid-keyboard': a USB reader in keyboard mode, opened as a HID device; each input report is a boot
 *    keyboard report (modifiers, reserved, six key usages), decoded with a US layout.
 *  - 'text': a reader that sends the typed characters as bytes (USB-CDC / RS-232 serial, or a TCP
 *    bridge).
 * Either way the characters form a swipe: it starts at a start sentinel (% ; +) and ends at Enter (CR
 * or LF) or after `swipeTimeoutMs` of silence. The swipe is parsed and classified (track-parser.ts);
 * a store card becomes a `card` event, everything else an `error` event (locus 'input_data') whose
 * message tells the cashier what to do. A payment card's data is never emitted.
 */
import { BaseDevice, type DeviceOptions } from '../../device/base-device.ts';
import { DeviceError } from '../../device/errors.ts';
import type { DeviceEvents } from '../../device/types.ts';
import type { Transport } from '../../transports/transport.ts';
import {
  CardClassifier,
  badReadError,
  parseSwipe,
  type CardPrefixes,
  type CardRead,
  type SwipeOptions,
} from './track-parser.ts';

export interface CardReaderEvents extends DeviceEvents {
  readonly card: CardRead;
}

// --- HID keyboard reports ---

const LEFT_SHIFT = 0x02;
const RIGHT_SHIFT = 0x20;
const CTRL_ALT_GUI = 0xdd;
const ENTER = '\r';

/** USB HID Usage Tables, Keyboard/Keypad page (0x07), US layout: [unshifted, shifted]. */
const KEY_CHARACTERS: ReadonlyMap<number, readonly [string, string]> = (() => {
  const map = new Map<number, readonly [string, string]>();
  for (let i = 0; i < 26; i++) {
    const letter = String.fromCharCode(0x61 + i);
    map.set(0x04 + i, [letter, letter.toUpperCase()]);
  }
  const digits = '1234567890';
  const shiftedDigits = '!@#$%^&*()';
  for (let i = 0; i < 10; i++) map.set(0x1e + i, [digits.charAt(i), shiftedDigits.charAt(i)]);
  const punctuation: readonly (readonly [number, string, string])[] = [
    [0x28, ENTER, ENTER],
    [0x2c, ' ', ' '],
    [0x2d, '-', '_'],
    [0x2e, '=', '+'],
    [0x2f, '[', '{'],
    [0x30, ']', '}'],
    [0x31, '\\', '|'],
    [0x33, ';', ':'],
    [0x34, "'", '"'],
    [0x35, '`', '~'],
    [0x36, ',', '<'],
    [0x37, '.', '>'],
    [0x38, '/', '?'],
    [0x54, '/', '/'],
    [0x55, '*', '*'],
    [0x56, '-', '-'],
    [0x57, '+', '+'],
    [0x58, ENTER, ENTER],
  ];
  for (const [usage, plain, shifted] of punctuation) map.set(usage, [plain, shifted]);
  const keypadDigits = '1234567890';
  for (let i = 0; i < 10; i++) map.set(0x59 + i, [keypadDigits.charAt(i), keypadDigits.charAt(i)]);
  map.set(0x63, ['.', '.']);
  return map;
})();

/** The character a key usage types (US layout), or null for keys that type none. */
export function keyUsageCharacter(usage: number, shift: boolean): string | null {
  const characters = KEY_CHARACTERS.get(usage);
  if (characters === undefined) return null;
  return shift ? characters[1] : characters[0];
}

export interface HidKeyboardOptions {
  /** The report ID byte node-hid puts in front, when the reader numbers its reports; null for none. */
  readonly reportId: number | null;
}

/**
 * Turns boot keyboard reports into typed text. A report lists the keys held down, so a key types once,
 * in the report where it first appears; a repeated character arrives as press, release, press.
 */
export class HidKeyboardDecoder {
  #held = new Set<number>();

  constructor(private readonly options: HidKeyboardOptions = { reportId: null }) {}

  push(report: Uint8Array): string {
    let offset = 0;
    if (this.options.reportId !== null) {
      if (report[0] !== this.options.reportId) return '';
      offset = 1;
    }
    const modifiers = report[offset] ?? 0;
    const keys = report.subarray(offset + 2, offset + 8);
    // ErrorRollOver (0x01) fills every slot when too many keys are down: no key information at all.
    if (keys.includes(0x01)) return '';
    const shift = (modifiers & (LEFT_SHIFT | RIGHT_SHIFT)) !== 0;
    const chorded = (modifiers & CTRL_ALT_GUI) !== 0;
    let text = '';
    const held = new Set<number>();
    for (const usage of keys) {
      if (usage === 0) continue;
      held.add(usage);
      if (this.#held.has(usage) || chorded) continue;
      text += keyUsageCharacter(usage, shift) ?? '';
    }
    this.#held = held;
    return text;
  }

  reset(): void {
    this.#held = new Set();
  }
}

// --- Swipes ---

/** Far above the three tracks' 79 + 40 + 107 characters, so only runaway input trips it. */
export const MAX_SWIPE_LENGTH = 512;

export type SwipePiece = { readonly swipe: string } | { readonly error: DeviceError };

/**
 * Cuts typed text into swipes. Characters outside a swipe that are not a start sentinel are noise (a
 * reader's stray Enter, a key bounce) and are dropped.
 */
export class SwipeAssembler {
  #text = '';
  #overflowed = false;

  get hasPartial(): boolean {
    return this.#text.length > 0 || this.#overflowed;
  }

  push(text: string): SwipePiece[] {
    const pieces: SwipePiece[] = [];
    for (const char of text) {
      if (char === '\r' || char === '\n') {
        const piece = this.flush();
        if (piece !== null) pieces.push(piece);
        continue;
      }
      if (!this.hasPartial && char !== '%' && char !== ';' && char !== '+') continue;
      if (this.#overflowed) continue;
      this.#text += char;
      if (this.#text.length > MAX_SWIPE_LENGTH) {
        this.#text = '';
        this.#overflowed = true;
      }
    }
    return pieces;
  }

  /** Ends the swipe in progress (Enter or silence); null when there is none. */
  flush(): SwipePiece | null {
    if (this.#overflowed) {
      this.discard();
      return { error: badReadError('length') };
    }
    if (this.#text.length === 0) return null;
    const swipe = this.#text;
    this.#text = '';
    return { swipe };
  }

  discard(): void {
    this.#text = '';
    this.#overflowed = false;
  }
}

// --- The device ---

export type CardReaderInput = 'hid-keyboard' | 'text';

export interface CardReaderConfig extends SwipeOptions {
  readonly input: CardReaderInput;
  /** Silence that ends a swipe the reader does not end with Enter. */
  readonly swipeTimeoutMs: number;
  readonly prefixes: CardPrefixes;
  /** 'hid-keyboard' only. */
  readonly reportId: number | null;
}

export const DEFAULT_SWIPE_TIMEOUT_MS = 150;

export class MagneticCardReader extends BaseDevice<CardReaderEvents> {
  readonly kind = 'card_reader';
  readonly label = 'card reader';
  readonly #decoder: HidKeyboardDecoder;
  readonly #assembler = new SwipeAssembler();
  #classifier: CardClassifier;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Throws DeviceError 'invalid_config' for prefixes a payment card could start with. */
  constructor(
    id: string,
    transport: Transport,
    private readonly config: CardReaderConfig,
    options: DeviceOptions = {},
  ) {
    super(id, transport, options);
    this.#classifier = new CardClassifier(config.prefixes);
    this.#decoder = new HidKeyboardDecoder({ reportId: config.reportId });
  }

  /** The store's card prefixes, when they come from the store's settings rather than the device's. */
  setCardPrefixes(prefixes: CardPrefixes): void {
    this.#classifier = new CardClassifier(prefixes);
  }

  protected onData(bytes: Uint8Array): void {
    const text =
      this.config.input === 'hid-keyboard'
        ? this.#decoder.push(bytes)
        : Buffer.from(bytes).toString('latin1');
    for (const piece of this.#assembler.push(text)) this.#deliver(piece);
    this.#armTimer();
  }

  protected override onStop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // Half a swipe from before a disconnect must not prefix the next one.
    this.#assembler.discard();
    this.#decoder.reset();
  }

  #deliver(piece: SwipePiece): void {
    if ('error' in piece) {
      this.reportError(piece.error, 'input_data');
      return;
    }
    let card: CardRead;
    try {
      card = this.#classifier.read(parseSwipe(piece.swipe, this.config));
    } catch (error) {
      // The classifier's errors carry no track data; anything else is replaced so that none can leak.
      this.reportError(error instanceof DeviceError ? error : badReadError('charset'), 'input_data');
      return;
    }
    this.events.emit('card', card);
  }

  #armTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#assembler.hasPartial) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const piece = this.#assembler.flush();
      if (piece !== null) this.#deliver(piece);
    }, this.config.swipeTimeoutMs);
  }
}
