/**
 * Tells a keyboard-wedge scanner from a person typing, from key events alone, so that a scan never
 * lands in the focused text field and never fires a shortcut. Pure and self-contained (no imports, no
 * DOM, no timers): the renderer feeds it key events and applies its decisions.
 *
 * Scanners "type" a whole code in one burst, a few milliseconds per key (measured gaps of common
 * scanners: 1–19 ms), then usually Enter. People rarely type three keys under 30 ms apart.
 *
 * Without a prefix, every printable key is held back (decision 'consume') while it may be the start of
 * a burst. When the burst ends (Enter, a pause longer than `maxGapMs`, or a non-character key) the
 * detector decides: at least `minLength` characters → a scan; fewer → the held keys come back in
 * `replay`, and the caller delivers them (inserts the text, runs the shortcut) in order before the
 * current key. People's keys are thereby delayed by at most `maxGapMs`.
 *
 * With a prefix key configured on the scanner (e.g. '§' or 'F13'), nothing is held: keys pass at once,
 * and only the prefix starts a capture, which the suffix ends.
 *
 * The caller must call `expire(now)` once `nextDeadline` has passed (a timer), so held keys are not
 * kept waiting for the next key. The focus target does not change the detection (a scan must be
 * caught in a text field and outside one alike); `targetEditable` travels with the replayed events
 * so the caller knows whether to insert text or dispatch shortcuts.
 */

export interface WedgeKeyEvent {
  /** KeyboardEvent.key: one character for printable keys, a name ('Enter', 'Shift', 'F1') otherwise. */
  readonly key: string;
  /** KeyboardEvent.timeStamp, in milliseconds. */
  readonly timeStamp: number;
  readonly targetEditable?: boolean;
  readonly ctrlKey?: boolean;
  readonly altKey?: boolean;
  readonly metaKey?: boolean;
  /** KeyboardEvent.isComposing: IME input is never a scan. */
  readonly isComposing?: boolean;
}

export interface KeyboardWedgeConfig {
  /** Longest pause between two keys of one scan. */
  readonly maxGapMs: number;
  /** Shortest burst taken as a scan (no-prefix mode). */
  readonly minLength: number;
  /** Key the scanner sends before each code; null for none. */
  readonly prefix: string | null;
  /** Key the scanner sends after each code ('Enter', 'Tab'); null when it sends none. */
  readonly suffix: string | null;
  readonly maxLength: number;
}

export const DEFAULT_KEYBOARD_WEDGE_CONFIG: KeyboardWedgeConfig = {
  maxGapMs: 30,
  minLength: 5,
  prefix: null,
  suffix: 'Enter',
  maxLength: 1024,
};

export interface WedgeRejection {
  readonly code: 'partial_scan' | 'invalid_scan';
  /** A sentence for the cashier. */
  readonly message: string;
  /** What had been captured. */
  readonly text: string;
}

export interface WedgeFlush<K extends WedgeKeyEvent> {
  /** Held keys that turned out to be typing: deliver them in order (before the current key). */
  readonly replay: readonly K[];
  readonly scans: readonly string[];
  readonly rejections: readonly WedgeRejection[];
}

export interface WedgeOutcome<K extends WedgeKeyEvent> extends WedgeFlush<K> {
  /** For the current key: 'consume' = preventDefault + stopPropagation; 'pass' = let it through. */
  readonly decision: 'consume' | 'pass';
}

type EndReason = 'suffix' | 'gap' | 'interrupted';

const MODIFIER_KEYS = new Set(['Shift', 'Control', 'Alt', 'AltGraph', 'Meta', 'CapsLock', 'NumLock']);

class Collector<K extends WedgeKeyEvent> {
  replay: K[] = [];
  scans: string[] = [];
  rejections: WedgeRejection[] = [];
}

export class KeyboardWedgeDetector<K extends WedgeKeyEvent = WedgeKeyEvent> {
  readonly config: KeyboardWedgeConfig;
  #held: K[] = [];
  #text = '';
  #last = 0;
  #prefixed = false;
  #overflowed = false;

