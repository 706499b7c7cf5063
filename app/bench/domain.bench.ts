/**
 * `npm run bench -- domain`: the pure core's hot paths, measured in one process side by side.
 * - re-pricing a 100-line cart under 200 live promotions (targets.md: ≤ 2 ms);
 * - building a Z report from 10,000 sale events (targets.md: ≤ 500 ms, never blocks selling).
 */
import type { BenchSuite } from '../../bench/harness.ts';
import { repricingCase } from './repricing.ts';
import { zReportCase } from './z-report.ts';

export const suite: BenchSuite = {
  name: 'domain',
  description: 'Domain core: cart re-pricing and Z report',
  async run() {
    return [await repricingCase(), await zReportCase()];
  },
};
