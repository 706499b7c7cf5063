/**
 * The only way a URL reaches `shell.openExternal` (Electron checklist #15). Parsed with the URL
 * parser, never prefix-matched (a `startsWith('https://example.com')` test passes
 * `https://example.com.attacker.com`): https only, no credentials, default port, and a host
 * from an exact allow-list.
 */
export function toSafeExternalUrl(raw: unknown, allowedHosts: readonly string[]): string | null {
  if (typeof raw !== 'string' || raw.length > 2048) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '' || url.port !== '') return null;
  if (!allowedHosts.includes(url.hostname)) return null;
  return url.href;
}

export interface ExternalOpener {
  openExternal(url: string): Promise<void>;
}

/** Opens `raw` in the system browser if it passes {@link toSafeExternalUrl}; reports whether it did. */
export async function openExternalSafely(
  shell: ExternalOpener,
  raw: unknown,
  allowedHosts: readonly string[],
): Promise<boolean> {
  const url = toSafeExternalUrl(raw, allowedHosts);
  if (url === null) return false;
  await shell.openExternal(url);
  return true;
}
