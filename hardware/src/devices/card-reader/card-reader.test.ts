import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeviceError } from '../../device/errors.ts';
import type { DeviceErrorEvent } from '../../device/types.ts';
import { createDefaultRegistry } from '../../index.ts';
import { FakeTransport } from '../../transports/fake-transport.ts';
import {
  HidKeyboardDecoder,
  MagneticCardReader,
  SwipeAssembler,
  keyUsageCharacter,
  type CardReaderConfig,
} from './card-reader.ts';
import { luhnValid, type CardRead } from './track-parser.ts';

/** The test's own US-layout table (USB HID Usage Tables, Keyboard page), independent of the module's. */
function usageOf(char: string): [usage: number, shift: boolean] {
  if (char >= '1' && char <= '9') return [0x1e + Number(char) - 1, false];
  if (char === '0') return [0x27, false];
  if (char >= 'A' && char <= 'Z') return [0x04 + char.charCodeAt(0) - 0x41, true];
  const table: Record<string, [number, boolean]> = {
    '%': [0x22, true],
    '^': [0x23, true],
    '?': [0x38, true],
    '/': [0x38, false],
    ';': [0x33, false],
    '=': [0x2e, false],
    '+': [0x2e, true],
    ' ': [0x2c, false],
    '\r': [0x28, false],
  };
  const found = table[char];
  if (found === undefined) throw new RangeError(`no key for ${char}`);
  return found;
}

/** Press and release reports, as a keyboard-mode reader sends them. */
function keyReports(text: string, reportId: number | null = null): Uint8Array[] {
  const head = reportId === null ? [] : [reportId];
  return Array.from(text).flatMap((char) => {
    const [usage, shift] = usageOf(char);
    return [
      Uint8Array.from([...head, shift ? 0x02 : 0, 0, usage, 0, 0, 0, 0, 0]),
      Uint8Array.from([...head, 0, 0, 0, 0, 0, 0, 0, 0]),
    ];
  });
}

describe('keyUsageCharacter', () => {
  it.each([
    [0x04, false, 'a'],
    [0x04, true, 'A'],
    [0x1d, true, 'Z'],
    [0x1e, false, '1'],
    [0x27, false, '0'],
    [0x22, true, '%'],
    [0x23, true, '^'],
    [0x38, true, '?'],
    [0x38, false, '/'],
    [0x33, false, ';'],
    [0x2e, false, '='],
    [0x2e, true, '+'],
    [0x28, false, '\r'],
    [0x58, false, '\r'],
    [0x62, false, '0'],
    [0x59, true, '1'],
    [0x3a, false, null], // F1
    [0x00, false, null],
  ])('usage 0x%s shift %s → %j', (usage, shift, char) => {
    expect(keyUsageCharacter(usage, shift)).toBe(char);
  });
});

describe('HidKeyboardDecoder', () => {
  it.each<[string, readonly (readonly number[])[], string]>([
    ['left shift + 5 types %', [[0x02, 0, 0x22, 0, 0, 0, 0, 0]], '%'],
    ['right shift + 6 types ^', [[0x20, 0, 0x23, 0, 0, 0, 0, 0]], '^'],
    [
      'a held key types once',
      [
        [0, 0, 0x1e, 0, 0, 0, 0, 0],
        [0, 0, 0x1e, 0, 0, 0, 0, 0],
      ],
      '1',
    ],
    [
      'press, release, press types twice',
      [
        [0, 0, 0x1e, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0x1e, 0, 0, 0, 0, 0],
      ],
      '11',
    ],
    [
      'rollover: a second key while the first is held',
      [
        [0, 0, 0x1e, 0, 0, 0, 0, 0],
        [0, 0, 0x1e, 0x1f, 0, 0, 0, 0],
      ],
      '12',
    ],
    ['ErrorRollOver types nothing', [[0, 0, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01]], ''],
    ['Ctrl chords type nothing', [[0x01, 0, 0x06, 0, 0, 0, 0, 0]], ''],
    ['Enter', [[0, 0, 0x28, 0, 0, 0, 0, 0]], '\r'],
  ])('%s', (_, reports, text) => {
    const decoder = new HidKeyboardDecoder();
    expect(reports.map((report) => decoder.push(Uint8Array.from(report))).join('')).toBe(text);
  });

  it('reads the report ID first when configured, and ignores other reports', () => {
    const decoder = new HidKeyboardDecoder({ reportId: 1 });
    expect(decoder.push(Uint8Array.of(1, 0x02, 0, 0x22, 0, 0, 0, 0, 0))).toBe('%');
    expect(decoder.push(Uint8Array.of(2, 0, 0, 0x1e, 0, 0, 0, 0, 0))).toBe('');
  });

  it('decodes what the test encoder typed, for any track character string', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9A-Z%^?/;=+ ]{0,60}$/), (text) => {
        const decoder = new HidKeyboardDecoder();
        expect(
          keyReports(text)
            .map((report) => decoder.push(report))
            .join(''),
        ).toBe(text);
      }),
    );
  });
});

