/**
 * The till's first screen: who are you (tile, staff code or staff card), then the PIN. Main checks
 * the PIN against the record's scrypt hash and counts failures; this screen says what happened in
 * words the cashier can act on (wrong PIN; locked out, for how long) and never keeps the PIN.
 */
import type { StaffSession } from '@pos/app/contracts/desktop-bridge';
import { useId, useRef, useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import '../styles/staff.css';
import { useTill } from '../app/till-context.tsx';
import { useCardSwipes, type ScanSource } from './card-swipes.ts';
import { pinRefusalMessage } from './pin-errors.ts';
import { PinPad, takePin, useFocusRequest } from './pin-pad.tsx';
import { signInWithPin } from './staff-auth.ts';
import { StaffPicker, useStaffTiles } from './staff-picker.tsx';
import { useStaffChooser, type ScreenMessage } from './use-staff-chooser.ts';

export interface SignInScreenProps {
  /** Completed keyboard-wedge scans from the app shell; staff-card swipes among them sign in. */
  readonly scans?: ScanSource;
  readonly onSignedIn?: (session: StaffSession) => void;
}

export function SignInScreen(props: SignInScreenProps): ReactElement {
  const { t } = useTranslation('staff');
  const { desktop, session, settings } = useTill();
  const tiles = useStaffTiles();
  const chooser = useStaffChooser();
  const pinField = useRef<HTMLInputElement | null>(null);
  const [busy, setBusy] = useState(false);
  const [resetKey, setResetKey] = useState(0);
  const titleId = useId();
  const { selected } = chooser;

  const focusPin = useFocusRequest(pinField);

  const submit = async (): Promise<void> => {
    const pin = takePin(pinField.current);
    setResetKey((key) => key + 1);
    if (selected === null || busy) return;
    setBusy(true);
    const result = await signInWithPin(desktop, selected, pin);
    setBusy(false);
    if (result.ok) {
      chooser.clear();
      session.getState().signedIn(result.value, selected.displayName);
      props.onSignedIn?.(result.value);
      return;
    }
    chooser.setMessage({ tone: 'error', text: pinRefusalMessage(t, result.refusal) });
    focusPin();
  };

  const onKeyDown = useCardSwipes((read) => {
    void chooser.bySwipe(read).then((staff) => {
      if (staff !== null) focusPin();
    });
  }, props.scans);

  return (
    <section className="staff-screen" aria-labelledby={titleId} onKeyDown={onKeyDown}>
      <header className="staff-screen__header">
        <span className="staff-screen__brand">{t('brand')}</span>
        <span className="staff-screen__till">{settings.tillName}</span>
      </header>
      <div className="staff-screen__body">
        <h1 id={titleId} className="staff-screen__title">
          {t('signIn.title')}
        </h1>
        <div className="staff-screen__panels">
          <div className="staff-panel">
            <StaffPicker
              heading={t('signIn.who')}
              tiles={tiles}
              selectedId={selected?.id ?? null}
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
          <div className="staff-panel staff-panel--pin">
            <h2 className="staff-panel__title">
              {selected === null ? t('signIn.pinTitle') : t('signIn.pinFor', { name: selected.displayName })}
            </h2>
            <Message message={chooser.message} />
            <PinPad
              inputRef={pinField}
              label={selected === null ? t('pin.label') : t('pin.labelFor', { name: selected.displayName })}
              submitLabel={busy ? t('signIn.checking') : t('signIn.submit')}
              disabled={selected === null || busy}
              resetKey={resetKey}
              onSubmit={() => {
                void submit();
              }}
            />
            {selected === null && <p className="staff-panel__hint">{t('signIn.chooseFirst')}</p>}
          </div>
        </div>
      </div>
    </section>
  );
}

export function Message(props: { readonly message: ScreenMessage | null }): ReactElement {
  // The live region is always there so screen readers announce a message when it appears.
  return (
    <div className="staff-message-slot" role="alert">
      {props.message !== null && (
        <p className={`staff-message staff-message--${props.message.tone}`}>{props.message.text}</p>
      )}
    </div>
  );
}
