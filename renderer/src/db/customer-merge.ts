/**
 * Conflict handling for `customers`, the one collection both the till and the server edit. When a push
 * comes back with the server's newer copy, the till merges three ways with the state it last saw from the
 * server (`assumedMasterState`) as the base: a field the till changed keeps the till's value, every other
 * field takes the server's, and server-owned fields (loyalty balance, tier, merge target) always take the
 * server's. Independent edits at two tills or at HQ therefore both survive, field by field.
 */
import { CUSTOMER_SERVER_OWNED_FIELDS, customerLookupKeys } from '@pos/app';
import type { CustomerDoc } from '@pos/app';
import type { RxConflictHandler, RxConflictHandlerInput, WithDeleted } from 'rxdb';

/** RxDB bookkeeping that is not part of a customer's content. */
const META_FIELDS: ReadonlySet<string> = new Set(['_meta', '_rev', '_attachments']);
const SERVER_OWNED: ReadonlySet<string> = new Set(CUSTOMER_SERVER_OWNED_FIELDS);

type Json = Readonly<Record<string, unknown>>;

/** Structural equality of JSON values (key order ignored; `undefined` members count as absent). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item: unknown, i) => jsonEqual(item, b[i]));
  }
  const ra = a as Json;
  const rb = b as Json;
  const keysA = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const keysB = Object.keys(rb).filter((k) => rb[k] !== undefined);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((k) => Object.hasOwn(rb, k) && jsonEqual(ra[k], rb[k]));
}

function content(doc: Json): Json {
  return Object.fromEntries(Object.entries(doc).filter(([k, v]) => !META_FIELDS.has(k) && v !== undefined));
}

/** Equal for replication purposes: same content and deletion flag, whatever RxDB's metadata says. */
export function customersEqual(a: Json, b: Json): boolean {
  return jsonEqual(content(a), content(b));
}

/**
 * The merged document. Without a base (the till created a document the server already has, typically
 * because the response to its own push was lost), the server's copy stands and the till only fills in
 * fields the server lacks. Derived lookup keys are recomputed from the merged fields, so a name changed
 * on one side and a phone number on the other give keys that match both.
 */
export function mergeCustomer(input: {
  readonly base: Json | undefined;
  readonly server: Json;
  readonly till: Json;
}): Json {
  const base = input.base === undefined ? undefined : content(input.base);
  const server = content(input.server);
  const till = content(input.till);
  const merged: Record<string, unknown> = {};
  const fields = new Set([...Object.keys(server), ...Object.keys(till)]);
  for (const field of fields) {
    let value: unknown;
    if (SERVER_OWNED.has(field)) value = server[field];
    else if (base === undefined) value = field in server ? server[field] : till[field];
    else if (!jsonEqual(till[field], base[field])) value = till[field];
    else value = server[field];
    if (value !== undefined) merged[field] = value;
  }
  if (typeof merged.displayName === 'string') {
    Object.assign(merged, customerLookupKeys(merged as unknown as Parameters<typeof customerLookupKeys>[0]));
  }
  return merged;
}

export const customerConflictHandler: RxConflictHandler<CustomerDoc> = {
  isEqual(a, b) {
    return customersEqual(a, b);
  },
  resolve(input: RxConflictHandlerInput<CustomerDoc>) {
    const merged = mergeCustomer({
      base: input.assumedMasterState,
      server: input.realMasterState,
      till: input.newDocumentState,
    });
    return Promise.resolve(merged as WithDeleted<CustomerDoc>);
  },
};