describe('SwipeAssembler', () => {
  it('cuts swipes at Enter and drops noise between them', () => {
    const assembler = new SwipeAssembler();
    expect(assembler.push('xx;123?\r\n  %A?')).toEqual([{ swipe: ';123?' }]);
    expect(assembler.hasPartial).toBe(true);
    expect(assembler.push(';9?\r')).toEqual([{ swipe: '%A?;9?' }]);
    expect(assembler.hasPartial).toBe(false);
    expect(assembler.flush()).toBeNull();
  });

  it('refuses a runaway swipe without keeping it', () => {
    const assembler = new SwipeAssembler();
    const pieces = assembler.push(`;${'1'.repeat(600)}\r;5?\r`);
    expect(pieces).toHaveLength(2);
    expect(pieces[0]).toEqual({ error: expect.any(DeviceError) as unknown });
    expect(pieces[1]).toEqual({ swipe: ';5?' });
  });
});

const CONFIG: CardReaderConfig = {
  input: 'text',
  lrc: false,
  swipeTimeoutMs: 150,
  prefixes: { loyalty: ['9901'], gift: ['7700'], staff: ['0042'] },
  reportId: null,
};

function watch(reader: MagneticCardReader) {
  const cards: CardRead[] = [];
  const errors: DeviceErrorEvent[] = [];
  reader.on('card', (card) => cards.push(card));
  reader.on('error', (event) => errors.push(event));
  return { cards, errors };
}

async function enabled(config: Partial<CardReaderConfig> = {}) {
  const transport = new FakeTransport('test card reader');
  const reader = new MagneticCardReader('msr', transport, { ...CONFIG, ...config });
  const seen = watch(reader);
  await reader.open();
  await reader.claim();
  await reader.enable();
  return { transport, reader, ...seen };
}

const LOYALTY_SWIPE = '%B9901000012345678^SMITH/ANNA^2912?;9901000012345678=2912?';

describe('MagneticCardReader', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads a loyalty card typed as HID keyboard reports', async () => {
    const { transport, cards, errors } = await enabled({ input: 'hid-keyboard' });
    for (const report of keyReports(`${LOYALTY_SWIPE}\r`)) transport.inject(report);
    expect(cards).toEqual([{ kind: 'loyalty', number: '9901000012345678', name: 'SMITH/ANNA' }]);
    expect(errors).toEqual([]);
  });

  it('reads HID keyboard reports with a report ID', async () => {
    const { transport, cards } = await enabled({ input: 'hid-keyboard', reportId: 3 });
    for (const report of keyReports(';0042007?\r', 3)) transport.inject(report);
    expect(cards).toEqual([{ kind: 'staff', number: '0042007' }]);
  });

  it('reads a text stream in chunks, and a swipe without Enter after the quiet time', async () => {
    const { transport, cards, errors } = await enabled();
    transport.inject(';7700');
    await vi.advanceTimersByTimeAsync(100);
    transport.inject('123?');
    await vi.advanceTimersByTimeAsync(149);
    expect(cards).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(cards).toEqual([{ kind: 'gift', number: '7700123' }]);
    expect(errors).toEqual([]);
  });

  it('refuses a payment card with the cashier message and keeps nothing of it', async () => {
    const { transport, cards, errors } = await enabled({ input: 'hid-keyboard' });
    const swipe = '%B4111111111111111^CARDHOLDER/TEST^2512101?;4111111111111111=2512101?\r';
    for (const report of keyReports(swipe)) transport.inject(report);
    expect(cards).toEqual([]);
    expect(errors.map((e) => [e.locus, e.error.code, e.error.message, e.error.params])).toEqual([
      [
        'input_data',
        'invalid_scan',
        'This is a payment card. Use the card terminal.',
        { reason: 'payment_card' },
      ],
    ]);
    const everything =
      JSON.stringify(errors) + String(errors[0]?.error.stack) + String(errors[0]?.error.cause);
    expect(everything).not.toContain('4111111111111111');
    expect(everything).not.toContain('CARDHOLDER');
  });

  it('asks for another swipe after a partial read or an LRC error', async () => {
    const { transport, cards, errors } = await enabled({ lrc: true });
    transport.inject(';99010000');
    await vi.advanceTimersByTimeAsync(150);
    transport.inject(';12345?6\r');
    transport.inject(';12345?5\r');
    expect(errors.map((e) => [e.locus, e.error.code, e.error.message])).toEqual([
      ['input_data', 'partial_scan', 'The card was read only in part. Swipe the card again.'],
      ['input_data', 'invalid_scan', 'The card was misread (check character wrong). Swipe the card again.'],
    ]);
    expect(cards).toEqual([{ kind: 'unknown' }]);
  });

  it('forgets half a swipe when disabled, so it never prefixes the next one', async () => {
    const { transport, reader, cards, errors } = await enabled();
    transport.inject(';9901');
    await reader.disable();
    await reader.enable();
    transport.inject('0042007?\r;0042007?\r');
    await vi.advanceTimersByTimeAsync(500);
    expect(cards).toEqual([{ kind: 'staff', number: '0042007' }]);
    expect(errors).toEqual([]);
  });

  it('takes new prefixes from the store, refusing payment ranges', async () => {
    const { transport, reader, cards } = await enabled();
    expect(() => {
      reader.setCardPrefixes({ loyalty: ['51'], gift: [], staff: [] });
    }).toThrow('The loyalty card prefix "51" is also used by payment cards (Mastercard).');
    reader.setCardPrefixes({ loyalty: [], gift: ['88'], staff: [] });
    transport.inject(';8812?\r;9901?\r');
    expect(cards).toEqual([{ kind: 'gift', number: '8812' }, { kind: 'unknown' }]);
  });

  it('never emits a payment PAN, whatever the swipe looks like', async () => {
    const { transport, cards, errors } = await enabled();
    const panArb = fc
      .tuple(
        fc.constantFrom('4', '51', '2221', '34', '37', '6011', '62', '3528', '36'),
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 14, maxLength: 14 }),
      )
      .map(([prefix, digits]) => withCheckDigit((prefix + digits.join('')).slice(0, 15)));
    fc.assert(
      fc.property(panArb, fc.constantFrom('\r', '\n', ''), fc.boolean(), (pan, end, partial) => {
        cards.length = 0;
        errors.length = 0;
        transport.inject(`%B${pan}^TEST/CARD^2512101?;${pan}=2512101${partial ? '' : '?'}${end}`);
        vi.advanceTimersByTime(200);
        expect(cards).toEqual([]);
        expect(errors).toHaveLength(1);
        const serialised = errors
          .map((e) =>
            [e.error.message, JSON.stringify(e), String(e.error.stack), String(e.error.cause)].join(),
          )
          .join();
        expect(serialised).not.toContain(pan);
      }),
    );
  });
});

