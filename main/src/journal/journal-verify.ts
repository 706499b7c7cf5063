/**
 * Verification of the whole chain across segments: checksums, hash links, gap-free sequences and
 * segment headers. Pure over scanned bytes, so every kind of tampering is tested without a disk.
 *
 * One anomaly is reported once, where it is: an entry edited in place is a `hash-mismatch` on that
 * entry (its successor still links to the stored hash); an edited entry whose hash was recomputed
 * is a `broken-link` on its successor; a removed entry is a `sequence-gap` on the next one (the
 * broken link there is implied and not repeated); after an unreadable record the next entry is not
 * held to a link or sequence nobody can know.
 */
import {
  GENESIS_HASH,
  chainHash,
  decodeEntryMeta,
  decodeRecord,
  type Frame,
  type SegmentHeader,
  type SegmentScan,
} from './journal-format.ts';

/** The entry type the journal writes itself when a manager acknowledges tampering. */
export const TAMPER_ACK_TYPE = 'journal.tamper-acknowledged';

export type TamperKind =
  /** A frame whose checksum or framing is damaged, with intact frames after it. */
  | 'bad-checksum'
  /** An intact frame that does not hold a journal record of this device. */
  | 'bad-record'
  /** An entry whose content no longer hashes to its stored hash: edited in place. */
  | 'hash-mismatch'
  /** An entry (or segment header) whose previous hash is not the hash of the entry before it. */
  | 'broken-link'
  /** Sequences missing before this entry or segment: entries or a whole segment were removed. */
  | 'sequence-gap'
  /** A sequence at or below one already seen: entries duplicated or reordered. */
  | 'sequence-disorder'
  /** An event id that an earlier entry already holds. */
  | 'duplicate-event-id'
  /** A segment without a readable header, named for another sequence, of another device, or cut short. */
  | 'bad-segment';

export interface TamperFinding {
  readonly kind: TamperKind;
  /** Segment file name. */
  readonly segment: string;
  /** Byte offset in the segment file. */
  readonly offset: number;
  /** The entry's sequence, when it could be read. */
  readonly sequence: number | null;
  readonly message: string;
  /** True when a journaled acknowledgement names this finding. */
  readonly acknowledged: boolean;
}

export interface SegmentInput {
  readonly name: string;
  /** The sequence the file name claims. */
  readonly nameSequence: number;
  readonly scan: SegmentScan;
}

export interface VerifiedEntry {
  readonly sequence: number;
  readonly eventId: string;
  readonly recordedAt: string;
  readonly hash: string;
  readonly segmentIndex: number;
  readonly offset: number;
  readonly length: number;
}

export interface VerifiedSegment {
  readonly name: string;
  readonly header: SegmentHeader | null;
  readonly firstSequence: number;
  readonly entryCount: number;
  readonly lastRecordedAt: string | null;
}

export interface ChainVerification {
  readonly findings: readonly TamperFinding[];
  /** Ordered by sequence. */
  readonly entries: readonly VerifiedEntry[];
  readonly segments: readonly VerifiedSegment[];
  /** The highest sequence seen: a new entry takes the next one. */
  readonly lastSequence: number;
  /** The hash a new entry links to. */
  readonly lastHash: string;
}

export function findingKey(finding: Pick<TamperFinding, 'kind' | 'segment' | 'offset'>): string {
  return `${finding.kind}@${finding.segment}+${finding.offset}`;
}

type Item =
  { readonly frame: Frame } | { readonly damage: { offset: number; length: number; reason: string } };

/** Verifies segments one at a time, oldest first, so only one segment's bytes are in memory. */
export class ChainVerifier {
  readonly #deviceId: string;
  readonly #findings: Omit<TamperFinding, 'acknowledged'>[] = [];
  readonly #entries: VerifiedEntry[] = [];
  readonly #segments: VerifiedSegment[] = [];
  readonly #eventIds = new Set<string>();
  readonly #acknowledged = new Set<string>();
  // The next entry must carry #highest + 1 and link to #prevHash; null right after something
  // unreadable. Expecting "highest + 1" rather than "previous + 1" means that after a replayed
  // (acknowledged) entry the journal continues without reusing a sequence or reporting it twice.
  #highest = 0;
  #prevHash: string | null = null;
  // What a new entry links to: the last hash in file order.
  #lastHash = GENESIS_HASH;
  #ordered = true;

  constructor(deviceId: string) {
    this.#deviceId = deviceId;
  }

