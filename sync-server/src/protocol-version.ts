/** `X-Pos-Protocol` / `X-Pos-Client-Version` gate: an older client gets 426 and must update. */
export const PROTOCOL_VERSION = 1;
export const DEFAULT_MIN_CLIENT_VERSION = '0.1.0';

function parts(version: string): readonly number[] | undefined {
  const match = /^(\d{1,6})\.(\d{1,6})\.(\d{1,6})(?:[-+].*)?$/.exec(version.trim());
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** -1, 0 or 1; undefined when either is not `major.minor.patch`. */
export function compareVersions(a: string, b: string): number | undefined {
  const pa = parts(a);
  const pb = parts(b);
  if (pa === undefined || pb === undefined) return undefined;
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Why the client is refused, or undefined when it may proceed. Missing headers count as too old. */
export function clientTooOld(
  protocolHeader: string | undefined,
  clientVersionHeader: string | undefined,
  minClientVersion: string,
): string | undefined {
  if (protocolHeader === undefined || !/^\d{1,4}$/.test(protocolHeader)) return 'X-Pos-Protocol is missing';
  if (Number(protocolHeader) < PROTOCOL_VERSION)
    return `protocol ${protocolHeader} is older than ${PROTOCOL_VERSION}`;
  if (clientVersionHeader === undefined) return 'X-Pos-Client-Version is missing';
  const cmp = compareVersions(clientVersionHeader, minClientVersion);
  if (cmp === undefined) return 'X-Pos-Client-Version is not a version';
  if (cmp < 0) return `client ${clientVersionHeader} is older than the minimum ${minClientVersion}`;
  return undefined;
}
