import { describe, expect, it, vi } from 'vitest';
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { COMMAND_NAMES } from '../contract.ts';
import { createDispatcher, type CommandHandlers } from '../commands/dispatcher.ts';
import { silentLogger } from '../logging/logger.ts';
import { createWebContentsSink, isTrustedIpcSender, registerIpcCommands } from './ipc-binding.ts';

type Frame = { url: string; parent: object | null } | null;
const eventFrom = (frame: Frame) => ({ senderFrame: frame }) as unknown as IpcMainInvokeEvent;

function spyHandlers(): { handlers: CommandHandlers; getInfo: ReturnType<typeof vi.fn> } {
  const getInfo = vi.fn(() =>
    Promise.resolve({
      appName: 'Omnitill',
      appVersion: '1.0.0',
      host: 'electron',
      platform: 'linux',
      startedAt: '2026-11-23T10:00:00Z',
    }),
  );
  const handlers = Object.fromEntries(COMMAND_NAMES.map((name) => [name, vi.fn()])) as Record<
    string,
    unknown
  >;
  handlers['app.getInfo'] = getInfo;
  return { handlers: handlers as CommandHandlers, getInfo };
}

describe('isTrustedIpcSender', () => {
  it.each([
    ['main frame of app://pos', { url: 'app://pos/index.html', parent: null }, true],
    ['customer display page', { url: 'app://pos/customer-display.html', parent: null }, true],
    ['sub-frame of app://pos', { url: 'app://pos/index.html', parent: {} }, false],
    ['foreign page', { url: 'https://evil.example/', parent: null }, false],
    ['look-alike host', { url: 'app://pos.evil.example/', parent: null }, false],
    ['file page', { url: 'file:///tmp/x.html', parent: null }, false],
    ['frame gone', null, false],
  ])('%s → %s', (_name, frame, expected) => {
    expect(isTrustedIpcSender(eventFrom(frame))).toBe(expected);
  });
});

describe('registerIpcCommands', () => {
  it('registers exactly one handler per contract channel and removes them again', () => {
    const ipc = { handle: vi.fn(), removeHandler: vi.fn() };
    const { handlers } = spyHandlers();
    const dispose = registerIpcCommands(
      ipc,
      createDispatcher({ handlers, isTrustedSender: isTrustedIpcSender, logger: silentLogger }),
    );
    const channels = ipc.handle.mock.calls.map((call) => call[0] as string).sort();
    expect(channels).toEqual(COMMAND_NAMES.map((name) => `pos:${name}`).sort());
    expect(channels).toContain('pos:journal.append');
    dispose();
    expect(ipc.removeHandler.mock.calls.map((call) => call[0] as string).sort()).toEqual(channels);
  });

  it('answers forbidden to an untrusted sender without calling the handler, and serves a trusted one', async () => {
    const ipc = { handle: vi.fn(), removeHandler: vi.fn() };
    const { handlers, getInfo } = spyHandlers();
    registerIpcCommands(
      ipc,
      createDispatcher({ handlers, isTrustedSender: isTrustedIpcSender, logger: silentLogger }),
    );
    const call = ipc.handle.mock.calls.find((c) => c[0] === 'pos:app.getInfo');
    const listener = call![1] as (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>;

    const refused = await listener(eventFrom({ url: 'https://evil.example/', parent: null }));
    expect(refused).toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'This caller may not use the till commands.' },
    });
    expect(getInfo).not.toHaveBeenCalled();

    const extra = await listener(eventFrom({ url: 'app://pos/', parent: null }), undefined, 'extra');
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(getInfo).not.toHaveBeenCalled();

    const served = await listener(eventFrom({ url: 'app://pos/', parent: null }));
    expect(served).toMatchObject({ ok: true, value: { host: 'electron' } });
    expect(getInfo).toHaveBeenCalledTimes(1);
  });
});

describe('createWebContentsSink', () => {
  it('sends events only to live contents showing app://pos', () => {
    const make = (url: string, destroyed = false) => ({
      getURL: () => url,
      isDestroyed: () => destroyed,
      send: vi.fn(),
    });
    const ours = make('app://pos/index.html');
    const foreign = make('https://evil.example/');
    const dead = make('app://pos/index.html', true);
    const sink = createWebContentsSink(() => [ours, foreign, dead] as unknown as WebContents[]);
    sink('hardware.scanned', { data: '4006381333931', symbology: 'ean13', deviceId: 'scanner-1' });
    expect(ours.send).toHaveBeenCalledWith('pos:event.hardware.scanned', {
      data: '4006381333931',
      symbology: 'ean13',
      deviceId: 'scanner-1',
    });
    expect(foreign.send).not.toHaveBeenCalled();
    expect(dead.send).not.toHaveBeenCalled();
  });
});
