/**
 * The strip along the bottom of the till: is it online, when did it last sync, how much waits to be
 * sent, anything HQ must look at, and every device's state in plain words. Read-only and defensive:
 * it never blocks or throws, whatever the sync service or the device service are doing.
 */
import type { TFunction } from 'i18next';
import { useEffect, useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import '../styles/status.css';
import { useTill } from '../app/till-context.tsx';
import type { SyncStatus } from '../db/index.ts';
import { formatDateTime } from '../i18n/format.ts';
import { useDeviceStates, type DeviceStates } from './device-states.ts';
import { conditionOf, KIND_ORDER, toneOf, type DeviceView, type Tone } from './device-words.ts';

/** How often "synced 2 min ago" is brought up to date. */
export const CLOCK_TICK_MS = 15_000;

export interface StatusItem {
  readonly key: string;
  readonly text: string;
  readonly tone: Tone | 'muted';
}

function useSyncStatus(): SyncStatus | null {
  const { sync } = useTill();
  const [status, setStatus] = useState<SyncStatus | null>(() => sync?.status.current ?? null);
  useEffect(() => {
    if (sync === null) return undefined;
    const subscription = sync.status.status$.subscribe({
      next: setStatus,
      // A completed or failed status stream leaves the last status on screen.
      error: () => undefined,
    });
    return () => {
      subscription.unsubscribe();
    };
  }, [sync]);
  return sync === null ? null : status;
}

function useNow(tickMs: number): Date {
  const { now } = useTill();
  const [current, setCurrent] = useState(() => now());
  useEffect(() => {
    const timer = setInterval(() => {
      setCurrent(now());
    }, tickMs);
    return () => {
      clearInterval(timer);
    };
  }, [now, tickMs]);
  return current;
}

export function syncItems(
  t: TFunction<'status'>,
  status: SyncStatus | null,
  now: Date,
  locale: string,
  timeZone: string,
): StatusItem[] {
  if (status === null) return [{ key: 'connection', text: t('sync.notSetUp'), tone: 'muted' }];
  const items: StatusItem[] = [];
  switch (status.phase) {
    case 'starting':
      items.push({ key: 'connection', text: t('sync.connecting'), tone: 'busy' });
      break;
    case 'online':
      items.push({ key: 'connection', text: t('sync.online'), tone: 'ok' });
      break;
    case 'offline':
      items.push({ key: 'connection', text: t('sync.offline'), tone: 'warn' });
      break;
    case 'stopped':
      items.push({ key: 'connection', text: t('sync.stopped'), tone: 'muted' });
      break;
  }
  items.push({
    key: 'synced',
    text: lastSynced(t, status.lastSyncedAt, now, locale, timeZone),
    tone: 'muted',
  });
  items.push(
    status.eventsWaiting === 0
      ? { key: 'waiting', text: t('sync.allSent'), tone: 'muted' }
      : {
          key: 'waiting',
          text: t('sync.waiting', { count: status.eventsWaiting }),
          tone: status.online ? 'busy' : 'warn',
        },
  );
  if (status.catalog.state === 'downloading' && status.catalog.rows > 0) {
    items.push({
      key: 'catalog',
      text: t('sync.catalogDownloading', { count: status.catalog.rows }),
      tone: 'busy',
    });
  }
  const recovered = status.recoveredFromDataLoss;
  if (recovered !== null) {
    // Re-sent events repair the loss (the server deduplicates); none to re-send means the till had
    // already pruned them, and only a manager with the paper trail can repair it.
    items.push(
      recovered.events > 0
        ? { key: 'recovered', text: t('sync.recovered', { count: recovered.events }), tone: 'warn' }
        : { key: 'recovered', text: t('sync.recoveredNothing'), tone: 'error' },
    );
  }
  if (status.quarantined > 0) {
    items.push({
      key: 'quarantined',
      text: t('sync.quarantined', { count: status.quarantined }),
      tone: 'error',
    });
  }
  return items;
}

function lastSynced(
  t: TFunction<'status'>,
  at: number | null,
  now: Date,
  locale: string,
  timeZone: string,
): string {
  if (at === null) return t('sync.never');
  const seconds = Math.max(0, Math.floor((now.getTime() - at) / 1000));
  if (seconds < 60) return t('sync.justNow');
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return t('sync.minutesAgo', { count: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t('sync.hoursAgo', { count: hours });
  return t('sync.since', { when: formatDateTime(new Date(at).toISOString(), locale, timeZone) });
}

export function deviceItems(t: TFunction<'status'>, states: DeviceStates): StatusItem[] {
  if (states.service === 'unavailable' && states.devices.length === 0) {
    return [{ key: 'devices', text: t('device.serviceUnavailable'), tone: 'error' }];
  }
  if (states.service === 'checking' && states.devices.length === 0) {
    return [{ key: 'devices', text: t('device.checking'), tone: 'muted' }];
  }
  if (states.devices.length === 0) return [{ key: 'devices', text: t('device.none'), tone: 'muted' }];
  const sorted = [...states.devices].sort(
    (a, b) => KIND_ORDER.indexOf(a.status.kind) - KIND_ORDER.indexOf(b.status.kind),
  );
  const perKind = new Map<string, number>();
  for (const device of sorted) perKind.set(device.status.kind, (perKind.get(device.status.kind) ?? 0) + 1);
  const seen = new Map<string, number>();
  return sorted.map((device: DeviceView) => {
    const kind = device.status.kind;
    const n = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, n);
    const name = t(`kind.${kind}`);
    const label = (perKind.get(kind) ?? 1) > 1 ? t('kind.numbered', { device: name, n }) : name;
    const condition = conditionOf(device);
    return {
      key: `device-${device.status.deviceId}`,
      text: t(`condition.${condition}`, { device: label }),
      tone: toneOf(condition),
    };
  });
}

export function StatusBar(): ReactElement {
  const { t } = useTranslation('status');
  const { desktop, locale, timeZone } = useTill();
  const status = useSyncStatus();
  const devices = useDeviceStates(desktop);
  const now = useNow(CLOCK_TICK_MS);
  const sync = syncItems(t, status, now, locale, timeZone);
  const hardware = deviceItems(t, devices);
  return (
    <section className="status-bar" aria-label={t('bar.label')}>
      <ul className="status-bar__group" aria-label={t('bar.sync')}>
        {sync.map((item) => (
          <Item key={item.key} item={item} />
        ))}
      </ul>
      {/* Device changes are announced (paper out, drawer left open); the sync clock ticking is not. */}
      <ul
        className="status-bar__group status-bar__group--devices"
        aria-label={t('bar.devices')}
        aria-live="polite"
      >
        {hardware.map((item) => (
          <Item key={item.key} item={item} />
        ))}
      </ul>
    </section>
  );
}

function Item(props: { readonly item: StatusItem }): ReactElement {
  return (
    <li className={`status-item status-item--${props.item.tone}`} data-tone={props.item.tone}>
      <span className="status-item__dot" aria-hidden="true" />
      <span className="status-item__text">{props.item.text}</span>
    </li>
  );
}