describe('card reader drivers', () => {
  const registry = createDefaultRegistry();
  const fake = () => new FakeTransport();

  it('builds a keyboard-mode HID reader and a text reader from the settings', async () => {
    const hid = registry.create(
      {
        id: 'msr',
        kind: 'card_reader',
        transport: { type: 'hid', vendorId: 0x0801, productId: 0x0001 },
        settings: { loyaltyPrefixes: '9901, 9902', reportId: 1 },
      },
      { createTransport: fake },
    );
    expect(hid).toBeInstanceOf(MagneticCardReader);
    const serialTransport = new FakeTransport();
    const serial = registry.create(
      {
        id: 'msr2',
        kind: 'card_reader',
        transport: { type: 'serial', path: '/dev/ttyACM0', baudRate: 9600 },
        settings: { giftPrefixes: '7700' },
      },
      { createTransport: () => serialTransport },
    );
    if (!(serial instanceof MagneticCardReader)) throw new Error('not a card reader');
    const cards: unknown[] = [];
    serial.on('card', (card) => cards.push(card));
    await serial.open();
    await serial.claim();
    await serial.enable();
    serialTransport.inject(';7700123?\r');
    expect(cards).toEqual([{ kind: 'gift', number: '7700123' }]);
    await serial.close();
  });

  it('refuses prefixes that collide with payment cards', () => {
    expect(() =>
      registry.create(
        {
          id: 'msr',
          kind: 'card_reader',
          transport: { type: 'serial', path: '/dev/ttyACM0', baudRate: 9600 },
          settings: { staffPrefixes: '0042,4' },
        },
        { createTransport: fake },
      ),
    ).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });

  it('leaves HID interfaces that are not keyboards to other drivers', () => {
    expect(() =>
      registry.select({
        id: 'msr',
        kind: 'card_reader',
        transport: { type: 'hid', vendorId: 1, productId: 2, usagePage: 0x8e, usage: 1 },
      }),
    ).toThrow(expect.objectContaining({ code: 'no_driver' }));
  });
});

function withCheckDigit(body: string): string {
  for (let digit = 0; digit <= 9; digit++) {
    if (luhnValid(body + String(digit))) return body + String(digit);
  }
  throw new RangeError('unreachable');
}
