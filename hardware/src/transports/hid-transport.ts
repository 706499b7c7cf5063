/**
 * HID devices through node-hid's async API (HIDAsync: reads on a worker thread, never blocks the loop).
 * node-hid is imported on first open, not at module load: its prebuilds need libusb-1.0, and a till
 * without it must still drive its serial and network devices.
 *
 * With node-hid the first byte of each input report is the report ID for devices that number their
 * reports (hidapi's hid_read semantics), so drivers parse reports with the ID in front.
 */
import { DeviceError, errorText, linkOpenError } from '../device/errors.ts';
import { BaseTransport, describeTransport, type HidTransportConfig } from './transport.ts';

export interface HidDeviceInfo {
  readonly vendorId: number;
  readonly productId: number;
  readonly path?: string | undefined;
  readonly serialNumber?: string | undefined;
  readonly usagePage?: number | undefined;
  readonly usage?: number | undefined;
}

/** The part of node-hid's HIDAsync we use; tests give a fake that replays recorded reports. */
export interface HidHandle {
  on(event: 'data', listener: (report: Buffer) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  removeAllListeners(): unknown;
  close(): Promise<void>;
  write(values: number[]): Promise<number>;
  sendFeatureReport(values: number[]): Promise<number>;
}

export interface HidApi {
  devicesAsync(): Promise<readonly HidDeviceInfo[]>;
  open(path: string): Promise<HidHandle>;
}

export interface HidTransportOptions {
  /** Defaults to loading node-hid. */
  readonly loadHid?: () => Promise<HidApi>;
}

let nodeHid: Promise<HidApi> | undefined;

function loadNodeHid(): Promise<HidApi> {
  nodeHid ??= import('node-hid').then((hid): HidApi => ({
    devicesAsync: () => hid.devicesAsync(),
    open: (path) => hid.HIDAsync.open(path),
  }));
  return nodeHid;
}

export function matchesHidConfig(device: HidDeviceInfo, config: HidTransportConfig): boolean {
  return (
    device.vendorId === config.vendorId &&
    device.productId === config.productId &&
    (config.usagePage === undefined || device.usagePage === config.usagePage) &&
    (config.usage === undefined || device.usage === config.usage) &&
    (config.serialNumber === undefined || device.serialNumber === config.serialNumber)
  );
}

export class HidTransport extends BaseTransport {
  readonly type = 'hid';
  readonly description: string;
  #handle: HidHandle | undefined;

  constructor(
    readonly config: HidTransportConfig,
    private readonly options: HidTransportOptions = {},
  ) {
    super();
    this.description = describeTransport(config);
  }

  get isOpen(): boolean {
    return this.#handle !== undefined;
  }

  async open(): Promise<void> {
    if (this.#handle !== undefined) return;
    let api: HidApi;
    try {
      api = await (this.options.loadHid ?? loadNodeHid)();
    } catch (error) {
      throw new DeviceError(
        'unavailable',
        `USB HID devices cannot be used on this computer: the HID library did not load (${errorText(error)}). Install libusb-1.0.`,
        { link: this.description },
        { cause: error },
      );
    }
    let found: HidDeviceInfo | undefined;
    try {
      found = (await api.devicesAsync()).find((device) => matchesHidConfig(device, this.config));
    } catch (error) {
      throw linkOpenError(error, this.description);
    }
    if (found?.path === undefined) {
      throw new DeviceError('offline', this.describeUnplugged(), { link: this.description });
    }
    let handle: HidHandle;
    try {
      handle = await api.open(found.path);
    } catch (error) {
      // Listed but not openable: on Linux that is the hidraw node's permissions.
      throw new DeviceError(
        'access_denied',
        `Omnitill may not open ${this.description}. Add a udev rule that gives the till's user access to it.`,
        { link: this.description },
        { cause: error },
      );
    }
    this.#handle = handle;
    handle.on('data', (report) => {
      this.emitData(new Uint8Array(report.buffer, report.byteOffset, report.byteLength));
    });
    // node-hid reports an unplugged device as a read error; the handle is useless afterwards.
    handle.on('error', (error) => {
      if (this.#handle !== handle) return;
      this.#handle = undefined;
      detach(handle);
      handle.close().catch(() => undefined);
      this.emitLost(error);
    });
  }

  async close(): Promise<void> {
    const handle = this.#handle;
    if (handle === undefined) return;
    this.#handle = undefined;
    detach(handle);
    await handle.close().catch(() => undefined);
  }

  async write(bytes: Uint8Array): Promise<void> {
    const handle = this.#handle;
    if (handle === undefined) throw this.notOpenError();
    try {
      await handle.write([...bytes]);
    } catch (error) {
      throw this.lostError(error);
    }
  }

  async sendFeatureReport(bytes: Uint8Array): Promise<void> {
    const handle = this.#handle;
    if (handle === undefined) throw this.notOpenError();
    try {
      await handle.sendFeatureReport([...bytes]);
    } catch (error) {
      throw new DeviceError(
        'protocol',
        `${this.description} refused a configuration report.`,
        {},
        { cause: error },
      );
    }
  }

  private describeUnplugged(): string {
    const page =
      this.config.usagePage === undefined ? '' : ` (usage page 0x${this.config.usagePage.toString(16)})`;
    return `No ${this.description}${page} is plugged in. Check the cable.`;
  }
}

/** Stops listening; an 'error' without a listener would be thrown by the emitter, so one stays. */
function detach(handle: HidHandle): void {
  handle.removeAllListeners();
  handle.on('error', () => undefined);
}
