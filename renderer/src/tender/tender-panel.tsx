/**
 * The payment panel: what is due (large), quick cash amounts, card through the terminal, gift card and
 * store credit, the payments taken so far (each removable; a card one is reversed on the terminal),
 * and the terminal's progress in words. While a card payment is unresolved, every other payment is
 * locked and the panel says why.
 */
import { amountDue, quickCashAmounts } from '@pos/app';
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useRuntime, useSaleState } from '../app/runtime-context.tsx';
import { ActionButton, useFormat } from '../app/ui-kit.tsx';
import { paymentInFlight } from '../sale/sale-store.ts';
import type { CardPayment } from '../sale/sale-store.ts';

export function TenderPanel(): ReactElement {
  const { t } = useTranslation('tender');
  const runtime = useRuntime();
  const format = useFormat();
  const sale = useSaleState((s) => s.sale);
  const payment = useSaleState((s) => s.payment);
  const completing = useSaleState((s) => s.completing);
  if (sale?.state !== 'tendering') return <section className="tender" aria-label={t('label')} />;
  const due = amountDue(sale, runtime.sale.env());
  const locked = paymentInFlight(payment) || completing;
  const quick = quickCashAmounts(due.cashDue, sale.currency);

  return (
    <section className="tender" aria-label={t('label')}>
      <div className="tender__due" aria-live="polite">
        <p className="tender__due-label">{due.paid > 0 ? t('remaining') : t('toPay')}</p>
        <p className="tender__due-amount" data-testid="amount-due">
          {format.money(due.remaining)}
        </p>
        {due.cashDue !== due.remaining && (
          <p className="tender__rounding">{t('cashRounded', { amount: format.money(due.cashDue) })}</p>
        )}
        <dl className="tender__summary">
          <div>
            <dt>{t('total')}</dt>
            <dd>{format.money(due.total)}</dd>
          </div>
          <div>
            <dt>{t('paid')}</dt>
            <dd>{format.money(due.paid)}</dd>
          </div>
        </dl>
      </div>

      {payment !== null && <PaymentProgress payment={payment} />}
      {completing && (
        <p className="tender__saving" role="status">
          {t('saving')}
        </p>
      )}

      <div className="tender__group" role="group" aria-label={t('cashGroup')}>
        <h3 className="tender__group-title">{t('cash')}</h3>
        <div className="tender__row">
          <ActionButton action="exactCash" variant="primary" size="large">
            <span className="btn__amount">{format.money(due.cashDue)}</span>
          </ActionButton>
        </div>
        <div className="tender__quick">
          {quick
            .filter((amount) => amount !== due.cashDue)
            .map((amount) => (
              <button
                key={amount}
                type="button"
                className="btn btn--secondary btn--large"
                disabled={locked}
                aria-label={t('cashAmount', { amount: format.money(amount) })}
                onClick={() => void runtime.tender.cash(amount)}
              >
                {format.money(amount)}
              </button>
            ))}
          <ActionButton action="cashAmount" variant="secondary" size="large" />
        </div>
      </div>

      <div className="tender__group" role="group" aria-label={t('otherGroup')}>
        <h3 className="tender__group-title">{t('other')}</h3>
        <div className="tender__row">
          <ActionButton action="card" variant="primary" size="large" />
          <ActionButton action="cardAmount" variant="secondary" />
        </div>
        <div className="tender__row">
          <ActionButton action="giftCard" variant="secondary" />
          <ActionButton action="storeCredit" variant="secondary" />
        </div>
      </div>

      {sale.tenders.length > 0 && (
        <div className="tender__taken">
          <h3 className="tender__group-title">{t('taken')}</h3>
          <ul aria-label={t('taken')}>
            {sale.tenders.map((tender) => {
              const amount = tender.type === 'cash' ? tender.received : tender.amount;
              const label =
                tender.type === 'card' && tender.cardLast4 !== undefined
                  ? t('cardEnding', { brand: tender.cardBrand ?? t('types.card'), last4: tender.cardLast4 })
                  : t(`types.${tender.type}`);
              return (
                <li key={tender.tenderId} className="tender__taken-row" data-testid="tender-line">
                  <span>{label}</span>
                  <span>{format.money(amount)}</span>
                  <button
                    type="button"
                    className="btn btn--quiet"
                    disabled={locked}
                    aria-label={t('remove', { payment: `${label} ${format.money(amount)}` })}
                    onClick={() => void runtime.tender.remove(tender.tenderId)}
                  >
                    {tender.type === 'card' ? t('reverse') : t('removeShort')}
                  </button>
                </li>
              );
            })}
          </ul>
        </div>
      )}

      <div className="tender__footer">
        <ActionButton action="backToSale" variant="quiet" />
        <ActionButton action="voidSale" variant="danger" />
      </div>
    </section>
  );
}

function PaymentProgress(props: { readonly payment: CardPayment }): ReactElement {
  const { t } = useTranslation('tender');
  const runtime = useRuntime();
  const format = useFormat();
  const { payment } = props;
  const inFlight = paymentInFlight(payment);
  const tone =
    payment.phase === 'declined' || payment.phase === 'failed'
      ? 'error'
      : payment.phase === 'unresolved'
        ? 'warning'
        : 'info';
  return (
    <div
      className={`payment payment--${tone}`}
      role={tone === 'error' ? 'alert' : 'status'}
      data-testid="card-payment"
      aria-busy={inFlight}
    >
      <p className="payment__title">
        {t(`payment.${payment.kind === 'refund' ? 'refund' : 'sale'}`, {
          amount: format.money(payment.amount),
        })}
      </p>
      <p className="payment__phase">{t(`payment.phase.${payment.phase}`)}</p>
      {payment.message !== '' && <p className="payment__message">{payment.message}</p>}
      <div className="payment__actions">
        {(payment.phase === 'pending' || payment.phase === 'starting') && (
          <button
            type="button"
            className="btn btn--secondary"
            onClick={() => void runtime.tender.cancelCard()}
          >
            {t('payment.cancel')}
          </button>
        )}
        {payment.phase === 'unresolved' && (
          <button type="button" className="btn btn--secondary" onClick={() => void runtime.tender.check()}>
            {t('payment.checkNow')}
          </button>
        )}
        {!inFlight && (
          <button
            type="button"
            className="btn btn--quiet"
            onClick={() => {
              runtime.tender.dismissPayment();
            }}
          >
            {t('payment.dismiss')}
          </button>
        )}
      </div>
    </div>
  );
}
