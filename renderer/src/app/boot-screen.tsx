/** What the window shows before the till is ready: starting, not set up yet, or why it cannot start. */
import type { i18n as I18n } from 'i18next';
import type { ReactElement } from 'react';
import { I18nextProvider, useTranslation } from 'react-i18next';
import type { BootOutcome } from './boot.ts';

export type BootScreenState =
  | { readonly kind: 'starting' }
  | { readonly kind: 'noBridge' }
  | Exclude<BootOutcome, { readonly kind: 'ready' }>;

export function BootScreen(props: { readonly i18n: I18n; readonly state: BootScreenState }): ReactElement {
  return (
    <I18nextProvider i18n={props.i18n}>
      <BootMessage state={props.state} />
    </I18nextProvider>
  );
}

function BootMessage(props: { readonly state: BootScreenState }): ReactElement {
  const { t } = useTranslation('common');
  const { state } = props;
  return (
    <div
      className="boot-screen"
      role={state.kind === 'failed' ? 'alert' : 'status'}
      aria-busy={state.kind === 'starting'}
    >
      <p className="boot-screen__brand">{t('appName')}</p>
      <h1 className="boot-screen__title">{t(`boot.${state.kind}Title`)}</h1>
      <p className="boot-screen__text">
        {state.kind === 'failed'
          ? t('boot.failedText', { detail: state.message })
          : state.kind === 'notEnrolled'
            ? t('boot.notEnrolledText', { till: state.settings.tillName })
            : t(`boot.${state.kind}Text`)}
      </p>
      {state.kind === 'failed' && (
        <button
          type="button"
          className="btn btn--primary btn--large"
          onClick={() => {
            window.location.reload();
          }}
        >
          {t('boot.retry')}
        </button>
      )}
    </div>
  );
}
