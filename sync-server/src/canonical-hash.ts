/**
 * Content hash of a till-authored document: SHA-256 of its RFC 8785 (JCS) canonical JSON, without the
 * fields that are bookkeeping rather than content (RxDB metadata, the server's own receipt). Two pushes
 * of the same event hash equal whatever their key order or number formatting.
 *
 * The serialiser is this file's own: it produces byte for byte what the `canonicalize` package (the one
 * the first stored hashes were made with) produces for any JSON value — a property test holds the two
 * together — at about a third of the cost, which matters because every pushed event is serialised once.
 * Unlike the package it throws a RangeError for a non-finite number (a JSON text can spell one, e.g.
 * `1e400`), so the caller can quarantine the row instead of failing the request.
 */
import { createHash } from 'node:crypto';
import { EVENT_NON_CONTENT_FIELDS } from '@pos/app';

/** RxDB bookkeeping and the server's receipt: not part of what the till said. */
export const NON_CONTENT_FIELDS: readonly string[] = EVENT_NON_CONTENT_FIELDS;

export function withoutNonContent(doc: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (!NON_CONTENT_FIELDS.includes(key)) out[key] = value;
  }
  return out;
}

/** Thrown for a value that has no canonical JSON form (a non-finite number, a bigint, nothing at all). */
export class NotCanonicalError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'NotCanonicalError';
  }
}

function hasToJson(value: object): value is { toJSON: () => unknown } {
  return (value as { toJSON?: unknown }).toJSON instanceof Function;
}

function serialise(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new NotCanonicalError(`${String(value)} is not a JSON number`);
      // Number#toString is ECMAScript's number serialisation, which is what RFC 8785 prescribes.
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (hasToJson(value)) return serialise(value.toJSON());
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (i > 0) out += ',';
          out += item === undefined || typeof item === 'symbol' ? 'null' : serialise(item);
        }
        return `${out}]`;
      }
      const record = value as Readonly<Record<string, unknown>>;
      // Default sort: UTF-16 code unit order, as RFC 8785 §3.2.3 asks.
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const item = record[key];
        if (item === undefined || typeof item === 'symbol') continue;
        if (!first) out += ',';
        first = false;
        out += `${JSON.stringify(key)}:${serialise(item)}`;
      }
      return `${out}}`;
    }
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      throw new NotCanonicalError(`a ${typeof value} has no JSON form`);
  }
}

export function canonicalJson(value: unknown): string {
  if (value === undefined) throw new NotCanonicalError('value has no JSON form');
  return serialise(value);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function contentHash(doc: Readonly<Record<string, unknown>>): string {
  return sha256Hex(canonicalJson(withoutNonContent(doc)));
}
