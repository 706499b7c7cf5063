/**
 * A staff card swiped on a keyboard-mode card reader, or a staff badge scanned: what the sign-in
 * screens may take from it (the card's key, to find the staff record) and what they must refuse (a
 * payment card). The text is read here and dropped: it is never logged, stored, or put in state or
 * in a message.
 *
 * Swipes go through @pos/app's card-track.ts: it refuses payment cards (before anything else, even
 * on a bad read) and bad reads. The store's card prefixes are a hardware setting the renderer does not
 * have, so card-track reads every non-payment card as 'unknown' and withholds its number; the number
 * here is the swipe's primary account field, used only to look the staff record up by `cardKey`.
 */
import {
  CardClassifier,
  cardKey,
  isCardTrackError,
  luhnValid,
  paymentScheme,
  parseSwipe,
  type SwipeOptions,
  type TrackData,
} from '@pos/app';

export type StaffCardRead =
  | { readonly kind: 'card'; readonly cardKey: string }
  /** A payment card: refused, nothing kept. The cashier is told to use the terminal. */
  | { readonly kind: 'payment_card' }
  | { readonly kind: 'unreadable' };

/** Keyboard-mode readers as shipped send no LRC character after each track. */
export const DEFAULT_SWIPE_OPTIONS: SwipeOptions = { lrc: false };

const CLASSIFIER = new CardClassifier();

/** True for text that starts like a magnetic-stripe swipe (track 1 `%` or track 2/3 `;`). */
export function looksLikeSwipe(text: string): boolean {
  return text.startsWith('%') || text.startsWith(';');
}

export function readStaffCard(swipe: string, options: SwipeOptions = DEFAULT_SWIPE_OPTIONS): StaffCardRead {
  const parsed = parseSwipe(swipe, options);
  try {
    CLASSIFIER.read(parsed);
  } catch (error) {
    if (isCardTrackError(error) && error.code === 'payment_card') return { kind: 'payment_card' };
    return { kind: 'unreadable' };
  }
  const key = cardKey(primaryAccount(parsed.tracks));
  return key === '' ? { kind: 'unreadable' } : { kind: 'card', cardKey: key };
}

/**
 * A scan from the shell's scan source: a magnetic swipe, or a staff badge's barcode (the badge's
 * number is the staff record's `cardKey`, as for a magnetic card).
 */
export function readStaffBadge(scan: string): StaffCardRead {
  if (looksLikeSwipe(scan)) return readStaffCard(scan);
  const text = scan.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9 -]{2,63}$/u.test(text)) return { kind: 'unreadable' };
  const digits = text.replace(/[ -]/gu, '');
  if (luhnValid(digits) && paymentScheme(digits) !== null) return { kind: 'payment_card' };
  return { kind: 'card', cardKey: cardKey(text) };
}

/** Track 2 is the one every reader and card carries; tracks 1 and 3 stand in for it (as card-track reads). */
function primaryAccount(tracks: readonly TrackData[]): string {
  for (const wanted of [2, 1, 3] as const) {
    const track = tracks.find((t) => t.track === wanted);
    if (track !== undefined && track.account !== '') return track.account;
  }
  return '';
}
