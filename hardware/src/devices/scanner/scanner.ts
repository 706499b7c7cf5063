/**
 * Barcode scanner devices (UPOS Scanner): a serial scanner framed by its terminator, and a HID POS
 * scanner assembled from input reports. Both deliver `data` events with a ScanData and `error` events
 * (locus 'input_data') for partial scans and garbage, and never let a partial scan merge with the next:
 * an unfinished frame is dropped after `partialScanTimeoutMs` of silence and on any link loss.
 *
 * Every scan goes through the domain core's `interpretScan` with the store's scan configuration
 * (`setScanConfig`), so a data event always carries a readable code and its lookup key.
 */
import type { ScanConfig } from '@pos/app';
import { BaseDevice, type DeviceOptions } from '../../device/base-device.ts';
import { DeviceError } from '../../device/errors.ts';
import type { DeviceEvents } from '../../device/types.ts';
import type { Transport } from '../../transports/transport.ts';
import { HONEYWELL_HID_POS_MODE_REPORT, HidPosAssembler } from './hid-pos.ts';
import { partialScanError, toScanData, type ScanData, type ScanSource } from './scan.ts';
import { SerialScanFramer, type SerialFramingConfig } from './serial-framing.ts';

export interface ScannerEvents extends DeviceEvents {
  readonly data: ScanData;
}

export const DEFAULT_PARTIAL_SCAN_TIMEOUT_MS = 100;
export const DEFAULT_MAX_SCAN_LENGTH = 1024;

/** Shared by the scanner kinds: delivering scans and refusals, and the partial-scan timer. */
export abstract class BarcodeScanner extends BaseDevice<ScannerEvents> {
  readonly kind = 'scanner';
  readonly label = 'scanner';
  abstract readonly source: ScanSource;
  #scanConfig: ScanConfig = {};
  #partialTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    id: string,
    transport: Transport,
    private readonly partialScanTimeoutMs: number,
    options: DeviceOptions,
  ) {
    super(id, transport, options);
  }

  protected abstract get hasPartial(): boolean;
  /** Drops the unfinished scan; returns the error to report, if any. */
  protected abstract discardPartial(): DeviceError | null;

  /** The store's variable-measure layouts, currency and GS1 options; `{}` until set. */
  setScanConfig(config: ScanConfig): void {
    this.#scanConfig = config;
  }

  protected deliver(frames: readonly (string | DeviceError)[]): void {
    for (const frame of frames) {
      const result = typeof frame === 'string' ? toScanData(frame, this.source, this.#scanConfig) : frame;
      if (result instanceof DeviceError) this.reportError(result, 'input_data');
      else this.events.emit('data', result);
    }
  }

  /** Restarts the quiet-line timer after every chunk: the timeout is measured from the last byte. */
  protected armPartialTimer(): void {
    clearTimeout(this.#partialTimer);
    this.#partialTimer = undefined;
    if (!this.hasPartial) return;
    this.#partialTimer = setTimeout(() => {
      this.#partialTimer = undefined;
      const error = this.discardPartial();
      if (error !== null) this.reportError(error, 'input_data');
    }, this.partialScanTimeoutMs);
  }

  protected override onStop(): void {
    clearTimeout(this.#partialTimer);
    this.#partialTimer = undefined;
    // Half a code from before a disconnect or a disable must not prefix the first code after it.
    this.discardPartial();
  }
}

export interface SerialScannerConfig extends SerialFramingConfig {
  readonly partialScanTimeoutMs: number;
}

export class SerialBarcodeScanner extends BarcodeScanner {
  readonly source = 'serial';
  readonly #framer: SerialScanFramer;

  constructor(id: string, transport: Transport, config: SerialScannerConfig, options: DeviceOptions = {}) {
    super(id, transport, config.partialScanTimeoutMs, options);
    this.#framer = new SerialScanFramer(config);
  }

  protected get hasPartial(): boolean {
    return this.#framer.hasPartial;
  }

  protected discardPartial(): DeviceError | null {
    return this.#framer.discardPartial();
  }

  protected onData(bytes: Uint8Array): void {
    this.deliver(this.#framer.push(bytes));
    this.armPartialTimer();
  }
}

export interface HidPosScannerConfig {
  readonly partialScanTimeoutMs: number;
  /** Sends Honeywell's "enter HID POS mode" feature report on start. */
  readonly honeywellHidPosMode: boolean;
}

export class HidPosBarcodeScanner extends BarcodeScanner {
  readonly source = 'hid';
  readonly #assembler = new HidPosAssembler();

  constructor(
    id: string,
    transport: Transport,
    private readonly config: HidPosScannerConfig,
    options: DeviceOptions = {},
  ) {
    super(id, transport, config.partialScanTimeoutMs, options);
  }

  protected get hasPartial(): boolean {
    return this.#assembler.hasPartial;
  }

  protected discardPartial(): DeviceError | null {
    if (!this.#assembler.hasPartial) return null;
    this.#assembler.discard();
    return partialScanError('the rest of a long code did not arrive');
  }

  protected override async onStart(): Promise<void> {
    if (!this.config.honeywellHidPosMode) return;
    if (this.transport.sendFeatureReport === undefined) {
      throw new DeviceError(
        'invalid_config',
        `The scanner "${this.id}" is set to Honeywell HID POS mode, which needs a USB HID connection.`,
      );
    }
    await this.transport.sendFeatureReport(HONEYWELL_HID_POS_MODE_REPORT);
  }

  protected onData(report: Uint8Array): void {
    const result = this.#assembler.push(report);
    if (result !== null) this.deliver([result]);
    this.armPartialTimer();
  }
}
