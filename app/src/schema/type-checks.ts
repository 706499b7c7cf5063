/**
 * Type-level helpers that tie the JSON schemas (data, shared with RxDB and the sync server's ajv) to the
 * TypeScript types of the domain. A schema and a type that drift apart must fail `tsc`, not a sale at the
 * server: every `Expect<Equivalent<…>>` below is evaluated by the compiler.
 */
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

/** Deeply readonly, distributing over unions; arrays become readonly arrays. */
export type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The document type of a JSON schema, readonly like every record of the domain. */
export type SchemaType<S extends JSONSchema> = DeepReadonly<FromSchema<S>>;

/** Exact type identity (not mere assignability: an optional field missing on one side is a difference). */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the deferred generic is what makes this identity, not assignability
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/**
 * Identity after both sides are normalised the same way (deep readonly, intersections flattened), so an
 * interface and a schema-derived type with the same fields compare equal.
 */
export type Equivalent<A, B> = Equal<DeepReadonly<A>, DeepReadonly<B>>;

/** Fails to compile unless `T` is `true`. */
export type Expect<T extends true> = T;
