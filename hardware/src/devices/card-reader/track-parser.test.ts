/**
 * The hardware side of the swipe parser: the pure parser and classifier are tested in
 * app/src/input/card-track.test.ts; here, that their refusals become the DeviceErrors the worker
 * protocol carries, with nothing of the swipe in them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../device/errors.ts';
import {
  CardClassifier,
  PAYMENT_CARD_MESSAGE,
  badReadError,
  luhnValid,
  paymentCardRefusal,
  readSwipe,
  type CardPrefixes,
  type SwipeOptions,
} from './track-parser.ts';

const NO_LRC = { lrc: false } as const;
const STORE: CardPrefixes = { loyalty: ['9901'], gift: ['7700', '990'], staff: ['0042', 'EMP'] };

describe('track parser DeviceErrors', () => {
  it.each<[CardPrefixes, Record<string, string>]>([
    [
      { loyalty: ['4'], gift: [], staff: [] },
      { kind: 'loyalty', prefix: '4' },
    ],
    [
      { loyalty: ['99'], gift: ['99'], staff: [] },
      { kind: 'gift', prefix: '99' },
    ],
  ])('refuses the prefixes %j as invalid_config', (prefixes, params) => {
    let thrown: unknown;
    try {
      new CardClassifier(prefixes);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DeviceError);
    expect(thrown).toMatchObject({ code: 'invalid_config', params });
  });

  it.each<[string, string, Record<string, string>, SwipeOptions?]>([
    ['%E?;E?', 'invalid_scan', { reason: 'reader_error' }],
    [';9901000012', 'partial_scan', { reason: 'partial' }],
    [';12345?6', 'invalid_scan', { reason: 'lrc' }, { lrc: true }],
    [';4111111111111111=2512?', 'invalid_scan', { reason: 'payment_card' }],
  ])('refuses %j as %s', (text, code, params, options: SwipeOptions = NO_LRC) => {
    let thrown: unknown;
    try {
      readSwipe(text, new CardClassifier(STORE), options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DeviceError);
    expect(thrown).toMatchObject({ code, params });
    expect((thrown as DeviceError).cause).toBeUndefined();
  });

  it('reads the store cards as the pure classifier does', () => {
    expect(readSwipe(';7700123=?', new CardClassifier(STORE), NO_LRC)).toEqual({
      kind: 'gift',
      number: '7700123',
    });
  });

  it('builds the card reader errors', () => {
    expect(paymentCardRefusal()).toMatchObject({ code: 'invalid_scan', message: PAYMENT_CARD_MESSAGE });
    expect(badReadError('length')).toMatchObject({ code: 'invalid_scan', params: { reason: 'length' } });
    expect(badReadError('partial')).toMatchObject({ code: 'partial_scan' });
  });

  it('keeps neither PAN nor name in a DeviceError (property)', () => {
    const store = new CardClassifier(STORE);
    const pan = fc
      .array(fc.integer({ min: 0, max: 9 }), { minLength: 15, maxLength: 15 })
      .map((digits) => withCheckDigit(`4${digits.join('')}`));
    const holder = fc.stringMatching(/^[A-Z]{2,10}\/[A-Z]{2,10}$/);
    fc.assert(
      fc.property(pan, holder, (number, name) => {
        let outcome: unknown;
        try {
          readSwipe(`%B${number}^${name}^2512101?;${number}=2512101?`, store, NO_LRC);
        } catch (error) {
          outcome = error;
        }
        expect(outcome).toBeInstanceOf(DeviceError);
        const serialised =
          JSON.stringify(outcome, Object.getOwnPropertyNames(outcome)) + String((outcome as Error).stack);
        expect(serialised).not.toContain(number);
        expect(serialised).not.toContain(name);
      }),
      { numRuns: 200 },
    );
  });
});

function withCheckDigit(body: string): string {
  for (let digit = 0; digit <= 9; digit++) {
    if (luhnValid(body + String(digit))) return body + String(digit);
  }
  throw new RangeError('unreachable');
}
