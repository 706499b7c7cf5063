import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { HidTransport, type HidApi, type HidDeviceInfo, type HidHandle } from './hid-transport.ts';

/** Mirrors node-hid's HIDAsync surface; `report` plays an input report, `unplug` a read error. */
class FakeHidHandle extends EventEmitter implements HidHandle {
  readonly writes: number[][] = [];
  readonly featureReports: number[][] = [];
  closed = false;
  report(bytes: number[]): void {
    this.emit('data', Buffer.from(bytes));
  }
  unplug(): void {
    this.emit('error', new Error('could not read from HID device'));
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
  write(values: number[]): Promise<number> {
    this.writes.push(values);
    return Promise.resolve(values.length);
  }
  sendFeatureReport(values: number[]): Promise<number> {
    this.featureReports.push(values);
    return Promise.resolve(values.length);
  }
}

const scanner: HidDeviceInfo = {
  vendorId: 0x0c2e,
  productId: 0x0b61,
  path: '/dev/hidraw3',
  usagePage: 0x8c,
  usage: 2,
};
const keyboardInterface: HidDeviceInfo = { ...scanner, path: '/dev/hidraw2', usagePage: 0x01, usage: 6 };

function fakeApi(devices: HidDeviceInfo[], failOpen = false) {
  const handles: FakeHidHandle[] = [];
  const openedPaths: string[] = [];
  const api: HidApi = {
    devicesAsync: () => Promise.resolve(devices),
    open: (path) => {
      openedPaths.push(path);
      if (failOpen) return Promise.reject(new Error('cannot open device with path ' + path));
      const handle = new FakeHidHandle();
      handles.push(handle);
      return Promise.resolve(handle);
    },
  };
  return { api, handles, openedPaths };
}

const config = { type: 'hid', vendorId: 0x0c2e, productId: 0x0b61, usagePage: 0x8c } as const;

describe('HidTransport with a fake node-hid', () => {
  it('opens the interface with the configured usage page and delivers each report', async () => {
    const { api, handles, openedPaths } = fakeApi([keyboardInterface, scanner]);
    const transport = new HidTransport(config, { loadHid: () => Promise.resolve(api) });
    const reports: number[][] = [];
    transport.on('data', (bytes) => reports.push([...bytes]));
    await transport.open();
    expect(openedPaths).toEqual(['/dev/hidraw3']);
    handles[0]?.report([2, 1, 0x5d]);
    expect(reports).toEqual([[2, 1, 0x5d]]);
    await transport.write(Uint8Array.of(1, 2));
    await transport.sendFeatureReport(Uint8Array.of(0xfe, 0x01));
    expect(handles[0]?.writes).toEqual([[1, 2]]);
    expect(handles[0]?.featureReports).toEqual([[0xfe, 0x01]]);
    await transport.close();
    expect(handles[0]?.closed).toBe(true);
  });

  it('reports an unplugged device once as a lost link and closes its handle', async () => {
    const { api, handles } = fakeApi([scanner]);
    const transport = new HidTransport(config, { loadHid: () => Promise.resolve(api) });
    const lost: string[] = [];
    transport.on('closed', (error) => lost.push(`${error.code}: ${error.message}`));
    await transport.open();
    handles[0]?.unplug();
    handles[0]?.unplug();
    expect(lost).toEqual([
      'offline: USB device 0c2e:0b61 was disconnected. Check the cable; the till reconnects by itself.',
    ]);
    expect(transport.isOpen).toBe(false);
    expect(handles[0]?.closed).toBe(true);
  });

  it.each([
    [
      'no such device',
      fakeApi([keyboardInterface]).api,
      'offline',
      'No USB device 0c2e:0b61 (usage page 0x8c) is plugged in. Check the cable.',
    ],
    [
      'a device that cannot be opened',
      fakeApi([scanner], true).api,
      'access_denied',
      "Omnitill may not open USB device 0c2e:0b61. Add a udev rule that gives the till's user access to it.",
    ],
  ])('refuses %s', async (_case, api, code, message) => {
    const transport = new HidTransport(config, { loadHid: () => Promise.resolve(api) });
    await expect(transport.open()).rejects.toMatchObject({ code, message });
    expect(transport.isOpen).toBe(false);
  });

  it('reports a HID library that does not load as unavailable, not as a crash', async () => {
    const transport = new HidTransport(config, {
      loadHid: () => Promise.reject(new Error('libusb-1.0.so.0: cannot open shared object file')),
    });
    await expect(transport.open()).rejects.toMatchObject({
      code: 'unavailable',
      message:
        'USB HID devices cannot be used on this computer: the HID library did not load (libusb-1.0.so.0: cannot open shared object file). Install libusb-1.0.',
    });
  });

  it('loads the real node-hid lazily and finds no device on a machine without one', async () => {
    const transport = new HidTransport(config);
    await expect(transport.open()).rejects.toMatchObject({ code: 'offline' });
  });
});
