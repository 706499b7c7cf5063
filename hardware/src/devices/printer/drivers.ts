import type { DriverFactory } from '../../device/registry.ts';
import { DeviceSettings } from '../../device/settings.ts';
import { PRINTER_PROFILES, printerProfile } from './profiles.ts';
import { DEFAULT_PRINTER_TIMING, ReceiptPrinter, protocolFor } from './receipt-printer.ts';

/**
 * Receipt printers on serial, USB-CDC or raw TCP (port 9100). The descriptor's `model` names a
 * profile (profiles.ts; default 'generic-80'), and the profile's language picks the protocol: ESC/POS
 * models get DLE EOT / GS a / GS r 1, Star models (star-tsp100iv, star-mc-print2) StarPRNT's ASB and
 * ETB fence. One driver serves both so a Star model needs nothing but its model id in the settings.
 * Settings: asb (true), pollIntervalMs (500), responseTimeoutMs (1000), fenceTimeoutMs (20000).
 */
export const receiptPrinterDriver: DriverFactory<ReceiptPrinter> = {
  id: 'printer.escpos',
  kind: 'printer',
  transports: ['serial', 'tcp', 'fake'],
  priority: 0,
  supports: (descriptor) => descriptor.model === undefined || descriptor.model in PRINTER_PROFILES,
  create(descriptor, { transport, options }) {
    const settings = new DeviceSettings(descriptor);
    const config = {
      profile: printerProfile(descriptor.model ?? 'generic-80'),
      asb: settings.boolean('asb', DEFAULT_PRINTER_TIMING.asb),
      pollIntervalMs: settings.number('pollIntervalMs', DEFAULT_PRINTER_TIMING.pollIntervalMs, {
        min: 20,
        max: 10_000,
      }),
      responseTimeoutMs: settings.number('responseTimeoutMs', DEFAULT_PRINTER_TIMING.responseTimeoutMs, {
        min: 50,
        max: 10_000,
      }),
      fenceTimeoutMs: settings.number('fenceTimeoutMs', DEFAULT_PRINTER_TIMING.fenceTimeoutMs, {
        min: 1000,
        max: 600_000,
      }),
    };
    return new ReceiptPrinter(
      descriptor.id,
      transport,
      { ...config, protocol: protocolFor(config.profile.language) },
      options,
    );
  },
};
