/**
 * The device model's vocabulary, shaped on UnifiedPOS: a device is opened, claimed (exclusive access:
 * the port is opened), enabled (it delivers data and accepts output), and taken back down in reverse.
 * Power state is reported separately, because a claimed and enabled device can be unplugged and come
 * back without anyone touching its lifecycle.
 */
import type { TransportConfig } from '../transports/transport.ts';
import type { DeviceError } from './errors.ts';

export type DeviceKind =
  'scanner' | 'scale' | 'line_display' | 'printer' | 'cash_drawer' | 'payment_terminal' | 'card_reader';

/** UPOS lifecycle: closed → opened → claimed → enabled, and back the same way. */
export type DeviceState = 'closed' | 'opened' | 'claimed' | 'enabled';

/**
 * UPOS power reporting. `offline`: the link is gone (unplugged, port vanished, socket lost) and the
 * device is reconnecting. `off`: the link is up but the device does not answer (a scale switched off
 * behind its USB-serial adapter). `unknown`: not claimed, so nobody looked.
 */
export type PowerState = 'unknown' | 'online' | 'off' | 'offline';

export type SettingValue = string | number | boolean;

/** One configured device, as stored in the till's settings. */
export interface DeviceDescriptor {
  /** Stable id in the configuration, e.g. 'front-scanner'. */
  readonly id: string;
  readonly kind: DeviceKind;
  readonly transport: TransportConfig;
  /** Free text the drivers match on, e.g. 'cd5220' or 'toledo-8217'. */
  readonly model?: string;
  /** Driver-specific settings; each driver validates its own (DeviceSettings). */
  readonly settings?: Readonly<Record<string, SettingValue>>;
}

/** UPOS ErrorLocus, plus 'device' for link and power problems that belong to no operation. */
export type ErrorLocus = 'input' | 'input_data' | 'output' | 'device';

export interface DeviceErrorEvent {
  readonly error: DeviceError;
  readonly locus: ErrorLocus;
}

export interface DeviceStatus {
  readonly state: DeviceState;
  readonly powerState: PowerState;
}

/** Events every device emits; device kinds add theirs (data, outputComplete…) by extending this. */
export interface DeviceEvents {
  /** After every change of lifecycle state or power state. */
  readonly status: DeviceStatus;
  readonly error: DeviceErrorEvent;
}

/** For output devices (printers, displays with queued output): UPOS OutputCompleteEvent. */
export interface OutputCompleteEvent {
  readonly outputId: string;
}

/** UPOS checkHealth levels; 'interactive' belongs to the UI, not to the worker. */
export type HealthLevel = 'internal' | 'external';

export interface HealthReport {
  readonly ok: boolean;
  readonly level: HealthLevel;
  readonly status: DeviceStatus;
  /** UPOS CheckHealthText: one sentence for the settings screen. */
  readonly text: string;
}
