/**
 * Every action the till offers with its keys, from the action registry itself, so the list can never
 * drift from what the keys do.
 */
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { shortcutText } from './actions.ts';
import { useRuntime } from './runtime-context.tsx';
import { Dialog } from './ui-kit.tsx';
import { closeDialog } from './ui-store.ts';

export function HelpDialog(): ReactElement {
  const { t } = useTranslation('common');
  const runtime = useRuntime();
  const rows = runtime.actions
    .list()
    .filter((def) => def.shortcuts.length > 0)
    .map((def) => ({
      id: def.id,
      label: t(def.labelKey),
      keys: def.shortcuts.map(shortcutText).join(' · '),
    }));
  return (
    <Dialog
      title={t('help.title')}
      description={t('help.description')}
      onClose={() => {
        closeDialog(runtime.ui);
      }}
      wide
    >
      <table className="help-table">
        <thead>
          <tr>
            <th scope="col">{t('help.action')}</th>
            <th scope="col">{t('help.keys')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              <td>{row.label}</td>
              <td>
                <kbd>{row.keys}</kbd>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
