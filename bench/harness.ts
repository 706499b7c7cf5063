/**
 * The benchmark harness every suite uses. A suite measures named cases; each case is timed over
 * many iterations after a warm-up, and reported as percentiles, because the machines are shared
 * and noisy and a single mean hides the tail a cashier feels.
 *
 * Output convention (read by people and by tooling): a readable table, then exactly one line of
 * JSON: {"suite":"…","results":[{"name":"…","unit":"…","p50":…,"p95":…,"p99":…}]}
 */

export interface BenchResult {
  readonly name: string;
  readonly unit: string;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly samples: number;
  /** Optional target from targets.md, printed beside the figure. */
  readonly target?: string;
}

export interface TimeOptions {
  /** Untimed iterations first, so the JIT and caches settle. */
  readonly warmup?: number;
  readonly iterations: number;
  readonly target?: string;
}

/** Nearest-rank percentile over an ascending-sorted array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of an empty sample');
  const rank = Math.ceil((p / 100) * sorted.length);
  const index = Math.min(sorted.length - 1, Math.max(0, rank - 1));
  return sorted[index] ?? Number.NaN;
}

export function summarize(
  name: string,
  unit: string,
  samples: readonly number[],
  target?: string,
): BenchResult {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    name,
    unit,
    p50: round3(percentile(sorted, 50)),
    p95: round3(percentile(sorted, 95)),
    p99: round3(percentile(sorted, 99)),
    samples: sorted.length,
    ...(target === undefined ? {} : { target }),
  };
}

/** Times `fn` per call in milliseconds. `fn` may return a promise. */
export async function timeMs(
  name: string,
  fn: (iteration: number) => unknown,
  options: TimeOptions,
): Promise<BenchResult> {
  const warmup = options.warmup ?? Math.min(50, Math.ceil(options.iterations / 10));
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples: number[] = [];
  for (let i = 0; i < options.iterations; i++) {
    const start = performance.now();
    await fn(i);
    samples.push(performance.now() - start);
  }
  return summarize(name, 'ms', samples, options.target);
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function report(suite: string, results: readonly BenchResult[]): string {
  const header = ['case', 'unit', 'p50', 'p95', 'p99', 'samples', 'target'];
  const rows = results.map((r) => [
    r.name,
    r.unit,
    String(r.p50),
    String(r.p95),
    String(r.p99),
    String(r.samples),
    r.target ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  const table = [
    `suite: ${suite}`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ].join('\n');
  const json = JSON.stringify({
    suite,
    results: results.map((r) => ({ name: r.name, unit: r.unit, p50: r.p50, p95: r.p95, p99: r.p99 })),
  });
  return `${table}\n${json}`;
}

export interface BenchSuite {
  readonly name: string;
  readonly description: string;
  run(): Promise<readonly BenchResult[]>;
}
