import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CardClassifier,
  CardTrackError,
  PAYMENT_CARD_MESSAGE,
  classifyCard,
  luhnValid,
  parseSwipe,
  paymentPrefixCollision,
  paymentScheme,
  readSwipe,
  trackLrc,
  type CardPrefixes,
  type PaymentScheme,
  type SwipeOptions,
  type TrackData,
} from './card-track.ts';

const NO_LRC = { lrc: false } as const;
const WITH_LRC = { lrc: true } as const;

const STORE: CardPrefixes = { loyalty: ['9901'], gift: ['7700', '990'], staff: ['0042', 'EMP'] };

describe('trackLrc', () => {
  // By hand: ';'=0xB ^1 ^2 ^3 ^4 ^5 ^'?'=0xF = 0x5 → '5'.  '%'=0x05 ^'A'=0x21 ^'1'=0x11 ^'2'=0x12 ^'?'=0x1F = 0x38 → 'X'.
  it.each([
    [2, '12345', '5'],
    [1, 'A12', 'X'],
    [3, '12345', '5'],
  ] as const)('track %i data %s has LRC %s', (track, data, lrc) => {
    expect(trackLrc(track, data)).toBe(lrc);
  });
});

describe('parseSwipe', () => {
  it.each<[string, string, boolean, readonly Partial<TrackData>[], readonly string[]]>([
    [
      'tracks 1 and 2 of a format B card',
      '%B9901000012345678^SMITH/ANNA ^2912?;9901000012345678=2912?',
      false,
      [
        { track: 1, account: '9901000012345678', name: 'SMITH/ANNA' },
        { track: 2, account: '9901000012345678', data: '9901000012345678=2912' },
      ],
      [],
    ],
    ['track 2 only', ';12345?', false, [{ track: 2, account: '12345' }], []],
    ['track 2 without separator', ';770012=99?', false, [{ track: 2, account: '770012' }], []],
    ['track 3 marked +', ';123?+0199012=1?', false, [{ track: 2 }, { track: 3, account: '0199012' }], []],
    ['a second ; track is track 3', ';123?;456?', false, [{ track: 2 }, { track: 3, account: '456' }], []],
    ['track 1 without format code and name', '%12345?', false, [{ track: 1, account: '12345' }], []],
    ['right LRCs', '%A12?X;12345?5', true, [{ track: 1, account: '12' }, { track: 2 }], []],
    ['wrong LRC on track 2', '%A12?X;12345?6', true, [{ track: 1 }], ['2:lrc']],
    ['LRC missing at the end', ';12345?', true, [], ['2:partial']],
    ['no end sentinel', ';1234567', false, [], ['2:partial']],
    ['track 1 cut short, track 2 runs into it', '%B1234^X;99=1?', false, [], ['1:sentinel']],
    ['end sentinel missing before the next start', '%B12^A^1;99=1', false, [], ['1:sentinel']],
    ['data before any start sentinel', 'B123?', false, [], ['null:sentinel']],
    ['letters on track 2', ';12A45?', false, [], ['2:charset']],
    ['lower case on track 1', '%Babc?', false, [], ['1:charset']],
    ['empty track', ';?', false, [], ['2:length']],
    ['track 2 over 37 characters', `;${'1'.repeat(38)}?`, false, [], ['2:length']],
    ['reader reports a blank track', '%E?;12345?', false, [{ track: 2 }], ['1:reader_error']],
  ])('%s', (_, text, lrc, tracks, faults) => {
    const parsed = parseSwipe(text, { lrc });
    expect(parsed.tracks).toHaveLength(tracks.length);
    tracks.forEach((expected, i) => {
      expect(parsed.tracks[i]).toMatchObject(expected);
    });
    expect(parsed.faults.map((f) => `${String(f.track)}:${f.reason}`)).toEqual(faults);
  });

  it('gives track 1 no name when the name field is blank', () => {
    expect(parseSwipe('%B123^ ^2912?', NO_LRC).tracks[0]).toEqual({
      track: 1,
      data: 'B123^ ^2912',
      account: '123',
    });
  });
});

