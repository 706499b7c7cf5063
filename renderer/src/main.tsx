/**
 * The till page's entry: styles, then boot (settings, database, store configuration) and the app.
 * Every screen before the app (starting, not enrolled, a failure) is translated too; the language is
 * the till's own setting, the figures use the store's locale.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { v7 as uuidv7 } from 'uuid';
import { bootTill } from './app/boot.ts';
import { BootScreen } from './app/boot-screen.tsx';
import { TillApp } from './app/till-app.tsx';
import { createI18n, languageFor } from './i18n/i18n.ts';
import { desktopFromWindow } from './platform/desktop.ts';
import './styles/base.css';
import './styles/till.css';
import './styles/sale.css';
import './styles/tender.css';
import './styles/receipt.css';

async function start(element: HTMLElement): Promise<void> {
  const root = createRoot(element);
  const desktop = desktopFromWindow();
  const fallbackLocale = navigator.language;
  if (desktop === null) {
    const i18n = await createI18n(fallbackLocale);
    root.render(<BootScreen i18n={i18n} state={{ kind: 'noBridge' }} />);
    return;
  }
  const i18nStart = await createI18n(fallbackLocale);
  root.render(<BootScreen i18n={i18nStart} state={{ kind: 'starting' }} />);
  const outcome = await bootTill({ desktop, now: () => new Date(), newId: () => uuidv7() });
  const locale =
    outcome.kind === 'failed'
      ? fallbackLocale
      : outcome.kind === 'ready'
        ? outcome.till.settings.locale
        : outcome.settings.locale;
  const i18n = await createI18n(locale);
  document.documentElement.lang = i18n.language;
  if (outcome.kind !== 'ready') {
    root.render(<BootScreen i18n={i18n} state={outcome} />);
    return;
  }
  // The till's language follows its settings without a restart.
  desktop.on('settings.changed', (settings) => {
    const language = languageFor(settings.locale);
    void i18n.changeLanguage(language);
    document.documentElement.lang = language;
  });
  root.render(
    <StrictMode>
      <TillApp till={outcome.till} i18n={i18n} />
    </StrictMode>,
  );
}

const element = document.getElementById('root');
if (element !== null) void start(element);
