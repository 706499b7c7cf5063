/**
 * Receipt numbers: `<store prefix>-<till>-<n>`, where n is one more than the highest journal sequence
 * the till has seen. The journal is durable and its sequence only grows, so n is unique per till
 * across crashes and restarts without a counter of its own (a counter in IndexedDB could roll back
 * after a power cut and hand out a number twice). A sale whose journal append never happened leaves
 * its number unused, which is fine: receipt numbers need to be unique, not gap-free.
 */
import type { Desktop } from '../platform/desktop.ts';

export class ReceiptNumbers {
  private highest: number | null = null;

  constructor(
    private readonly desktop: Desktop,
    private readonly prefix: () => string,
    private readonly tillCode: string,
  ) {}

  /** The next receipt number; asks the journal once for its last sequence. */
  async next(): Promise<string> {
    if (this.highest === null) {
      const status = await this.desktop.call('journal.status', undefined);
      this.highest = status.lastSequence;
    }
    const n = this.highest + 1;
    // Reserved at once: a second sale numbered before the first is journaled still gets a new one.
    this.highest = n;
    return formatReceiptNumber(this.prefix(), this.tillCode, n);
  }

  /** Records a sequence the journal assigned (any event), so later numbers stay above it. */
  observe(sequence: number): void {
    this.highest = Math.max(this.highest ?? 0, sequence);
  }
}

export function formatReceiptNumber(prefix: string, tillCode: string, n: number): string {
  return `${prefix}-${tillCode}-${String(n).padStart(6, '0')}`;
}

/** A short, printable code for the till from its device id: its last six letters or digits, upper case. */
export function tillCodeFor(deviceId: string): string {
  const alnum = deviceId.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  const short = alnum.length > 8 ? alnum.slice(-6) : alnum;
  return short === '' ? 'T' : short;
}
