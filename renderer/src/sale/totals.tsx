/**
 * The sale's figures as the domain priced them: subtotal, what promotions and discounts took off
 * (each promotion named), tax (included or added), and the total, large. Nothing is computed here.
 */
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useSaleState } from '../app/runtime-context.tsx';
import { useFormat } from '../app/ui-kit.tsx';
import { usePromotionText } from './promotion-text.ts';

export function Totals(): ReactElement {
  const { t } = useTranslation('sale');
  const format = useFormat();
  const promotionText = usePromotionText();
  const priced = useSaleState((s) => s.priced);
  const sale = useSaleState((s) => s.sale);
  const itemCount = sale?.lines.length ?? 0;
  const orderDiscount = priced?.lines.reduce(
    (sum, l) => sum + l.discounts.filter((d) => d.scope === 'order').reduce((a, d) => a + d.amount, 0),
    0,
  );
  return (
    <section className="totals" aria-label={t('totals.label')}>
      {priced !== null && priced.promotions.length > 0 && (
        <ul className="totals__promotions" aria-label={t('totals.promotions')}>
          {priced.promotions.map((p) => (
            <li key={p.promotionId} className="totals__promotion">
              <span>{promotionText({ source: 'promotion', description: p.description })}</span>
              <span>{format.money(-p.amount)}</span>
            </li>
          ))}
        </ul>
      )}
      {priced !== null && priced.unknownCoupons.length > 0 && (
        <p className="totals__warning" role="status">
          {t('totals.unknownCoupons', { codes: priced.unknownCoupons.join(', ') })}
        </p>
      )}
      <dl className="totals__rows">
        <div className="totals__row">
          <dt>{t('totals.subtotal', { count: itemCount })}</dt>
          <dd>{priced === null ? '—' : format.money(priced.subtotal)}</dd>
        </div>
        {priced !== null && priced.discount > 0 && (
          <div className="totals__row totals__row--saving">
            <dt>{t('totals.discounts')}</dt>
            <dd>{format.money(-priced.discount)}</dd>
          </div>
        )}
        {orderDiscount !== undefined && orderDiscount > 0 && (
          <div className="totals__row totals__row--detail">
            <dt>{t('totals.orderDiscount')}</dt>
            <dd>{format.money(-orderDiscount)}</dd>
          </div>
        )}
        {priced !== null && (
          <div className="totals__row totals__row--detail">
            <dt>{priced.pricesIncludeTax ? t('totals.taxIncluded') : t('totals.tax')}</dt>
            <dd>{format.money(priced.tax)}</dd>
          </div>
        )}
        <div className="totals__row totals__row--total">
          <dt>{t('totals.total')}</dt>
          <dd data-testid="sale-total">{priced === null ? '—' : format.money(priced.total)}</dd>
        </div>
      </dl>
    </section>
  );
}
