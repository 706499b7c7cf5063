import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BRIDGE_KEYS,
  COMMAND_NAMES,
  EVENT_NAMES,
  IdSchema,
  SettingsPatchSchema,
  commandChannel,
  commands,
  eventChannel,
  isPosCommand,
  isSafeRelativeName,
} from './desktop-bridge.ts';

describe('channels', () => {
  it('are pos:<namespace>.<verb> for commands and pos:event.<name> for events, all distinct', () => {
    const channels = [...COMMAND_NAMES.map(commandChannel), ...EVENT_NAMES.map(eventChannel)];
    for (const channel of channels) expect(channel).toMatch(/^pos:(event\.)?[a-z]+\.[a-zA-Z]+$/);
    expect(new Set(channels).size).toBe(channels.length);
    expect(commandChannel('journal.append')).toBe('pos:journal.append');
    expect(eventChannel('hardware.scanned')).toBe('pos:event.hardware.scanned');
  });

  it('the bridge keys are the commands plus on', () => {
    expect(BRIDGE_KEYS).toHaveLength(COMMAND_NAMES.length + 1);
    expect(BRIDGE_KEYS).toContain('on');
    expect(BRIDGE_KEYS).toContain('staff.signIn');
  });

  it.each([['__proto__'], ['constructor'], ['hasOwnProperty'], ['journal'], ['pos:journal.append']])(
    'isPosCommand(%s) is false',
    (name) => {
      expect(isPosCommand(name)).toBe(false);
    },
  );
});

describe('isSafeRelativeName', () => {
  it.each([
    ['receipt-1.json', true],
    ['a.b', true],
    ['', false],
    ['.', false],
    ['..', false],
    ['../etc', false],
    ['a..b', false],
    ['a/b', false],
    ['a\\b', false],
    ['a\u0000b', false],
    ['C:evil', false],
    ['/abs', false],
  ])('%j → %s', (value, expected) => {
    expect(isSafeRelativeName(value)).toBe(expected);
  });

  it('no accepted name contains a separator, NUL or a dot-dot', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (value) => {
        if (!isSafeRelativeName(value)) return;
        expect(value).not.toMatch(/[/\\\0]|\.\./);
      }),
    );
  });
});

describe('schemas', () => {
  it.each([
    ['sale-01HZX', true],
    ['0b6b1c5e-6a8f-4a3e-9d1e-3f1f2b7a9c10', true],
    ['a'.repeat(128), true],
    ['a'.repeat(129), false],
    ['-leading-dash', false],
    ['a..b', false],
    ['a b', false],
  ])('IdSchema %s → %s', (value, expected) => {
    expect(IdSchema.safeParse(value).success).toBe(expected);
  });

  it.each([
    [{ amount: 1299 }, true],
    [{ amount: 12.99 }, false],
    [{ amount: -1 }, false],
    [{ amount: 1e13 }, false],
    [{ amount: Number.NaN }, false],
  ])('payment amount %j → %s', (patch, expected) => {
    const input = { paymentId: 'pay-1', kind: 'sale', currency: 'EUR', ...patch };
    expect(commands['hardware.startPayment'].input.safeParse(input).success).toBe(expected);
  });

  it.each([
    [{ receiptCopies: 2 }, true],
    [{ syncServerOrigin: 'https://sync.omnitill.example' }, true],
    [{ syncServerOrigin: 'https://sync.omnitill.example:8443' }, true],
    [{ syncServerOrigin: null }, true],
    [{ syncServerOrigin: 'http://127.0.0.1:4100' }, true],
    [{ syncServerOrigin: 'http://localhost:4100' }, true],
    [{ syncServerOrigin: 'http://sync.example.com' }, false],
    [{ syncServerOrigin: 'http://127.0.0.1.example.com' }, false],
    [{ syncDeviceId: 'dev-1' }, true],
    [{ syncDeviceId: '../x' }, false],
    [{ syncServerOrigin: 'https://Sync.Example.com' }, false],
    [{ syncServerOrigin: 'https://user:pw@sync.example.com' }, false],
    [{ syncServerOrigin: 'https://sync.example.com/' }, false],
    [{ syncServerOrigin: 'https://a.example *' }, false],
    [{ tillName: '' }, false],
    [{ tillName: 'Till\n2' }, false],
    [{ idleLockSeconds: 5 }, false],
    [{}, false],
    [{ unknown: 1 }, false],
  ])('settings patch %j → %s', (patch, expected) => {
    expect(SettingsPatchSchema.safeParse(patch).success).toBe(expected);
  });

  it('strict objects refuse unknown fields in nested blocks too', () => {
    const job = { jobId: 'j1', copies: 1, blocks: [{ kind: 'cut', extra: true }] };
    expect(commands['hardware.printReceipt'].input.safeParse(job).success).toBe(false);
  });
});
