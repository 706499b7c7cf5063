/**
 * The items on the sale: what was rung, how many, at what price, what came off (promotions by name,
 * manual discounts, a changed price), the line's amount, and the stock left at this store. A tap
 * selects a line; the selected line gets − and + for touch, and the side panel's line actions.
 */
import type { SaleLine, SaleLineRecord } from '@pos/app';
import { memo, useEffect, useRef, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useRuntime, useSaleState } from '../app/runtime-context.tsx';
import { useFormat } from '../app/ui-kit.tsx';
import { renderMessage } from './messages.ts';
import { usePromotionText } from './promotion-text.ts';

export function CartLines(): ReactElement {
  const { t } = useTranslation('sale');
  const sale = useSaleState((s) => s.sale);
  const priced = useSaleState((s) => s.priced);
  const pricingProblem = useSaleState((s) => s.pricingProblem);
  const selected = useSaleState((s) => s.selectedLineId);
  const lastAdded = useSaleState((s) => s.lastAddedLineId);
  const lines = sale?.state === 'open' || sale?.state === 'tendering' ? sale.lines : [];
  const byId = new Map((priced?.lines ?? []).map((l) => [l.lineId, l]));
  const list = useRef<HTMLOListElement | null>(null);

  useEffect(() => {
    // Keep the newest or selected line in view as the sale grows. Scrolling needs the layout: done at
    // the start of the next frame, it uses the layout that frame computes anyway, where done here it
    // would compute one more on the scan's way to the screen.
    const id = selected ?? lastAdded;
    if (id === null) return undefined;
    const reveal = (): void => {
      const rows = list.current?.querySelectorAll<HTMLElement>('[data-line-id]') ?? [];
      const row = [...rows].find((element) => element.dataset.lineId === id);
      // Not every environment scrolls (jsdom has no layout).
      if (typeof row?.scrollIntoView === 'function') row.scrollIntoView({ block: 'nearest' });
    };
    if (typeof requestAnimationFrame !== 'function') {
      reveal();
      return undefined;
    }
    const frame = requestAnimationFrame(reveal);
    return () => {
      cancelAnimationFrame(frame);
    };
  }, [selected, lastAdded, lines.length]);

  if (lines.length === 0) {
    return (
      <div className="cart cart--empty">
        <p className="cart__empty-title">{t('cart.emptyTitle')}</p>
        <p className="cart__empty-hint">{t('cart.emptyHint')}</p>
      </div>
    );
  }
  return (
    <div className="cart">
      <div className="cart__head" aria-hidden="true">
        <span>{t('cart.item')}</span>
        <span>{t('cart.quantity')}</span>
        <span>{t('cart.amount')}</span>
      </div>
      <ol ref={list} className="cart__lines" aria-label={t('cart.label')}>
        {lines.map((line) => (
          <CartLine
            key={line.lineId}
            line={line}
            priced={byId.get(line.lineId)}
            selected={line.lineId === selected}
            fresh={line.lineId === lastAdded}
            editable={sale?.state === 'open'}
          />
        ))}
      </ol>
      {pricingProblem !== null && (
        <p className="cart__problem" role="alert">
          {renderMessage(t, pricingProblem)}
        </p>
      )}
    </div>
  );
}

interface CartLineProps {
  readonly line: SaleLine;
  readonly priced: SaleLineRecord | undefined;
  readonly selected: boolean;
  readonly fresh: boolean;
  readonly editable: boolean;
}

/**
 * What a line shows from its priced record. Every scan re-prices the whole sale into new records, so
 * the lines that did not change are recognised by these values and not drawn again.
 */
function samePricing(a: SaleLineRecord | undefined, b: SaleLineRecord | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return (
    a.unitPrice === b.unitPrice &&
    a.gross === b.gross &&
    a.overriddenFrom === b.overriddenFrom &&
    a.discounts.length === b.discounts.length &&
    a.discounts.every((d, i) => {
      const other = b.discounts[i];
      return d.scope === other?.scope && d.amount === other.amount && d.description === other.description;
    })
  );
}

const CartLine = memo(
  CartLineView,
  (before, after) =>
    before.line === after.line &&
    before.selected === after.selected &&
    before.fresh === after.fresh &&
    before.editable === after.editable &&
    samePricing(before.priced, after.priced),
);

function CartLineView(props: CartLineProps): ReactElement {
  const { t } = useTranslation('sale');
  const runtime = useRuntime();
  const format = useFormat();
  const promotionText = usePromotionText();
  const { line, priced, selected } = props;
  const stock = useSaleState((s) => s.stock.get(line.productId));
  const quantity = format.quantity(line.quantity, line.unit);
  const unitPrice = priced === undefined ? null : format.money(priced.unitPrice);
  const amount = priced === undefined ? '—' : format.money(priced.gross - lineDiscountOnly(priced));
  const classes = ['cart-line', selected ? 'cart-line--selected' : '', props.fresh ? 'cart-line--fresh' : '']
    .filter((c) => c !== '')
    .join(' ');
  return (
    <li className={classes} data-testid="cart-line" data-line-id={line.lineId}>
      <button
        type="button"
        className="cart-line__main"
        aria-pressed={selected}
        disabled={!props.editable}
        onClick={() => {
          runtime.sale.selectLine(selected ? null : line.lineId);
        }}
      >
        <span className="cart-line__name">{line.name}</span>
        <span className="cart-line__quantity">
          {line.unit === 'each' ? t('cart.times', { quantity }) : quantity}
        </span>
        <span className="cart-line__amount">{amount}</span>
        <span className="cart-line__detail">
          {line.sku}
          {unitPrice !== null &&
            ` · ${line.unit === 'each' ? t('cart.each', { price: unitPrice }) : t('cart.perUnit', { price: unitPrice, unit: t(`common:units.${line.unit}`) })}`}
          {stock !== undefined && ` · ${t('cart.stock', { quantity: format.quantity(stock, line.unit) })}`}
        </span>
        {priced?.overriddenFrom !== undefined && (
          <span className="cart-line__note">
            {t('cart.priceChanged', { from: format.money(priced.overriddenFrom) })}
          </span>
        )}
        {priced?.discounts
          .filter((d) => d.scope === 'line')
          .map((d, i) => (
            <span key={i} className="cart-line__discount">
              <span>{promotionText(d)}</span>
              <span>{format.money(-d.amount)}</span>
            </span>
          ))}
      </button>
      {selected && props.editable && line.unit === 'each' && (
        <span className="cart-line__steppers">
          <button
            type="button"
            className="btn btn--quiet cart-line__step"
            aria-label={t('cart.less', { name: line.name })}
            onClick={() => void runtime.sale.changeQuantityBy(line.lineId, -1)}
          >
            −
          </button>
          <button
            type="button"
            className="btn btn--quiet cart-line__step"
            aria-label={t('cart.more', { name: line.name })}
            onClick={() => void runtime.sale.changeQuantityBy(line.lineId, 1)}
          >
            +
          </button>
        </span>
      )}
    </li>
  );
}

/** What the line costs after its own discounts (promotions, manual); order discounts show in the totals. */
function lineDiscountOnly(line: SaleLineRecord): number {
  return line.discounts.filter((d) => d.scope === 'line').reduce((sum, d) => sum + d.amount, 0);
}