describe('luhnValid and paymentScheme', () => {
  it.each([
    ['4111111111111111', true],
    ['4111111111111112', false],
    ['79927398713', true],
    ['79927398710', false],
    ['12a4', false],
  ])('luhn %s → %s', (digits, valid) => {
    expect(luhnValid(digits)).toBe(valid);
  });

  // Public test card numbers of the schemes and acquirers.
  it.each([
    ['4111111111111111', 'visa'],
    ['4012888888881881', 'visa'],
    ['4222222222222', 'visa'],
    ['5555555555554444', 'mastercard'],
    ['5105105105105100', 'mastercard'],
    ['2223003122003222', 'mastercard'],
    ['2720999999999996', 'mastercard'],
    ['378282246310005', 'amex'],
    ['343434343434343', 'amex'],
    ['6011111111111117', 'discover'],
    ['6445644564456445', 'discover'],
    ['6500000000000002', 'discover'],
    ['3530111333300000', 'jcb'],
    ['3566002020360505', 'jcb'],
    ['6200000000000005', 'unionpay'],
    ['30569309025904', 'diners'],
    ['36227206271667', 'diners'],
    ['38520000023237', 'diners'],
    ['6759649826438453', 'maestro'],
    ['5018000000000009', 'maestro'],
    ['6304000000000000', 'maestro'],
    ['2200000000000004', 'mir'],
  ])('%s is a %s card', (pan, scheme) => {
    expect(paymentScheme(pan)).toBe(scheme);
  });

  it.each<[string, PaymentScheme | null, string]>([
    ['4111111111111112', null, 'Luhn-invalid'],
    ['9901123456782', null, 'MII 9, a store range'],
    ['810000000000000', null, 'MII 8'],
    ['2721000000000004', null, 'just above the Mastercard 2-series'],
    ['222000000000002', null, 'just below the Mastercard 2-series'],
    ['411111111117', 'visa', '12 digits, the shortest PAN'],
    ['41111111112', null, '11 digits, too short for a PAN'],
    ['4111111111111111110', 'visa', '19 digits, the longest PAN'],
    ['41111111111111111115', null, '20 digits, too long for a PAN'],
  ])('%s → %s (%s)', (pan, scheme) => {
    expect(paymentScheme(pan)).toBe(scheme);
  });
});

describe('paymentPrefixCollision', () => {
  it.each([
    ['4', 'visa'],
    ['2', 'mastercard'],
    ['23', 'mastercard'],
    ['220', 'mir'],
    ['2720', 'mastercard'],
    ['6', 'discover'],
    ['3', 'diners'],
    ['35', 'jcb'],
    ['0', null],
    ['1234', null],
    ['21', null],
    ['2205', null],
    ['2721', null],
    ['28', null],
    ['7', null],
    ['9901', null],
    ['EMP', null],
  ])('prefix %s collides with %s', (prefix, scheme) => {
    expect(paymentPrefixCollision(prefix)).toBe(scheme);
  });
});

