/**
 * Main's answers to a PIN check, turned into what the cashier reads. Main's messages are English
 * sentences; the till shows its own translated text chosen by the error code, and reads only the
 * minutes left out of a lock-out message (the contract carries no structured retry time).
 */
import type { PosError } from '@pos/app/contracts/desktop-bridge';
import type { TFunction } from 'i18next';
import type { StaffRefusal } from './staff-lookup.ts';

export type PinRefusal =
  | { readonly kind: 'wrong_pin' }
  | { readonly kind: 'locked_out'; readonly minutes: number | null }
  /** The staff record's PIN hash cannot be checked on this till (HQ must fix the record). */
  | { readonly kind: 'unusable_record' }
  /** Main did not answer (the bridge is missing or restarting). */
  | { readonly kind: 'unavailable' }
  | { readonly kind: 'failed' };

export function pinRefusal(error: PosError): PinRefusal {
  switch (error.code) {
    case 'pin_mismatch':
      return { kind: 'wrong_pin' };
    case 'locked_out': {
      const minutes = /(\d+)\s*minute/u.exec(error.message)?.[1];
      return { kind: 'locked_out', minutes: minutes === undefined ? null : Number(minutes) };
    }
    case 'invalid_input':
      return { kind: 'unusable_record' };
    case 'unavailable':
      return { kind: 'unavailable' };
    case 'forbidden':
    case 'not_found':
    case 'internal':
    case 'journal_tampered':
    case 'journal_conflict':
    case 'device_busy':
      return { kind: 'failed' };
  }
}

export function pinRefusalMessage(t: TFunction<'staff'>, refusal: PinRefusal): string {
  switch (refusal.kind) {
    case 'wrong_pin':
      return t('error.wrongPin');
    case 'locked_out':
      return refusal.minutes === null
        ? t('error.lockedOutLater')
        : t('error.lockedOut', { count: refusal.minutes });
    case 'unusable_record':
      return t('error.unusableRecord');
    case 'unavailable':
      return t('error.unavailable');
    case 'failed':
      return t('error.failed');
  }
}

export function staffRefusalMessage(t: TFunction<'staff'>, refusal: StaffRefusal, name: string): string {
  switch (refusal.kind) {
    case 'inactive':
      return t('error.inactive', { name });
    case 'other_store':
      return t('error.otherStore', { name });
    case 'locked':
      return t('error.staffLocked', { name, count: refusal.minutes });
  }
}
