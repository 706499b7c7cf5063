/**
 * Validation of pushed events by `type@schemaVersion`. The payload schemas are the app's registry
 * (`eventPayloadSchema` of @pos/app) by default; the server only needs a lookup function, so tests or a
 * newer registry can be plugged in. An unknown type or version is not an error of the request: the
 * event is kept, quarantined and acknowledged.
 */
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { eventPayloadSchema, eventsSchema, RXDB_SCHEMA_KEYWORDS } from '@pos/app';
import { withoutNonContent } from '../canonical-hash.ts';

export type ValidationResult =
  { readonly ok: true } | { readonly ok: false; readonly errors: readonly string[] };

export interface EventValidator {
  validate(type: string, version: number, payload: unknown): ValidationResult;
}

/** The JSON schema of `type@version`, or undefined when this build does not know it. */
export type PayloadSchemaLookup = (type: string, version: number) => object | undefined;

/** The outbox envelope is the app's `events` collection schema (payload unchecked there). */
export const EVENT_ENVELOPE_SCHEMA: object = eventsSchema;

const MAX_REPORTED_ERRORS = 5;

function describe(validate: ValidateFunction): readonly string[] {
  return (validate.errors ?? [])
    .slice(0, MAX_REPORTED_ERRORS)
    .map((e) => `${e.instancePath === '' ? '/' : e.instancePath} ${e.message ?? 'is invalid'}`);
}

export function createAjv(): Ajv {
  // Collection schemas carry RxDB-only keywords (primaryKey, indexes …): declared, not validated.
  const ajv = new Ajv({ allErrors: false, strict: false });
  ajv.addVocabulary([...RXDB_SCHEMA_KEYWORDS]);
  addFormats(ajv);
  return ajv;
}

/** The app's registry of payload schemas. */
export const appEventSchemas: PayloadSchemaLookup = (type, version) => eventPayloadSchema(type, version);

export function createEventValidator(lookup: PayloadSchemaLookup): EventValidator {
  const ajv = createAjv();
  const compiled = new Map<string, ValidateFunction | undefined>();
  return {
    validate(type, version, payload) {
      const key = `${type}@${version}`;
      let validate = compiled.get(key);
      if (!compiled.has(key)) {
        const schema = lookup(type, version);
        validate = schema === undefined ? undefined : ajv.compile(schema);
        compiled.set(key, validate);
      }
      if (validate === undefined) return { ok: false, errors: [`unknown event type ${key}`] };
      return validate(payload) ? { ok: true } : { ok: false, errors: describe(validate) };
    },
  };
}

export function createEnvelopeValidator(): (doc: unknown) => ValidationResult {
  const validate = createAjv().compile(EVENT_ENVELOPE_SCHEMA);
  // Bookkeeping fields (_deleted, _rev, the server's receipt) are not the envelope's content.
  return (doc) =>
    validate(
      typeof doc === 'object' && doc !== null && !Array.isArray(doc)
        ? withoutNonContent(doc as Record<string, unknown>)
        : doc,
    )
      ? { ok: true }
      : { ok: false, errors: describe(validate) };
}
