/**
 * Reads a devices configuration file for the CLI: `{ "devices": [ … ] }` or a bare array of device
 * descriptors (device/types.ts). Every problem is reported with the field it is in and why.
 */
import { readFile } from 'node:fs/promises';
import type { DeviceDescriptor } from '../device/types.ts';
import { DeviceListSchema, describeIssues } from '../worker/protocol.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export async function loadDeviceConfig(path: string): Promise<DeviceDescriptor[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason =
      error instanceof Error && 'code' in error && error.code === 'ENOENT' ? 'no such file' : String(error);
    throw new ConfigError(`Cannot read the device configuration ${path}: ${reason}.`);
  }
  return parseDeviceConfig(text, path);
}

export function parseDeviceConfig(text: string, source: string): DeviceDescriptor[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `${source} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const list: unknown = Array.isArray(json) ? json : devicesField(json, source);
  const parsed = DeviceListSchema.safeParse(list);
  if (!parsed.success) {
    throw new ConfigError(`${source} has an invalid device: ${describeIssues(parsed.error, 'devices')}`);
  }
  return parsed.data;
}

function devicesField(json: unknown, source: string): unknown {
  if (typeof json === 'object' && json !== null && 'devices' in json) return json.devices;
  throw new ConfigError(`${source}: expected an object with a "devices" array (or an array of devices).`);
}
