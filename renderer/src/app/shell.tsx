/**
 * The till's frame: a header with the store, the till and who is serving, the sale screen, the status
 * bar, and the dialogs. Signed out, the staff sign-in screen takes the whole window; locked, the lock
 * screen covers the sale (which stays as it was underneath).
 */
import { useEffect, useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useStore } from 'zustand';
import { SaleScreen } from '../sale/sale-screen.tsx';
import { IdleLock, LockScreen, SignInScreen } from '../staff/index.ts';
import { StatusBar } from '../status/index.ts';
import { DialogHost } from './dialog-host.tsx';
import { useRuntime } from './runtime-context.tsx';
import { ActionButton } from './ui-kit.tsx';
import { focusScanField } from './ui-store.ts';

export function Shell(): ReactElement {
  const runtime = useRuntime();
  const session = useStore(runtime.services.session, (s) => s.session);
  const locked = useStore(runtime.services.session, (s) => s.locked);
  const scans = runtime.wedgeScans.subscribe;

  if (session === null) {
    return (
      <div className="till till--signed-out">
        <SignInScreen
          scans={scans}
          onSignedIn={() => {
            focusScanField(runtime.ui);
          }}
        />
      </div>
    );
  }
  return (
    <div className="till">
      <TillHeader />
      <main className="till__main" inert={locked}>
        <SaleScreen />
      </main>
      <StatusBar />
      <DialogHost />
      {!locked && <IdleLock />}
      {locked && <LockScreen scans={scans} />}
    </div>
  );
}

function TillHeader(): ReactElement {
  const { t } = useTranslation('common');
  const runtime = useRuntime();
  const staffName = useStore(runtime.services.session, (s) => s.staffName);
  const config = runtime.config();
  return (
    <header className="till-header">
      <div className="till-header__brand">
        <span className="till-header__logo" aria-hidden="true">
          ◆
        </span>
        <span className="till-header__app">{t('appName')}</span>
        <span className="till-header__store">{config.storeName}</span>
        <span className="till-header__till">{runtime.services.settings.tillName}</span>
      </div>
      <Clock locale={config.locale} timeZone={config.timeZone} />
      <div className="till-header__staff">
        <span className="till-header__cashier">
          <span className="visually-hidden">{t('header.servedBy')} </span>
          {staffName}
        </span>
        <ActionButton action="help" variant="quiet" />
        <ActionButton action="lock" variant="quiet" />
        <ActionButton action="signOut" variant="quiet" />
      </div>
    </header>
  );
}

function Clock(props: { readonly locale: string; readonly timeZone: string }): ReactElement {
  const runtime = useRuntime();
  const [now, setNow] = useState(() => runtime.services.now());
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(runtime.services.now());
    }, 15_000);
    return () => {
      clearInterval(timer);
    };
  }, [runtime]);
  let text: string;
  try {
    text = new Intl.DateTimeFormat(props.locale, {
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: props.timeZone,
    }).format(now);
  } catch {
    text = now.toISOString().slice(11, 16);
  }
  return (
    <time className="till-header__clock" dateTime={now.toISOString()}>
      {text}
    </time>
  );
}
