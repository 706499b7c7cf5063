/**
 * The "who is it?" step shared by the sign-in, lock and approval screens: pick a tile, type a staff
 * code or swipe a staff card; the till refuses people who may not sign in here (inactive, another
 * store's, locked by HQ) before any PIN is asked for.
 */
import type { StaffDoc } from '@pos/app';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useTill } from '../app/till-context.tsx';
import { staffRefusalMessage } from './pin-errors.ts';
import type { StaffCardRead } from './staff-card.ts';
import { findStaffByCard, findStaffByCode, staffRefusal } from './staff-lookup.ts';

export interface ScreenMessage {
  readonly tone: 'error' | 'info';
  readonly text: string;
}

export interface StaffChooser {
  readonly selected: StaffDoc | null;
  readonly message: ScreenMessage | null;
  setMessage(message: ScreenMessage | null): void;
  /** Selects `staff` if they may sign in here; resolves true when selected. */
  choose(staff: StaffDoc): boolean;
  byCode(code: string): Promise<StaffDoc | null>;
  bySwipe(read: StaffCardRead): Promise<StaffDoc | null>;
  clear(): void;
}

export function useStaffChooser(): StaffChooser {
  const { t } = useTranslation('staff');
  const { db, settings, now } = useTill();
  const [selected, setSelected] = useState<StaffDoc | null>(null);
  const [message, setMessage] = useState<ScreenMessage | null>(null);

  const choose = useCallback(
    (staff: StaffDoc): boolean => {
      const refusal = staffRefusal(staff, settings.storeId, now());
      if (refusal !== null) {
        setSelected(null);
        setMessage({ tone: 'error', text: staffRefusalMessage(t, refusal, staff.displayName) });
        return false;
      }
      setSelected(staff);
      setMessage(null);
      return true;
    },
    [settings.storeId, now, t],
  );

  const byCode = useCallback(
    async (code: string): Promise<StaffDoc | null> => {
      const staff = await findStaffByCode(db, code);
      if (staff === null) {
        setSelected(null);
        setMessage({ tone: 'error', text: t('error.unknownCode', { code: code.trim() }) });
        return null;
      }
      return choose(staff) ? staff : null;
    },
    [db, choose, t],
  );

  const bySwipe = useCallback(
    async (read: StaffCardRead): Promise<StaffDoc | null> => {
      switch (read.kind) {
        case 'payment_card':
          setMessage({ tone: 'error', text: t('error.paymentCard') });
          return null;
        case 'unreadable':
          setMessage({ tone: 'error', text: t('error.unreadableCard') });
          return null;
        case 'card': {
          const staff = await findStaffByCard(db, read.cardKey);
          if (staff === null) {
            setMessage({ tone: 'error', text: t('error.unknownCard') });
            return null;
          }
          return choose(staff) ? staff : null;
        }
      }
    },
    [db, choose, t],
  );

  const clear = useCallback(() => {
    setSelected(null);
    setMessage(null);
  }, []);

  return { selected, message, setMessage, choose, byCode, bySwipe, clear };
}
