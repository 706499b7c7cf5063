/**
 * `POST /push/customers`: normal RxDB master semantics. A row whose `assumedMasterState` is not the
 * current master comes back as a conflict (the till's three-way merge resolves it). Server-owned fields
 * (loyalty balance, tier, merge target) always keep the master's value, whatever the till sent.
 */
import { CUSTOMER_SERVER_OWNED_FIELDS, customersSchema, replicationSchema } from '@pos/app';
import { canonicalJson, withoutNonContent } from './canonical-hash.ts';
import { createAjv } from './events/event-validator.ts';
import { depthExceeds, MAX_DOC_DEPTH } from './events/push-events.ts';
import type { DbAdapter } from './db/adapter.ts';

/** Fields a till never changes: the master's value always wins (the app's list). */
const SERVER_OWNED: readonly string[] = CUSTOMER_SERVER_OWNED_FIELDS;
const MAX_CUSTOMER_BYTES = 16 * 1024;

type Doc = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function comparable(doc: Doc): string {
  const { _deleted, ...rest } = withoutNonContent(doc);
  return canonicalJson({ ...rest, _deleted: _deleted === true });
}

const validateCustomer = createAjv().compile(replicationSchema(customersSchema));

function problemOf(doc: Doc): string | undefined {
  if (depthExceeds(doc, MAX_DOC_DEPTH)) return 'document nested too deeply';
  const text = JSON.stringify(doc);
  if (text.length > MAX_CUSTOMER_BYTES) return 'document too large';
  if (text.includes('\\u0000')) return 'text contains NUL characters';
  const { _deleted, ...rest } = withoutNonContent(doc);
  if (validateCustomer({ ...rest, _deleted: _deleted === true })) return undefined;
  const first = validateCustomer.errors?.[0];
  return `${first?.instancePath ?? ''} ${first?.message ?? 'invalid'}`;
}

export async function pushCustomers(
  db: DbAdapter,
  identity: { readonly deviceId: string; readonly storeId: string },
  rows: readonly unknown[],
): Promise<readonly Doc[]> {
  const items = rows
    .filter(isRecord)
    .filter((r) => isRecord(r.newDocumentState))
    .map((r) => ({
      next: r.newDocumentState as Doc,
      assumed: isRecord(r.assumedMasterState) ? r.assumedMasterState : undefined,
    }))
    .sort((a, b) =>
      String(a.next.id) < String(b.next.id) ? -1 : String(a.next.id) > String(b.next.id) ? 1 : 0,
    );
  return db.transaction(async (tx) => {
    const conflicts: Doc[] = [];
    for (const { next, assumed } of items) {
      const problem = problemOf(next);
      if (problem !== undefined) {
        await tx.query(
          'insert into rejected_rows (device_id, store_id, reason, doc) values ($1, $2, $3, $4::jsonb)',
          [
            identity.deviceId,
            identity.storeId,
            `customer: ${problem}`,
            // jsonb refuses U+0000 and a deep document is not worth keeping whole.
            problem.includes('NUL') || problem.includes('deeply')
              ? JSON.stringify({ unstorable: problem, id: typeof next.id === 'string' ? next.id : null })
              : JSON.stringify(next),
          ],
        );
        // The till adopts the master and stops re-sending an edit that can never be stored.
        if (typeof next.id === 'string') {
          const [current] = await tx.query<{ doc: Doc }>(
            `select doc || jsonb_build_object('_deleted', deleted) as doc from customers
              where id = $1 and (store_id is null or store_id = $2)`,
            [next.id, identity.storeId],
          );
          if (current !== undefined) conflicts.push(current.doc);
        }
        continue;
      }
      const id = next.id as string;
      const [master] = await tx.query<{ doc: Doc; store_id: string | null }>(
        `select doc || jsonb_build_object('_deleted', deleted) as doc, store_id from customers where id = $1 for update`,
        [id],
      );
      if (master !== undefined && master.store_id !== null && master.store_id !== identity.storeId) {
        // Another store's customer: this till cannot see it, so it cannot change it, and gets nothing back
        // (the master would leak it). Kept for review.
        await tx.query(
          'insert into rejected_rows (device_id, store_id, reason, doc) values ($1, $2, $3, $4::jsonb)',
          [identity.deviceId, identity.storeId, 'customer: belongs to another store', JSON.stringify(next)],
        );
        continue;
      }
      if (master !== undefined && (assumed === undefined || comparable(assumed) !== comparable(master.doc))) {
        conflicts.push(master.doc);
        continue;
      }
      const content: Record<string, unknown> = Object.fromEntries(
        Object.entries(withoutNonContent(next)).filter(
          ([field]) => field !== '_deleted' && !SERVER_OWNED.includes(field),
        ),
      );
      for (const field of SERVER_OWNED) {
        const value = master?.doc[field];
        if (value !== undefined) content[field] = value;
      }
      content.loyaltyPoints ??= 0;
      await tx.query(
        `insert into customers (id, doc, deleted) values ($1, $2::jsonb, $3)
         on conflict (id) do update set doc = excluded.doc, deleted = excluded.deleted`,
        [id, JSON.stringify(content), next._deleted === true],
      );
    }
    return conflicts;
  });
}
