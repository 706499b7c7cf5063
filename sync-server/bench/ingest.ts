/**
 * Server ingest: N tills push `sale.completed` events (full SaleRecords of five lines, validated against
 * the app's real payload schema) in batches of 50 over HTTP on 127.0.0.1, all tills at once. A round is
 * every till pushing its batches one after another, as the till's outbox does; the round's rate is the
 * acknowledged sales of all tills over its wall time. The request bodies are built before the round's
 * clock starts (the tills' work); sending them and reading the answers (fetch) is inside it. At the end the stored events and stock movements
 * are counted, so a fast but lossy server cannot report a good figure.
 */
import type { SaleLineRecord, SaleRecord } from '../../app/src/domain/records.ts';
import { summarize, type BenchResult } from '../../bench/harness.ts';
import { enrollTill, eventId, type Harness, type TillSession } from '../test/harness.ts';

export const INGEST_BATCH = 50;
export const SALE_LINES = 5;
/** Products the sales draw from; the server is seeded with at least this many. */
export const INGEST_PRODUCTS = 1000;

export interface IngestOptions {
  readonly label: string;
  readonly tills: number;
  /** Measured rounds; one untimed warm-up round runs first. */
  readonly rounds: number;
  readonly batchesPerRound: number;
  readonly target: string;
}

function productId(n: number): string {
  return `P${String(n).padStart(7, '0')}`;
}

/** A five-line card sale, prices including 20 % VAT; prices are multiples of 6 so the VAT is exact. */
export function benchSale(till: TillSession, seq: number, salt: number): SaleRecord {
  const lines: SaleLineRecord[] = [];
  for (let i = 0; i < SALE_LINES; i++) {
    // Each till walks the catalog from its own offset with a prime stride, as different baskets do;
    // tills of one store still meet on the same stock rows now and then.
    const n = (((seq * SALE_LINES + i) * 7919 + salt * 104_729) % INGEST_PRODUCTS) + 1;
    const units = 1 + (i % 2);
    const unitPrice = 6 * (20 + ((n * 37) % 300));
    const gross = unitPrice * units;
    const tax = gross / 6;
    lines.push({
      lineId: `line-${i + 1}`,
      productId: productId(n),
      sku: `SKU-${String(n).padStart(7, '0')}`,
      name: `Bench product ${n}`,
      categoryId: `CAT-${String((n % 12) + 1).padStart(2, '0')}`,
      taxClassId: 'TC-STD',
      unit: 'each',
      barcode: `20${String(n).padStart(11, '0')}`,
      quantity: units * 1000,
      unitPrice,
      priceSource: {
        priceBookId: 'PB-BASE',
        priceId: `PB-BASE:${productId(n)}:2026-01-01T00:00:00.000Z`,
        version: 1,
      },
      gross,
      discounts: [],
      discount: 0,
      net: gross,
      taxes: [{ taxId: 'VAT-TC-STD', name: 'VAT Standard', rate: 200_000, base: gross - tax, amount: tax }],
      tax,
      total: gross,
    });
  }
  const total = lines.reduce((sum, l) => sum + l.total, 0);
  const tax = lines.reduce((sum, l) => sum + l.tax, 0);
  const stamp = new Date(Date.UTC(2026, 10, 23, 8, 0, 0) + seq * 7_000).toISOString();
  return {
    saleId: `sale-${salt}-${seq}`,
    receiptNumber: `${till.storeId}-T${salt}-${String(seq).padStart(6, '0')}`,
    storeId: till.storeId,
    deviceId: till.deviceId,
    shiftId: `shift-${salt}-1`,
    cashierId: 'STAFF-3',
    currency: 'EUR',
    pricesIncludeTax: true,
    openedAt: stamp,
    completedAt: stamp,
    lines,
    voidedLines: [],
    couponCodes: [],
    subtotal: total,
    discount: 0,
    tax,
    total,
    cashRounding: 0,
    taxes: [{ taxId: 'VAT-TC-STD', name: 'VAT Standard', rate: 200_000, base: total - tax, amount: tax }],
    tenders: [{ tenderId: 'tender-1', type: 'card', amount: total }],
    change: 0,
    approvals: [],
  };
}

