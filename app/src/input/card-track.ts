/**
 * Magnetic-stripe tracks (ISO/IEC 7811 encoding, ISO/IEC 7813 financial layout) and what the till may
 * do with them. Pure (no I/O): the hardware card reader and the renderer (a keyboard-mode reader
 * captured by the keyboard-wedge detector) both route swipes here. The till reads stripes for the store's own cards only (loyalty, gift, staff): a stripe
 * that looks like a payment card (a Luhn-valid account number in a payment IIN range, ISO/IEC 7812) is
 * refused, and nothing of it leaves this module — not in a result, not in an error's message, params or
 * cause. Payment cards belong in the card terminal; keeping their data would put the till in PCI scope.
 *
 * As a keyboard-mode reader types them:
 *   track 1  %  data  ?  [LRC]   data: 6-bit alphabet (0x20–0x5F); format B: B PAN ^ NAME ^ YYMM SVC DD
 *   track 2  ;  data  ?  [LRC]   data: 4-bit alphabet (0–9 : < = >); PAN = YYMM SVC DD
 *   track 3  ;  data  ?  [LRC]   (the second ';' track, or '+' on readers that mark it so)
 * Readers report an unreadable or blank track as "%E?" / ";E?" / "+E?". The LRC character after the
 * end sentinel is sent only by readers configured to, and it can itself look like a start sentinel,
 * so whether it is present is a setting, never guessed.
 *
 * Errors are CardTrackErrors (the hardware layer wraps them in its own device errors); their message,
 * code, reason and params are built from constants and the store's own prefixes only.
 */

export type TrackNumber = 1 | 2 | 3;

export type CardTrackErrorCode =
  /** A payment card: refused, nothing of it kept. */
  | 'payment_card'
  /** The swipe ended inside a track. */
  | 'partial_swipe'
  /** A track the reader could not read, or garbled. */
  | 'invalid_swipe'
  /** The store's card prefixes are not usable (configuration). */
  | 'invalid_prefix';

/** Why a swipe (or a prefix configuration) was refused; a sentence the cashier or installer can act on. */
export class CardTrackError extends Error {
  override readonly name = 'CardTrackError';

