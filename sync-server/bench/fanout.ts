/**
 * HQ price change to connected tills: S live `/stream` connections (SSE read with fetch, as the till
 * does), HQ posts one price version, and each stream's latency is the time from the POST to its `poke`
 * naming `prices`. Streams share D enrolled devices (stream i belongs to device i mod D): the server
 * subscribes per connection, so a stream costs it the same whichever device opened it.
 */
import { summarize, type BenchResult } from '../../bench/harness.ts';
import { enrollTill, HQ_TOKEN, type Harness, type TillSession } from '../test/harness.ts';
import { openStream, type SseStream } from '../test/sse-reader.ts';

export interface FanoutOptions {
  readonly streams: number;
  readonly devices: number;
  /** Measured rounds; one untimed warm-up round runs first. */
  readonly rounds: number;
  readonly target: string;
}

const POKE_TIMEOUT_MS = 15_000;
const SETTLE_MS = 300;

async function inParallel<T>(count: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
  return results;
}

/** Empties what a stream has queued (a late merged poke of the previous round must not count). */
async function drain(stream: SseStream): Promise<void> {
  for (let i = 0; i < 20; i++) {
    try {
      await stream.next('poke', 0);
    } catch {
      return;
    }
  }
}

export async function runFanout(h: Harness, options: FanoutOptions): Promise<readonly BenchResult[]> {
  const enrolStarted = performance.now();
  const devices: TillSession[] = await inParallel(options.devices, 8, (i) =>
    enrollTill(h, i % 2 === 0 ? 'S01' : 'S02', `Fan-out till ${i + 1}`),
  );
  const enrolSeconds = (performance.now() - enrolStarted) / 1000;
  const streams: SseStream[] = [];
  try {
    const openStarted = performance.now();
    await inParallel(options.streams, 25, async (i) => {
      const device = devices[i % devices.length];
      if (device === undefined) throw new Error('no device');
      const stream = await openStream(h.base, device.accessToken);
      streams.push(stream);
      if (stream.status !== 200) throw new Error(`stream ${i} answered ${stream.status}`);
      await stream.next('hello', POKE_TIMEOUT_MS);
    });
    console.log(
      `  fan-out: ${options.devices} devices enrolled in ${enrolSeconds.toFixed(1)} s, ` +
        `${streams.length} streams open in ${((performance.now() - openStarted) / 1000).toFixed(1)} s`,
    );

    const latencies: number[] = [];
    for (let round = 0; round <= options.rounds; round++) {
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      await Promise.all(streams.map(drain));
      // A fresh product per round, so each POST is a real change with no overlapping future version.
      const n = round + 1;
      const productId = `P${String(n).padStart(7, '0')}`;
      const started = performance.now();
      const arrivals = streams.map(async (stream) => {
        for (;;) {
          const poke = await stream.next('poke', POKE_TIMEOUT_MS);
          if (poke.data.includes('prices')) return performance.now() - started;
        }
      });
      const all = Promise.all(arrivals);
      // Handled here so a failed POST below reports itself, not an unhandled rejection of a waiter.
      all.catch(() => undefined);
      const posted = await h.json<{ applied: number }>('/admin/price-changes', {
        token: HQ_TOKEN,
        tillHeaders: false,
        body: {
          changes: [
            {
              priceBookId: 'PB-BASE',
              productId,
              sku: `SKU-${String(n).padStart(7, '0')}`,
              amount: 1000 + round,
              currency: 'EUR',
              taxIncluded: true,
              validFrom: '2026-12-24T00:00:00.000Z',
            },
          ],
        },
      });
      if (posted.status !== 200) throw new Error(`price change answered ${posted.status}`);
      const roundLatencies = await all;
      if (round > 0) latencies.push(...roundLatencies);
    }
    return [
      summarize(
        `price change to ${options.streams} streams (${options.devices} devices)`,
        'ms',
        latencies,
        options.target,
      ),
    ];
  } finally {
    for (const stream of streams) stream.close();
  }
}
