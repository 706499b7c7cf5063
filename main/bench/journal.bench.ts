/**
 * `npm run bench -- journal`: the sales journal on the real disk, fdatasync included.
 * - append latency of a ~2 KB sale event (targets.md: tender to durable sale, journal fsync +
 *   outbox, p95 ≤ 100 ms; the journal's share is measured here);
 * - sequential throughput (one append in flight, as a till sells) and group-commit throughput
 *   (16 in flight, e.g. a burst of stock-count events), as per-batch entries per second;
 * - what a till start pays: open + verify 10,000 entries, and one readAfter page for the outbox.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarize, timeMs, type BenchResult, type BenchSuite } from '../../bench/harness.ts';
import { SalesJournal, type JournalEvent } from '../src/journal/journal.ts';

const DEVICE = 'till-bench-1';
const APPENDS = 2000;
const BATCHES = 20;
const BATCH_SIZE = 100;
const IN_FLIGHT = 16;
const RECOVERY_ENTRIES = 10_000;

/** A completed sale of three lines with tax, a promotion and two tenders: ~2 KB of canonical JSON. */
export function benchSale(n: number): JournalEvent {
  const saleId = `0190f3a2-7c1d-7b3e-9a4f-${String(n).padStart(12, '0')}`;
  const products = [
    { name: 'Whole milk 1 l', unit: 'each', quantity: 2000, unitPrice: 129, gross: 258, discount: 0, vat: 5 },
    {
      name: 'Free-range eggs x6',
      unit: 'each',
      quantity: 2000,
      unitPrice: 289,
      gross: 578,
      discount: 78,
      vat: 5,
    },
    { name: 'Apples, loose', unit: 'kg', quantity: 1235, unitPrice: 349, gross: 431, discount: 0, vat: 20 },
  ];
  const lines = products.map((product, i) => {
    const net = product.gross - product.discount;
    const tax = Math.round((net * product.vat) / (100 + product.vat));
    return {
      lineId: `${saleId}/${i + 1}`,
      productId: `prod-${1000 + i}`,
      sku: `SKU-${40_000 + i * 17}`,
      name: product.name,
      categoryId: `cat-${i}`,
      taxClassId: product.vat === 20 ? 'standard' : 'reduced',
      unit: product.unit,
      barcode: `40012345${String(i).padStart(5, '0')}`,
      quantity: product.quantity,
      unitPrice: product.unitPrice,
      priceSource: { priceBookId: 'pb-store-12', priceId: `price-${1000 + i}`, version: 3 },
      gross: product.gross,
      discounts:
        product.discount > 0
          ? [
              {
                source: 'promotion',
                promotionId: 'promo-eggs',
                scope: 'line',
                description: '2 for 5.00',
                amount: 78,
              },
            ]
          : [],
      discount: product.discount,
      net,
      taxes: [
        {
          taxId: `vat-${product.vat}`,
          name: `VAT ${product.vat} %`,
          rate: product.vat * 10_000,
          base: net - tax,
          amount: tax,
        },
      ],
      tax,
      total: net,
    };
  });
  const total = lines.reduce((sum, line) => sum + line.total, 0);
  return {
    eventId: saleId,
    type: 'sale.completed',
    payload: {
      saleId,
      storeId: 'store-12',
      deviceId: DEVICE,
      shiftId: 'shift-2025-03-01-a',
      cashierId: 'staff-0042',
      customerId: null,
      completedAt: '2025-03-01T09:14:07.412Z',
      currency: 'EUR',
      priceMode: 'inclusive',
      lines,
      total,
      tax: lines.reduce((sum, line) => sum + line.tax, 0),
      discount: 78,
      cashRounding: 0,
      tenders: [
        { type: 'card', amount: 1000, reference: 'auth-771204', terminalId: 'pt-1' },
        { type: 'cash', amount: total - 1000, received: 1000, change: 2000 - total },
      ],
      receiptNumber: `12-1-${String(n).padStart(6, '0')}`,
    },
  };
}

async function withJournal<T>(run: (journal: SalesJournal, dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'journal-bench-'));
  try {
    const { journal } = await SalesJournal.open(dir, { deviceId: DEVICE });
    try {
      return await run(journal, dir);
    } finally {
      await journal.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const suite: BenchSuite = {
  name: 'journal',
  description: `Sales journal: append with fdatasync (~${eventBytes()} B sale), throughput, recovery`,
  async run() {
    const results: BenchResult[] = [];
    let next = 0;

    results.push(
      await withJournal((journal) =>
        timeMs('append + fdatasync, ~2 KB sale', () => journal.append(benchSale(next++)), {
          warmup: 50,
          iterations: APPENDS,
          target: 'p95 ≤ 100 ms (whole tender → durable sale)',
        }),
      ),
    );

    results.push(
      await withJournal(async (journal) => {
        const rates: number[] = [];
        for (let batch = 0; batch < BATCHES; batch++) {
          const start = performance.now();
          for (let i = 0; i < BATCH_SIZE; i++) await journal.append(benchSale(next++));
          rates.push(BATCH_SIZE / ((performance.now() - start) / 1000));
        }
        return summarize(`sequential appends, batches of ${BATCH_SIZE}`, 'entries/s', rates);
      }),
    );

    results.push(
      await withJournal(async (journal) => {
        const rates: number[] = [];
        for (let batch = 0; batch < BATCHES; batch++) {
          const start = performance.now();
          let issued = 0;
          const worker = async (): Promise<void> => {
            while (issued < BATCH_SIZE * 4) {
              issued++;
              await journal.append(benchSale(next++));
            }
          };
          await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
          rates.push((BATCH_SIZE * 4) / ((performance.now() - start) / 1000));
        }
        return summarize(`${IN_FLIGHT} appends in flight (group commit)`, 'entries/s', rates);
      }),
    );

    const dir = await mkdtemp(join(tmpdir(), 'journal-bench-'));
    try {
      const { journal } = await SalesJournal.open(dir, { deviceId: DEVICE });
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < RECOVERY_ENTRIES; i++) pending.push(journal.append(benchSale(next++)));
      await Promise.all(pending);
      await journal.close();
      results.push(
        await timeMs(
          `open + verify ${RECOVERY_ENTRIES.toLocaleString('en')} entries`,
          async () => {
            const opened = await SalesJournal.open(dir, { deviceId: DEVICE });
            await opened.journal.close();
          },
          { warmup: 2, iterations: 15, target: 'part of cold start ≤ 2 s' },
        ),
      );
      const { journal: reader } = await SalesJournal.open(dir, { deviceId: DEVICE });
      try {
        results.push(
          await timeMs(
            'readAfter, one page of 1,000 entries',
            () => reader.readAfter(RECOVERY_ENTRIES - 1000),
            {
              warmup: 3,
              iterations: 30,
            },
          ),
        );
      } finally {
        await reader.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return results;
  },
};

function eventBytes(): number {
  return Buffer.byteLength(JSON.stringify(benchSale(0).payload));
}
