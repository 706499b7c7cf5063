import type { DriverFactory } from '../../device/registry.ts';
import { DeviceSettings } from '../../device/settings.ts';
import { DEFAULT_SCALE_CONFIG, Toledo8217Scale } from './scale.ts';

/**
 * Scales on the 8217 protocol (serial, or a serial server over TCP). Any model name, or none, is
 * taken as 8217: it is the protocol most retail scales offer. Settings: responseTimeoutMs (500),
 * pollIntervalMs (100), zeroValid (false). Configure the port as 9600 baud 7E1 unless the scale says
 * otherwise.
 */
export const toledo8217ScaleDriver: DriverFactory<Toledo8217Scale> = {
  id: 'scale.toledo-8217',
  kind: 'scale',
  transports: ['serial', 'tcp'],
  priority: 0,
  create(descriptor, { transport, options }) {
    const settings = new DeviceSettings(descriptor);
    const config = {
      responseTimeoutMs: settings.number('responseTimeoutMs', DEFAULT_SCALE_CONFIG.responseTimeoutMs, {
        min: 50,
        max: 10_000,
      }),
      pollIntervalMs: settings.number('pollIntervalMs', DEFAULT_SCALE_CONFIG.pollIntervalMs, {
        min: 0,
        max: 5000,
      }),
      zeroValid: settings.boolean('zeroValid', DEFAULT_SCALE_CONFIG.zeroValid),
    };
    return new Toledo8217Scale(descriptor.id, transport, config, options);
  },
};
