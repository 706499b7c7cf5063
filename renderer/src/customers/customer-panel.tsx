/**
 * The customer on the sale: look up as you type (name, phone, email, loyalty card), pick one, see their
 * loyalty points and tier, or sign a new customer up on the spot (works offline). The selected
 * profile is read live from the database, so a balance the server updates shows without a reload.
 */
import type { CustomerDoc } from '@pos/app';
import { useEffect, useId, useRef, useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import '../styles/customers.css';
import { useTill } from '../app/till-context.tsx';
import { formatDateTime } from '../i18n/format.ts';
import {
  createCustomer,
  EMPTY_NEW_CUSTOMER,
  type EventRecorder,
  type NewCustomerInput,
  type NewCustomerProblems,
} from './customer-create.ts';
import { lookupPlans, searchCustomers } from './customer-search.ts';

export interface CustomerPanelProps {
  readonly onSelect: (customer: CustomerDoc | null) => void;
  readonly selectedId: string | null;
  /** How a sign-up event is made durable; default journal then outbox (customer-create.ts). */
  readonly recordEvent?: EventRecorder;
}

/** Typing pauses this long before a lookup runs, so a fast typist costs one query, not ten. */
export const LOOKUP_DEBOUNCE_MS = 120;

export function CustomerPanel(props: CustomerPanelProps): ReactElement {
  const { t } = useTranslation('customers');
  const [query, setQuery] = useState('');
  const [creating, setCreating] = useState<NewCustomerInput | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const searchId = useId();
  const searchField = useRef<HTMLInputElement | null>(null);
  const results = useCustomerSearch(query);

  const select = (customer: CustomerDoc | null): void => {
    props.onSelect(customer);
    setQuery('');
    setCreating(null);
  };

  return (
    <section className="cust-panel" aria-label={t('panel.label')}>
      <SelectedCustomer
        selectedId={props.selectedId}
        onRemove={() => {
          setNotice(null);
          select(null);
          searchField.current?.focus();
        }}
      />
      {notice !== null && (
        <p className="cust-notice" role="status">
          {notice}
        </p>
      )}
      {creating === null ? (
        <>
          <div className="cust-search">
            <label htmlFor={searchId} className="cust-label">
              {t('search.label')}
            </label>
            <div className="cust-search__row">
              <input
                ref={searchField}
                id={searchId}
                className="cust-input cust-search__input"
                type="search"
                value={query}
                autoComplete="off"
                spellCheck={false}
                placeholder={t('search.placeholder')}
                onChange={(event) => {
                  setQuery(event.currentTarget.value);
                  setNotice(null);
                }}
                onKeyDown={(event) => {
                  const first = results.customers[0];
                  if (event.key === 'Enter' && first !== undefined && !results.pending) {
                    event.preventDefault();
                    select(first);
                  }
                  if (event.key === 'ArrowDown') {
                    const button = document.querySelector<HTMLButtonElement>(
                      `[data-cust-results="${searchId}"] button`,
                    );
                    if (button !== null) {
                      event.preventDefault();
                      button.focus();
                    }
                  }
                }}
              />
              <button
                type="button"
                className="cust-button cust-button--primary"
                onClick={() => {
                  setNotice(null);
                  setCreating(prefillFrom(query));
                }}
              >
                {t('create.open')}
              </button>
            </div>
          </div>
          <Results
            listKey={searchId}
            query={query}
            customers={results.customers}
            pending={results.pending}
            failed={results.failed}
            onPick={select}
          />
        </>
      ) : (
        <CreateForm
          initial={creating}
          {...(props.recordEvent === undefined ? {} : { recordEvent: props.recordEvent })}
          onCancel={() => {
            setCreating(null);
          }}
          onCreated={(customer, message) => {
            setNotice(message);
            select(customer);
          }}
          onUseExisting={(customer) => {
            select(customer);
          }}
        />
      )}
    </section>
  );
}

interface SearchState {
  readonly customers: readonly CustomerDoc[];
  readonly pending: boolean;
  readonly failed: boolean;
}

function useCustomerSearch(query: string): SearchState {
  const { db } = useTill();
  const [state, setState] = useState<SearchState & { readonly query: string }>({
    query: '',
    customers: [],
    pending: false,
    failed: false,
  });
  const searchable = lookupPlans(query).length > 0;
  useEffect(() => {
    if (!searchable) return undefined;
    let live = true;
    const timer = setTimeout(() => {
      searchCustomers(db, query).then(
        (customers) => {
          if (live) setState({ query, customers, pending: false, failed: false });
        },
        () => {
          if (live) setState({ query, customers: [], pending: false, failed: true });
        },
      );
    }, LOOKUP_DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [db, query, searchable]);
  if (!searchable) return { customers: [], pending: false, failed: false };
  // Results of an older query are not shown as the answer to this one.
  if (state.query !== query) return { customers: [], pending: true, failed: false };
  return state;
}

function Results(props: {
  readonly listKey: string;
  readonly query: string;
  readonly customers: readonly CustomerDoc[];
  readonly pending: boolean;
  readonly failed: boolean;
  readonly onPick: (customer: CustomerDoc) => void;
}): ReactElement | null {
  const { t } = useTranslation('customers');
  if (props.query.trim() === '') return null;
  if (props.failed) return <p className="cust-empty">{t('search.failed')}</p>;
  if (props.pending)
    return (
      <p className="cust-empty" aria-live="polite">
        {t('search.searching')}
      </p>
    );
  if (props.customers.length === 0) {
    return (
      <p className="cust-empty" aria-live="polite">
        {lookupPlans(props.query).length === 0 ? t('search.keepTyping') : t('search.none')}
      </p>
    );
  }
  return (
    <ul className="cust-results" aria-label={t('search.results')} data-cust-results={props.listKey}>
      {props.customers.map((customer) => (
        <li key={customer.id}>
          <button
            type="button"
            className="cust-result"
            onClick={() => {
              props.onPick(customer);
            }}
            onKeyDown={(event) => {
              const item = event.currentTarget.parentElement;
              const next =
                event.key === 'ArrowDown'
                  ? item?.nextElementSibling
                  : event.key === 'ArrowUp'
                    ? item?.previousElementSibling
                    : null;
              const button = next?.querySelector('button');
              if (button !== null && button !== undefined) {
                event.preventDefault();
                button.focus();
              }
            }}
          >
            <span className="cust-result__name">{customer.displayName}</span>
            <span className="cust-result__contact">
              {[customer.phone, customer.email, customer.cardNumber].filter(Boolean).join(' · ')}
            </span>
            {customer.loyaltyTier !== undefined && <span className="cust-badge">{customer.loyaltyTier}</span>}
          </button>
        </li>
      ))}
    </ul>
  );
}

function SelectedCustomer(props: {
  readonly selectedId: string | null;
  readonly onRemove: () => void;
}): ReactElement | null {
  const { t } = useTranslation('customers');
  const { db, locale, timeZone } = useTill();
  const [customer, setCustomer] = useState<{ readonly id: string; readonly doc: CustomerDoc | null } | null>(
    null,
  );
  const { selectedId } = props;
  useEffect(() => {
    if (selectedId === null) return undefined;
    const subscription = db.customers.findOne(selectedId).$.subscribe({
      next: (doc) => {
        setCustomer({ id: selectedId, doc: doc === null ? null : doc.toMutableJSON() });
      },
      error: () => {
        setCustomer({ id: selectedId, doc: null });
      },
    });
    return () => {
      subscription.unsubscribe();
    };
  }, [db, selectedId]);
  if (selectedId === null) return null;
  const doc = customer?.id === selectedId ? customer.doc : null;
  const points = new Intl.NumberFormat(locale).format(doc?.loyaltyPoints ?? 0);
  return (
    <div className="cust-selected" aria-label={t('selected.label')} role="group">
      <div className="cust-selected__main">
        <span className="cust-selected__avatar" aria-hidden="true">
          {Array.from(doc?.displayName ?? '?')[0]}
        </span>
        <div>
          <p className="cust-selected__name">{doc?.displayName ?? t('selected.loading')}</p>
          {doc !== null && (
            <p className="cust-selected__contact">
              {[doc.phone, doc.email].filter(Boolean).join(' · ') || t('selected.noContact')}
            </p>
          )}
        </div>
      </div>
      {doc !== null && (
        <dl className="cust-loyalty">
          <div>
            <dt>{t('loyalty.points')}</dt>
            <dd className="cust-loyalty__points">{points}</dd>
          </div>
          {doc.loyaltyTier !== undefined && (
            <div>
              <dt>{t('loyalty.tier')}</dt>
              <dd>
                <span className="cust-badge">{doc.loyaltyTier}</span>
              </dd>
            </div>
          )}
          {doc.loyaltyAsOf !== undefined && (
            <div className="cust-loyalty__asof">
              <dt>{t('loyalty.asOf')}</dt>
              <dd>{formatDateTime(doc.loyaltyAsOf, locale, timeZone)}</dd>
            </div>
          )}
        </dl>
      )}
      <button type="button" className="cust-button" onClick={props.onRemove}>
        {t('selected.remove')}
      </button>
    </div>
  );
}

/** What was typed in the search becomes the first field of the new profile. */
export function prefillFrom(query: string): NewCustomerInput {
  const typed = query.trim();
  if (typed === '') return EMPTY_NEW_CUSTOMER;
  if (typed.includes('@')) return { ...EMPTY_NEW_CUSTOMER, email: typed };
  if (/^\+?[\d\s\-().]+$/u.test(typed)) return { ...EMPTY_NEW_CUSTOMER, phone: typed };
  const words = typed.split(/\s+/u);
  if (words.length === 1) return { ...EMPTY_NEW_CUSTOMER, lastName: typed };
  return {
    ...EMPTY_NEW_CUSTOMER,
    firstName: words.slice(0, -1).join(' '),
    lastName: words[words.length - 1] ?? '',
  };
}

function CreateForm(props: {
  readonly initial: NewCustomerInput;
  readonly recordEvent?: EventRecorder;
  readonly onCancel: () => void;
  readonly onCreated: (customer: CustomerDoc, notice: string) => void;
  readonly onUseExisting: (customer: CustomerDoc) => void;
}): ReactElement {
  const { t } = useTranslation('customers');
  const services = useTill();
  const [input, setInput] = useState<NewCustomerInput>(props.initial);
  const [problems, setProblems] = useState<NewCustomerProblems>({});
  const [duplicate, setDuplicate] = useState<{
    readonly customer: CustomerDoc;
    readonly field: string;
  } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formId = useId();
  const titleId = useId();

  const save = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    setDuplicate(null);
    try {
      const result = await createCustomer(services, input, props.recordEvent);
      switch (result.kind) {
        case 'invalid':
          setProblems(result.problems);
          break;
        case 'duplicate':
          setProblems({});
          setDuplicate({ customer: result.existing, field: result.field });
          break;
        case 'created':
          props.onCreated(result.customer, t('create.saved', { name: result.customer.displayName }));
          break;
      }
    } catch {
      setError(t('create.failed'));
    } finally {
      setBusy(false);
    }
  };

  const text = (
    field: 'firstName' | 'lastName' | 'phone' | 'email' | 'cardNumber',
    problemKey: keyof NewCustomerProblems | null,
    type = 'text',
  ) => {
    const id = `${formId}-${field}`;
    const problem = problemKey === null ? undefined : problems[problemKey];
    return (
      <div className="cust-field">
        <label htmlFor={id} className="cust-label">
          {t(`create.${field}`)}
        </label>
        <input
          id={id}
          className="cust-input"
          type={type}
          value={input[field]}
          autoComplete="off"
          disabled={busy}
          aria-invalid={problem === undefined ? undefined : true}
          aria-describedby={problem === undefined ? undefined : `${id}-problem`}
          onChange={(event) => {
            const value = event.currentTarget.value;
            setInput((current) => ({ ...current, [field]: value }));
          }}
        />
        {problem !== undefined && (
          <p id={`${id}-problem`} className="cust-problem">
            {t(`problem.${problem}`)}
          </p>
        )}
      </div>
    );
  };

  const consent = (field: 'emailConsent' | 'smsConsent' | 'postConsent') => (
    <label className="cust-check">
      <input
        type="checkbox"
        checked={input[field]}
        disabled={busy}
        onChange={(event) => {
          const checked = event.currentTarget.checked;
          setInput((current) => ({ ...current, [field]: checked }));
        }}
      />
      <span>{t(`create.${field}`)}</span>
    </label>
  );

  return (
    <form
      className="cust-create"
      aria-labelledby={titleId}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <h3 id={titleId} className="cust-create__title">
        {t('create.title')}
      </h3>
      {problems.name !== undefined && (
        <p className="cust-problem" role="alert">
          {t(`problem.${problems.name}`)}
        </p>
      )}
      <div className="cust-create__grid">
        {text('firstName', null)}
        {text('lastName', null)}
        {text('phone', 'phone', 'tel')}
        {text('email', 'email', 'email')}
        {text('cardNumber', 'cardNumber')}
      </div>
      <fieldset className="cust-consents">
        <legend className="cust-label">{t('create.consents')}</legend>
        {consent('emailConsent')}
        {consent('smsConsent')}
        {consent('postConsent')}
      </fieldset>
      {duplicate !== null && (
        <div className="cust-duplicate" role="alert">
          <p>{t(`create.duplicate.${duplicate.field}`, { name: duplicate.customer.displayName })}</p>
          <button
            type="button"
            className="cust-button"
            onClick={() => {
              props.onUseExisting(duplicate.customer);
            }}
          >
            {t('create.useExisting', { name: duplicate.customer.displayName })}
          </button>
        </div>
      )}
      {error !== null && (
        <p className="cust-problem" role="alert">
          {error}
        </p>
      )}
      <p className="cust-create__offline">{t('create.offlineNote')}</p>
      <div className="cust-create__actions">
        <button type="button" className="cust-button" disabled={busy} onClick={props.onCancel}>
          {t('create.cancel')}
        </button>
        <button type="submit" className="cust-button cust-button--primary" disabled={busy}>
          {busy ? t('create.saving') : t('create.save')}
        </button>
      </div>
    </form>
  );
}
