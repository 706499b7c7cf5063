/**
 * The receipt on screen, rendered from the same ReceiptModel the printer gets (receipt.ts), so the
 * screen and the paper cannot disagree about a figure. Labels are translated into the till's language
 * by each block's role and type, with the paper's own words (the `printed` namespace, @pos/app's
 * receipt-texts.ts); amounts and dates are formatted in the receipt's locale.
 */
import { receiptInfoKey, type ReceiptBlock, type ReceiptMoney, type ReceiptModel } from '@pos/app';
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime, formatMoney, formatQuantity } from '../i18n/format.ts';
import { ReceiptQr } from './receipt-qr.tsx';

const DATE_ROWS: ReadonlySet<string> = new Set(['date', 'reprinted']);

export interface ReceiptViewProps {
  readonly receipt: ReceiptModel;
  readonly timeZone?: string;
}

export function ReceiptView(props: ReceiptViewProps): ReactElement {
  const { t } = useTranslation('receipt');
  const { t: common } = useTranslation('common');
  const { t: paper } = useTranslation('printed');
  const { receipt } = props;
  const money = (m: ReceiptMoney): string => formatMoney(m.amount, m.currency, receipt.locale);
  // The store's locale, as the money beside it ("1,25 kg at 40,78 €", not "1.25 kg at 40,78 €").
  const quantity = (amount: number, unit: string): string =>
    unit === 'each'
      ? formatQuantity(amount, receipt.locale)
      : common('units.measure', {
          quantity: formatQuantity(amount, receipt.locale),
          unit: common(`units.${unit}`),
        });
  const date = (iso: string): string => {
    try {
      return formatDateTime(iso, receipt.locale, props.timeZone);
    } catch {
      return iso;
    }
  };

  const block = (b: ReceiptBlock, index: number): ReactElement | null => {
    switch (b.kind) {
      case 'header':
        return (
          <header key={index} className="receipt__header">
            <p className="receipt__store">{b.storeName}</p>
            {b.addressLines.map((line) => (
              <p key={line}>{line}</p>
            ))}
            {b.phone !== undefined && <p>{b.phone}</p>}
            {b.taxId !== undefined && <p>{t('taxId', { id: b.taxId })}</p>}
          </header>
        );
      case 'copy':
        return (
          <p key={index} className="receipt__copy">
            {paper('copy')}
          </p>
        );
      case 'title':
        return (
          <p key={index} className="receipt__title">
            {b.text}
          </p>
        );
      case 'lines':
        return (
          <ul key={index} className="receipt__lines" aria-label={t('items')}>
            {b.lines.map((line) => (
              <li key={line.lineId} className="receipt__line">
                <span className="receipt__line-name">{line.name}</span>
                <span className="receipt__line-amount">{money(line.amount)}</span>
                <span className="receipt__line-detail">
                  {line.unit === 'each'
                    ? t('quantityEach', {
                        quantity: quantity(line.quantity, line.unit),
                        price: money(line.unitPrice),
                      })
                    : t('quantityMeasure', {
                        quantity: quantity(line.quantity, line.unit),
                        price: money(line.unitPrice),
                      })}
                  {line.taxCodes.length > 0 && ` ${line.taxCodes.join('')}`}
                </span>
                {line.overriddenFrom !== undefined && (
                  <span className="receipt__line-detail">
                    {t('priceChanged', { from: money(line.overriddenFrom) })}
                  </span>
                )}
                {line.discounts.map((d, i) => (
                  <span key={i} className="receipt__discount">
                    <span>{d.description}</span>
                    <span>{money(d.amount)}</span>
                  </span>
                ))}
              </li>
            ))}
          </ul>
        );
      case 'return_lines':
        return (
          <ul key={index} className="receipt__lines">
            {b.lines.map((line) => (
              <li key={line.returnLineId} className="receipt__line">
                <span className="receipt__line-name">{line.name}</span>
                <span className="receipt__line-amount">{money(line.amount)}</span>
              </li>
            ))}
          </ul>
        );
      case 'amount':
        return (
          <p
            key={index}
            className={b.emphasis ? 'receipt__amount receipt__amount--emphasis' : 'receipt__amount'}
          >
            <span>{paper(`amounts.${b.role}`)}</span>
            <span data-role={b.role}>{money(b.amount)}</span>
          </p>
        );
      case 'taxes':
        return (
          <table key={index} className="receipt__taxes">
            <caption>{b.inclusive ? t('taxes.included') : t('taxes.added')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('taxes.rate')}</th>
                <th scope="col">{t('taxes.base')}</th>
                <th scope="col">{t('taxes.tax')}</th>
              </tr>
            </thead>
            <tbody>
              {b.rows.map((row) => (
                <tr key={row.taxId}>
                  <th scope="row">
                    {row.code} {row.name}
                  </th>
                  <td>{money(row.base)}</td>
                  <td>{money(row.amount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        );
      case 'tenders':
        return (
          <ul key={index} className="receipt__tenders" aria-label={t('payments')}>
            {b.tenders.map((tender) => (
              <li key={tender.tenderId} className="receipt__amount">
                <span>
                  {tender.type === 'card' && tender.cardLast4 !== undefined
                    ? t('tenders.cardEnding', {
                        brand: tender.cardBrand ?? paper('tenders.card'),
                        last4: tender.cardLast4,
                      })
                    : paper(`tenders.${tender.type}`)}
                  {tender.received !== undefined && tender.received.amount !== tender.amount.amount && (
                    <span className="receipt__received">
                      {' '}
                      {t('tenders.received', { amount: money(tender.received) })}
                    </span>
                  )}
                  {tender.approvalCode !== undefined && (
                    <span className="receipt__received">
                      {' '}
                      {t('tenders.approval', { code: tender.approvalCode })}
                    </span>
                  )}
                </span>
                <span>{money(tender.amount)}</span>
              </li>
            ))}
          </ul>
        );
      case 'info':
        return (
          <dl key={index} className="receipt__info">
            {b.rows.map((row) => {
              // Rows carry their label in the receipt's language; the key says which row it is.
              const key = receiptInfoKey(row.label, receipt.locale);
              return (
                <div key={row.label}>
                  <dt>{key === undefined ? row.label : paper(`info.${key}`)}</dt>
                  <dd>{key !== undefined && DATE_ROWS.has(key) ? date(row.value) : row.value}</dd>
                </div>
              );
            })}
          </dl>
        );
      case 'code':
        return (
          <div key={index} className="receipt__code">
            <ReceiptQr data={b.qr.data} receiptNumber={b.barcode.data} />
            <p className="receipt__number">{b.barcode.data}</p>
          </div>
        );
      case 'footer':
        return (
          <footer key={index} className="receipt__footer">
            {b.lines.map((line) => (
              <p key={line}>{line}</p>
            ))}
          </footer>
        );
    }
  };

  return (
    <article
      className="receipt"
      aria-label={t('label', { number: receipt.receiptNumber })}
      data-testid="receipt"
    >
      {receipt.blocks.map(block)}
    </article>
  );
}
