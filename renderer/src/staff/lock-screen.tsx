/**
 * The locked till: the session (and the open sale under it) stays; the same person's PIN unlocks.
 * Anyone else who may sign in here can take over (quick staff switch): main's session becomes theirs,
 * which signs the first person out. The sale screen stays mounted underneath, covered, so nothing in
 * progress is lost; the shell decides what a switch does to an open cart (`onSwitched`).
 */
import type { StaffDoc } from '@pos/app';
import type { StaffSession } from '@pos/app/contracts/desktop-bridge';
import { useEffect, useId, useRef, useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import '../styles/staff.css';
import { useSession, useTill } from '../app/till-context.tsx';
import { useCardSwipes, type ScanSource } from './card-swipes.ts';
import { pinRefusalMessage } from './pin-errors.ts';
import { PinPad, takePin, useFocusRequest } from './pin-pad.tsx';
import { Message } from './sign-in-screen.tsx';
import { signInWithPin, verifyStaffPin } from './staff-auth.ts';
import { findStaffById } from './staff-lookup.ts';
import { trapFocus } from './focus-trap.ts';
import { StaffPicker, useStaffTiles } from './staff-picker.tsx';
import { useStaffChooser } from './use-staff-chooser.ts';

export interface LockScreenProps {
  readonly scans?: ScanSource;
  /** Someone else took over; `previous` is signed out. */
  readonly onSwitched?: (previous: StaffSession, next: StaffSession) => void;
}

export function LockScreen(props: LockScreenProps): ReactElement | null {
  const { t } = useTranslation('staff');
  const { db, desktop, session: store } = useTill();
  const session = useSession((state) => state.session);
  const staffName = useSession((state) => state.staffName);
  const chooser = useStaffChooser();
  const tiles = useStaffTiles();
  const [switching, setSwitching] = useState(false);
  const [owner, setOwner] = useState<StaffDoc | null>(null);
  const [busy, setBusy] = useState(false);
  const [resetKey, setResetKey] = useState(0);
  const pinField = useRef<HTMLInputElement | null>(null);
  const titleId = useId();

  const staffId = session?.staffId ?? null;
  useEffect(() => {
    if (staffId === null) return undefined;
    let live = true;
    findStaffById(db, staffId).then(
      (staff) => {
        if (live) setOwner(staff);
      },
      () => {
        if (live) setOwner(null);
      },
    );
    return () => {
      live = false;
    };
  }, [db, staffId]);

  const focusPin = useFocusRequest(pinField);
  useEffect(() => {
    // The field is enabled once the owner's record is loaded: put the cursor there for the keyboard.
    if (owner !== null) focusPin();
  }, [owner, focusPin]);

  const target = switching ? chooser.selected : owner;
  const isOwner = target !== null && target.id === staffId;

  const submit = async (): Promise<void> => {
    const pin = takePin(pinField.current);
    setResetKey((key) => key + 1);
    if (target === null || session === null || busy) return;
    setBusy(true);
    if (isOwner) {
      const result = await verifyStaffPin(desktop, target, pin);
      setBusy(false);
      if (result.ok) {
        chooser.clear();
        setSwitching(false);
        store.getState().unlock();
        return;
      }
      chooser.setMessage({ tone: 'error', text: pinRefusalMessage(t, result.refusal) });
    } else {
      const result = await signInWithPin(desktop, target, pin);
      setBusy(false);
      if (result.ok) {
        chooser.clear();
        setSwitching(false);
        store.getState().signedIn(result.value, target.displayName);
        props.onSwitched?.(session, result.value);
        return;
      }
      chooser.setMessage({ tone: 'error', text: pinRefusalMessage(t, result.refusal) });
    }
    focusPin();
  };

  const onKeyDown = useCardSwipes((read) => {
    void chooser.bySwipe(read).then((staff) => {
      if (staff === null) return;
      setSwitching(staff.id !== staffId);
      focusPin();
    });
  }, props.scans);

  if (session === null) return null;

  return (
    <div
      className="staff-lock"
      role="dialog"
      aria-modal="true"
      aria-labelledby={titleId}
      onKeyDown={(event) => {
        trapFocus(event);
        onKeyDown(event);
      }}
    >
      <div className="staff-lock__card">
        <div className="staff-lock__head">
          <svg className="staff-lock__icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path
              fill="currentColor"
              d="M12 2a5 5 0 0 0-5 5v3H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-8a2 2 0 0 0-2-2h-1V7a5 5 0 0 0-5-5Zm-3 8V7a3 3 0 1 1 6 0v3H9Zm3 3a2 2 0 0 1 1 3.73V19h-2v-2.27A2 2 0 0 1 12 13Z"
            />
          </svg>
          <h1 id={titleId} className="staff-screen__title">
            {t('lock.title')}
          </h1>
          <p className="staff-lock__who">{t('lock.signedInAs', { name: staffName })}</p>
        </div>
        <div className={switching ? 'staff-screen__panels' : 'staff-lock__single'}>
          {switching && (
            <div className="staff-panel">
              <StaffPicker
                heading={t('lock.switchWho')}
                tiles={tiles}
                selectedId={chooser.selected?.id ?? null}
                disabled={busy}
                onPick={(staff) => {
                  if (chooser.choose(staff)) focusPin();
                }}
                onCode={(code) => {
                  void chooser.byCode(code).then((staff) => {
                    if (staff !== null) focusPin();
                  });
                }}
              />
            </div>
          )}
          <div className="staff-panel staff-panel--pin">
            <Message message={chooser.message} />
            <PinPad
              inputRef={pinField}
              label={target === null ? t('pin.label') : t('pin.labelFor', { name: target.displayName })}
              submitLabel={
                busy
                  ? t('signIn.checking')
                  : isOwner || !switching
                    ? t('lock.unlock')
                    : target === null
                      ? t('signIn.submit')
                      : t('lock.signInAs', { name: target.displayName })
              }
              disabled={target === null || busy}
              resetKey={resetKey}
              autoFocus
              onSubmit={() => {
                void submit();
              }}
            />
            <button
              type="button"
              className="staff-button staff-button--ghost staff-lock__switch"
              disabled={busy}
              onClick={() => {
                chooser.clear();
                setSwitching(!switching);
                takePin(pinField.current);
                setResetKey((key) => key + 1);
              }}
            >
              {switching ? t('lock.backToUnlock', { name: staffName }) : t('lock.switchUser')}
            </button>
          </div>
        </div>
      </div>
    </div>
  );
}
