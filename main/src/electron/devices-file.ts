/**
 * The till's device list in Electron's user data, kept free of electron imports so the demo
 * launcher (demo/electron-demo.ts) writes exactly the file Electron main reads.
 */
import { readFile } from 'node:fs/promises';
import { DeviceListSchema, describeIssues, type DeviceDescriptor } from '@pos/hardware';
import type { Logger } from '../logging/logger.ts';

/** The till's devices, configured by the installer: `<userData>/devices.json`, a DeviceDescriptor list. */
export const DEVICES_FILE = 'devices.json';

export async function readDeviceConfig(file: string, logger: Logger): Promise<DeviceDescriptor[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return []; // No devices configured: the till sells with keyboard entry and no printer.
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    logger.error('devices.json is not JSON; no devices started', {});
    return [];
  }
  const parsed = DeviceListSchema.safeParse(json);
  if (!parsed.success) {
    logger.error('devices.json is not a valid device list; no devices started', {
      problem: describeIssues(parsed.error),
    });
    return [];
  }
  return parsed.data;
}
