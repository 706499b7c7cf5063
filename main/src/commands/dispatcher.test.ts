import { describe, expect, it, vi } from 'vitest';
import { COMMAND_NAMES, type PosCommand } from '../contract.ts';
import type { Logger } from '../logging/logger.ts';
import { CommandError } from './command-error.ts';
import { createDispatcher, type CommandHandler, type CommandHandlers } from './dispatcher.ts';

const INFO = {
  appName: 'Omnitill',
  appVersion: '1.0.0',
  host: 'web',
  platform: 'linux',
  startedAt: '2026-11-23T10:00:00Z',
} as const;

function table(overrides: Partial<Record<PosCommand, (input: never) => Promise<unknown>>> = {}) {
  const spies = new Map<string, ReturnType<typeof vi.fn>>();
  const handlers: Record<string, unknown> = {};
  for (const name of COMMAND_NAMES) {
    const spy = vi.fn(overrides[name] ?? (() => Promise.resolve({ done: true })));
    spies.set(name, spy);
    handlers[name] = spy;
  }
  return { handlers: handlers as CommandHandlers, spies };
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (message: string, fields?: object) => {
    lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
  };
  return { lines, info: push, warn: push, error: push };
}

describe('dispatcher', () => {
  it('checks the sender before anything else', async () => {
    const { handlers, spies } = table();
    const logger = recordingLogger();
    const dispatcher = createDispatcher<{ ok: boolean }>({ handlers, isTrustedSender: (s) => s.ok, logger });
    const result = await dispatcher.dispatch('journal.append', { junk: true }, { ok: false });
    expect(result).toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'This caller may not use the till commands.' },
    });
    expect([...spies.values()].every((spy) => spy.mock.calls.length === 0)).toBe(true);
  });

  it.each([['no.such'], ['__proto__'], ['constructor'], ['toString'], [42], [null]])(
    'not_found for %s',
    async (name) => {
      const { handlers } = table();
      const dispatcher = createDispatcher({
        handlers,
        isTrustedSender: () => true,
        logger: recordingLogger(),
      });
      expect(await dispatcher.dispatch(name, undefined, null)).toEqual({
        ok: false,
        error: { code: 'not_found', message: 'Unknown command.' },
      });
    },
  );

  it('passes parsed input and returns the value', async () => {
    const { handlers, spies } = table({ 'app.getInfo': () => Promise.resolve(INFO) });
    const dispatcher = createDispatcher({ handlers, isTrustedSender: () => true, logger: recordingLogger() });
    expect(await dispatcher.dispatch('app.getInfo', undefined, null)).toEqual({ ok: true, value: INFO });
    await dispatcher.dispatch('hardware.openDrawer', { drawerId: 'drawer-2' }, null);
    expect(spies.get('hardware.openDrawer')).toHaveBeenCalledWith({ drawerId: 'drawer-2' });
  });

  it('maps a CommandError onto its code and message', async () => {
    const { handlers } = table({
      'staff.verifyPin': () => Promise.reject(new CommandError('pin_mismatch', 'Wrong PIN.')),
    });
    const dispatcher = createDispatcher({ handlers, isTrustedSender: () => true, logger: recordingLogger() });
    const input = {
      staffId: 's1',
      pin: '1234',
      pinHash: {
        algorithm: 'scrypt',
        hash: 'A'.repeat(43),
        salt: 'B'.repeat(22),
        cost: 16384,
        blockSize: 8,
        parallelization: 1,
        keyLength: 32,
      },
    };
    expect(await dispatcher.dispatch('staff.verifyPin', input, null)).toEqual({
      ok: false,
      error: { code: 'pin_mismatch', message: 'Wrong PIN.' },
    });
  });

  it('turns any other throw into internal without leaking its message, and logs it', async () => {
    const { handlers } = table({
      'settings.get': () => Promise.reject(new Error('EACCES /home/till/.config/secret')),
    });
    const logger = recordingLogger();
    const dispatcher = createDispatcher({ handlers, isTrustedSender: () => true, logger });
    const result = await dispatcher.dispatch('settings.get', undefined, null);
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(result)).not.toContain('EACCES');
    expect(logger.lines.join('\n')).toContain('EACCES');
  });

  it('refuses a handler value outside the contract (an extra field never leaves)', async () => {
    const { handlers } = table({
      'sync.getRefreshToken': () => Promise.resolve({ refreshToken: null, debugPath: '/data/secrets.json' }),
    });
    const dispatcher = createDispatcher({ handlers, isTrustedSender: () => true, logger: recordingLogger() });
    const result = await dispatcher.dispatch('sync.getRefreshToken', undefined, null);
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(result)).not.toContain('secrets.json');
  });

  it('never rejects, even when the sender check throws', async () => {
    const { handlers } = table();
    const dispatcher = createDispatcher({
      handlers,
      isTrustedSender: () => {
        throw new Error('boom');
      },
      logger: recordingLogger(),
    });
    await expect(dispatcher.dispatch('app.getInfo', undefined, null)).resolves.toMatchObject({
      ok: false,
      error: { code: 'internal' },
    });
  });

  it('bounds the error message even for huge unknown keys', async () => {
    const { handlers } = table();
    const dispatcher = createDispatcher({ handlers, isTrustedSender: () => true, logger: recordingLogger() });
    const result = await dispatcher.dispatch(
      'hardware.openDrawer',
      { drawer: 1, ['k'.repeat(10_000)]: 1 },
      null,
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('invalid_input');
      expect(result.error.message.length).toBeLessThanOrEqual(500);
    }
  });
});

describe('CommandHandlers type', () => {
  it('fails tsc when a handler is missing or has the wrong input type', () => {
    const noop: CommandHandler<'app.getInfo'> = () => Promise.resolve(INFO);
    // @ts-expect-error every contract command needs a handler; this table has one
    const missing: CommandHandlers = { 'app.getInfo': noop };
    // @ts-expect-error the drawer id is a string, not a number
    const wrongInput: CommandHandler<'hardware.openDrawer'> = (input: { drawerId: number }) =>
      Promise.resolve({ done: input.drawerId === 1 });
    // @ts-expect-error the output must match the contract
    const wrongOutput: CommandHandler<'hardware.openDrawer'> = () => Promise.resolve({ done: 'yes' });
    expect([missing, wrongInput, wrongOutput]).toHaveLength(3);
  });
});
