import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../test/until.ts';
import { TcpTransport } from './tcp-transport.ts';

let server: Server | undefined;

async function listen(onSocket: (socket: Socket) => void): Promise<number> {
  server = createServer(onSocket);
  await new Promise<void>((resolve) => {
    server?.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

afterEach(async () => {
  await new Promise<void>((resolve) => {
    if (server === undefined) resolve();
    else
      server.close(() => {
        resolve();
      });
  });
  server = undefined;
});

describe('TcpTransport on loopback', () => {
  it('exchanges bytes with the peer', async () => {
    const port = await listen((socket) => {
      socket.on('data', (chunk) => socket.write(Buffer.concat([Buffer.from('echo:'), chunk])));
    });
    const transport = new TcpTransport({ type: 'tcp', host: '127.0.0.1', port });
    let received = '';
    transport.on('data', (bytes) => {
      received += Buffer.from(bytes).toString('latin1');
    });
    await transport.open();
    await transport.write(new TextEncoder().encode('status'));
    await until(() => received === 'echo:status', 'the echo');
    await transport.close();
    expect(transport.isOpen).toBe(false);
  });

  it('reports a peer that drops the connection as a lost link, once', async () => {
    const sockets: Socket[] = [];
    const port = await listen((socket) => sockets.push(socket));
    const transport = new TcpTransport({ type: 'tcp', host: '127.0.0.1', port });
    const lost: string[] = [];
    transport.on('closed', (error) => lost.push(error.message));
    await transport.open();
    await until(() => sockets.length === 1, 'the connection');
    sockets[0]?.destroy();
    await until(() => lost.length === 1, 'the lost link');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lost).toEqual([
      `Network device 127.0.0.1:${port} was disconnected. Check the cable; the till reconnects by itself.`,
    ]);
    expect(transport.isOpen).toBe(false);
    await expect(transport.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'offline' });
  });

  it('reports a refused connection as offline', async () => {
    const port = await listen(() => undefined);
    await new Promise<void>((resolve) => {
      server?.close(() => {
        resolve();
      });
    });
    server = undefined;
    const transport = new TcpTransport({ type: 'tcp', host: '127.0.0.1', port });
    await expect(transport.open()).rejects.toMatchObject({
      code: 'offline',
      message: `network device 127.0.0.1:${port} refused the connection. Check that it is switched on.`,
    });
  });
});
