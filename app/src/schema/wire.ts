/**
 * What the sync server needs to validate documents with the same schemas the till stores them with.
 */

/**
 * Keywords RxDB reads from a collection schema that are not JSON Schema. A strict validator (ajv with
 * `strict: true`, Fastify's default ajv) must be told they exist: `ajv.addVocabulary(RXDB_SCHEMA_KEYWORDS)`.
 */
export const RXDB_SCHEMA_KEYWORDS = [
  'version',
  'primaryKey',
  'indexes',
  'internalIndexes',
  'encrypted',
  'keyCompression',
  'attachments',
  'sharding',
  'crdt',
  'final',
  'ref',
] as const;

interface CollectionSchemaShape {
  readonly properties: Readonly<Record<string, unknown>>;
  readonly required: readonly string[];
}

/**
 * The schema of a document as it travels in replication: the collection's schema plus RxDB's `_deleted`
 * flag (a tombstone is a full document with `_deleted: true`). Pushed rows (`newDocumentState`,
 * `assumedMasterState`) and pulled documents are validated against this, never against the bare schema,
 * whose `additionalProperties: false` would refuse the flag.
 */
export function replicationSchema<S extends CollectionSchemaShape>(
  schema: S,
): Omit<S, 'properties' | 'required'> & {
  readonly properties: S['properties'] & { readonly _deleted: { readonly type: 'boolean' } };
  readonly required: readonly string[];
} {
  return {
    ...schema,
    properties: { ...schema.properties, _deleted: { type: 'boolean' } },
    required: [...schema.required, '_deleted'],
  };
}
