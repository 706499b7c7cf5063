import { describe, expect, it } from 'vitest';
import { createMockSerial } from '../../test/mock-binding.ts';
import { until } from '../../test/until.ts';
import { SerialTransport } from './serial-transport.ts';

const config = { type: 'serial', path: '/dev/ttyMOCK0', baudRate: 9600 } as const;

describe('SerialTransport over MockBinding', () => {
  it('opens, writes what the device receives, and delivers what the device sends', async () => {
    const mock = createMockSerial(config.path);
    const transport = new SerialTransport(config, { binding: mock.binding });
    const received: string[] = [];
    transport.on('data', (bytes) => received.push(Buffer.from(bytes).toString('latin1')));
    await transport.open();
    expect(transport.isOpen).toBe(true);
    await transport.write(Uint8Array.of(0x57));
    await transport.write(new TextEncoder().encode('hi'));
    expect(mock.port().recording.toString('latin1')).toBe('Whi');
    mock.port().emitData('001.234\r');
    await until(() => received.join('') === '001.234\r', 'the bytes from the device');
    await transport.close();
    expect(transport.isOpen).toBe(false);
    expect(mock.port().isOpen).toBe(false);
  });

  it('opens with the configured framing', async () => {
    const mock = createMockSerial(config.path);
    const opened: unknown[] = [];
    const transport = new SerialTransport(
      { ...config, dataBits: 7, parity: 'even', stopBits: 1 },
      {
        binding: {
          list: () => mock.binding.list(),
          open: (options) => {
            opened.push(options);
            return mock.binding.open(options);
          },
        },
      },
    );
    await transport.open();
    expect(opened).toEqual([
      expect.objectContaining({
        path: config.path,
        baudRate: 9600,
        dataBits: 7,
        parity: 'even',
        stopBits: 1,
        lock: true,
      }),
    ]);
    await transport.close();
  });

  it('reports a missing port as offline and a port held elsewhere as in use', async () => {
    const mock = createMockSerial(config.path);
    await expect(
      new SerialTransport({ ...config, path: '/dev/nothing' }, { binding: mock.binding }).open(),
    ).rejects.toMatchObject({
      code: 'offline',
      message: 'Serial port /dev/nothing is not connected. Check the cable and the power.',
    });
    const first = new SerialTransport(config, { binding: mock.binding });
    await first.open();
    const second = new SerialTransport(config, { binding: mock.binding });
    await expect(second.open()).rejects.toMatchObject({ code: 'in_use' });
    expect(second.isOpen).toBe(false);
    await first.close();
  });

  it('refuses to write while closed, and closes idempotently', async () => {
    const mock = createMockSerial(config.path);
    const transport = new SerialTransport(config, { binding: mock.binding });
    await expect(transport.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'offline' });
    await transport.close();
    await transport.open();
    await transport.open();
    expect(mock.opened).toHaveLength(1);
    await transport.close();
    await transport.close();
  });

  it('does not report an intended close as a lost link', async () => {
    const mock = createMockSerial(config.path);
    const transport = new SerialTransport(config, { binding: mock.binding });
    const lost: unknown[] = [];
    transport.on('closed', (error) => lost.push(error));
    await transport.open();
    await transport.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(lost).toEqual([]);
  });
});
