/**
 * One small interface over the two databases the server runs on (embedded PGlite, or a PostgreSQL
 * server), so every route and migration uses the same SQL. Result columns that differ between the two
 * drivers (int8, timestamptz) are cast in SQL (`::text`, `iso(...)`), never parsed in JavaScript.
 */
export type SqlParam = string | number | boolean | null;

export interface Queryable {
  query<T extends object>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface DbAdapter extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Commits when `fn` resolves, rolls back when it throws. Never await network I/O inside. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Delivers notifications of `channel`. `onReconnect` runs after the listening connection was lost and
   * re-established: notifications sent meanwhile are gone, so listeners must assume everything changed.
   */
  listen(
    channel: string,
    onNotify: (payload: string) => void,
    onReconnect?: () => void,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** PostgreSQL SQLSTATE of an error thrown by either driver, if it carries one. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code: unknown = error.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
