/**
 * HQ price changes: versions of one product's price in one price book over [validFrom, validTo), which
 * never overlap (the `prices_no_overlap` exclusion constraint, btree_gist, on both PGlite and PostgreSQL).
 * A new version wins over what it covers: a version that started earlier is cut at the new validFrom,
 * versions inside the new window are tombstoned, and a version reaching past the new validTo keeps its
 * tail as a new row. A whole batch is one transaction; tills receive future versions at once and switch
 * at validFrom by their own clock.
 */
import type { Queryable } from './db/adapter.ts';

export const MAX_PRICE_CHANGES = 5000;

export interface PriceChange {
  readonly priceBookId: string;
  readonly productId: string;
  readonly sku: string;
  /** Minor units per unit of the product. */
  readonly amount: number;
  readonly currency: string;
  readonly taxIncluded: boolean;
  readonly validFrom: string;
  readonly validTo?: string;
}

export const PRICE_CHANGE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['priceBookId', 'productId', 'sku', 'amount', 'currency', 'taxIncluded', 'validFrom'],
  properties: {
    priceBookId: { type: 'string', minLength: 1, maxLength: 64 },
    productId: { type: 'string', minLength: 1, maxLength: 64 },
    sku: { type: 'string', minLength: 1, maxLength: 64 },
    amount: { type: 'integer', minimum: 0, maximum: 9_007_199_254_740_991 },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    taxIncluded: { type: 'boolean' },
    validFrom: { type: 'string', format: 'date-time' },
    validTo: { type: 'string', format: 'date-time' },
  },
} as const;

export const PRICE_CHANGES_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['changes'],
  properties: {
    changes: { type: 'array', minItems: 1, maxItems: MAX_PRICE_CHANGES, items: PRICE_CHANGE_SCHEMA },
  },
} as const;

interface VersionRow {
  readonly id: string;
  readonly doc: Readonly<Record<string, unknown>>;
  readonly from_ms: string;
  readonly to_ms: string | null;
}

