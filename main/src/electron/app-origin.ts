/** The till's own origin in Electron. Kept free of electron imports so every module can check it. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'pos';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** True for URLs of the till's own pages: `app://pos/…`, no port, no credentials. */
export function isAppUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  // Node's URL gives custom schemes an opaque ("null") origin, so compare the parts instead.
  return (
    url.protocol === `${APP_SCHEME}:` &&
    url.host === APP_HOST &&
    url.port === '' &&
    url.username === '' &&
    url.password === ''
  );
}
