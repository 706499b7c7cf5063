/**
 * Device errors. Every failure a device reports is a `DeviceError` with a stable `code` (for programs,
 * translations and the UPOS result code it mirrors) and an English `message` a cashier or an installer
 * can act on ("The scale did not settle. Keep the item still."), never a raw OS error text. The OS
 * error, when there is one, stays in `cause` for logs.
 */

export type DeviceErrorCode =
  // lifecycle (UPOS E_CLOSED, E_NOTCLAIMED, E_DISABLED, E_ILLEGAL)
  | 'closed'
  | 'not_claimed'
  | 'disabled'
  | 'illegal'
  // configuration and drivers (UPOS E_NOSERVICE)
  | 'invalid_config'
  | 'no_driver'
  | 'unavailable'
  // the link to the device (UPOS E_OFFLINE, E_CLAIMED by another program, E_TIMEOUT, E_BUSY, E_FAILURE)
  | 'offline'
  | 'in_use'
  | 'access_denied'
  | 'timeout'
  | 'busy'
  | 'failure'
  // what the device sent (UPOS E_FAILURE / ErrorLocus INPUT_DATA)
  | 'protocol'
  | 'partial_scan'
  | 'invalid_scan'
  // scale conditions (UPOS E_EXTENDED: SCAL_E_OVERWEIGHT, SCAL_E_UNDER_ZERO)
  | 'over_capacity'
  | 'under_zero';

export class DeviceError extends Error {
  override readonly name = 'DeviceError';

  constructor(
    readonly code: DeviceErrorCode,
    message: string,
    readonly params: Readonly<Record<string, string | number | boolean>> = {},
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isDeviceError(value: unknown): value is DeviceError {
  return value instanceof DeviceError;
}

/** Node system errors carry `code` (ENOENT, EACCES…); serialport adds its own message text. */
export function systemErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code: unknown = error.code;
  return typeof code === 'string' ? code : undefined;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : 'unknown error';
}

/**
 * Turns whatever a transport's `open` threw into a DeviceError that says what to do. `what` names the
 * link in the message, e.g. "serial port /dev/ttyUSB0".
 */
export function linkOpenError(error: unknown, what: string): DeviceError {
  if (isDeviceError(error)) return error;
  const code = systemErrorCode(error);
  const text = errorText(error);
  const params = { link: what };
  if (code === 'EACCES' || code === 'EPERM' || /permission denied/i.test(text)) {
    return new DeviceError(
      'access_denied',
      `Omnitill may not open ${what}. Give the till's user access to it (on Linux: the dialout group or a udev rule).`,
      params,
      { cause: error },
    );
  }
  if (
    code === 'EBUSY' ||
    /cannot lock port|port is locked|resource temporarily unavailable|resource busy/i.test(text)
  ) {
    return new DeviceError(
      'in_use',
      `${capitalize(what)} is in use by another program. Close that program.`,
      params,
      {
        cause: error,
      },
    );
  }
  if (code === 'ETIMEDOUT') {
    return new DeviceError(
      'timeout',
      `${capitalize(what)} did not answer in time. Check that it is switched on.`,
      params,
      {
        cause: error,
      },
    );
  }
  return new DeviceError(
    'offline',
    `${capitalize(what)} is not connected. Check the cable and the power.`,
    params,
    {
      cause: error,
    },
  );
}

export function capitalize(text: string): string {
  return text.length === 0 ? text : text.charAt(0).toUpperCase() + text.slice(1);
}
