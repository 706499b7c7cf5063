/**
 * Entry of customer-display.html: the second window (or browser tab) facing the customer. It needs no
 * bridge and no database: everything it shows comes from the till over a BroadcastChannel.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { createI18n } from '../i18n/i18n.ts';
import '../styles/customer-display.css';
import { CustomerDisplayApp } from './customer-display.tsx';

const root = document.getElementById('root');
if (root !== null) {
  // The till sends the store's locale with its first state; until then the browser's.
  const locale = navigator.language;
  void createI18n(locale).then((i18n) => {
    createRoot(root).render(
      <StrictMode>
        <I18nextProvider i18n={i18n}>
          <CustomerDisplayApp initialLocale={locale} />
        </I18nextProvider>
      </StrictMode>,
    );
  });
}