function saleEvent(till: TillSession, seq: number, salt: number): Record<string, unknown> {
  const payload = benchSale(till, seq, salt);
  return {
    eventId: eventId(seq, salt),
    type: 'sale.completed',
    schemaVersion: 1,
    storeId: till.storeId,
    deviceId: till.deviceId,
    deviceSeq: seq,
    occurredAt: payload.completedAt,
    payload,
  };
}

interface Till {
  readonly session: TillSession;
  readonly salt: number;
  nextSeq: number;
}

/** The request body of the till's next batch, as its outbox would send it. */
function nextBody(till: Till): string {
  const docs: Record<string, unknown>[] = [];
  for (let i = 0; i < INGEST_BATCH; i++) docs.push(saleEvent(till.session, till.nextSeq++, till.salt));
  return JSON.stringify({ rows: docs.map((newDocumentState) => ({ newDocumentState })) });
}

/** Pushes one batch; returns how many of its events the server acknowledged as applied. */
async function pushBatch(h: Harness, till: Till, body: string, latencies: number[]): Promise<number> {
  const started = performance.now();
  const response = await h.request('/push/events', { token: till.session.accessToken, rawBody: body });
  const text = await response.text();
  latencies.push(performance.now() - started);
  if (response.status !== 200) throw new Error(`push answered ${response.status}: ${text.slice(0, 300)}`);
  // The answer lists the server copies that differ from what was sent (quarantine receipts …): those
  // events were kept but not applied, so they do not count as ingested sales.
  const conflicts = JSON.parse(text) as unknown;
  if (!Array.isArray(conflicts)) throw new Error(`push answered a non-array: ${text.slice(0, 300)}`);
  if (conflicts.length > 0) console.error(`  ${conflicts.length} rows came back: ${text.slice(0, 300)}`);
  return INGEST_BATCH - conflicts.length;
}

async function count(h: Harness, sql: string): Promise<number> {
  const rows = await h.db.query<{ n: string }>(sql);
  return Number(rows[0]?.n ?? -1);
}

/** Enrols the tills, runs the rounds, verifies the stored totals and returns [throughput, batch latency]. */
export async function runIngest(h: Harness, options: IngestOptions): Promise<readonly BenchResult[]> {
  const tills: Till[] = [];
  for (let i = 0; i < options.tills; i++) {
    const session = await enrollTill(h, i % 2 === 0 ? 'S01' : 'S02', `Bench till ${i + 1}`);
    tills.push({ session, salt: i + 1, nextSeq: 1 });
  }
  const rates: number[] = [];
  const latencies: number[] = [];
  let acknowledged = 0;
  let sent = 0;
  for (let round = 0; round <= options.rounds; round++) {
    const roundLatencies: number[] = [];
    // The sales are made before the clock starts: building them is the tills' work, not the server's.
    const bodies = tills.map((till) => Array.from({ length: options.batchesPerRound }, () => nextBody(till)));
    const started = performance.now();
    const acked = await Promise.all(
      tills.map(async (till, t) => {
        let ok = 0;
        for (const body of bodies[t] ?? []) ok += await pushBatch(h, till, body, roundLatencies);
        return ok;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const roundAcked = acked.reduce((a, b) => a + b, 0);
    acknowledged += roundAcked;
    sent += options.tills * options.batchesPerRound * INGEST_BATCH;
    // Round 0 warms the JIT, the connection pool and the statement caches.
    if (round === 0) continue;
    rates.push(roundAcked / seconds);
    latencies.push(...roundLatencies);
  }

  const applied = await count(h, `select count(*)::text as n from events where status = 'applied'`);
  const movements = await count(h, 'select count(*)::text as n from stock_movements');
  if (acknowledged !== sent || applied !== sent || movements !== sent * SALE_LINES) {
    throw new Error(
      `${options.label}: sent ${sent}, acknowledged ${acknowledged}, stored ${applied} applied events and ` +
        `${movements} stock movements (expected ${sent * SALE_LINES})`,
    );
  }
  console.log(
    `  ${options.label}: verified ${applied} applied events and ${movements} stock movements at the server`,
  );
  return [
    summarize(`ingest ${options.label}, ${options.tills} tills`, 'sales/s', rates, options.target),
    summarize(`push of ${INGEST_BATCH} sales ${options.label}, ${options.tills} tills`, 'ms', latencies),
  ];
}
