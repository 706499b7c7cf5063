import { describe, expect, it } from 'vitest';
import { DeviceError, linkOpenError } from './errors.ts';

function systemError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('linkOpenError', () => {
  it.each([
    [
      systemError('ENOENT', 'No such file or directory, cannot open /dev/ttyUSB0'),
      'offline',
      'Serial port /dev/ttyUSB0 is not connected. Check the cable and the power.',
    ],
    [
      systemError('EACCES', 'Permission denied, cannot open /dev/ttyUSB0'),
      'access_denied',
      "Omnitill may not open serial port /dev/ttyUSB0. Give the till's user access to it (on Linux: the dialout group or a udev rule).",
    ],
    [
      new Error('Error Resource temporarily unavailable Cannot lock port'),
      'in_use',
      'Serial port /dev/ttyUSB0 is in use by another program. Close that program.',
    ],
    [
      systemError('ETIMEDOUT', 'connect ETIMEDOUT'),
      'timeout',
      'Serial port /dev/ttyUSB0 did not answer in time. Check that it is switched on.',
    ],
  ])('turns %s into %s', (cause, code, message) => {
    const error = linkOpenError(cause, 'serial port /dev/ttyUSB0');
    expect(error).toMatchObject({
      name: 'DeviceError',
      code,
      message,
      params: { link: 'serial port /dev/ttyUSB0' },
    });
    expect(error.cause).toBe(cause);
  });

  it('passes a DeviceError through unchanged', () => {
    const error = new DeviceError('unavailable', 'no HID library');
    expect(linkOpenError(error, 'x')).toBe(error);
  });
});
