import { describe, expect, it } from 'vitest';
import { FakeTransport } from './fake-transport.ts';

describe('FakeTransport', () => {
  it('delivers writes to its peer on a microtask, only while the peer is open', async () => {
    const [a, b] = FakeTransport.pair();
    const received: string[] = [];
    b.on('data', (bytes) => received.push(Buffer.from(bytes).toString('latin1')));
    await a.open();
    await a.write(Uint8Array.of(0x41));
    expect(received).toEqual([]);
    await b.open();
    const writing = a.write(Uint8Array.of(0x42));
    expect(received).toEqual([]);
    await writing;
    expect(received).toEqual(['B']);
    expect(a.writtenText).toBe('AB');
  });

  it('plays unplugging: the link drops once, opens fail until plugged in again', async () => {
    const transport = new FakeTransport('till scanner');
    const lost: string[] = [];
    transport.on('closed', (error) => lost.push(error.code));
    await transport.open();
    transport.vanish();
    transport.vanish();
    expect(lost).toEqual(['offline']);
    await expect(transport.open()).rejects.toMatchObject({
      code: 'offline',
      message: 'The till scanner is not connected.',
    });
    await expect(transport.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'offline' });
    transport.plugIn();
    await transport.open();
    expect(transport.openCount).toBe(3);
  });
});
