/**
 * The magnetic-stripe parsing and card classification live in the pure core (app/src/input/
 * card-track.ts), so the renderer can route a keyboard-mode swipe to the same code. This module
 * re-exports them for the hardware layer and turns their CardTrackErrors into DeviceErrors with the
 * codes the worker protocol carries:
 *
 *   payment_card   → invalid_scan   (params.reason 'payment_card')
 *   partial_swipe  → partial_scan   (params.reason: the track fault)
 *   invalid_swipe  → invalid_scan   (params.reason: the track fault)
 *   invalid_prefix → invalid_config (params.kind, params.prefix)
 *
 * The DeviceError is built from the CardTrackError's constant fields and has no `cause`, so nothing
 * of a swipe can reach it either.
 */
import {
  CardClassifier as PureCardClassifier,
  badReadError as pureBadReadError,
  isCardTrackError,
  paymentCardRefusal as purePaymentCardRefusal,
  parseSwipe,
  type CardKind,
  type CardPrefixes,
  type CardRead,
  type CardTrackError,
  type SwipeOptions,
  type SwipeParse,
  type TrackData,
  type TrackFaultReason,
} from '@pos/app';
import { DeviceError } from '../../device/errors.ts';

export {
  NO_CARD_PREFIXES,
  PAYMENT_CARD_MESSAGE,
  SWIPE_AGAIN_MESSAGE,
  holdsPaymentCard,
  luhnValid,
  parseSwipe,
  paymentPrefixCollision,
  paymentScheme,
  trackLrc,
  type CardKind,
  type CardPrefixes,
  type CardRead,
  type PaymentScheme,
  type StoreCardKind,
  type SwipeOptions,
  type SwipeParse,
  type TrackData,
  type TrackFault,
  type TrackFaultReason,
  type TrackNumber,
} from '@pos/app';

export function cardTrackDeviceError(error: CardTrackError): DeviceError {
  switch (error.code) {
    case 'payment_card':
      return new DeviceError('invalid_scan', error.message, { reason: 'payment_card' });
    case 'partial_swipe':
      return new DeviceError('partial_scan', error.message, { reason: error.reason });
    case 'invalid_swipe':
      return new DeviceError('invalid_scan', error.message, { reason: error.reason });
    case 'invalid_prefix':
      return new DeviceError('invalid_config', error.message, { ...error.params });
  }
}

function rethrown(error: unknown): unknown {
  return isCardTrackError(error) ? cardTrackDeviceError(error) : error;
}

/** The pure classifier, throwing DeviceErrors (see the module comment). */
export class CardClassifier {
  readonly #inner: PureCardClassifier;

  /** Throws DeviceError 'invalid_config' for a prefix a payment card could start with. */
  constructor(prefixes?: CardPrefixes) {
    try {
      this.#inner = new PureCardClassifier(prefixes);
    } catch (error) {
      throw rethrown(error);
    }
  }

  get prefixes(): CardPrefixes {
    return this.#inner.prefixes;
  }

  classify(tracks: readonly TrackData[]): CardKind {
    return this.#inner.classify(tracks);
  }

  /** Throws DeviceError 'invalid_scan' (reason 'payment_card'), 'partial_scan' or 'invalid_scan'. */
  read(swipe: SwipeParse): CardRead {
    try {
      return this.#inner.read(swipe);
    } catch (error) {
      throw rethrown(error);
    }
  }
}

export function classifyCard(tracks: readonly TrackData[], classifier = new CardClassifier()): CardKind {
  return classifier.classify(tracks);
}

export function readSwipe(text: string, classifier: CardClassifier, options: SwipeOptions): CardRead {
  return classifier.read(parseSwipe(text, options));
}

export function paymentCardRefusal(): DeviceError {
  return cardTrackDeviceError(purePaymentCardRefusal());
}

export function badReadError(reason: TrackFaultReason): DeviceError {
  return cardTrackDeviceError(pureBadReadError(reason));
}
