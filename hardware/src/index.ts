// @pos/hardware: the device model, transports, device drivers and simulators of the hardware worker.
import { DriverRegistry } from './device/registry.ts';
import { receiptPrinterDriver } from './devices/printer/drivers.ts';
import { cd5220LineDisplayDriver, epsonLineDisplayDriver } from './devices/display/drivers.ts';
import { toledo8217ScaleDriver } from './devices/scale/drivers.ts';
import { hidPosScannerDriver, serialScannerDriver } from './devices/scanner/drivers.ts';
import { hidKeyboardCardReaderDriver, textCardReaderDriver } from './devices/card-reader/drivers.ts';
import { nexoPaymentTerminalDriver } from './devices/payment/drivers.ts';

export * from './device/backoff.ts';
export * from './device/bytes.ts';
export * from './device/base-device.ts';
export * from './device/errors.ts';
export * from './device/events.ts';
export * from './device/registry.ts';
export * from './device/settings.ts';
export * from './device/types.ts';

export * from './transports/create-transport.ts';
export * from './transports/fake-transport.ts';
export * from './transports/hid-transport.ts';
export * from './transports/serial-transport.ts';
export * from './transports/tcp-transport.ts';
export * from './transports/transport.ts';

export * from './devices/scanner/drivers.ts';
export * from './devices/scanner/hid-pos.ts';

export * from './devices/scanner/scan.ts';
export * from './devices/scanner/scanner.ts';
export * from './devices/scanner/serial-framing.ts';

export * from './devices/scale/drivers.ts';
export * from './devices/scale/scale.ts';
export * from './devices/scale/toledo-8217.ts';

export * from './devices/display/charset.ts';
export * from './devices/display/command-sets.ts';
export * from './devices/display/drivers.ts';
export * from './devices/display/line-display.ts';

export * from './devices/printer/drivers.ts';
export * from './devices/printer/escpos-tokenizer.ts';
export * from './devices/printer/gb18030.ts';
export * from './devices/printer/print-queue.ts';
export * from './devices/printer/profiles.ts';
export * from './devices/printer/receipt-printer.ts';
export * from './devices/printer/receipt-renderer.ts';
export * from './devices/printer/status.ts';

export * from './devices/drawer/cash-drawer.ts';

export * from './devices/card-reader/card-reader.ts';
export * from './devices/card-reader/drivers.ts';
export * from './devices/card-reader/track-parser.ts';

export * from './devices/payment/drivers.ts';
export * from './devices/payment/nexo-client.ts';
export * from './devices/payment/nexo-crypto.ts';
export * from './devices/payment/nexo-messages.ts';
export * from './devices/payment/payment-intents.ts';
export * from './devices/payment/payment-terminal.ts';

export * from './simulators/escpos-printer-interpreter.ts';
export * from './simulators/escpos-printer-preview.ts';
export * from './simulators/escpos-printer-simulator.ts';
export * from './simulators/escpos-printer-tcp-server.ts';
export * from './simulators/pole-display-simulator.ts';
export * from './simulators/scale-simulator.ts';
export * from './simulators/scanner-simulator.ts';
export * from './simulators/nexo-terminal-simulator.ts';
export * from './simulators/terminal-certificate.ts';
export * from './cli/simulated-devices.ts';

export * from './cli/simulated-devices.ts';

export * from './worker/bridge.ts';
export * from './worker/host.ts';
export * from './worker/protocol.ts';
export * from './worker/worker.ts';

/** A registry with every built-in driver; device kinds added later register theirs here. */
export function createDefaultRegistry(): DriverRegistry {
  return new DriverRegistry()
    .register(serialScannerDriver)
    .register(hidPosScannerDriver)
    .register(toledo8217ScaleDriver)
    .register(epsonLineDisplayDriver)
    .register(cd5220LineDisplayDriver)
    .register(receiptPrinterDriver)
    .register(hidKeyboardCardReaderDriver)
    .register(textCardReaderDriver)
    .register(nexoPaymentTerminalDriver);
}
