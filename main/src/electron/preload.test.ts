import { describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => {
  const listeners = new Map<string, Set<(event: unknown, payload: unknown) => void>>();
  return {
    listeners,
    exposeInMainWorld: vi.fn(),
    ipcRenderer: {
      invoke: vi.fn((channel: string, input: unknown) =>
        Promise.resolve({ ok: true, value: { channel, input } }),
      ),
      on: vi.fn((channel: string, listener: (event: unknown, payload: unknown) => void) => {
        const set = listeners.get(channel) ?? new Set();
        set.add(listener);
        listeners.set(channel, set);
      }),
      removeListener: vi.fn((channel: string, listener: (event: unknown, payload: unknown) => void) => {
        listeners.get(channel)?.delete(listener);
      }),
      // Never to be exposed; present so a leak would be visible.
      send: vi.fn(),
      sendSync: vi.fn(),
    },
  };
});

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: fake.exposeInMainWorld },
  ipcRenderer: fake.ipcRenderer,
}));

await import('./preload.ts');
const { BRIDGE_KEYS, COMMAND_NAMES } = await import('../contract.ts');

function exposed(): Record<string, (...args: unknown[]) => unknown> {
  expect(fake.exposeInMainWorld).toHaveBeenCalledTimes(1);
  const [name, api] = fake.exposeInMainWorld.mock.calls[0] as [
    string,
    Record<string, (...args: unknown[]) => unknown>,
  ];
  expect(name).toBe('pos');
  return api;
}

describe('preload', () => {
  it('exposes exactly one function per contract command plus on, frozen', () => {
    const api = exposed();
    expect(Object.keys(api).sort()).toEqual(BRIDGE_KEYS);
    expect(Object.keys(api)).toHaveLength(COMMAND_NAMES.length + 1);
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
    for (const leak of ['ipcRenderer', 'invoke', 'send', 'sendSync', 'process', 'require'])
      expect(api).not.toHaveProperty(leak);
  });

  it('invokes the command channel with one argument only', async () => {
    const api = exposed();
    const result = await api['journal.readAfter']!({ afterSequence: 0, limit: 10 }, 'smuggled');
    expect(fake.ipcRenderer.invoke).toHaveBeenLastCalledWith('pos:journal.readAfter', {
      afterSequence: 0,
      limit: 10,
    });
    expect(result).toEqual({
      ok: true,
      value: { channel: 'pos:journal.readAfter', input: { afterSequence: 0, limit: 10 } },
    });
  });

  it('on() strips the Electron event, and its unsubscribe removes the listener', () => {
    const api = exposed();
    const seen: unknown[] = [];
    const off = api.on!('hardware.scanned', (...args: unknown[]) => seen.push(args)) as () => void;
    const channel = 'pos:event.hardware.scanned';
    for (const listener of fake.listeners.get(channel) ?? [])
      listener({ sender: 'ipc event' }, { data: '123' });
    expect(seen).toEqual([[{ data: '123' }]]);
    off();
    expect(fake.listeners.get(channel)?.size).toBe(0);
  });

  it('on() refuses events outside the contract and non-function callbacks', () => {
    const api = exposed();
    expect(() => api.on!('pos:journal.append', () => undefined)).toThrow('Unknown event.');
    expect(() => api.on!('__proto__', () => undefined)).toThrow('Unknown event.');
    expect(() => api.on!('hardware.scanned', 'alert(1)')).toThrow('The callback must be a function.');
  });
});
