/**
 * The two PIN checks, through main: signing in (main starts the session) and verifying a PIN for one
 * action or to unlock (main leaves the session as it is). The PIN is passed straight through; the
 * caller has already wiped it from the field. A missing bridge or a rejected call reads as
 * "unavailable", never as a crash of the screen.
 */
import type { StaffDoc } from '@pos/app';
import type { StaffSession } from '@pos/app/contracts/desktop-bridge';
import type { Desktop } from '../platform/desktop.ts';
import { pinRefusal, type PinRefusal } from './pin-errors.ts';

export type PinCheck<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: PinRefusal };

export async function signInWithPin(
  desktop: Desktop,
  staff: StaffDoc,
  pin: string,
): Promise<PinCheck<StaffSession>> {
  try {
    const result = await desktop.tryCall('staff.signIn', {
      staffId: staff.id,
      role: staff.role,
      pin,
      pinHash: staff.pin,
    });
    return result.ok ? { ok: true, value: result.value } : { ok: false, refusal: pinRefusal(result.error) };
  } catch {
    return { ok: false, refusal: { kind: 'unavailable' } };
  }
}

/** Resolves with main's verification time (ISO) on success. */
export async function verifyStaffPin(
  desktop: Desktop,
  staff: StaffDoc,
  pin: string,
): Promise<PinCheck<string>> {
  try {
    const result = await desktop.tryCall('staff.verifyPin', { staffId: staff.id, pin, pinHash: staff.pin });
    return result.ok
      ? { ok: true, value: result.value.verifiedAt }
      : { ok: false, refusal: pinRefusal(result.error) };
  } catch {
    return { ok: false, refusal: { kind: 'unavailable' } };
  }
}