describe('CardClassifier', () => {
  const store = new CardClassifier(STORE);
  const tracksOf = (text: string): readonly TrackData[] => parseSwipe(text, NO_LRC).tracks;

  it.each([
    [';9901000012345678=2912?', 'loyalty'],
    [';7700123=?', 'gift'],
    [';9905555=?', 'gift'],
    [';0042007?', 'staff'],
    ['%EMP0042^DOE/JANE^?', 'staff'],
    [';1234567?', 'unknown'],
    [';4111111111111112=2512?', 'unknown'],
    [';4111111111111111=2512101?', 'payment'],
    ['%B4111111111111111^CARDHOLDER/TEST^2512101?', 'payment'],
    ['%B4111 1111 1111 1111^CARDHOLDER/TEST^2512101?', 'payment'],
    // A loyalty number on track 2 does not hide a payment PAN on track 1.
    ['%B5555555555554444^X/Y^2512?;9901000012345678=2912?', 'payment'],
    ['+01378282246310005=2512?', 'payment'],
  ])('%s → %s', (text, kind) => {
    expect(store.classify(tracksOf(text))).toBe(kind);
  });

  it('classifies every payment test PAN as payment whatever the store prefixes', () => {
    for (const pan of ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117']) {
      expect(classifyCard(tracksOf(`;${pan}=2512?`))).toBe('payment');
      expect(store.classify(tracksOf(`;${pan}=2512?`))).toBe('payment');
    }
  });

  it('lets the longest prefix win', () => {
    // '990' is gift, '9901' loyalty.
    expect(store.classify(tracksOf(';99012?'))).toBe('loyalty');
    expect(store.classify(tracksOf(';99022?'))).toBe('gift');
  });

  it.each<[CardPrefixes, string]>([
    [
      { loyalty: ['4'], gift: [], staff: [] },
      'The loyalty card prefix "4" is also used by payment cards (Visa). Choose a prefix no payment card uses, e.g. one starting with 0, 1, 7, 8 or 9.',
    ],
    [
      { loyalty: [], gift: ['2300'], staff: [] },
      'The gift card prefix "2300" is also used by payment cards (Mastercard). Choose a prefix no payment card uses, e.g. one starting with 0, 1, 7, 8 or 9.',
    ],
    [
      { loyalty: [], gift: [], staff: ['62'] },
      'The staff card prefix "62" is also used by payment cards (UnionPay). Choose a prefix no payment card uses, e.g. one starting with 0, 1, 7, 8 or 9.',
    ],
    [
      { loyalty: ['99'], gift: ['99'], staff: [] },
      'The card prefix "99" is set for both loyalty and gift cards. Give each kind its own prefix.',
    ],
    [
      { loyalty: ['99-1'], gift: [], staff: [] },
      'The loyalty card prefix "99-1" must be 1 to 19 digits or capital letters.',
    ],
  ])('refuses the configuration %j', (prefixes, message) => {
    let thrown: unknown;
    try {
      new CardClassifier(prefixes);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CardTrackError);
    expect(thrown).toMatchObject({ code: 'invalid_prefix', message, reason: 'prefix' });
  });

  describe('read', () => {
    it.each([
      [
        '%B9901000012345678^SMITH/ANNA^2912?;9901000012345678=2912?',
        { kind: 'loyalty', number: '9901000012345678', name: 'SMITH/ANNA' },
      ],
      [';7700123=?', { kind: 'gift', number: '7700123' }],
      ['%E?;0042007?+E?', { kind: 'staff', number: '0042007' }],
      // An unknown card may be a misread payment card: its number is not kept.
      ['%B1234567^SOMEONE/ELSE^?;1234567?', { kind: 'unknown' }],
    ])('%s → %j', (text, card) => {
      expect(readSwipe(text, store, NO_LRC)).toEqual(card);
    });

    it.each<[string, string, string, SwipeOptions?]>([
      ['%E?;E?', 'invalid_swipe', 'The card reader could not read the card. Swipe the card again.'],
      ['', 'invalid_swipe', 'The card reader could not read the card. Swipe the card again.'],
      [';9901000012', 'partial_swipe', 'The card was read only in part. Swipe the card again.'],
      [
        ';12345?6',
        'invalid_swipe',
        'The card was misread (check character wrong). Swipe the card again.',
        WITH_LRC,
      ],
      [';4111111111111111=2512?', 'payment_card', PAYMENT_CARD_MESSAGE],
      // The payment refusal wins over a bad track.
      [';4111111111111111=2512?+12A?', 'payment_card', PAYMENT_CARD_MESSAGE],
    ])('%j is refused: %s', (text, code, message, options: SwipeOptions = NO_LRC) => {
      let thrown: unknown;
      try {
        readSwipe(text, store, options);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(CardTrackError);
      expect(thrown).toMatchObject({ code, message });
    });
  });
});

describe('payment card data is never kept', () => {
  const prefixes = fc.constantFrom(
    '4',
    '51',
    '55',
    '2221',
    '2720',
    '34',
    '37',
    '6011',
    '65',
    '3528',
    '62',
    '36',
  );
  /** Random payment-range numbers completed with a Luhn check digit. */
  const paymentPan = fc
    .tuple(
      prefixes,
      fc.integer({ min: 13, max: 19 }),
      fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 19, maxLength: 19 }),
    )
    .map(([prefix, length, digits]) =>
      withCheckDigit(prefix + digits.join('').slice(0, length - 1 - prefix.length)),
    );
  const name = fc.stringMatching(/^[A-Z]{1,10}\/[A-Z]{1,10}$/);
  const swipeOf = fc.constantFrom(
    (pan: string, holder: string) => `%B${pan}^${holder}^2512101?;${pan}=2512101?`,
    (pan: string) => `;${pan}=2512101?`,
    (pan: string, holder: string) => `%B${pan}^${holder}^2512101?`,
    (pan: string, holder: string) => `%B${pan}^${holder}^25121?;${pan}=251210`,
    (pan: string) => `;${pan}=2512101?+01${pan}=1?`,
  );

  it('keeps neither the PAN nor the name in any result or error', () => {
    const store = new CardClassifier(STORE);
    fc.assert(
      fc.property(paymentPan, name, swipeOf, (pan, holder, swipe) => {
        expect(paymentScheme(pan)).not.toBeNull();
        let outcome: unknown;
        try {
          outcome = readSwipe(swipe(pan, holder), store, NO_LRC);
        } catch (error) {
          outcome = error;
        }
        expect(outcome).toBeInstanceOf(CardTrackError);
        const error = outcome as CardTrackError;
        const serialised = [
          error.message,
          String(error.stack),
          JSON.stringify(error),
          JSON.stringify(error.params),
          String(error.cause),
          JSON.stringify(error, Object.getOwnPropertyNames(error)),
        ].join('\n');
        expect(serialised).not.toContain(pan);
        expect(serialised).not.toContain(holder);
      }),
      { numRuns: 500 },
    );
  });
});

function withCheckDigit(body: string): string {
  for (let digit = 0; digit <= 9; digit++) {
    if (luhnValid(body + String(digit))) return body + String(digit);
  }
  throw new RangeError('unreachable');
}