  constructor(
    readonly code: CardTrackErrorCode,
    message: string,
    /** The track fault, 'payment_card', or 'prefix'. */
    readonly reason: TrackFaultReason | 'payment_card' | 'prefix',
    readonly params: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export function isCardTrackError(value: unknown): value is CardTrackError {
  return value instanceof CardTrackError;
}

export interface TrackData {
  readonly track: TrackNumber;
  /** Between the sentinels. */
  readonly data: string;
  /** The primary account field: up to the first field separator, without track 1's format code. */
  readonly account: string;
  /** Track 1's name field, trimmed; absent when the track has none. */
  readonly name?: string;
}

export type TrackFaultReason =
  /** The swipe ended inside a track (no end sentinel or no LRC). */
  | 'partial'
  /** Data outside a track, or a start sentinel inside one. */
  | 'sentinel'
  /** A character the track's alphabet cannot encode. */
  | 'charset'
  | 'length'
  | 'lrc'
  /** The reader itself reported the track unreadable or blank ("%E?"). */
  | 'reader_error';

export interface TrackFault {
  readonly track: TrackNumber | null;
  readonly reason: TrackFaultReason;
}

export interface SwipeParse {
  readonly tracks: readonly TrackData[];
  readonly faults: readonly TrackFault[];
}

export interface SwipeOptions {
  /** The reader sends each track's LRC character after its end sentinel. */
  readonly lrc: boolean;
}

interface TrackFormat {
  readonly separator: string;
  /** Longest data between the sentinels (ISO/IEC 7811: 79, 40 and 107 characters including sentinels and LRC). */
  readonly maxData: number;
  readonly lowest: number;
  readonly highest: number;
  readonly startSentinel: string;
}

const TRACK_FORMATS: Readonly<Record<TrackNumber, TrackFormat>> = {
  1: { separator: '^', maxData: 76, lowest: 0x20, highest: 0x5f, startSentinel: '%' },
  2: { separator: '=', maxData: 37, lowest: 0x30, highest: 0x3f, startSentinel: ';' },
  3: { separator: '=', maxData: 104, lowest: 0x30, highest: 0x3f, startSentinel: ';' },
};

const END_SENTINEL = '?';
const START_SENTINELS = new Set(['%', ';', '+']);

/**
 * The longitudinal redundancy check character of one track: the XOR of the character values (parity
 * bit excluded) from the start sentinel through the end sentinel, sent in the track's own alphabet.
 */
export function trackLrc(track: TrackNumber, data: string): string {
  const { lowest, startSentinel } = TRACK_FORMATS[track];
  const mask = track === 1 ? 0x3f : 0x0f;
  let lrc = 0;
  for (const char of startSentinel + data + END_SENTINEL) lrc ^= (char.charCodeAt(0) - lowest) & mask;
  return String.fromCharCode(lrc + lowest);
}

/** Splits one swipe (everything the reader sent for it, terminator excluded) into tracks and faults. */
export function parseSwipe(text: string, options: SwipeOptions): SwipeParse {
  const tracks: TrackData[] = [];
  const faults: TrackFault[] = [];
  let seenTrack2 = false;
  let at = 0;
  while (at < text.length) {
    const sentinel = text.charAt(at);
    if (sentinel === '\r' || sentinel === '\n') {
      at += 1;
      continue;
    }
    if (!START_SENTINELS.has(sentinel)) {
      faults.push({ track: null, reason: 'sentinel' });
      break;
    }
    const track: TrackNumber = sentinel === '%' ? 1 : sentinel === ';' && !seenTrack2 ? 2 : 3;
    if (track === 2) seenTrack2 = true;
    const end = text.indexOf(END_SENTINEL, at + 1);
    if (end < 0) {
      faults.push({ track, reason: startsAnotherTrack(text, at + 1) ? 'sentinel' : 'partial' });
      break;
    }
    const data = text.slice(at + 1, end);
    at = end + 1;
    let lrcFault = false;
    if (options.lrc) {
      if (at >= text.length) {
        faults.push({ track, reason: 'partial' });
        break;
      }
      lrcFault = text.charAt(at) !== trackLrc(track, data);
      at += 1;
    }
    const fault = checkTrack(track, data);
    if (fault !== null) faults.push({ track, reason: fault });
    else if (lrcFault) faults.push({ track, reason: 'lrc' });
    else tracks.push(toTrackData(track, data));
  }
  return { tracks, faults };
}

function startsAnotherTrack(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) if (START_SENTINELS.has(text.charAt(i))) return true;
  return false;
}

function checkTrack(track: TrackNumber, data: string): TrackFaultReason | null {
  if (data === 'E') return 'reader_error';
  const format = TRACK_FORMATS[track];
  if (data.length === 0 || data.length > format.maxData) return 'length';
  for (let i = 0; i < data.length; i++) {
    const char = data.charAt(i);
    if (START_SENTINELS.has(char)) return 'sentinel';
    const code = data.charCodeAt(i);
    if (code < format.lowest || code > format.highest) return 'charset';
  }
  return null;
}

function toTrackData(track: TrackNumber, data: string): TrackData {
  const fields = data.split(TRACK_FORMATS[track].separator);
  const first = fields[0] ?? '';
  if (track !== 1) return { track, data, account: first };
  // Format code: 'B' for ISO 7813 financial cards, before a numeric PAN. Store cards may use another
  // letter or none, and may put letters in their number ('EMP0042').
  const account = /^[A-Z]\d/.test(first) ? first.slice(1) : first;
  const name = fields.length >= 3 ? (fields[1] ?? '').trim() : '';
  return name === '' ? { track, data, account } : { track, data, account, name };
}

// --- Payment card recognition (ISO/IEC 7812 and the schemes' published IIN ranges) ---

export type PaymentScheme =
  'visa' | 'mastercard' | 'amex' | 'discover' | 'jcb' | 'unionpay' | 'diners' | 'maestro' | 'mir' | 'other';

interface IinRange {
  readonly low: number;
  readonly high: number;
  /** Number of leading digits `low` and `high` describe. */
  readonly digits: number;
  readonly scheme: PaymentScheme;
}

/** Most specific first: the first range that contains a number names its scheme. */
const PAYMENT_IIN_RANGES: readonly IinRange[] = [
  { low: 300, high: 305, digits: 3, scheme: 'diners' },
  { low: 34, high: 34, digits: 2, scheme: 'amex' },
  { low: 37, high: 37, digits: 2, scheme: 'amex' },
  { low: 3528, high: 3589, digits: 4, scheme: 'jcb' },
  { low: 36, high: 36, digits: 2, scheme: 'diners' },
  { low: 38, high: 39, digits: 2, scheme: 'diners' },
  { low: 4, high: 4, digits: 1, scheme: 'visa' },
  { low: 51, high: 55, digits: 2, scheme: 'mastercard' },
  { low: 2221, high: 2720, digits: 4, scheme: 'mastercard' },
  { low: 2200, high: 2204, digits: 4, scheme: 'mir' },
  { low: 6011, high: 6011, digits: 4, scheme: 'discover' },
  { low: 644, high: 649, digits: 3, scheme: 'discover' },
  { low: 65, high: 65, digits: 2, scheme: 'discover' },
  { low: 62, high: 62, digits: 2, scheme: 'unionpay' },
  { low: 50, high: 50, digits: 2, scheme: 'maestro' },
  { low: 56, high: 69, digits: 2, scheme: 'maestro' },
  // ISO/IEC 7812 major industry identifiers 3–6 (travel, banking and financial): whatever scheme.
  { low: 3, high: 6, digits: 1, scheme: 'other' },
];

const MIN_PAN_LENGTH = 12;
const MAX_PAN_LENGTH = 19;

export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let value = digits.charCodeAt(digits.length - 1 - i) - 0x30;
    if (i % 2 === 1) {
      value *= 2;
      if (value > 9) value -= 9;
    }
    sum += value;
  }
  return sum % 10 === 0;
}

