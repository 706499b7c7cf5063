/**
 * Locks the till after `settings.idleLockSeconds` with no input (keys, pointer, touch, wheel, scans),
 * so an unattended till is never left open. The session stays; the PIN unlocks (LockScreen).
 */
import { useEffect } from 'react';
import { useTill } from '../app/till-context.tsx';

const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'touchstart', 'wheel'] as const;

export function useIdleLock(): void {
  const { session, settings, desktop } = useTill();
  const seconds = settings.idleLockSeconds;

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      const state = session.getState();
      if (state.session === null || state.locked) return;
      timer = setTimeout(() => {
        session.getState().lock();
      }, seconds * 1000);
    };
    for (const type of ACTIVITY_EVENTS)
      document.addEventListener(type, arm, { capture: true, passive: true });
    let unsubscribeScans: (() => void) | undefined;
    try {
      unsubscribeScans = desktop.on('hardware.scanned', arm);
    } catch {
      unsubscribeScans = undefined;
    }
    // Signing in or unlocking starts the countdown; locking or signing out stops it.
    const unsubscribeSession = session.subscribe(arm);
    arm();
    return () => {
      clearTimeout(timer);
      for (const type of ACTIVITY_EVENTS) document.removeEventListener(type, arm, { capture: true });
      unsubscribeScans?.();
      unsubscribeSession();
    };
  }, [session, seconds, desktop]);
}

/** `useIdleLock` as an element, for shells that prefer to mount it. */
export function IdleLock(): null {
  useIdleLock();
  return null;
}
