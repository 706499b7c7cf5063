/**
 * Content hash of a till-authored document: SHA-256 of its RFC 8785 (JCS) canonical JSON, without the
 * fields that are bookkeeping rather than content (RxDB metadata, the server's own receipt). Two pushes
 * of the same event hash equal whatever their key order or number formatting.
 */
import { createHash } from 'node:crypto';
import { EVENT_NON_CONTENT_FIELDS } from '@pos/app';
import canonicalize from 'canonicalize';

/** RxDB bookkeeping and the server's receipt: not part of what the till said. */
export const NON_CONTENT_FIELDS: readonly string[] = EVENT_NON_CONTENT_FIELDS;

export function withoutNonContent(doc: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (!NON_CONTENT_FIELDS.includes(key)) out[key] = value;
  }
  return out;
}

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new RangeError('value has no JSON form');
  return text;
}

export function contentHash(doc: Readonly<Record<string, unknown>>): string {
  return createHash('sha256')
    .update(canonicalJson(withoutNonContent(doc)), 'utf8')
    .digest('hex');
}
