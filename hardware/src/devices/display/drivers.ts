import type { DeviceDescriptor } from '../../device/types.ts';
import type { DriverContext, DriverFactory } from '../../device/registry.ts';
import { DeviceSettings } from '../../device/settings.ts';
import { DISPLAY_CHARSETS } from './charset.ts';
import {
  cd5220CommandSet,
  epsonCommandSet,
  type Brightness,
  type DisplayCommandSet,
} from './command-sets.ts';
import { LineDisplay } from './line-display.ts';

const BRIGHTNESS_LEVELS: readonly Brightness[] = [1, 2, 3, 4];

function createLineDisplay(
  descriptor: DeviceDescriptor,
  commandSet: DisplayCommandSet,
  context: DriverContext,
): LineDisplay {
  const settings = new DeviceSettings(descriptor);
  const level = settings.optionalNumber('brightness', { min: 1, max: 4 });
  const brightness = BRIGHTNESS_LEVELS.find((candidate) => candidate === level);
  return new LineDisplay(
    descriptor.id,
    context.transport,
    {
      commandSet,
      columns: settings.number('columns', 20, { min: 1, max: 80 }),
      charset: settings.oneOf('charset', DISPLAY_CHARSETS, 'ascii'),
      ...(brightness === undefined ? {} : { brightness }),
    },
    context.options,
  );
}

/**
 * Epson ESC/POS customer display commands: the generic choice for any pole display without a more
 * specific driver. Settings: columns (20), charset 'ascii' | 'wpc1252' ('ascii'), brightness 1–4
 * (unset: the display's own).
 */
export const epsonLineDisplayDriver: DriverFactory<LineDisplay> = {
  id: 'line_display.epson',
  kind: 'line_display',
  transports: ['serial', 'tcp'],
  priority: 0,
  create: (descriptor, context) => createLineDisplay(descriptor, epsonCommandSet, context),
};

/** Displays configured with a model name containing "cd5220". Settings: columns (20). */
export const cd5220LineDisplayDriver: DriverFactory<LineDisplay> = {
  id: 'line_display.cd5220',
  kind: 'line_display',
  transports: ['serial', 'tcp'],
  priority: 10,
  supports: (descriptor) => /cd[-_ ]?5220/i.test(descriptor.model ?? ''),
  create: (descriptor, context) => createLineDisplay(descriptor, cd5220CommandSet, context),
};
