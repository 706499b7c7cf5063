/**
 * The screen a cashier sees all day: the scan/search field, messages and the items on the left; on
 * the right the sale panel, the payment panel or the completed sale, by the sale's state.
 */
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useSaleState } from '../app/runtime-context.tsx';
import { CompletePanel } from '../checkout/complete-panel.tsx';
import { TenderPanel } from '../tender/tender-panel.tsx';
import { CartLines } from './cart-lines.tsx';
import { NoticeBar } from './notice-bar.tsx';
import { SalePanel } from './sale-panel.tsx';
import { AgePrompt } from './sale-dialogs.tsx';
import { saleMode } from './sale-store.ts';
import { ScanBar } from './scan-bar.tsx';

export function SaleScreen(): ReactElement {
  const { t } = useTranslation('sale');
  const mode = useSaleState(saleMode);
  return (
    <div className={`sale-screen sale-screen--${mode}`}>
      <section className="sale-screen__main" aria-label={t('screen.items')}>
        <ScanBar />
        <NoticeBar />
        <CartLines />
      </section>
      <aside className="sale-screen__side">
        {mode === 'sale' && <SalePanel />}
        {mode === 'tender' && <TenderPanel />}
        {mode === 'complete' && <CompletePanel />}
      </aside>
      <AgePrompt />
    </div>
  );
}
