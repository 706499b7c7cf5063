/**
 * Ids the server derives from a till's ids, so that re-applying the same event (a retry, a re-push after
 * data loss) lands on the same primary keys and the ledger absorbs the duplicate.
 */
import { createHash } from 'node:crypto';

/** Namespace of movement ids derived from sale/return lines (a fixed random UUID). */
export const MOVEMENT_NAMESPACE = '5b0e6a52-3c8f-4d1e-9a57-0f3c2d7be611';
/** Namespace of account movement ids derived from sale tenders and return refunds (a fixed random UUID). */
export const ACCOUNT_MOVEMENT_NAMESPACE = '1bc4e49b-466b-41e8-becf-2e6764836584';

function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new RangeError(`not a UUID: ${uuid}`);
  return Buffer.from(hex, 'hex');
}

const namespaceBytes = new Map<string, Buffer>();

/** RFC 9562 UUIDv5 (SHA-1, name-based). */
export function uuidV5(namespace: string, name: string): string {
  // Parsed once per namespace: a push derives one id per sale line.
  let ns = namespaceBytes.get(namespace);
  if (ns === undefined) {
    ns = uuidBytes(namespace);
    if (namespaceBytes.size < 16) namespaceBytes.set(namespace, ns);
  }
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The stock movement of line `lineId` of event `eventId` (sale or return). */
export function lineMovementId(eventId: string, lineId: string): string {
  return uuidV5(MOVEMENT_NAMESPACE, `${eventId}/${lineId}`);
}

/**
 * The gift-card or store-credit movement of tender (or refund) `tenderId` of event `eventId`. Its own
 * namespace: a tender id and a line id of one event may be equal without their movements colliding.
 */
export function tenderMovementId(eventId: string, tenderId: string): string {
  return uuidV5(ACCOUNT_MOVEMENT_NAMESPACE, `${eventId}/${tenderId}`);
}
