/**
 * One dialog for every number the cashier enters: a quantity, a line or order discount (percent or
 * amount), a new price, the cash handed over, a part card payment, a coupon code. The field takes the
 * keyboard (keypad included) and a large on-screen keypad takes touch. Input is parsed by the domain
 * (decimal strings, never floats); a refusal is shown in the dialog and the dialog stays open.
 */
import { amountDue, parseMoney, parsePercent, parseQuantity, quickCashAmounts } from '@pos/app';
import type { ManualDiscount, Product } from '@pos/app';
import { useId, useRef, useState, type ReactElement, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useRuntime, useSaleState } from '../app/runtime-context.tsx';
import { Dialog, useFormat } from '../app/ui-kit.tsx';
import { closeDialog } from '../app/ui-store.ts';
import type { KeypadPurpose } from '../app/ui-store.ts';
import { messageForError, renderMessage } from './messages.ts';
import type { AddOptions } from './sale-controller.ts';

export interface KeypadDialogProps {
  readonly purpose: KeypadPurpose;
  readonly lineId?: string;
  readonly item?: { readonly product: Product; readonly options: AddOptions };
}

/** Accepts a decimal comma as typed in most of Europe; the domain parses a dot. */
const normalize = (text: string): string => text.trim().replace(',', '.');

