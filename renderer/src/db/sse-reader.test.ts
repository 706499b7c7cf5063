import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpretFrame, SseParser, SseReader } from './sse-reader.ts';
import type { ResyncRequest, SseFrame } from './sse-reader.ts';

const ev = (event: string, data: string, id = ''): SseFrame => ({ kind: 'event', event, data, id });

describe('SseParser frames', () => {
  it.each<[string, string, SseFrame[]]>([
    ['hello event', 'event: hello\ndata: {"serverEpoch":"e1"}\n\n', [ev('hello', '{"serverEpoch":"e1"}')]],
    ['default type is message', 'data: x\n\n', [ev('message', 'x')]],
    ['multi-line data joined by LF', 'data: a\ndata: b\ndata:c\n\n', [ev('message', 'a\nb\nc')]],
    ['only one leading space is dropped', 'data:  two\n\n', [ev('message', ' two')]],
    ['comment (keep-alive)', ': keepalive\n\n', [{ kind: 'comment', text: 'keepalive' }]],
    ['retry field', 'retry: 3000\n\n', [{ kind: 'retry', ms: 3000 }]],
    ['retry that is not a number is ignored', 'retry: 3s\n\n', []],
    ['event without data is not dispatched', 'event: poke\n\n', []],
    ['CRLF line ends', 'event: poke\r\ndata: {}\r\n\r\n', [ev('poke', '{}')]],
    ['CR line ends', 'event: poke\rdata: {}\r\r', [ev('poke', '{}')]],
    ['BOM at the start', '\uFEFFdata: x\n\n', [ev('message', 'x')]],
    [
      'id persists to later events',
      'id: 7\ndata: a\n\ndata: b\n\n',
      [ev('message', 'a', '7'), ev('message', 'b', '7')],
    ],
    ['unknown field ignored', 'foo: bar\ndata: x\n\n', [ev('message', 'x')]],
    ['field without colon', 'data\n\n', [ev('message', '')]],
    ['incomplete frame waits for its blank line', 'event: poke\ndata: {}\n', []],
    [
      'the server opening: retry, hello, poke, keep-alive',
      'retry: 3000\n\nevent: hello\ndata: {"serverEpoch":"E"}\n\nevent: poke\ndata: {"collections":["prices"],"scope":"global"}\n\n: keepalive\n\n',
      [
        { kind: 'retry', ms: 3000 },
        ev('hello', '{"serverEpoch":"E"}'),
        ev('poke', '{"collections":["prices"],"scope":"global"}'),
        { kind: 'comment', text: 'keepalive' },
      ],
    ],
  ])('%s', (_name, input, expected) => {
    expect(new SseParser().feed(input)).toEqual(expected);
  });

  it('a CRLF split between two chunks ends one line, not two', () => {
    const parser = new SseParser();
    expect(parser.feed('data: a\r')).toEqual([]);
    // Were this LF a line of its own, it would be the blank line that dispatches.
    expect(parser.feed('\n')).toEqual([]);
    expect(parser.feed('\r\n')).toEqual([ev('message', 'a')]);
  });

  it('gives the same frames however the text is cut into chunks', () => {
    const text =
      'retry: 3000\r\n\r\nevent: hello\ndata: {"serverEpoch":"E"}\n\n: keepalive\r\rid: 3\nevent: poke\ndata: {"collections":["products","prices"]}\ndata: more\n\n';
    const whole = new SseParser().feed(text);
    expect(whole).toHaveLength(4);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 12 }), (cuts) => {
        const sorted = [...cuts].sort((a, b) => a - b);
        const parser = new SseParser();
        const frames: SseFrame[] = [];
        let from = 0;
        for (const cut of [...sorted, text.length]) {
          frames.push(...parser.feed(text.slice(from, cut)));
          from = cut;
        }
        expect(frames).toEqual(whole);
      }),
    );
  });
});

describe('interpretFrame', () => {
  it.each([
    [ev('hello', '{"serverEpoch":"E1","serverTime":"x"}'), { type: 'hello', serverEpoch: 'E1' }],
    [
      ev('poke', '{"collections":["prices","stockLevels"],"scope":"store:S01"}'),
      { type: 'poke', collections: ['prices', 'stockLevels'], scope: 'store:S01' },
    ],
    [ev('poke', '{"collections":["prices",3]}'), { type: 'poke', collections: ['prices'], scope: 'global' }],
    [ev('poke', 'not json'), { type: 'unknown', event: 'poke' }],
    [ev('hello', '{}'), { type: 'unknown', event: 'hello' }],
    [ev('message', '{}'), { type: 'unknown', event: 'message' }],
    [{ kind: 'comment', text: 'keepalive' } as const, { type: 'keepalive' }],
    [{ kind: 'retry', ms: 5 } as const, { type: 'retry', ms: 5 }],
  ])('%o means %o', (frame, expected) => {
    expect(interpretFrame(frame)).toEqual(expected);
  });
});