function rangeOf(digits: string): IinRange | undefined {
  return PAYMENT_IIN_RANGES.find((range) => {
    if (digits.length < range.digits) return false;
    const lead = Number(digits.slice(0, range.digits));
    return lead >= range.low && lead <= range.high;
  });
}

/** The scheme of a payment card number (Luhn-valid, 12–19 digits, payment IIN range), or null. */
export function paymentScheme(pan: string): PaymentScheme | null {
  if (pan.length < MIN_PAN_LENGTH || pan.length > MAX_PAN_LENGTH || !luhnValid(pan)) return null;
  return rangeOf(pan)?.scheme ?? null;
}

/** The payment scheme some of whose numbers start with `prefix`, or null when none can. */
export function paymentPrefixCollision(prefix: string): PaymentScheme | null {
  if (!/^\d+$/.test(prefix)) return null;
  for (const range of PAYMENT_IIN_RANGES) {
    const shared = Math.min(prefix.length, range.digits);
    const lead = Number(prefix.slice(0, shared));
    const scale = 10 ** (range.digits - shared);
    if (lead >= Math.floor(range.low / scale) && lead <= Math.floor(range.high / scale)) return range.scheme;
  }
  return null;
}

/** Account fields a payment PAN could hide in: track 3 (ISO 4909) puts a 2-digit format code before it. */
function panCandidates(track: TrackData): string[] {
  const account = track.account.replace(/ /g, '');
  return track.track === 3 ? [account, account.slice(2)] : [account];
}

export function holdsPaymentCard(tracks: readonly TrackData[]): boolean {
  return tracks.some((track) => panCandidates(track).some((pan) => paymentScheme(pan) !== null));
}

// --- The store's cards ---

export type StoreCardKind = 'loyalty' | 'gift' | 'staff';
export type CardKind = StoreCardKind | 'payment' | 'unknown';

/** Leading characters of the store's own card numbers, per kind. */
export type CardPrefixes = Readonly<Record<StoreCardKind, readonly string[]>>;

export const NO_CARD_PREFIXES: CardPrefixes = { loyalty: [], gift: [], staff: [] };

export interface CardRead {
  readonly kind: StoreCardKind | 'unknown';
  /** The card number, for the store's own cards only. */
  readonly number?: string;
  /** Track 1's name field, for the store's own cards only. */
  readonly name?: string;
}

const STORE_CARD_KINDS: readonly StoreCardKind[] = ['loyalty', 'gift', 'staff'];
const PREFIX_PATTERN = /^[0-9A-Z]{1,19}$/;

/**
 * Validated store prefixes. A prefix that a payment card number could start with is refused: the
 * store's cards must never be mistaken for payment cards, nor payment cards for the store's.
 */
export class CardClassifier {
  /** Longest first, so the most specific prefix wins. */
  readonly #prefixes: readonly { readonly prefix: string; readonly kind: StoreCardKind }[];

