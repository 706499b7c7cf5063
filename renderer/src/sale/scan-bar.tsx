/**
 * The one field the cashier types into: a barcode keyed by hand (Enter), a name or SKU (results as
 * you type, ↑ ↓ Enter to pick), or "3*" to ring the next item three times. Scanner bursts never reach
 * it (app/keyboard.ts). An empty field with Enter goes to payment.
 */
import { parseQuantity } from '@pos/app';
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useRuntime, useSaleState, useUi } from '../app/runtime-context.tsx';
import { useFormat } from '../app/ui-kit.tsx';
import { useProductSearch } from './use-product-search.ts';
import type { SearchResult } from './use-product-search.ts';

const KEYED_CODE = /^[0-9]{4,14}$/u;
const MULTIPLIER = /^([0-9]{1,3})$/u;

export function ScanBar(): ReactElement {
  const { t } = useTranslation('sale');
  const runtime = useRuntime();
  const format = useFormat();
  const query = useUi((s) => s.query);
  const focusRequest = useUi((s) => s.focusRequest);
  const pendingQuantity = useSaleState((s) => s.pendingQuantity);
  const busy = useSaleState((s) => s.busy);
  const search = useProductSearch(query);
  const [active, setActive] = useState(0);
  const field = useRef<HTMLInputElement | null>(null);
  const listId = useId();
  const optionId = useId();
  const hintId = useId();

  useEffect(() => {
    field.current?.focus();
  }, [focusRequest]);
  useEffect(() => {
    setActive(0);
  }, [search.query]);

  const setQuery = (next: string): void => {
    runtime.ui.setState({ query: next });
  };

  const pick = (result: SearchResult): void => {
    setQuery('');
    void runtime.sale.add(result.product);
    field.current?.focus();
  };

  const open = query.trim() !== '' && (search.results.length > 0 || search.status === 'done');
  const results = search.query === query.trim() ? search.results : [];

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>): void => {
    const text = query.trim();
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (results.length === 0) return;
      event.preventDefault();
      const delta = event.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (i + delta + results.length) % results.length);
      return;
    }
    if (event.key === '*') {
      const match = MULTIPLIER.exec(text);
      if (match?.[1] !== undefined) {
        event.preventDefault();
        try {
          runtime.sale.setPendingQuantity(parseQuantity(match[1]));
          setQuery('');
        } catch {
          // Not a quantity: the star is typed as is.
        }
      }
      return;
    }
    if (event.key !== 'Enter') return;
    event.preventDefault();
    if (text === '') {
      // Enter moves on: to payment, or from a completed sale to the next one.
      if (!runtime.actions.dispatch('newSale')) runtime.actions.dispatch('pay');
      return;
    }
    const chosen = results[active];
    if (chosen !== undefined && (search.status === 'done' || !KEYED_CODE.test(text))) {
      pick(chosen);
      return;
    }
    if (KEYED_CODE.test(text)) {
      setQuery('');
      void runtime.sale.scan(text);
    }
  };

  const activeOption = open && results[active] !== undefined ? `${optionId}-${active}` : undefined;

  return (
    <div className="scan-bar">
      <div className="scan-bar__row">
        {pendingQuantity !== null && (
          <span className="scan-bar__multiplier" aria-live="polite">
            {t('scan.multiplier', { quantity: format.quantity(pendingQuantity, 'each') })}
          </span>
        )}
        <input
          ref={field}
          className="scan-bar__input"
          type="text"
          role="combobox"
          aria-label={t('scan.label')}
          aria-describedby={hintId}
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          {...(activeOption === undefined ? {} : { 'aria-activedescendant': activeOption })}
          autoComplete="off"
          spellCheck={false}
          inputMode="search"
          placeholder={t('scan.placeholder')}
          value={query}
          onChange={(event) => {
            setQuery(event.currentTarget.value);
          }}
          onKeyDown={onKeyDown}
        />
        {busy && <span className="scan-bar__busy" role="progressbar" aria-label={t('scan.busy')} />}
      </div>
      <p id={hintId} className="scan-bar__hint">
        {t('scan.hint')}
      </p>
      <ul
        id={listId}
        role="listbox"
        aria-label={t('scan.results')}
        className={open ? 'search-results search-results--open' : 'search-results'}
        hidden={!open}
      >
        {open && search.status === 'done' && results.length === 0 && (
          <li className="search-results__empty" role="presentation">
            {t('scan.noResults', { query: query.trim() })}
          </li>
        )}
        {results.map((result, index) => (
          <li
            key={result.product.id}
            id={`${optionId}-${index}`}
            role="option"
            aria-selected={index === active}
            className={index === active ? 'search-result search-result--active' : 'search-result'}
            onMouseDown={(event) => {
              // Keep the focus in the field.
              event.preventDefault();
            }}
            onClick={() => {
              pick(result);
            }}
          >
            <span className="search-result__name">{result.product.name}</span>
            <span className="search-result__sku">{result.product.sku}</span>
            <span className="search-result__stock">
              {result.stock === undefined
                ? ''
                : t('scan.stock', { quantity: format.quantity(result.stock, result.product.unit) })}
            </span>
            <span className="search-result__price">
              {result.price === undefined
                ? ''
                : result.price === null
                  ? t('scan.noPrice')
                  : result.product.unit === 'each'
                    ? format.money(result.price)
                    : t('scan.pricePerUnit', {
                        price: format.money(result.price),
                        unit: t(`common:units.${result.product.unit}`),
                      })}
            </span>
            {!result.product.active && <span className="search-result__flag">{t('scan.retired')}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
