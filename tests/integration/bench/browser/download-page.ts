/**
 * Bundled by esbuild into the page the Chromium download benchmark opens (chromium-download.ts): the
 * till's real database (renderer/src/db/database.ts, Dexie on Chromium's own IndexedDB) and its real
 * replication pull a catalog from the sync server the page was served from (same origin, no CORS).
 * Exposes `window.omnitillDownload`; the driver calls it once per run with a fresh enrolment code.
 */
import { createTillDatabase } from '../../../../renderer/src/db/database.ts';
import { PULLED_COLLECTIONS, TillSync } from '../../../../renderer/src/db/replication.ts';
import { SyncClient } from '../../../../renderer/src/db/sync-client.ts';

export interface DownloadRequest {
  readonly baseUrl: string;
  readonly enrollmentCode: string;
  readonly run: number;
  readonly pullBatchSize?: number;
}

export interface DownloadResult {
  /** Milliseconds from the start of replication until products finished their first pull. */
  readonly productsMs: number;
  /** … until every pulled collection did. */
  readonly allMs: number;
  readonly productDocs: number;
  readonly priceDocs: number;
  /** Per collection, when its first pull finished (ms from start). */
  readonly collections: Readonly<Record<string, number>>;
}

async function download(request: DownloadRequest): Promise<DownloadResult> {
  const client = new SyncClient({ baseUrl: request.baseUrl, clientVersion: '1.0.0' });
  await client.enroll({
    enrollmentCode: request.enrollmentCode,
    deviceName: `Chromium download ${request.run}`,
    appVersion: '1.0.0',
  });
  const db = await createTillDatabase({ name: `bench-chromium-${request.run}-${Date.now()}` });
  const sync = new TillSync({
    db,
    client,
    backoff: { baseMs: 20, maxMs: 200, factor: 2, jitter: 0 },
    random: () => 0,
    ...(request.pullBatchSize === undefined ? {} : { pullBatchSize: request.pullBatchSize }),
  });
  const collections: Record<string, number> = {};
  try {
    const started = performance.now();
    await sync.start();
    await Promise.all(
      PULLED_COLLECTIONS.map(async (name) => {
        await sync.initialPull(name);
        collections[name] = performance.now() - started;
      }),
    );
    const allMs = performance.now() - started;
    const [productDocs, priceDocs] = await Promise.all([
      db.products.count().exec(),
      db.prices.count().exec(),
    ]);
    return { productsMs: collections.products ?? allMs, allMs, productDocs, priceDocs, collections };
  } finally {
    await sync.stop();
    await db.remove();
  }
}

declare global {
  interface Window {
    omnitillDownload?: (request: DownloadRequest) => Promise<DownloadResult>;
  }
}

window.omnitillDownload = download;
