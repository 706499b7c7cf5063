/**
 * What the till is telling the cashier right now: one message at a time, with the way forward as
 * buttons (search instead, weigh again, retry). Errors are announced assertively, the rest politely.
 */
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useRuntime, useSaleState } from '../app/runtime-context.tsx';
import { focusScanField } from '../app/ui-store.ts';
import { renderMessage } from './messages.ts';

export function NoticeBar(): ReactElement {
  const { t } = useTranslation();
  const runtime = useRuntime();
  const notice = useSaleState((s) => s.notice);
  return (
    <div className="notice-slot">
      {notice !== null && (
        <div
          key={notice.id}
          className={`notice notice--${notice.tone}`}
          role={notice.tone === 'error' ? 'alert' : 'status'}
          data-testid="notice"
        >
          <p className="notice__text">{renderMessage(t, notice.message)}</p>
          <div className="notice__actions">
            {notice.actions?.map((action) => (
              <button
                key={action.labelKey}
                type="button"
                className="btn btn--secondary"
                onClick={() => {
                  runtime.sale.dismissNotice();
                  action.run();
                }}
              >
                {t(action.labelKey)}
              </button>
            ))}
            <button
              type="button"
              className="btn btn--quiet notice__dismiss"
              aria-label={t('common:actions.dismiss')}
              onClick={() => {
                runtime.sale.dismissNotice();
                focusScanField(runtime.ui);
              }}
            >
              ×
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
