/** Shows the one dialog the UI store says is open. */
import type { ReactElement } from 'react';
import { HelpDialog } from './help-dialog.tsx';
import { useUi } from './runtime-context.tsx';
import { ReceiptsDialog } from '../receipt/receipts-dialog.tsx';
import { KeypadDialog } from '../sale/keypad-dialog.tsx';
import { CustomerDialog, ParkedDialog, VoidSaleDialog } from '../sale/sale-dialogs.tsx';
import { AccountDialog } from '../tender/account-dialog.tsx';

export function DialogHost(): ReactElement | null {
  const dialog = useUi((s) => s.dialog);
  if (dialog === null) return null;
  switch (dialog.kind) {
    case 'keypad':
      return (
        <KeypadDialog
          key={`${dialog.purpose}-${dialog.lineId ?? ''}`}
          purpose={dialog.purpose}
          {...(dialog.lineId === undefined ? {} : { lineId: dialog.lineId })}
          {...(dialog.item === undefined ? {} : { item: dialog.item })}
        />
      );
    case 'account':
      return <AccountDialog key={dialog.type} type={dialog.type} />;
    case 'parked':
      return <ParkedDialog />;
    case 'receipts':
      return <ReceiptsDialog />;
    case 'customer':
      return <CustomerDialog />;
    case 'confirmVoidSale':
      return <VoidSaleDialog />;
    case 'help':
      return <HelpDialog />;
  }
}