  add(input: SegmentInput): void {
    const segmentIndex = this.#segments.length;
    const report = (kind: TamperKind, offset: number, sequence: number | null, message: string): void => {
      this.#findings.push({ kind, segment: input.name, offset, sequence, message });
    };
    const items: Item[] = [
      ...input.scan.frames.map((frame) => ({ frame })),
      ...input.scan.damaged.map((damage) => ({ damage })),
    ].sort((a, b) => itemOffset(a) - itemOffset(b));

    let header: SegmentHeader | null = null;
    let entryCount = 0;
    let lastRecordedAt: string | null = null;
    const first = items[0];
    const firstRecord = first !== undefined && 'frame' in first ? decodeRecord(first.frame.record) : null;
    if (firstRecord?.kind === 'header' && first !== undefined && itemOffset(first) === 0) {
      header = firstRecord.header;
      items.shift();
      if (header.firstSequence !== input.nameSequence) {
        report('bad-segment', 0, null, `header says it starts at sequence ${header.firstSequence}`);
      }
      if (header.deviceId !== this.#deviceId) {
        report('bad-segment', 0, null, `header belongs to device "${header.deviceId}"`);
      }
      if (this.#prevHash !== null) {
        const expected = { sequence: this.#highest + 1, prevHash: this.#prevHash };
        checkLink(expected, header.firstSequence, header.prevHash, (kind, message) => {
          report(kind, 0, null, `segment header: ${message}`);
        });
      } else if (segmentIndex === 0 && header.firstSequence === 1 && header.prevHash !== GENESIS_HASH) {
        report(
          'broken-link',
          0,
          null,
          'the first segment of the journal does not start from the genesis hash',
        );
      }
      this.#highest = Math.max(this.#highest, header.firstSequence - 1);
      this.#prevHash = header.prevHash;
      this.#lastHash = header.prevHash;
    } else {
      report('bad-segment', 0, null, 'the segment has no readable header');
      this.#prevHash = null;
    }

    for (const item of items) {
      if ('damage' in item) {
        const { offset, length, reason } = item.damage;
        report('bad-checksum', offset, null, `${length} damaged bytes (${reason})`);
        this.#prevHash = null;
        continue;
      }
      const { frame } = item;
      const record = decodeEntryMeta(frame.record);
      if (record.kind !== 'entry') {
        const full = decodeRecord(frame.record);
        report(
          'bad-record',
          frame.offset,
          null,
          full.kind === 'invalid' ? full.reason : 'a second segment header',
        );
        this.#prevHash = null;
        continue;
      }
      const body = record.meta;
      if (body.deviceId !== this.#deviceId) {
        report('bad-record', frame.offset, body.sequence, `entry belongs to device "${body.deviceId}"`);
      }
      if (chainHash(record.prevHash, record.bodyBytes) !== record.hash) {
        report('hash-mismatch', frame.offset, body.sequence, 'the entry was changed after it was written');
      }
      if (this.#prevHash !== null) {
        const expected = { sequence: this.#highest + 1, prevHash: this.#prevHash };
        checkLink(expected, body.sequence, record.prevHash, (kind, message) => {
          report(kind, frame.offset, body.sequence, message);
        });
      }
      if (this.#eventIds.has(body.eventId)) {
        report(
          'duplicate-event-id',
          frame.offset,
          body.sequence,
          `event ${body.eventId} is already journaled`,
        );
      }
      this.#eventIds.add(body.eventId);
      if (body.type === TAMPER_ACK_TYPE) {
        const full = decodeRecord(frame.record);
        if (full.kind === 'entry') collectAcknowledged(full.body.payload, this.#acknowledged);
      }

      const last = this.#entries.at(-1);
      if (last !== undefined && last.sequence >= body.sequence) this.#ordered = false;
      this.#entries.push({
        sequence: body.sequence,
        eventId: body.eventId,
        recordedAt: body.recordedAt,
        hash: record.hash,
        segmentIndex,
        offset: frame.offset,
        length: frame.length,
      });
      entryCount++;
      lastRecordedAt = body.recordedAt;
      this.#highest = Math.max(this.#highest, body.sequence);
      this.#prevHash = record.hash;
      this.#lastHash = record.hash;
    }

    if (input.scan.tail !== null) {
      const { offset, length, reason } = input.scan.tail;
      report('bad-segment', offset, null, `the segment ends in ${length} damaged bytes (${reason})`);
      this.#prevHash = null;
    }
    this.#segments.push({
      name: input.name,
      header,
      firstSequence: header?.firstSequence ?? input.nameSequence,
      entryCount,
      lastRecordedAt,
    });
  }

  result(): ChainVerification {
    const acknowledged = this.#acknowledged;
    const entries = this.#ordered
      ? this.#entries
      : [...this.#entries].sort((a, b) => a.sequence - b.sequence);
    return {
      findings: this.#findings.map((finding) => ({
        ...finding,
        acknowledged: acknowledged.has(findingKey(finding)),
      })),
      entries,
      segments: this.#segments,
      lastSequence: this.#highest,
      lastHash: this.#lastHash,
    };
  }
}

export function verifyChain(deviceId: string, inputs: readonly SegmentInput[]): ChainVerification {
  const verifier = new ChainVerifier(deviceId);
  for (const input of inputs) verifier.add(input);
  return verifier.result();
}

function itemOffset(item: Item): number {
  return 'frame' in item ? item.frame.offset : item.damage.offset;
}

function checkLink(
  expect: { readonly sequence: number; readonly prevHash: string },
  sequence: number,
  prevHash: string,
  report: (kind: TamperKind, message: string) => void,
): void {
  if (sequence > expect.sequence) {
    const missing = sequence - expect.sequence;
    report(
      'sequence-gap',
      missing === 1
        ? `sequence ${expect.sequence} is missing`
        : `sequences ${expect.sequence}–${sequence - 1} are missing`,
    );
  } else if (sequence < expect.sequence) {
    report('sequence-disorder', `sequence ${sequence} comes after ${expect.sequence - 1} was seen`);
  } else if (prevHash !== expect.prevHash) {
    report('broken-link', 'the previous hash does not match the entry before it');
  }
}

function collectAcknowledged(payload: unknown, into: Set<string>): void {
  if (typeof payload !== 'object' || payload === null || !('findings' in payload)) return;
  const { findings } = payload;
  if (!Array.isArray(findings)) return;
  for (const finding of findings as readonly unknown[]) {
    if (
      typeof finding === 'object' &&
      finding !== null &&
      'key' in finding &&
      typeof finding.key === 'string'
    ) {
      into.add(finding.key);
    }
  }
}
