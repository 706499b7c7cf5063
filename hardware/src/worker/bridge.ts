/**
 * The worker's answers in the shapes of the renderer's IPC contract (desktop-bridge.ts), so main's
 * `HardwareHost` over the worker is a thin pass-through: device list entries, scale readings, and
 * error codes. Kept here, next to the protocol, so the two cannot drift apart unnoticed.
 */
import type {
  DeviceStatus,
  PaymentStatus,
  PosErrorCode,
  ScaleReading,
} from '@pos/app/contracts/desktop-bridge';
import type { PaymentStatusInfo } from '../devices/payment/payment-intents.ts';
import type { DeviceKind } from '../device/types.ts';
import type { DeviceInfo, WeightReading, WorkerError } from './protocol.ts';

const BRIDGE_KINDS: Readonly<Record<DeviceKind, DeviceStatus['kind'] | undefined>> = {
  printer: 'printer',
  cash_drawer: 'drawer',
  scanner: 'scanner',
  scale: 'scale',
  payment_terminal: 'payment_terminal',
  line_display: 'customer_display',
  card_reader: 'card_reader',
};

const NAMES: Readonly<Record<DeviceKind, string>> = {
  printer: 'Receipt printer',
  cash_drawer: 'Cash drawer',
  scanner: 'Scanner',
  scale: 'Scale',
  payment_terminal: 'Payment terminal',
  line_display: 'Customer display',
  card_reader: 'Card reader',
};

/** A device as the renderer's device list shows it; undefined for kinds the contract lacks. */
export function toBridgeDeviceStatus(device: DeviceInfo): DeviceStatus | undefined {
  const kind = BRIDGE_KINDS[device.kind];
  if (kind === undefined) return undefined;
  return {
    deviceId: device.id,
    kind,
    name: clip(`${NAMES[device.kind]} ${device.id}`, 64),
    state: bridgeState(device),
    detail: clip(device.text, 200),
  };
}

function bridgeState(device: DeviceInfo): DeviceStatus['state'] {
  if (device.ready) return 'ready';
  if (device.powerState === 'offline' || device.powerState === 'off') return 'offline';
  if (device.error?.code === 'busy') return 'busy';
  return 'error';
}

/** The worker only ever returns stable weights (selling by weight needs one). */
export function toBridgeScaleReading(reading: WeightReading): ScaleReading {
  return { weight: reading.weight, unit: reading.unit, isStable: true };
}

/**
 * A payment as the contract's PaymentStatus. The device already cleans the terminal's texts (no
 * control characters, contract lengths); this clips once more so a contract change cannot make a
 * worker answer unparseable.
 */
export function toBridgePaymentStatus(payment: PaymentStatusInfo): PaymentStatus {
  const optional = (value: string | null, max: number): string | null =>
    value === null ? null : clip(value, max);
  return {
    paymentId: payment.paymentId,
    state: payment.state,
    amount: payment.amount,
    currency: payment.currency,
    authCode: optional(payment.authCode, 32),
    cardBrand: optional(payment.cardBrand, 32),
    cardLast4: payment.cardLast4 !== null && /^[0-9]{4}$/.test(payment.cardLast4) ? payment.cardLast4 : null,
    reference: optional(payment.reference, 128),
    message: clip(payment.message, 200),
  };
}

const POS_ERROR_CODES: Partial<Readonly<Record<WorkerError['code'], PosErrorCode>>> = {
  busy: 'device_busy',
  // A payment id reused for another amount: the caller's mistake.
  illegal: 'invalid_input',
  not_found: 'not_found',
  invalid_message: 'invalid_input',
  invalid_config: 'invalid_input',
  internal: 'internal',
};

/** The contract's error code for a worker refusal (its message is already cashier-readable). */
export function toPosErrorCode(error: WorkerError): PosErrorCode {
  return POS_ERROR_CODES[error.code] ?? 'unavailable';
}

/** Control characters are refused by the contract; device texts are single sentences anyway. */
function clip(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex -- the contract refuses control characters
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}
