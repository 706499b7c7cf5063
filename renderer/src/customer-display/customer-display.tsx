/**
 * The customer-facing screen: welcome between customers, the items and totals as they are rung up,
 * what is paid and what is left while paying, then change due and thanks, and back to welcome. Large
 * figures, readable from a metre away; everything in the store's locale and currency.
 */
import { useEffect, useRef, useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { languageFor } from '../i18n/i18n.ts';
import { formatMoney } from '../i18n/format.ts';
import {
  subscribeCustomerDisplay,
  THANK_YOU_MS,
  type CustomerDisplayComplete,
  type CustomerDisplayIdle,
  type CustomerDisplayPaying,
  type CustomerDisplaySale,
  type CustomerDisplayState,
} from './display-state.ts';

export function CustomerDisplayView(props: { readonly state: CustomerDisplayState }): ReactElement {
  const { state } = props;
  switch (state.kind) {
    case 'idle':
      return <Welcome state={state} />;
    case 'sale':
      return <Sale state={state} />;
    case 'paying':
      return <Paying state={state} />;
    case 'complete':
      return <Complete state={state} />;
  }
}

function Welcome(props: { readonly state: CustomerDisplayIdle }): ReactElement {
  const { t } = useTranslation('display');
  return (
    <main className="cd cd--welcome" aria-label={t('welcome.label')}>
      <p className="cd-welcome__hello">{t('welcome.title')}</p>
      <p className="cd-welcome__store">{props.state.storeName ?? t('brand')}</p>
      <p className="cd-welcome__hint">{t('welcome.hint')}</p>
    </main>
  );
}

function Sale(props: { readonly state: CustomerDisplaySale }): ReactElement {
  const { t } = useTranslation('display');
  const { state } = props;
  const money = (amount: number) => formatMoney(amount, state.currency, state.locale);
  const list = useRef<HTMLOListElement | null>(null);
  const count = state.lines.length;
  useEffect(() => {
    // The newest item is at the bottom: keep it in view as the list grows.
    const element = list.current;
    if (element !== null) element.scrollTop = element.scrollHeight;
  }, [count]);
  return (
    <main className="cd cd--sale" aria-label={t('sale.label')}>
      <section className="cd-lines">
        {state.customerName !== undefined && (
          <p className="cd-lines__greeting">{t('sale.greeting', { name: state.customerName })}</p>
        )}
        {count === 0 ? (
          <p className="cd-lines__empty">{t('sale.empty')}</p>
        ) : (
          <ol ref={list} className="cd-lines__list" aria-label={t('sale.items')}>
            {state.lines.map((line) => (
              <li key={line.lineId} className="cd-line">
                <span className="cd-line__name">{line.name}</span>
                <span className="cd-line__amount">{money(line.amount)}</span>
                {line.quantity !== '' && <span className="cd-line__quantity">{line.quantity}</span>}
                {line.discountLabel !== undefined && (
                  <span className="cd-line__discount">{line.discountLabel}</span>
                )}
              </li>
            ))}
          </ol>
        )}
      </section>
      <section className="cd-totals" aria-label={t('sale.totals')}>
        <dl className="cd-totals__rows">
          <div className="cd-row">
            <dt>{t('sale.subtotal')}</dt>
            <dd>{money(state.subtotal)}</dd>
          </div>
          {state.discounts > 0 && (
            <div className="cd-row cd-row--saving">
              <dt>{t('sale.savings')}</dt>
              <dd>{money(-state.discounts)}</dd>
            </div>
          )}
          <div className="cd-row">
            <dt>{state.taxIncluded ? t('sale.taxIncluded') : t('sale.tax')}</dt>
            <dd>{money(state.tax)}</dd>
          </div>
        </dl>
        <div className="cd-total">
          <span className="cd-total__label">{t('sale.total')}</span>
          <span className="cd-total__amount">{money(state.total)}</span>
        </div>
        <p className="cd-totals__count">{t('sale.itemCount', { count })}</p>
      </section>
    </main>
  );
}

function Paying(props: { readonly state: CustomerDisplayPaying }): ReactElement {
  const { t } = useTranslation('display');
  const { state } = props;
  const money = (amount: number) => formatMoney(amount, state.currency, state.locale);
  return (
    <main className="cd cd--paying" aria-label={t('paying.label')}>
      <dl className="cd-big">
        <div className="cd-big__row">
          <dt>{t('paying.total')}</dt>
          <dd>{money(state.total)}</dd>
        </div>
        <div className="cd-big__row">
          <dt>{t('paying.paid')}</dt>
          <dd>{money(state.paid)}</dd>
        </div>
        <div className="cd-big__row cd-big__row--main">
          <dt>{t('paying.remaining')}</dt>
          <dd>{money(state.remaining)}</dd>
        </div>
      </dl>
      {state.waitingForCard === true && <p className="cd-card-prompt">{t('paying.followTerminal')}</p>}
    </main>
  );
}

function Complete(props: { readonly state: CustomerDisplayComplete }): ReactElement {
  const { t } = useTranslation('display');
  const { state } = props;
  const money = (amount: number) => formatMoney(amount, state.currency, state.locale);
  return (
    <main className="cd cd--complete" aria-label={t('complete.label')}>
      <p className="cd-thanks">{t('complete.thanks')}</p>
      {state.change > 0 && (
        <div className="cd-change">
          <span className="cd-change__label">{t('complete.change')}</span>
          <span className="cd-change__amount">{money(state.change)}</span>
        </div>
      )}
      <dl className="cd-complete__rows">
        <div className="cd-row">
          <dt>{t('complete.total')}</dt>
          <dd>{money(state.total)}</dd>
        </div>
        <div className="cd-row">
          <dt>{t('complete.paid')}</dt>
          <dd>{money(state.paid)}</dd>
        </div>
      </dl>
      <p className="cd-complete__bye">{t('complete.bye')}</p>
    </main>
  );
}

export interface CustomerDisplayAppProps {
  /** Default: the BroadcastChannel the till publishes on. */
  readonly subscribe?: (onState: (state: CustomerDisplayState) => void) => () => void;
  /** The language until the till says otherwise. */
  readonly initialLocale?: string;
  readonly thankYouMs?: number;
}

/** The display page: follows the till, returns from thanks to welcome by itself, follows the store's language. */
export function CustomerDisplayApp(props: CustomerDisplayAppProps): ReactElement {
  const { i18n } = useTranslation('display');
  const [state, setState] = useState<CustomerDisplayState>({
    kind: 'idle',
    locale: props.initialLocale ?? 'en',
  });
  const storeName = useRef<string | undefined>(undefined);
  const subscribe = props.subscribe ?? subscribeCustomerDisplay;
  const thankYouMs = props.thankYouMs ?? THANK_YOU_MS;

  useEffect(
    () =>
      subscribe((next) => {
        if (next.kind === 'idle') storeName.current = next.storeName;
        setState(next);
      }),
    [subscribe],
  );

  useEffect(() => {
    const language = languageFor(state.locale);
    if (i18n.language !== language) void i18n.changeLanguage(language);
    document.documentElement.lang = state.locale;
  }, [state.locale, i18n]);

  useEffect(() => {
    if (state.kind !== 'complete') return undefined;
    const timer = setTimeout(() => {
      const name = storeName.current;
      setState({ kind: 'idle', locale: state.locale, ...(name === undefined ? {} : { storeName: name }) });
    }, thankYouMs);
    return () => {
      clearTimeout(timer);
    };
  }, [state, thankYouMs]);

  return <CustomerDisplayView state={state} />;
}
