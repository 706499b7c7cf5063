/**
 * The Z report over a busy shift: 10,000 sales (1–20 lines, several VAT rates, promotions, mixed
 * and split tenders), a return for about one sale in 25 and the shift's cash movements. The events
 * are generated once, from a fixed seed, outside the timing; only `buildShiftReport` is timed.
 */
import { timeMs, type BenchResult } from '../../bench/harness.ts';
import { buildShiftReport } from '../src/domain/shift.ts';
import { generateShiftEvents } from '../src/domain/test-fixtures.ts';

export const Z_REPORT_SALES = 10_000;

export async function zReportCase(): Promise<BenchResult> {
  const events = generateShiftEvents(20_240_301, { sales: Z_REPORT_SALES, hours: 12 });
  let sink = 0;
  const result = await timeMs(
    'Z report from 10,000 sale events',
    () => {
      // Keep the result alive so the work cannot be optimised away.
      sink += buildShiftReport(events, { kind: 'Z', utcOffsetMinutes: 60 }).netSales;
    },
    { warmup: 5, iterations: 40, target: '≤ 500 ms' },
  );
  if (sink === 0) throw new Error('the Z report summed nothing');
  return result;
}
