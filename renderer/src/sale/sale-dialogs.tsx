/**
 * The sale's smaller dialogs: parked sales to resume, confirming a void of the whole sale, the age
 * check of an age-restricted item, and the customer lookup (the customers screen's panel).
 */
import type { CartDoc, CustomerDoc } from '@pos/app';
import { useEffect, useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useRuntime, useSaleState } from '../app/runtime-context.tsx';
import { Dialog } from '../app/ui-kit.tsx';
import { closeDialog } from '../app/ui-store.ts';
import { CustomerPanel } from '../customers/index.ts';
import { formatDateTime } from '../i18n/format.ts';

export function ParkedDialog(): ReactElement {
  const { t } = useTranslation('sale');
  const runtime = useRuntime();
  const [parked, setParked] = useState<readonly CartDoc[] | null>(null);
  const config = runtime.config();
  useEffect(() => {
    let live = true;
    runtime.carts.parked().then(
      (docs) => {
        if (live) setParked(docs);
      },
      () => {
        if (live) setParked([]);
      },
    );
    return () => {
      live = false;
    };
  }, [runtime]);
  const close = (): void => {
    closeDialog(runtime.ui);
  };
  return (
    <Dialog title={t('parked.title')} onClose={close}>
      <ul className="parked" aria-label={t('parked.list')}>
        {parked === null && <li className="parked__empty">{t('parked.loading')}</li>}
        {parked?.length === 0 && <li className="parked__empty">{t('parked.none')}</li>}
        {parked?.map((cart) => {
          const items = cart.lines.length;
          const first = cart.lines[0]?.name ?? '';
          return (
            <li key={cart.saleId}>
              <button
                type="button"
                className="parked__item"
                onClick={() => {
                  close();
                  void runtime.sale.resume(cart.saleId);
                }}
              >
                <span className="parked__when">
                  {formatDateTime(cart.parkedAt ?? cart.updatedAt, config.locale, config.timeZone)}
                </span>
                <span className="parked__what">{t('parked.items', { count: items, first })}</span>
                <span className="parked__resume">{t('parked.resume')}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </Dialog>
  );
}

export function VoidSaleDialog(): ReactElement {
  const { t } = useTranslation('sale');
  const runtime = useRuntime();
  const lines = useSaleState((s) => s.sale?.lines.length ?? 0);
  const close = (): void => {
    closeDialog(runtime.ui);
  };
  return (
    <Dialog
      title={t('voidSale.title')}
      description={t('voidSale.description', { count: lines })}
      onClose={close}
    >
      <div className="form__actions">
        <button type="button" className="btn btn--secondary" data-autofocus onClick={close}>
          {t('voidSale.keep')}
        </button>
        <button
          type="button"
          className="btn btn--danger"
          onClick={() => {
            close();
            void runtime.sale.voidSale();
          }}
        >
          {t('voidSale.confirm')}
        </button>
      </div>
    </Dialog>
  );
}

export function AgePrompt(): ReactElement | null {
  const { t } = useTranslation('sale');
  const runtime = useRuntime();
  const prompt = useSaleState((s) => s.prompt);
  if (prompt === null) return null;
  return (
    <Dialog
      title={t('age.title', { age: prompt.minimumAge })}
      description={t('age.description', { name: prompt.product.name, age: prompt.minimumAge })}
      onClose={() => {
        runtime.sale.cancelPrompt();
      }}
    >
      <div className="form__actions">
        <button
          type="button"
          className="btn btn--secondary"
          onClick={() => {
            runtime.sale.cancelPrompt();
          }}
        >
          {t('age.refuse')}
        </button>
        <button
          type="button"
          className="btn btn--primary"
          data-autofocus
          onClick={() => {
            runtime.sale.confirmPrompt();
          }}
        >
          {t('age.confirm', { age: prompt.minimumAge })}
        </button>
      </div>
    </Dialog>
  );
}

export function CustomerDialog(): ReactElement {
  const { t } = useTranslation('sale');
  const runtime = useRuntime();
  const selectedId = useSaleState((s) => s.sale?.customer?.customerId ?? null);
  const close = (): void => {
    closeDialog(runtime.ui);
  };
  const select = (customer: CustomerDoc | null): void => {
    runtime.ui.setState({ customer });
    void runtime.sale.setCustomer(customer);
    if (customer !== null) close();
  };
  return (
    <Dialog title={t('customer.title')} onClose={close} wide>
      <CustomerPanel selectedId={selectedId} onSelect={select} />
    </Dialog>
  );
}
