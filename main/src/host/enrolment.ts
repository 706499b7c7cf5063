/**
 * A till's enrolment with a sync server: it trades a one-time enrolment code (made by HQ for one
 * store) for a device id and a refresh token (sync-protocol.md), keeps the token in the secret
 * store and points the settings at the server. One function for both hosts: the web demo calls it
 * with a code it just asked HQ for, Electron main with the code the demo hands it at start.
 */
import type { MainServices } from './main-services.ts';

/** Where the sync server mounts its API (sync-server/src/server.ts API_PREFIX). */
export const SYNC_API_PREFIX = '/api/sync/v1';

/** The wire protocol version the till speaks (sync-protocol.md, `x-pos-protocol`). */
const PROTOCOL_VERSION = '1';

export interface EnrolmentDetails {
  /** How the till appears in HQ's device list. */
  readonly deviceName: string;
  /** The till's own name in its settings (receipts, status bar). */
  readonly tillName: string;
  readonly appVersion: string;
  /** Bounds the call so a server that never answers cannot hold the till's start. */
  readonly timeoutMs?: number;
}

export interface Enrolment {
  readonly deviceId: string;
  readonly storeId: string;
}

/**
 * Enrols with `origin` using `code`. The code and the refresh token appear in no error message
 * and no log line: the server's refusal is passed on (it names neither).
 */
export async function enrolWithCode(
  services: Pick<MainServices, 'settings' | 'secrets'>,
  origin: string,
  code: string,
  details: EnrolmentDetails,
): Promise<Enrolment> {
  const response = await fetch(`${origin}${SYNC_API_PREFIX}/auth/enroll`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-pos-protocol': PROTOCOL_VERSION,
      'x-pos-client-version': details.appVersion,
    },
    body: JSON.stringify({
      enrollmentCode: code,
      deviceName: details.deviceName,
      appVersion: details.appVersion,
    }),
    signal: AbortSignal.timeout(details.timeoutMs ?? 15_000),
  });
  if (!response.ok) {
    throw new Error(
      `the sync server refused enrolment (HTTP ${response.status}): ${(await response.text()).slice(0, 300)}`,
    );
  }
  const body: unknown = await response.json();
  if (!isEnrolmentBody(body)) throw new Error('the sync server answered enrolment with an unexpected body');
  // The token first: settings that say "enrolled" without a token would leave the till unable to sync.
  await services.secrets.set('sync.refreshToken', body.refreshToken);
  await services.settings.update({
    syncServerOrigin: origin,
    storeId: body.storeId,
    syncDeviceId: body.deviceId,
    tillName: details.tillName,
  });
  return { deviceId: body.deviceId, storeId: body.storeId };
}

/** True when the till holds a refresh token and a device id, whichever server they are for. */
export async function isEnrolled(services: Pick<MainServices, 'settings' | 'secrets'>): Promise<boolean> {
  const settings = services.settings.get();
  if (settings.syncDeviceId === null || settings.syncServerOrigin === null) return false;
  return (await services.secrets.get('sync.refreshToken')) !== null;
}

function isEnrolmentBody(
  value: unknown,
): value is { deviceId: string; storeId: string; refreshToken: string } {
  if (typeof value !== 'object' || value === null) return false;
  const { deviceId, storeId, refreshToken } = value as Record<string, unknown>;
  return (
    typeof deviceId === 'string' &&
    typeof storeId === 'string' &&
    typeof refreshToken === 'string' &&
    refreshToken.length > 0
  );
}
