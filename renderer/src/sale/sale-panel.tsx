/**
 * The side panel while items are rung up: the customer, the totals, the line and sale actions as
 * large buttons (each showing its function key), and Pay.
 */
import { useEffect, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useRuntime, useSaleState, useUi } from '../app/runtime-context.tsx';
import { ActionButton } from '../app/ui-kit.tsx';
import { openDialog } from '../app/ui-store.ts';
import { Totals } from './totals.tsx';

export function SalePanel(): ReactElement {
  const { t } = useTranslation('sale');
  const runtime = useRuntime();
  const customer = useUi((s) => s.customer);
  const customerId = useSaleState((s) => s.sale?.customer?.customerId ?? null);
  const shown = customer !== null && customer.id === customerId ? customer : null;

  // A sale resumed after a restart or from the parked list knows its customer only by id.
  useEffect(() => {
    if (customerId === null || runtime.ui.getState().customer?.id === customerId) return undefined;
    let live = true;
    runtime.services.db.customers
      .findOne(customerId)
      .exec()
      .then(
        (doc) => {
          if (live && doc !== null) runtime.ui.setState({ customer: doc.toJSON() });
        },
        () => undefined,
      );
    return () => {
      live = false;
    };
  }, [runtime, customerId]);
  return (
    <section className="sale-panel" aria-label={t('panel.label')}>
      <div className="sale-panel__customer">
        {shown === null ? (
          <ActionButton action="customer" variant="quiet" labelKey="sale:customer.add" />
        ) : (
          <button
            type="button"
            className="customer-chip"
            onClick={() => {
              openDialog(runtime.ui, { kind: 'customer' });
            }}
            aria-label={t('customer.change', { name: shown.displayName })}
          >
            <span className="customer-chip__name">{shown.displayName}</span>
            {shown.loyaltyPoints > 0 && (
              <span className="customer-chip__points">
                {t('customer.points', { points: shown.loyaltyPoints })}
              </span>
            )}
          </button>
        )}
      </div>
      <Totals />
      <div className="sale-panel__actions" role="group" aria-label={t('panel.lineActions')}>
        <ActionButton action="quantity" />
        <ActionButton action="lineDiscount" />
        <ActionButton action="priceOverride" />
        <ActionButton action="voidLine" variant="danger" />
      </div>
      <div className="sale-panel__actions" role="group" aria-label={t('panel.saleActions')}>
        <ActionButton action="orderDiscount" />
        <ActionButton action="coupon" />
        <ActionButton action="park" />
        <ActionButton action="resume" />
        <ActionButton action="receipts" />
        <ActionButton action="voidSale" variant="danger" />
      </div>
      <ActionButton action="pay" variant="primary" size="large" className="sale-panel__pay" />
    </section>
  );
}
