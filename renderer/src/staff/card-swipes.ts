/**
 * Staff cards and badges reaching a sign-in, lock or approval screen, from wherever they come:
 *  - the shell's scan bus (`ScanSource`: keyboard-wedge bursts and hardware scanners): a magnetic
 *    swipe, or a staff badge's barcode;
 *  - without a scan source, `hardware.scanned` from a scanner or reader the hardware service drives;
 *  - keys typed into this screen, when nothing upstream caught the burst: a `%` or `;` starts a
 *    capture that Enter ends, so a swipe's digits never land in the PIN or the staff-code field.
 * The swipe's text goes straight into `readStaffCard` and is dropped.
 */
import { useCallback, useEffect, useRef, type KeyboardEvent } from 'react';
import { useTill } from '../app/till-context.tsx';
import { readStaffBadge, readStaffCard, type StaffCardRead } from './staff-card.ts';

/** Subscribes to completed wedge scans (the app shell's detector); returns the unsubscribe. */
export type ScanSource = (listener: (text: string) => void) => () => void;

/** Longest pause between two keys of one swipe; a reader types a whole swipe in a few ms per key. */
const SWIPE_GAP_MS = 100;

export function useCardSwipes(
  onSwipe: (read: StaffCardRead) => void,
  scans?: ScanSource,
): (event: KeyboardEvent) => void {
  const { desktop } = useTill();
  const latest = useRef(onSwipe);
  useEffect(() => {
    latest.current = onSwipe;
  });

  useEffect(() => {
    if (scans === undefined) return undefined;
    return scans((text) => {
      latest.current(readStaffBadge(text));
    });
  }, [scans]);

  useEffect(() => {
    // The shell's scan bus already carries the hardware scanners' scans.
    if (scans !== undefined) return undefined;
    try {
      return desktop.on('hardware.scanned', (scan) => {
        latest.current(readStaffBadge(scan.data));
      });
    } catch {
      return undefined; // No bridge events here: the keys still work.
    }
  }, [desktop, scans]);

  const capture = useRef<{ text: string; last: number } | null>(null);
  return useCallback((event: KeyboardEvent) => {
    const { key, timeStamp } = event;
    const current = capture.current;
    if (current !== null && timeStamp - current.last > SWIPE_GAP_MS) capture.current = null;
    const active = capture.current;
    if (active === null) {
      if (key === '%' || key === ';') {
        event.preventDefault();
        capture.current = { text: key, last: timeStamp };
      }
      return;
    }
    if (key === 'Shift') {
      event.preventDefault();
      return;
    }
    if (key === 'Enter') {
      event.preventDefault();
      capture.current = null;
      latest.current(readStaffCard(active.text));
      return;
    }
    if (key.length === 1) {
      event.preventDefault();
      active.text += key;
      active.last = timeStamp;
      return;
    }
    capture.current = null;
  }, []);
}
