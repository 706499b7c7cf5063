/**
 * Child process of the journal crash test: opens the journal, retries the events whose fate the
 * last round left unknown (as the renderer does after a crash), then appends forever with a few
 * appends in flight until the parent SIGKILLs it. It prints `try <id>` before an append and
 * `ack <sequence> <id>` only after the append resolved, so every ack the parent reads is a promise
 * of durability the journal made.
 *
 * It imports nothing but node:* and the journal, so the test can transpile it to plain JavaScript
 * and start it with bare `node` (~4× faster to spawn than through tsx).
 */
import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { SalesJournal, type JournalEvent } from '../src/journal/journal.ts';

export interface CrashChildConfig {
  readonly dir: string;
  readonly deviceId: string;
  /** New event ids are `${prefix}-0`, `${prefix}-1` … */
  readonly prefix: string;
  readonly inflight: number;
  readonly maxSegmentBytes: number;
  /** Event ids appended again first: idempotency across a crash. */
  readonly retry: readonly string[];
}

/** The event for an id: deterministic, so a retry carries exactly the same content. */
export function crashEvent(eventId: string): JournalEvent {
  let h = 2166136261;
  for (let i = 0; i < eventId.length; i++) h = Math.imul(h ^ eventId.charCodeAt(i), 16777619) >>> 0;
  const lines = 1 + (h % 12);
  return {
    eventId,
    type: 'sale.completed',
    payload: {
      saleId: eventId,
      total: h % 100_000,
      lines: Array.from({ length: lines }, (_, line) => ({
        lineId: `${eventId}/${line}`,
        sku: `SKU-${(h >>> line) % 9973}`,
        name: 'Organic whole milk 1 l, semi-skimmed, glass bottle',
        quantity: 1000 * (1 + (line % 3)),
        unitPrice: 129 + line,
      })),
    },
  };
}

const MAX_APPENDS = 5000;
const SAFETY_EXIT_MS = 30_000;

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '') as CrashChildConfig;
  // A blocking write(2) on fd 1, never process.stdout: Node makes a piped stdout non-blocking and
  // queues in memory what the socket cannot take at once, and a SIGKILL loses that queue. A `try`
  // line lost that way would make an entry look as if it was never appended.
  const write = (line: string): void => {
    writeSync(1, `${line}\n`);
  };
  // The parent kills us long before this; it only stops an orphan.
  setTimeout(() => process.exit(3), SAFETY_EXIT_MS);
  const { journal, recovery } = await SalesJournal.open(config.dir, {
    deviceId: config.deviceId,
    maxSegmentBytes: config.maxSegmentBytes,
  });
  write(`open ${recovery.lastSequence} ${recovery.truncatedBytes} ${recovery.tampering.length}`);
  const fail = (error: unknown): void => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(5);
  };
  const append = async (eventId: string): Promise<void> => {
    write(`try ${eventId}`);
    const entry = await journal.append(crashEvent(eventId));
    write(`ack ${entry.sequence} ${entry.eventId}`);
  };
  write('ready');
  for (const eventId of config.retry) await append(eventId);
  let next = 0;
  const launch = (): void => {
    if (next >= MAX_APPENDS) {
      process.exit(4);
    }
    append(`${config.prefix}-${next++}`).then(launch, fail);
  };
  for (let i = 0; i < config.inflight; i++) launch();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