  constructor(readonly prefixes: CardPrefixes = NO_CARD_PREFIXES) {
    const owner = new Map<string, StoreCardKind>();
    for (const kind of STORE_CARD_KINDS) {
      for (const prefix of prefixes[kind]) {
        if (!PREFIX_PATTERN.test(prefix)) {
          throw configError(
            `The ${kind} card prefix "${prefix}" must be 1 to 19 digits or capital letters.`,
            kind,
            prefix,
          );
        }
        const scheme = paymentPrefixCollision(prefix);
        if (scheme !== null) {
          throw configError(
            `The ${kind} card prefix "${prefix}" is also used by payment cards (${schemeName(scheme)}). Choose a prefix no payment card uses, e.g. one starting with 0, 1, 7, 8 or 9.`,
            kind,
            prefix,
          );
        }
        const other = owner.get(prefix);
        if (other !== undefined && other !== kind) {
          throw configError(
            `The card prefix "${prefix}" is set for both ${other} and ${kind} cards. Give each kind its own prefix.`,
            kind,
            prefix,
          );
        }
        owner.set(prefix, kind);
      }
    }
    this.#prefixes = [...owner]
      .map(([prefix, kind]) => ({ prefix, kind }))
      .sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** 'payment' wins over every store prefix; a store card is recognised by its primary account field. */
  classify(tracks: readonly TrackData[]): CardKind {
    if (holdsPaymentCard(tracks)) return 'payment';
    const number = primaryNumber(tracks);
    if (number === undefined) return 'unknown';
    return this.#prefixes.find(({ prefix }) => number.startsWith(prefix))?.kind ?? 'unknown';
  }

  /**
   * What the till may keep of a swipe. Throws CardTrackError: 'payment_card' for a payment card,
   * 'partial_swipe' / 'invalid_swipe' for a bad read. No error carries any track data.
   * An unknown card yields no number either: it may be a payment card the reader misread.
   */
  read(swipe: SwipeParse): CardRead {
    // Before the faults: a payment card read with one bad track is still a payment card.
    if (holdsPaymentCard(swipe.tracks)) throw paymentCardRefusal();
    const fault = swipe.faults.find((f) => f.reason !== 'reader_error');
    if (fault !== undefined) throw badReadError(fault.reason);
    if (swipe.tracks.length === 0) throw badReadError('reader_error');
    const kind = this.classify(swipe.tracks);
    if (kind === 'payment') throw paymentCardRefusal();
    if (kind === 'unknown') return { kind };
    const number = primaryNumber(swipe.tracks) ?? '';
    const name = swipe.tracks.find((track) => track.track === 1)?.name;
    return name === undefined ? { kind, number } : { kind, number, name };
  }
}

/** `classifyCard(tracks)` with the store's prefixes; without them every non-payment card is 'unknown'. */
export function classifyCard(tracks: readonly TrackData[], classifier = new CardClassifier()): CardKind {
  return classifier.classify(tracks);
}

/** Parses and reads one swipe, e.g. one a keyboard-wedge detector captured in the renderer. */
export function readSwipe(text: string, classifier: CardClassifier, options: SwipeOptions): CardRead {
  return classifier.read(parseSwipe(text, options));
}

/** Track 2 is the one every reader and card carries; track 1 and 3 stand in for it. */
function primaryNumber(tracks: readonly TrackData[]): string | undefined {
  for (const wanted of [2, 1, 3] as const) {
    const track = tracks.find((t) => t.track === wanted);
    if (track !== undefined && track.account !== '') return track.account;
  }
  return undefined;
}

export const PAYMENT_CARD_MESSAGE = 'This is a payment card. Use the card terminal.';
export const SWIPE_AGAIN_MESSAGE = 'Swipe the card again.';

/** Built from constants only: nothing of the swipe reaches the message, the params or a cause. */
export function paymentCardRefusal(): CardTrackError {
  return new CardTrackError('payment_card', PAYMENT_CARD_MESSAGE, 'payment_card');
}

const BAD_READ_MESSAGES: Readonly<Record<TrackFaultReason, string>> = {
  partial: `The card was read only in part. ${SWIPE_AGAIN_MESSAGE}`,
  sentinel: `The card reader sent a broken track. ${SWIPE_AGAIN_MESSAGE}`,
  charset: `The card reader sent unreadable data. ${SWIPE_AGAIN_MESSAGE}`,
  length: `The card reader sent a track of the wrong length. ${SWIPE_AGAIN_MESSAGE}`,
  lrc: `The card was misread (check character wrong). ${SWIPE_AGAIN_MESSAGE}`,
  reader_error: `The card reader could not read the card. ${SWIPE_AGAIN_MESSAGE}`,
};

export function badReadError(reason: TrackFaultReason): CardTrackError {
  return new CardTrackError(
    reason === 'partial' ? 'partial_swipe' : 'invalid_swipe',
    BAD_READ_MESSAGES[reason],
    reason,
  );
}

function configError(message: string, kind: StoreCardKind, prefix: string): CardTrackError {
  return new CardTrackError('invalid_prefix', message, 'prefix', { kind, prefix });
}

function schemeName(scheme: PaymentScheme): string {
  switch (scheme) {
    case 'visa':
      return 'Visa';
    case 'mastercard':
      return 'Mastercard';
    case 'amex':
      return 'American Express';
    case 'discover':
      return 'Discover';
    case 'jcb':
      return 'JCB';
    case 'unionpay':
      return 'UnionPay';
    case 'diners':
      return 'Diners Club';
    case 'maestro':
      return 'Maestro';
    case 'mir':
      return 'Mir';
    case 'other':
      return 'bank and travel cards';
  }
}
