/**
 * Enrolment handed over by `npm start` in desktop mode. Electron main keeps the refresh token with
 * safeStorage, which the demo's Node process cannot write, so the demo asks HQ for a one-time code
 * and passes it, with the server's origin, in two environment variables; Electron main enrols with
 * them once, through the same code path as the web demo (host/enrolment.ts). Only a loopback http
 * origin is taken: these variables must never point a till at a server elsewhere. Kept free of
 * electron imports so the demo launcher and the tests share the names and the checks.
 */
import { enrolWithCode, isEnrolled, type EnrolmentDetails } from '../host/enrolment.ts';
import type { MainServices } from '../host/main-services.ts';
import { describeError, type Logger } from '../logging/logger.ts';

export const DEMO_SYNC_ORIGIN_ENV = 'OMNITILL_DEMO_SYNC_ORIGIN';
export const DEMO_ENROLLMENT_CODE_ENV = 'OMNITILL_DEMO_ENROLLMENT_CODE';

/** Enrolment codes are 14 characters (`XXXX-XXXX-XXXX`); the server takes at most 64. */
const CODE_RE = /^[A-Za-z0-9-]{1,64}$/;

export type DemoEnrolmentRequest =
  | { readonly kind: 'none' }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'valid'; readonly origin: string; readonly code: string };

/** `http://127.0.0.1:PORT` or `http://localhost:PORT`, exactly: no path, query, userinfo or trailing slash. */
export function isLoopbackHttpOrigin(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return (
    url.protocol === 'http:' &&
    (url.hostname === '127.0.0.1' || url.hostname === 'localhost') &&
    url.port !== '' &&
    raw === `http://${url.hostname}:${url.port}`
  );
}

/** Reads and checks the two variables. A refusal's reason never quotes the code. */
export function readDemoEnrolment(env: Readonly<Record<string, string | undefined>>): DemoEnrolmentRequest {
  const origin = env[DEMO_SYNC_ORIGIN_ENV];
  const code = env[DEMO_ENROLLMENT_CODE_ENV];
  if (origin === undefined && code === undefined) return { kind: 'none' };
  if (origin === undefined || code === undefined) {
    return {
      kind: 'refused',
      reason: `${DEMO_SYNC_ORIGIN_ENV} and ${DEMO_ENROLLMENT_CODE_ENV} go together; only one is set`,
    };
  }
  if (!isLoopbackHttpOrigin(origin)) {
    return {
      kind: 'refused',
      reason: `${DEMO_SYNC_ORIGIN_ENV} must be http://127.0.0.1:PORT or http://localhost:PORT, not ${JSON.stringify(origin.slice(0, 100))}`,
    };
  }
  if (!CODE_RE.test(code)) {
    return {
      kind: 'refused',
      reason: `${DEMO_ENROLLMENT_CODE_ENV} must be 1 to 64 letters, digits or dashes`,
    };
  }
  return { kind: 'valid', origin, code };
}

export type DemoEnrolmentOutcome = 'none' | 'refused' | 'already-enrolled' | 'enrolled' | 'failed';

export interface DemoEnrolmentOptions {
  readonly logger: Logger;
  readonly details: EnrolmentDetails;
  /** Lines for the person who ran `npm start` (Electron's stdout is their terminal). */
  readonly say?: (line: string) => void;
}

/**
 * Enrols from the environment when the till is not enrolled yet. The variables are removed from
 * `env` first, whatever happens next, so the code reaches no process Electron starts (the hardware
 * worker inherits the environment). A failure is logged and the till starts unenrolled: it still
 * sells offline, and a later start with a fresh code tries again.
 */
export async function enrolFromEnvironment(
  services: Pick<MainServices, 'settings' | 'secrets'>,
  env: Record<string, string | undefined>,
  options: DemoEnrolmentOptions,
): Promise<DemoEnrolmentOutcome> {
  const say =
    options.say ??
    ((line: string) => {
      console.log(line);
    });
  const request = readDemoEnrolment(env);
  Reflect.deleteProperty(env, DEMO_SYNC_ORIGIN_ENV);
  Reflect.deleteProperty(env, DEMO_ENROLLMENT_CODE_ENV);
  if (request.kind === 'none') return 'none';
  if (request.kind === 'refused') {
    options.logger.warn('demo enrolment variables refused', { reason: request.reason });
    say(`Omnitill: not enrolling from the environment: ${request.reason}.`);
    return 'refused';
  }
  try {
    if (await isEnrolled(services)) {
      const current = services.settings.get().syncServerOrigin;
      options.logger.info('demo enrolment variables ignored: already enrolled', { origin: current });
      say(`Omnitill: already enrolled with ${current ?? 'a sync server'}; the enrolment code is not used.`);
      return 'already-enrolled';
    }
    const enrolment = await enrolWithCode(services, request.origin, request.code, options.details);
    options.logger.info('enrolled from the demo environment', {
      origin: request.origin,
      storeId: enrolment.storeId,
      deviceId: enrolment.deviceId,
    });
    say(
      `Omnitill: till enrolled with store ${enrolment.storeId} as device ${enrolment.deviceId} (${request.origin}).`,
    );
    return 'enrolled';
  } catch (error) {
    // describeError carries the server's refusal or the secret store's reason, never the code.
    options.logger.error('demo enrolment failed', { origin: request.origin, error: describeError(error) });
    say(`Omnitill: enrolment with ${request.origin} failed: ${describeError(error)}`);
    return 'failed';
  }
}
