import type { DriverFactory } from '../../device/registry.ts';
import { DeviceSettings } from '../../device/settings.ts';
import type { DeviceDescriptor } from '../../device/types.ts';
import { DEFAULT_SWIPE_TIMEOUT_MS, MagneticCardReader, type CardReaderInput } from './card-reader.ts';
import type { CardPrefixes } from './track-parser.ts';

/** HID usage page and usage of a keyboard (Generic Desktop, Keyboard), as keyboard-mode readers report. */
export const HID_GENERIC_DESKTOP_USAGE_PAGE = 0x01;
export const HID_KEYBOARD_USAGE = 0x06;

/**
 * Settings shared by both drivers: loyaltyPrefixes, giftPrefixes, staffPrefixes (comma-separated, e.g.
 * "9901,9902"; a prefix a payment card could start with is refused), lrc (default false: the reader
 * sends each track's LRC character), swipeTimeoutMs (default 150).
 */
function createReader(
  descriptor: DeviceDescriptor,
  input: CardReaderInput,
  context: Parameters<DriverFactory['create']>[1],
): MagneticCardReader {
  const settings = new DeviceSettings(descriptor);
  const list = (key: string): string[] =>
    settings
      .string(key, '')
      .split(',')
      .map((prefix) => prefix.trim())
      .filter((prefix) => prefix !== '');
  const prefixes: CardPrefixes = {
    loyalty: list('loyaltyPrefixes'),
    gift: list('giftPrefixes'),
    staff: list('staffPrefixes'),
  };
  return new MagneticCardReader(
    descriptor.id,
    context.transport,
    {
      input,
      lrc: settings.boolean('lrc', false),
      swipeTimeoutMs: settings.number('swipeTimeoutMs', DEFAULT_SWIPE_TIMEOUT_MS, { min: 20, max: 5000 }),
      prefixes,
      reportId:
        input === 'hid-keyboard' ? (settings.optionalNumber('reportId', { min: 1, max: 255 }) ?? null) : null,
    },
    context.options,
  );
}

/** Keyboard-mode USB readers opened as HID devices. Extra setting: reportId (default none). */
export const hidKeyboardCardReaderDriver: DriverFactory<MagneticCardReader> = {
  id: 'card-reader.hid-keyboard',
  kind: 'card_reader',
  transports: ['hid'],
  priority: 0,
  supports: ({ transport }) =>
    transport.type === 'hid' &&
    (transport.usagePage ?? HID_GENERIC_DESKTOP_USAGE_PAGE) === HID_GENERIC_DESKTOP_USAGE_PAGE &&
    (transport.usage ?? HID_KEYBOARD_USAGE) === HID_KEYBOARD_USAGE,
  create: (descriptor, context) => createReader(descriptor, 'hid-keyboard', context),
};

/** Readers that send the track text as bytes: USB-CDC or RS-232 serial, or a TCP bridge. */
export const textCardReaderDriver: DriverFactory<MagneticCardReader> = {
  id: 'card-reader.text',
  kind: 'card_reader',
  transports: ['serial', 'tcp'],
  priority: 0,
  create: (descriptor, context) => createReader(descriptor, 'text', context),
};
