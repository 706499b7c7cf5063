/**
 * The sale is complete (durable in the journal): the change to hand back, in large figures, what
 * happened to the receipt and the drawer in words, the receipt itself, and the way on (a new sale
 * starts with Enter, F12 or simply the next scan).
 */
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useRuntime, useSaleState } from '../app/runtime-context.tsx';
import { ActionButton, useFormat } from '../app/ui-kit.tsx';
import { ReceiptView } from '../receipt/receipt-view.tsx';
import type { Completion } from '../sale/sale-store.ts';

export function CompletePanel(): ReactElement | null {
  const { t } = useTranslation('checkout');
  const format = useFormat();
  const runtime = useRuntime();
  const completion = useSaleState((s) => s.completion);
  if (completion === null) return null;
  const { record } = completion;
  const paid = record.total + record.cashRounding;
  return (
    <section className="complete" aria-label={t('label')} data-testid="sale-complete">
      <div className="complete__hero" role="status">
        <p className="complete__title">{t('title')}</p>
        {completion.change > 0 ? (
          <>
            <p className="complete__change-label">{t('changeDue')}</p>
            <p className="complete__change" data-testid="change-due">
              {format.money(completion.change)}
            </p>
          </>
        ) : (
          <p className="complete__paid">{t('paidInFull', { amount: format.money(paid) })}</p>
        )}
        <p className="complete__receipt-number">{t('receiptNumber', { number: record.receiptNumber })}</p>
      </div>
      <PrintState completion={completion} />
      {completion.drawerProblem !== null && (
        <p className="complete__problem" role="alert">
          {t('drawerProblem', { detail: completion.drawerProblem })}
        </p>
      )}
      {!completion.inOutbox && <p className="complete__info">{t('outboxRetry')}</p>}
      <div className="complete__actions">
        <ActionButton action="newSale" variant="primary" size="large" />
        <ActionButton
          action="printReceipt"
          variant="secondary"
          labelKey={
            completion.print === null || completion.print.state === 'unavailable'
              ? 'receipt:actions.print'
              : 'receipt:actions.printCopy'
          }
        />
      </div>
      <div className="complete__receipt">
        <ReceiptView receipt={completion.receipt} timeZone={runtime.config().timeZone} />
      </div>
    </section>
  );
}

function PrintState(props: { readonly completion: Completion }): ReactElement | null {
  const { t } = useTranslation('checkout');
  const { print, printSkipped } = props.completion;
  if (print === null) {
    return printSkipped ? (
      <p className="complete__info">{t('print.skipped')}</p>
    ) : (
      <p className="complete__info">{t('print.sending')}</p>
    );
  }
  switch (print.state) {
    case 'printed':
      return <p className="complete__ok">{t('print.printed')}</p>;
    case 'queued':
    case 'printing':
      return <p className="complete__info">{t('print.printing')}</p>;
    case 'waiting':
      return (
        <p className="complete__problem" role="alert">
          {t('print.waiting', { detail: print.detail })}
        </p>
      );
    case 'failed':
    case 'unavailable':
      return (
        <p className="complete__problem" role="alert">
          {t('print.failed', { detail: print.detail })}
        </p>
      );
  }
}
