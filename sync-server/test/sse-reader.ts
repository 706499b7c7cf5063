/** Reads a server-sent-event stream with fetch, the way the till does (EventSource cannot send a token). */
import type { ReadableStreamReadResult } from 'node:stream/web';
import { TILL_HEADERS } from './harness.ts';

export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

export interface SseStream {
  readonly status: number;
  /** The next event of type `name` (other events are skipped), or a timeout error. */
  next(name: string, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  ended(timeoutMs?: number): Promise<void>;
  close(): void;
}

export async function openStream(base: string, token: string, query = ''): Promise<SseStream> {
  const controller = new AbortController();
  const response = await fetch(`${base}/stream${query}`, {
    headers: { ...TILL_HEADERS, authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  const queue: SseEvent[] = [];
  const waiters: (() => void)[] = [];
  let buffer = '';
  const pump = async (): Promise<void> => {
    if (response.body === null) return;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = (await reader.read()) as ReadableStreamReadResult<Uint8Array>;
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
          else if (line.startsWith(':')) event = 'comment';
        }
        queue.push({ event, data: data.join('\n') });
        for (const w of waiters.splice(0)) w();
        end = buffer.indexOf('\n\n');
      }
    }
  };
  let finished = false;
  const done = pump()
    .catch(() => undefined)
    .finally(() => {
      finished = true;
    });
  return {
    status: response.status,
    async next(name, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = queue.findIndex((e) => e.event === name);
        const found = index >= 0 ? queue.splice(0, index + 1).at(-1) : undefined;
        if (found !== undefined) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no ${name} event within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    async ended(timeoutMs = 5000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`stream still open after ${timeoutMs} ms`));
        }, timeoutMs);
      });
      try {
        await Promise.race([done, timeout]);
      } finally {
        clearTimeout(timer);
      }
      if (!finished) throw new Error('stream did not end');
    },
    close() {
      controller.abort();
    },
  };
}
