import type { DriverFactory } from '../../device/registry.ts';
import { DeviceSettings } from '../../device/settings.ts';
import { HID_POS_BAR_CODE_SCANNER_USAGE, HID_POS_SCANNER_USAGE_PAGE } from './hid-pos.ts';
import {
  DEFAULT_MAX_SCAN_LENGTH,
  DEFAULT_PARTIAL_SCAN_TIMEOUT_MS,
  HidPosBarcodeScanner,
  SerialBarcodeScanner,
} from './scanner.ts';
import { SCAN_TERMINATORS } from './serial-framing.ts';

/**
 * Serial (and raw TCP) scanners. Settings: terminator 'CR' | 'LF' | 'CRLF' (default CR), prefix
 * (default none), partialScanTimeoutMs (default 100), maxLength (default 1024).
 */
export const serialScannerDriver: DriverFactory<SerialBarcodeScanner> = {
  id: 'scanner.serial',
  kind: 'scanner',
  transports: ['serial', 'tcp'],
  priority: 0,
  create(descriptor, { transport, options }) {
    const settings = new DeviceSettings(descriptor);
    return new SerialBarcodeScanner(
      descriptor.id,
      transport,
      {
        terminator: settings.oneOf('terminator', SCAN_TERMINATORS, 'CR'),
        prefix: settings.string('prefix', ''),
        partialScanTimeoutMs: settings.number('partialScanTimeoutMs', DEFAULT_PARTIAL_SCAN_TIMEOUT_MS, {
          min: 10,
          max: 5000,
        }),
        maxLength: settings.number('maxLength', DEFAULT_MAX_SCAN_LENGTH, { min: 1, max: 65536 }),
      },
      options,
    );
  },
};

/**
 * HID POS scanners (usage page 0x8C). Settings: partialScanTimeoutMs (default 100),
 * honeywellHidPosMode (default false).
 */
export const hidPosScannerDriver: DriverFactory<HidPosBarcodeScanner> = {
  id: 'scanner.hid-pos',
  kind: 'scanner',
  transports: ['hid'],
  priority: 0,
  supports: ({ transport }) =>
    transport.type === 'hid' &&
    (transport.usagePage ?? HID_POS_SCANNER_USAGE_PAGE) === HID_POS_SCANNER_USAGE_PAGE &&
    (transport.usage ?? HID_POS_BAR_CODE_SCANNER_USAGE) === HID_POS_BAR_CODE_SCANNER_USAGE,
  create(descriptor, { transport, options }) {
    const settings = new DeviceSettings(descriptor);
    return new HidPosBarcodeScanner(
      descriptor.id,
      transport,
      {
        partialScanTimeoutMs: settings.number('partialScanTimeoutMs', DEFAULT_PARTIAL_SCAN_TIMEOUT_MS, {
          min: 10,
          max: 5000,
        }),
        honeywellHidPosMode: settings.boolean('honeywellHidPosMode', false),
      },
      options,
    );
  },
};
