/**
 * The till's devices as the status bar shows them, kept current from main's events. The first list
 * comes from `hardware.listDevices`; after that every `hardware.deviceStatus`, `hardware.drawer`,
 * `hardware.printJob` and `hardware.paymentUpdated` event updates it. When the device service is not
 * there (not started, restarting, no bridge at all) the list says so instead of failing, and asks
 * again every `retryMs` until it answers.
 */
import type { DeviceStatus, EventPayload } from '@pos/app/contracts/desktop-bridge';
import { useEffect, useState } from 'react';
import type { Desktop } from '../platform/desktop.ts';
import type { DeviceKind, DeviceView } from './device-words.ts';

export type DeviceService = 'checking' | 'available' | 'unavailable';

export interface DeviceStates {
  readonly service: DeviceService;
  readonly devices: readonly DeviceView[];
}

export const INITIAL_DEVICE_STATES: DeviceStates = { service: 'checking', devices: [] };

/** Devices known only from an event (e.g. a drawer event before any status) get a placeholder record. */
function placeholder(kind: DeviceKind, deviceId: string): DeviceView {
  return { status: { deviceId, kind, name: '', state: 'ready', detail: '' } };
}

function upsert(devices: readonly DeviceView[], status: DeviceStatus): DeviceView[] {
  const index = devices.findIndex((device) => device.status.deviceId === status.deviceId);
  if (index < 0) return [...devices, { status }];
  return devices.map((device, i) => (i === index ? { ...device, status } : device));
}

/** Applies `change` to the device `id` (or the first of `kind` when `id` is unknown), creating it if needed. */
function patch(
  devices: readonly DeviceView[],
  kind: DeviceKind,
  id: string | null,
  change: (device: DeviceView) => DeviceView,
): DeviceView[] {
  let index = id === null ? -1 : devices.findIndex((device) => device.status.deviceId === id);
  if (index < 0) index = devices.findIndex((device) => device.status.kind === kind);
  if (index < 0) return [...devices, change(placeholder(kind, id ?? kind))];
  return devices.map((device, i) => (i === index ? change(device) : device));
}

export function withStatus(states: DeviceStates, status: DeviceStatus): DeviceStates {
  return { service: 'available', devices: upsert(states.devices, status) };
}

export function withList(states: DeviceStates, list: readonly DeviceStatus[]): DeviceStates {
  let devices: readonly DeviceView[] = states.devices;
  for (const status of list) devices = upsert(devices, status);
  return { service: 'available', devices };
}

export function withDrawer(states: DeviceStates, event: EventPayload<'hardware.drawer'>): DeviceStates {
  return {
    ...states,
    devices: patch(states.devices, 'drawer', event.drawerId, (device) => ({
      ...device,
      drawer: { open: event.open, leftOpenMs: event.leftOpenMs },
    })),
  };
}

function withoutPrintJob(device: DeviceView): DeviceView {
  return {
    status: device.status,
    ...(device.drawer === undefined ? {} : { drawer: device.drawer }),
    ...(device.paying === undefined ? {} : { paying: device.paying }),
  };
}

export function withPrintJob(states: DeviceStates, event: EventPayload<'hardware.printJob'>): DeviceStates {
  return {
    ...states,
    devices: patch(states.devices, 'printer', null, (device) => {
      if (event.state === 'printed') return withoutPrintJob(device);
      return { ...device, printJob: { state: event.state, detail: event.detail } };
    }),
  };
}

export function withPayment(
  states: DeviceStates,
  event: EventPayload<'hardware.paymentUpdated'>,
): DeviceStates {
  const paying = event.state === 'pending' || event.state === 'unresolved';
  return {
    ...states,
    devices: patch(states.devices, 'payment_terminal', null, (device) => ({ ...device, paying })),
  };
}

export const LIST_RETRY_MS = 15_000;

/** Live device states. Never throws: a missing bridge or a refused call reads as 'unavailable'. */
export function useDeviceStates(desktop: Desktop, retryMs = LIST_RETRY_MS): DeviceStates {
  const [states, setStates] = useState<DeviceStates>(INITIAL_DEVICE_STATES);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribes: (() => void)[] = [];
    const listen = <
      E extends 'hardware.deviceStatus' | 'hardware.drawer' | 'hardware.printJob' | 'hardware.paymentUpdated',
    >(
      event: E,
      apply: (current: DeviceStates, payload: EventPayload<E>) => DeviceStates,
    ): void => {
      try {
        unsubscribes.push(
          desktop.on(event, (payload) => {
            if (live) setStates((current) => apply(current, payload));
          }),
        );
      } catch {
        // No event channel: the list call below decides what the bar says.
      }
    };
    listen('hardware.deviceStatus', withStatus);
    listen('hardware.drawer', withDrawer);
    listen('hardware.printJob', withPrintJob);
    listen('hardware.paymentUpdated', withPayment);

    const ask = async (): Promise<void> => {
      let answered = false;
      try {
        const result = await desktop.tryCall('hardware.listDevices', undefined);
        if (result.ok && live) {
          answered = true;
          setStates((current) => withList(current, result.value.devices));
        }
      } catch {
        answered = false;
      }
      if (!answered && live) {
        setStates((current) =>
          current.service === 'available' ? current : { ...current, service: 'unavailable' },
        );
        timer = setTimeout(() => void ask(), retryMs);
      }
    };
    void ask();

    return () => {
      live = false;
      clearTimeout(timer);
      for (const unsubscribe of unsubscribes) unsubscribe();
    };
  }, [desktop, retryMs]);

  return states;
}
