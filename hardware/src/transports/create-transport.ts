import { HidTransport, type HidApi } from './hid-transport.ts';
import { SerialTransport, type SerialBinding } from './serial-transport.ts';
import { TcpTransport } from './tcp-transport.ts';
import type { Transport, TransportConfig } from './transport.ts';

export interface TransportFactoryOptions {
  /** MockBinding in unit tests; the platform binding otherwise. */
  readonly serialBinding?: SerialBinding;
  /** A fake node-hid in tests; node-hid (loaded on first open) otherwise. */
  readonly loadHid?: () => Promise<HidApi>;
}

export type TransportFactory = (config: TransportConfig) => Transport;

export function createTransport(config: TransportConfig, options: TransportFactoryOptions = {}): Transport {
  switch (config.type) {
    case 'serial':
      return new SerialTransport(
        config,
        options.serialBinding === undefined ? {} : { binding: options.serialBinding },
      );
    case 'hid':
      return new HidTransport(config, options.loadHid === undefined ? {} : { loadHid: options.loadHid });
    case 'tcp':
      return new TcpTransport(config);
  }
}