export function priceId(priceBookId: string, productId: string, validFrom: string): string {
  return `${priceBookId}:${productId}:${validFrom}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

async function upsertVersion(
  tx: Queryable,
  doc: Readonly<Record<string, unknown>> & {
    readonly id: string;
    readonly priceBookId: string;
    readonly productId: string;
  },
  fromMs: number,
  toMs: number | undefined,
  now: string,
): Promise<void> {
  const full: Record<string, unknown> = { ...doc, validFrom: iso(fromMs), updatedAt: now };
  if (toMs === undefined) delete full.validTo;
  else full.validTo = iso(toMs);
  // A tombstoned row of the same id comes back to life with its version bumped (the till sees an edit).
  await tx.query(
    `insert into prices (id, doc, price_book_id, product_id, valid_from, valid_to)
     values ($1, $2::jsonb || jsonb_build_object('version', 1), $3, $4, $5, $6)
     on conflict (id) do update set
       doc = excluded.doc || jsonb_build_object('version', coalesce((prices.doc->>'version')::int, 0) + 1),
       deleted = false, valid_from = excluded.valid_from, valid_to = excluded.valid_to`,
    [
      doc.id,
      JSON.stringify(full),
      doc.priceBookId,
      doc.productId,
      iso(fromMs),
      toMs === undefined ? null : iso(toMs),
    ],
  );
}

/** Applies the changes in the caller's transaction; throws RangeError for an empty window. */
export async function applyPriceChanges(
  tx: Queryable,
  changes: readonly PriceChange[],
  now: Date,
): Promise<number> {
  const stamp = now.toISOString();
  const sorted = changes
    .map((c) => ({
      c,
      from: Date.parse(c.validFrom),
      to: c.validTo === undefined ? undefined : Date.parse(c.validTo),
    }))
    .sort((a, b) =>
      a.c.priceBookId !== b.c.priceBookId
        ? a.c.priceBookId < b.c.priceBookId
          ? -1
          : 1
        : a.c.productId !== b.c.productId
          ? a.c.productId < b.c.productId
            ? -1
            : 1
          : a.from - b.from,
    );
  for (const { c, from, to } of sorted) {
    if (Number.isNaN(from) || (to !== undefined && (Number.isNaN(to) || to <= from))) {
      throw new RangeError(`price ${c.priceBookId}/${c.productId}: validTo must be after validFrom`);
    }
    const overlapping = await tx.query<VersionRow>(
      `select id, doc, (extract(epoch from valid_from) * 1000)::bigint::text as from_ms,
              (extract(epoch from valid_to) * 1000)::bigint::text as to_ms
         from prices
        where price_book_id = $1 and product_id = $2 and not deleted
          and tstzrange(valid_from, valid_to) && tstzrange($3::timestamptz, $4::timestamptz)
        order by valid_from for update`,
      [c.priceBookId, c.productId, iso(from), to === undefined ? null : iso(to)],
    );
    const tails: { doc: VersionRow['doc']; from: number; to: number | undefined }[] = [];
    for (const v of overlapping) {
      const vFrom = Number(v.from_ms);
      const vTo = v.to_ms === null ? undefined : Number(v.to_ms);
      if (to !== undefined && (vTo === undefined || vTo > to)) tails.push({ doc: v.doc, from: to, to: vTo });
      if (vFrom < from) {
        await tx.query(
          `update prices set valid_to = $2, doc = doc || jsonb_build_object('validTo', $3::text, 'updatedAt', $4::text,
                  'version', coalesce((doc->>'version')::int, 0) + 1)
            where id = $1`,
          [v.id, iso(from), iso(from), stamp],
        );
      } else {
        await tx.query(
          `update prices set deleted = true, doc = doc || jsonb_build_object('updatedAt', $2::text,
                  'version', coalesce((doc->>'version')::int, 0) + 1)
            where id = $1`,
          [v.id, stamp],
        );
      }
    }
    const id = priceId(c.priceBookId, c.productId, iso(from));
    await upsertVersion(
      tx,
      {
        id,
        priceBookId: c.priceBookId,
        productId: c.productId,
        sku: c.sku,
        amount: c.amount,
        currency: c.currency,
        taxIncluded: c.taxIncluded,
      },
      from,
      to,
      stamp,
    );
    for (const tail of tails) {
      await upsertVersion(
        tx,
        {
          ...tail.doc,
          id: priceId(c.priceBookId, c.productId, iso(tail.from)),
          priceBookId: c.priceBookId,
          productId: c.productId,
        },
        tail.from,
        tail.to,
        stamp,
      );
    }
  }
  return sorted.length;
}

/**
 * CSV import: header `priceBookId,productId,sku,amount,currency,taxIncluded,validFrom,validTo`, amount in
 * minor units, taxIncluded `true|false`, validTo may be empty. No quoting: none of the fields may contain
 * a comma. Returns the changes or the first line's error.
 */
export function parsePriceCsv(
  text: string,
): { ok: true; changes: PriceChange[] } | { ok: false; error: string } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0]?.split(',').map((h) => h.trim());
  const expected = [
    'priceBookId',
    'productId',
    'sku',
    'amount',
    'currency',
    'taxIncluded',
    'validFrom',
    'validTo',
  ];
  if (header?.join(',') !== expected.join(','))
    return { ok: false, error: `header must be ${expected.join(',')}` };
  const changes: PriceChange[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = (lines[i] ?? '').split(',').map((c) => c.trim());
    if (cells.length !== expected.length)
      return { ok: false, error: `line ${i + 1}: expected ${expected.length} fields` };
    const [
      priceBookId = '',
      productId = '',
      sku = '',
      amount = '',
      currency = '',
      taxIncluded = '',
      validFrom = '',
      validTo = '',
    ] = cells;
    if (!/^\d{1,15}$/.test(amount))
      return { ok: false, error: `line ${i + 1}: amount must be whole minor units` };
    if (taxIncluded !== 'true' && taxIncluded !== 'false')
      return { ok: false, error: `line ${i + 1}: taxIncluded must be true or false` };
    changes.push({
      priceBookId,
      productId,
      sku,
      amount: Number(amount),
      currency,
      taxIncluded: taxIncluded === 'true',
      validFrom,
      ...(validTo === '' ? {} : { validTo }),
    });
  }
  return { ok: true, changes };
}
