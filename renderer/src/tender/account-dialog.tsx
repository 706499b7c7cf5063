/**
 * Gift card or store credit: the card or account number, and how much of what is due it pays (all
 * of it by default). Head office holds that amount for the sale before the payment is taken
 * (tender-controller.ts).
 */
import { amountDue, parseMoney } from '@pos/app';
import { useId, useState, type ReactElement, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useRuntime, useSaleState } from '../app/runtime-context.tsx';
import { Dialog, useFormat } from '../app/ui-kit.tsx';
import { closeDialog } from '../app/ui-store.ts';
import { messageForError, renderMessage } from '../sale/messages.ts';

export function AccountDialog(props: { readonly type: 'gift_card' | 'store_credit' }): ReactElement {
  const { t } = useTranslation('tender');
  const runtime = useRuntime();
  const format = useFormat();
  const sale = useSaleState((s) => s.sale);
  const remaining = sale?.state === 'tendering' ? amountDue(sale, runtime.sale.env()).remaining : 0;
  const [reference, setReference] = useState('');
  const [amountText, setAmountText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const referenceId = useId();
  const amountId = useId();
  const errorId = useId();
  const close = (): void => {
    closeDialog(runtime.ui);
  };

  const submit = (event: SyntheticEvent): void => {
    event.preventDefault();
    if (busy) return;
    setError(null);
    let amount = remaining;
    try {
      if (amountText.trim() !== '')
        amount = parseMoney(amountText.trim().replace(',', '.'), runtime.config().currency);
    } catch (caught) {
      setError(renderMessage(t, messageForError(caught)));
      return;
    }
    setBusy(true);
    void runtime.tender
      .account(props.type, reference, amount)
      .then((done) => {
        if (done) close();
        else {
          const notice = runtime.saleStore.getState().notice;
          setError(notice === null ? null : renderMessage(t, notice.message));
        }
      })
      .finally(() => {
        setBusy(false);
      });
  };

  return (
    <Dialog
      title={t(`account.title.${props.type}`)}
      description={t('account.due', { amount: format.money(remaining) })}
      onClose={close}
    >
      <form className="form" onSubmit={submit}>
        <label htmlFor={referenceId} className="form__label">
          {t(`account.reference.${props.type}`)}
        </label>
        <input
          id={referenceId}
          className="form__input"
          type="text"
          autoComplete="off"
          spellCheck={false}
          value={reference}
          onChange={(event) => {
            setReference(event.currentTarget.value);
          }}
        />
        <label htmlFor={amountId} className="form__label">
          {t('account.amount')}
        </label>
        <input
          id={amountId}
          className="form__input"
          type="text"
          inputMode="decimal"
          autoComplete="off"
          placeholder={format.money(remaining)}
          value={amountText}
          onChange={(event) => {
            setAmountText(event.currentTarget.value);
          }}
        />
        {error !== null && (
          <p id={errorId} className="form__error" role="alert">
            {error}
          </p>
        )}
        <div className="form__actions">
          <button type="button" className="btn btn--secondary" onClick={close}>
            {t('common:actions.cancel')}
          </button>
          <button type="submit" className="btn btn--primary" disabled={busy || reference.trim() === ''}>
            {t('account.take')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