  constructor(config: Partial<KeyboardWedgeConfig> = {}) {
    this.config = { ...DEFAULT_KEYBOARD_WEDGE_CONFIG, ...config };
    const { maxGapMs, minLength, maxLength, prefix } = this.config;
    if (!(maxGapMs > 0)) throw new RangeError(`maxGapMs must be positive: ${maxGapMs}`);
    if (!Number.isInteger(minLength) || minLength < 1)
      throw new RangeError(`minLength must be ≥ 1: ${minLength}`);
    if (!Number.isInteger(maxLength) || maxLength < minLength)
      throw new RangeError(`maxLength must be ≥ minLength`);
    if (prefix?.length === 0) throw new RangeError('prefix must be a key value or null');
  }

  /** When `expire` must be called, or null when nothing is held. */
  get nextDeadline(): number | null {
    return this.#held.length === 0 ? null : this.#last + this.config.maxGapMs;
  }

  onKey(event: K): WedgeOutcome<K> {
    const out = new Collector<K>();
    if (this.#held.length > 0 && event.timeStamp - this.#last > this.config.maxGapMs) this.#end('gap', out);
    const decision = this.#decide(event, out);
    return { decision, replay: out.replay, scans: out.scans, rejections: out.rejections };
  }

  /** Ends a burst whose pause has outlasted `maxGapMs`; call when `nextDeadline` has passed. */
  expire(now: number): WedgeFlush<K> {
    const out = new Collector<K>();
    if (this.#held.length > 0 && now - this.#last > this.config.maxGapMs) this.#end('gap', out);
    return { replay: out.replay, scans: out.scans, rejections: out.rejections };
  }

  #decide(event: K, out: Collector<K>): 'consume' | 'pass' {
    const { key } = event;
    // Scanners press Shift for capitals: inside a burst it is part of the scan, and it never counts
    // as a pause or an interruption.
    if (MODIFIER_KEYS.has(key)) return this.#held.length > 0 ? 'consume' : 'pass';
    if (
      event.isComposing === true ||
      event.ctrlKey === true ||
      event.altKey === true ||
      event.metaKey === true
    ) {
      if (this.#held.length > 0) this.#end('interrupted', out);
      return 'pass';
    }
    if (this.config.suffix !== null && key === this.config.suffix) {
      if (this.#held.length === 0) return 'pass';
      const replayed = out.replay.length;
      this.#end('suffix', out);
      // Typing followed by Enter: the Enter is the person's too.
      return out.replay.length > replayed ? 'pass' : 'consume';
    }
    if (!isPrintable(key)) {
      if (this.#held.length > 0) this.#end('interrupted', out);
      return 'pass';
    }
    if (this.#held.length === 0) {
      const { prefix } = this.config;
      if (prefix !== null && key !== prefix) return 'pass';
      this.#held = [event];
      this.#prefixed = prefix !== null;
      this.#text = this.#prefixed ? '' : key;
      this.#last = event.timeStamp;
      return 'consume';
    }
    this.#last = event.timeStamp;
    if (this.#overflowed) return 'consume';
    this.#held.push(event);
    this.#text += key;
    if (this.#text.length > this.config.maxLength) {
      out.rejections.push({
        code: 'invalid_scan',
        message: `The scanner typed more than ${this.config.maxLength} characters. Scan the item again.`,
        text: this.#text,
      });
      // The rest of the burst is swallowed too, so its tail is neither typed nor read as a scan.
      this.#overflowed = true;
    }
    return 'consume';
  }

  #end(reason: EndReason, out: Collector<K>): void {
    if (this.#overflowed) {
      this.#reset();
      return;
    }
    const text = this.#text;
    const isScan = this.#prefixed ? text.length > 0 : this.#held.length >= this.config.minLength;
    if (!isScan) {
      out.replay.push(...this.#held);
    } else if (reason === 'suffix' || (reason === 'gap' && this.config.suffix === null)) {
      out.scans.push(text);
    } else if (reason === 'gap') {
      out.rejections.push({
        code: 'partial_scan',
        message: 'The scan was incomplete (its end did not arrive). Scan the item again.',
        text,
      });
    } else {
      out.rejections.push({
        code: 'invalid_scan',
        message: 'The scan held a control key a barcode cannot contain. Scan the item again.',
        text,
      });
    }
    this.#reset();
  }

  #reset(): void {
    this.#held = [];
    this.#text = '';
    this.#prefixed = false;
    this.#overflowed = false;
  }
}

/** One character (one code point): what a key produces in a text field. */
function isPrintable(key: string): boolean {
  const first = key.codePointAt(0);
  if (first === undefined || first < 0x20 || first === 0x7f) return false;
  return key.length === (first > 0xffff ? 2 : 1);
}