export function KeypadDialog(props: KeypadDialogProps): ReactElement {
  const { t } = useTranslation('sale');
  const runtime = useRuntime();
  const format = useFormat();
  const { purpose, lineId } = props;
  const sale = useSaleState((s) => s.sale);
  const priced = useSaleState((s) => s.priced);
  const line = sale?.lines.find((l) => l.lineId === lineId);
  const pricedLine = priced?.lines.find((l) => l.lineId === lineId);
  const [text, setText] = useState('');
  const [kind, setKind] = useState<'percent' | 'amount'>('percent');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLInputElement | null>(null);
  const fieldId = useId();
  const errorId = useId();
  const close = (): void => {
    closeDialog(runtime.ui);
  };
  const currency = runtime.config().currency;
  const isDiscount = purpose === 'lineDiscount' || purpose === 'orderDiscount';
  const isText = purpose === 'coupon';

  const due = sale?.state === 'tendering' ? amountDue(sale, runtime.sale.env()) : null;

  const title = t(`keypad.title.${purpose}`);
  const description =
    line !== undefined
      ? t('keypad.forLine', { name: line.name })
      : props.item !== undefined
        ? t('keypad.forLine', { name: props.item.product.name })
        : purpose === 'cash' && due !== null
          ? t('keypad.due', { amount: format.money(due.cashDue) })
          : purpose === 'card' && due !== null
            ? t('keypad.due', { amount: format.money(due.remaining) })
            : undefined;

  const apply = async (value: string): Promise<boolean> => {
    switch (purpose) {
      case 'quantity':
        return lineId !== undefined && runtime.sale.setQuantity(lineId, parseQuantity(value));
      case 'lineDiscount':
      case 'orderDiscount': {
        const discount: ManualDiscount =
          kind === 'percent'
            ? { kind: 'percent', rate: parsePercent(value) }
            : { kind: 'amount', amount: parseMoney(value, currency) };
        return purpose === 'lineDiscount'
          ? lineId !== undefined && runtime.sale.setLineDiscount(lineId, discount)
          : runtime.sale.setOrderDiscount(discount);
      }
      case 'price':
        return lineId !== undefined && runtime.sale.overridePrice(lineId, parseMoney(value, currency));
      case 'newItemPrice':
        return (
          props.item !== undefined &&
          runtime.sale.add(props.item.product, {
            ...props.item.options,
            priceOverride: parseMoney(value, currency),
          })
        );
      case 'cash':
        await runtime.tender.cash(parseMoney(value, currency));
        return true;
      case 'card':
        await runtime.tender.card(parseMoney(value, currency));
        return true;
      case 'coupon':
        await runtime.sale.addCoupon(value);
        return true;
    }
  };

  const submit = (event?: SyntheticEvent): void => {
    event?.preventDefault();
    const value = isText ? text.trim() : normalize(text);
    if (value === '' || busy) return;
    setBusy(true);
    setError(null);
    apply(value)
      .then((done) => {
        if (done) close();
        else {
          // The refusal is on the sale screen's notice; repeat it here where the cashier looks.
          const notice = runtime.saleStore.getState().notice;
          setError(notice === null ? null : renderMessage(t, notice.message));
          field.current?.focus();
        }
      })
      .catch((caught: unknown) => {
        setError(renderMessage(t, messageForError(caught)));
        field.current?.focus();
      })
      .finally(() => {
        setBusy(false);
      });
  };

  const press = (key: string): void => {
    setError(null);
    setText((current) => (key === 'back' ? current.slice(0, -1) : key === 'clear' ? '' : current + key));
    field.current?.focus();
  };

  const removable =
    (purpose === 'lineDiscount' && line?.manualDiscount !== undefined) ||
    (purpose === 'orderDiscount' && sale?.orderDiscount !== undefined) ||
    (purpose === 'price' && line?.priceOverride !== undefined);
  const remove = (): void => {
    const done =
      purpose === 'lineDiscount' && lineId !== undefined
        ? runtime.sale.setLineDiscount(lineId, null)
        : purpose === 'orderDiscount'
          ? runtime.sale.setOrderDiscount(null)
          : lineId !== undefined
            ? runtime.sale.overridePrice(lineId, null)
            : Promise.resolve(false);
    void done.then((ok) => {
      if (ok) close();
    });
  };

  const quick = purpose === 'cash' && due !== null ? quickCashAmounts(due.cashDue, currency) : [];

  return (
    <Dialog
      title={title}
      onClose={close}
      {...(description === undefined ? {} : { description })}
      className="keypad-dialog"
    >
      <form className="keypad" onSubmit={submit}>
        {isDiscount && (
          <div className="segmented" role="radiogroup" aria-label={t('keypad.discountKind')}>
            {(['percent', 'amount'] as const).map((k) => (
              <button
                key={k}
                type="button"
                role="radio"
                aria-checked={kind === k}
                className={kind === k ? 'segmented__option segmented__option--on' : 'segmented__option'}
                onClick={() => {
                  setKind(k);
                  field.current?.focus();
                }}
              >
                {t(`keypad.${k}`)}
              </button>
            ))}
          </div>
        )}
        <label htmlFor={fieldId} className="keypad__label">
          {t(`keypad.field.${isDiscount ? kind : purpose}`, { currency })}
        </label>
        <input
          ref={field}
          id={fieldId}
          className="keypad__input"
          type="text"
          inputMode={isText ? 'text' : 'decimal'}
          autoComplete="off"
          spellCheck={false}
          value={text}
          aria-invalid={error !== null}
          {...(error === null ? {} : { 'aria-errormessage': errorId })}
          onChange={(event) => {
            setText(event.currentTarget.value);
            setError(null);
          }}
        />
        {error !== null && (
          <p id={errorId} className="keypad__error" role="alert">
            {error}
          </p>
        )}
        {pricedLine !== undefined && purpose === 'price' && (
          <p className="keypad__hint">
            {t('keypad.currentPrice', { price: format.money(pricedLine.unitPrice) })}
          </p>
        )}
        {quick.length > 0 && (
          <div className="keypad__quick" aria-label={t('keypad.quick')} role="group">
            {quick.map((amount) => (
              <button
                key={amount}
                type="button"
                className="btn btn--secondary"
                onClick={() => {
                  void runtime.tender.cash(amount).then(close);
                }}
              >
                {format.money(amount)}
              </button>
            ))}
          </div>
        )}
        {!isText && (
          <div className="keypad__keys" role="group" aria-label={t('keypad.keys')}>
            {['7', '8', '9', '4', '5', '6', '1', '2', '3', '0', '00', '.'].map((key) => (
              <button
                key={key}
                type="button"
                className="keypad__key"
                onClick={() => {
                  press(key);
                }}
              >
                {key}
              </button>
            ))}
            <button
              type="button"
              className="keypad__key keypad__key--wide"
              aria-label={t('keypad.backspace')}
              onClick={() => {
                press('back');
              }}
            >
              ⌫
            </button>
            <button
              type="button"
              className="keypad__key"
              aria-label={t('keypad.clear')}
              onClick={() => {
                press('clear');
              }}
            >
              C
            </button>
          </div>
        )}
        <div className="keypad__actions">
          {removable && (
            <button type="button" className="btn btn--quiet" onClick={remove}>
              {t(purpose === 'price' ? 'keypad.restorePrice' : 'keypad.removeDiscount')}
            </button>
          )}
          <button type="button" className="btn btn--secondary" onClick={close}>
            {t('common:actions.cancel')}
          </button>
          <button type="submit" className="btn btn--primary" disabled={busy || text.trim() === ''}>
            {t(`keypad.apply.${purpose}`)}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