/** A fake `/stream`: each open gets the next script; a script is the chunks sent, then the stream ends (or stays open). */
function scriptedOpen(scripts: { chunks: string[]; stayOpen?: boolean; fail?: Error }[]) {
  let opened = 0;
  const open = (signal: AbortSignal): Promise<Response> => {
    const script = scripts[Math.min(opened, scripts.length - 1)]!;
    opened++;
    if (script.fail) return Promise.reject(script.fail);
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of script.chunks) controller.enqueue(encoder.encode(chunk));
        if (script.stayOpen !== true) controller.close();
        signal.addEventListener('abort', () => {
          try {
            controller.close();
          } catch {
            // already closed
          }
        });
      },
    });
    return Promise.resolve(
      new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    );
  };
  return { open, opened: () => opened };
}

const fast = { baseMs: 5, maxMs: 20, factor: 2, jitter: 0 };

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('SseReader', () => {
  it('resyncs every collection on each (re)connect and only the poked ones on a poke', async () => {
    const hello = 'event: hello\ndata: {"serverEpoch":"E"}\n\n';
    const fake = scriptedOpen([
      { chunks: [hello, 'event: poke\ndata: {"collections":["prices","unknown"],"scope":"global"}\n\n'] },
      { chunks: [hello], stayOpen: true },
    ]);
    const reader = new SseReader({ open: fake.open, collections: ['products', 'prices'], backoff: fast });
    const requests: ResyncRequest[] = [];
    const prices: string[] = [];
    const connected: boolean[] = [];
    reader.resyncs$.subscribe((r) => requests.push(r));
    reader.stream('prices').subscribe((v) => prices.push(v));
    reader.connected$.subscribe((c) => connected.push(c));
    reader.start();
    await waitFor(() => fake.opened() === 2 && requests.length === 5);
    await reader.stop();
    expect(requests).toEqual([
      { collection: 'products', reason: 'connect' },
      { collection: 'prices', reason: 'connect' },
      { collection: 'prices', reason: 'poke' },
      { collection: 'products', reason: 'connect' },
      { collection: 'prices', reason: 'connect' },
    ]);
    expect(prices).toEqual(['RESYNC', 'RESYNC', 'RESYNC']);
    expect(connected).toEqual([false, true, false, true, false]);
  });

  it('keeps retrying failed connects with growing delays, and reports why', async () => {
    const fail = new Error('connection refused');
    const fake = scriptedOpen([
      { chunks: [], fail },
      { chunks: [], fail },
      { chunks: [], fail },
      { chunks: [], stayOpen: true },
    ]);
    const reader = new SseReader({ open: fake.open, collections: ['config'], backoff: fast });
    const errors: unknown[] = [];
    const resyncs: ResyncRequest[] = [];
    reader.errors$.subscribe((e) => errors.push(e));
    reader.resyncs$.subscribe((r) => resyncs.push(r));
    const started = Date.now();
    reader.start();
    await waitFor(() => reader.isConnected);
    // 5 + 10 + 20 ms of backoff before the fourth attempt.
    expect(Date.now() - started).toBeGreaterThanOrEqual(30);
    await reader.stop();
    expect(errors).toEqual([fail, fail, fail]);
    expect(resyncs).toEqual([{ collection: 'config', reason: 'connect' }]);
    expect(reader.isConnected).toBe(false);
  });

  it('reconnects when the stream goes silent longer than the idle limit', async () => {
    const fake = scriptedOpen([{ chunks: ['retry: 1\n\n'], stayOpen: true }]);
    const reader = new SseReader({
      open: fake.open,
      collections: ['staff'],
      backoff: fast,
      idleTimeoutMs: 30,
    });
    const errors: string[] = [];
    reader.errors$.subscribe((e) => errors.push(e instanceof Error ? e.message : String(e)));
    reader.start();
    await waitFor(() => fake.opened() >= 2);
    await reader.stop();
    expect(errors[0]).toBe('the live stream went silent; reconnecting');
  });
});
