import { readFileSync } from 'node:fs';
import type { DriverFactory } from '../../device/registry.ts';
import { DeviceError } from '../../device/errors.ts';
import { DeviceSettings } from '../../device/settings.ts';
import type { DeviceDescriptor } from '../../device/types.ts';
import { NexoLinkTransport, NexoLocalClient } from './nexo-client.ts';
import { DEFAULT_RECOVERY_RETRY, NexoPaymentTerminal } from './payment-terminal.ts';

/**
 * An Adyen (nexo Terminal API, local mode) terminal. The descriptor's transport is `tcp` with the
 * terminal's LAN address and port (NEXO_LOCAL_PORT, 8443); the HTTPS client makes its own connections, so the TCP
 * transport the registry builds is not used. Settings:
 *
 *   poiId            the terminal's POIID, "<model>-<serial>" (required; its certificate must name it)
 *   saleId           this till's SaleID (default "omnitill")
 *   environment      "test" or "live" (default "live"): which Adyen terminal certificates to accept
 *   caFile           PEM file of the CA the terminal's certificate chains to (required)
 *   apiKey           the x-api-key (required)
 *   keyIdentifier, keyVersion (default 1), keyPassphrase: the shared NexoCrypto key (required)
 *   paymentTimeoutMs (default 150000), statusTimeoutMs (default 10000),
 *   recoveryIntervalMs (default 1000, doubling up to recoveryMaxIntervalMs, default 15000),
 *   cancelSettleMs (default 3000)
 */
export const nexoPaymentTerminalDriver: DriverFactory<NexoPaymentTerminal> = {
  id: 'payment-terminal.nexo',
  kind: 'payment_terminal',
  transports: ['tcp'],
  priority: 0,
  supports: ({ model }) => model === undefined || /adyen|nexo/i.test(model),
  create: (descriptor, context) => {
    const settings = new DeviceSettings(descriptor);
    const required = (key: string): string => {
      const value = settings.optionalString(key);
      if (value === undefined || value === '') {
        throw new DeviceError(
          'invalid_config',
          `The payment terminal "${descriptor.id}" needs the setting "${key}".`,
          { device: descriptor.id, setting: key },
        );
      }
      return value;
    };
    const { host, port, connectTimeoutMs } = tcpOf(descriptor);
    const poiId = required('poiId');
    const client = new NexoLocalClient({
      host,
      port,
      apiKey: required('apiKey'),
      ca: readCa(descriptor, required('caFile')),
      parties: { saleId: settings.string('saleId', 'omnitill'), poiId },
      environment: settings.oneOf('environment', ['test', 'live'] as const, 'live'),
      key: {
        keyIdentifier: required('keyIdentifier'),
        keyVersion: settings.number('keyVersion', 1, { min: 0, max: 1_000_000 }),
        passphrase: required('keyPassphrase'),
      },
      connectTimeoutMs: connectTimeoutMs ?? 5000,
    });
    const recoveryMs = settings.number('recoveryIntervalMs', DEFAULT_RECOVERY_RETRY.initialDelayMs, {
      min: 10,
      max: 60_000,
    });
    const recoveryMaxMs = settings.number('recoveryMaxIntervalMs', DEFAULT_RECOVERY_RETRY.maxDelayMs, {
      min: 10,
      max: 600_000,
    });
    return new NexoPaymentTerminal(
      descriptor.id,
      new NexoLinkTransport(client),
      {
        parties: client.config.parties,
        paymentTimeoutMs: settings.number('paymentTimeoutMs', 150_000, { min: 100, max: 900_000 }),
        statusTimeoutMs: settings.number('statusTimeoutMs', 10_000, { min: 50, max: 120_000 }),
        recoveryRetry: {
          initialDelayMs: recoveryMs,
          maxDelayMs: Math.max(recoveryMs, recoveryMaxMs),
          factor: 2,
        },
        cancelSettleMs: settings.number('cancelSettleMs', 3000, { min: 0, max: 60_000 }),
      },
      context.options,
    );
  },
};

function tcpOf(descriptor: DeviceDescriptor): { host: string; port: number; connectTimeoutMs?: number } {
  const { transport } = descriptor;
  if (transport.type !== 'tcp') {
    throw new DeviceError(
      'invalid_config',
      `The payment terminal "${descriptor.id}" is reached over the network (tcp).`,
      {
        device: descriptor.id,
      },
    );
  }
  return {
    host: transport.host,
    port: transport.port,
    ...(transport.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: transport.connectTimeoutMs }),
  };
}

function readCa(descriptor: DeviceDescriptor, path: string): string {
  try {
    const pem = readFileSync(path, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('not a PEM certificate');
    return pem;
  } catch (error) {
    throw new DeviceError(
      'invalid_config',
      `The payment terminal "${descriptor.id}" cannot read its certificate authority file ${path}. Install the terminal root certificate there.`,
      { device: descriptor.id, setting: 'caFile' },
      { cause: error },
    );
  }
}
