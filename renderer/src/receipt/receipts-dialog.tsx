/**
 * This till's recent sales, newest first (read from the outbox by its `[type, deviceSeq]` index), to
 * show a receipt again and print a copy of it, marked COPY.
 */
import type { SaleRecord } from '@pos/app';
import { useEffect, useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useRuntime } from '../app/runtime-context.tsx';
import { Dialog, useFormat } from '../app/ui-kit.tsx';
import { closeDialog } from '../app/ui-store.ts';
import { receiptFor } from '../checkout/checkout.ts';
import type { PrintOutcome } from '../checkout/checkout.ts';
import { formatDateTime } from '../i18n/format.ts';
import { ReceiptView } from './receipt-view.tsx';

export const RECENT_RECEIPTS = 20;

export function ReceiptsDialog(): ReactElement {
  const { t } = useTranslation('receipt');
  const runtime = useRuntime();
  const format = useFormat();
  const [records, setRecords] = useState<readonly SaleRecord[] | null>(null);
  const [chosen, setChosen] = useState<SaleRecord | null>(null);
  const [outcome, setOutcome] = useState<PrintOutcome | null>(null);
  const config = runtime.config();

  useEffect(() => {
    let live = true;
    runtime.services.db.events
      .find({
        selector: { type: 'sale.completed' },
        sort: [{ type: 'asc' }, { deviceSeq: 'desc' }],
        limit: RECENT_RECEIPTS,
      })
      .exec()
      .then((docs) => {
        if (!live) return;
        const sales = docs
          .map((d) => d.toJSON())
          .flatMap((e) => (e.type === 'sale.completed' ? [e.payload] : []));
        setRecords(sales);
      })
      .catch(() => {
        if (live) setRecords([]);
      });
    return () => {
      live = false;
    };
  }, [runtime]);

  const close = (): void => {
    closeDialog(runtime.ui);
  };

  return (
    <Dialog title={t('recent.title')} onClose={close} wide>
      <div className="receipts">
        <ul className="receipts__list" aria-label={t('recent.list')}>
          {records === null && <li className="receipts__empty">{t('recent.loading')}</li>}
          {records?.length === 0 && <li className="receipts__empty">{t('recent.none')}</li>}
          {records?.map((record) => (
            <li key={record.saleId}>
              <button
                type="button"
                className={
                  chosen?.saleId === record.saleId ? 'receipts__item receipts__item--on' : 'receipts__item'
                }
                aria-pressed={chosen?.saleId === record.saleId}
                onClick={() => {
                  setChosen(record);
                  setOutcome(null);
                }}
              >
                <span className="receipts__number">{record.receiptNumber}</span>
                <span className="receipts__time">
                  {formatDateTime(record.completedAt, config.locale, config.timeZone)}
                </span>
                <span className="receipts__total">{format.money(record.total)}</span>
              </button>
            </li>
          ))}
        </ul>
        <div className="receipts__preview">
          {chosen === null ? (
            <p className="receipts__empty">{t('recent.choose')}</p>
          ) : (
            <>
              <ReceiptView
                receipt={receiptFor(chosen, config.receiptStore, { copy: true, cashierName: '' })}
                timeZone={config.timeZone}
              />
              <div className="receipts__actions">
                {outcome !== null && (
                  <p
                    className={
                      outcome.state === 'printed' ||
                      outcome.state === 'queued' ||
                      outcome.state === 'printing'
                        ? 'complete__ok'
                        : 'complete__problem'
                    }
                    role="status"
                  >
                    {outcome.state === 'printed' || outcome.state === 'queued' || outcome.state === 'printing'
                      ? t('recent.sent')
                      : t('recent.failed', { detail: outcome.detail })}
                  </p>
                )}
                <button
                  type="button"
                  className="btn btn--primary"
                  onClick={() => {
                    void runtime.flow.reprint(chosen).then(setOutcome);
                  }}
                >
                  {t('actions.printCopy')}
                </button>
              </div>
            </>
          )}
        </div>
      </div>
    </Dialog>
  );
}
