/**
 * The screen's side of the sale path: locks the payment panel while the sale is made durable, shows
 * a refusal with a way to retry (nothing was saved, the tenders stay), and once the journal has the
 * sale, shows it complete at once and then does the things that may fail without harm: the drawer,
 * the receipt (its printing state follows the print queue's events, so "out of paper" turns into
 * "printed" by itself when the printer recovers) and the customer display.
 */
import { isDomainError } from '@pos/app';
import type { SaleRecord } from '@pos/app';
import type { PrintJobStatus } from '@pos/app/contracts/desktop-bridge';
import type { TillServices } from '../app/till-context.ts';
import { msg } from '../sale/messages.ts';
import type { SaleController } from '../sale/sale-controller.ts';
import type { Completion, SaleStore } from '../sale/sale-store.ts';
import type { StoreConfig } from '../sale/store-config.ts';
import { receiptFor } from './checkout.ts';
import type { Checkout, DurableSale, PrintOutcome } from './checkout.ts';

export interface CheckoutFlowDeps {
  readonly services: TillServices;
  readonly store: SaleStore;
  readonly sale: SaleController;
  readonly checkout: Checkout;
  readonly config: () => StoreConfig;
}

export class CheckoutFlow {
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: CheckoutFlowDeps) {
    this.unsubscribe = deps.services.desktop.on('hardware.printJob', (status) => {
      this.onPrintJob(status);
    });
  }

  private cashierName(): string {
    return this.deps.services.session.getState().staffName;
  }

  /** Completes the settled sale in tendering. Runs inside the sale's operation queue. */
  async settle(): Promise<void> {
    const { store, sale: saleController, checkout } = this.deps;
    const sale = store.getState().sale;
    if (sale?.state !== 'tendering' || store.getState().completing) return;
    store.setState({ completing: true });
    let durable: DurableSale;
    try {
      durable = await checkout.complete(sale, saleController.env());
    } catch (error) {
      store.setState({ completing: false });
      if (isDomainError(error)) {
        // The tenders do not cover the sale (nothing was written): the cashier takes another payment.
        saleController.sayError(error);
        return;
      }
      saleController.say('error', msg('checkout:errors.notSaved', { detail: messageText(error) }), [
        {
          labelKey: 'checkout:actions.retry',
          run: () => {
            void saleController.run(() => this.settle());
          },
        },
      ]);
      return;
    }
    store.setState({
      sale: {
        ...sale,
        state: 'completed',
        completedAt: durable.record.completedAt,
        receiptNumber: durable.record.receiptNumber,
      },
      completing: false,
      payment: null,
      notice: null,
    });
    await this.showCompleted(durable);
  }

  /** The durable sale on screen, then drawer, receipt and display (step 4 of the sale path). */
  async showCompleted(durable: DurableSale): Promise<void> {
    const { record } = durable;
    const config = this.deps.config();
    const receipt = receiptFor(record, config.receiptStore, { copy: false, cashierName: this.cashierName() });
    const cashTaken = record.tenders.some((t) => t.type === 'cash');
    const copies = this.deps.services.settings.receiptCopies;
    const completion: Completion = {
      record,
      receipt,
      change: record.change,
      cashTaken,
      print: null,
      printSkipped: copies === 0,
      drawerProblem: null,
      inOutbox: durable.inOutbox,
    };
    this.deps.store.setState({ completion, priced: null, pricingProblem: null });

    const drawer = cashTaken ? this.deps.checkout.openDrawer() : Promise.resolve(null);
    const prints: Promise<PrintOutcome>[] = [];
    // The first job's id is the sale id: re-queuing it after a crash or retry prints nothing twice.
    for (let copy = 1; copy <= copies; copy++) {
      prints.push(this.deps.checkout.print(receipt, copy === 1 ? record.saleId : `${record.saleId}-${copy}`));
    }
    const [drawerProblem, first] = await Promise.all([
      drawer,
      prints[0] ?? Promise.resolve(null),
      ...prints.slice(1),
    ]);
    this.update(record, { drawerProblem, ...(first === null ? {} : { print: first }) });
  }

  private update(record: SaleRecord, patch: Partial<Completion>): void {
    const current = this.deps.store.getState().completion;
    if (current?.record.saleId !== record.saleId) return;
    this.deps.store.setState({ completion: { ...current, ...patch } });
  }

  private onPrintJob(status: PrintJobStatus): void {
    const completion = this.deps.store.getState().completion;
    if (completion?.print?.jobId !== status.jobId) return;
    this.update(completion.record, {
      print: { state: status.state, detail: status.detail, jobId: status.jobId },
    });
  }

  /** Prints the completed sale's receipt: the original when none printed yet, else a copy marked COPY. */
  async printReceipt(): Promise<void> {
    const completion = this.deps.store.getState().completion;
    if (completion === null) return;
    const { record } = completion;
    const config = this.deps.config();
    const original = completion.print === null || completion.print.state === 'unavailable';
    const receipt = original
      ? completion.receipt
      : receiptFor(record, config.receiptStore, {
          copy: true,
          cashierName: this.cashierName(),
          reprintedAt: this.deps.services.now().toISOString(),
        });
    const jobId = original ? record.saleId : `${record.saleId}-copy-${this.deps.services.now().getTime()}`;
    this.update(record, { print: { state: 'queued', detail: '', jobId } });
    const outcome = await this.deps.checkout.print(receipt, jobId);
    this.update(record, { print: outcome });
  }

  /** Reprints the receipt of an earlier sale (a copy). */
  async reprint(record: SaleRecord): Promise<PrintOutcome> {
    const receipt = receiptFor(record, this.deps.config().receiptStore, {
      copy: true,
      cashierName: this.cashierName(),
      reprintedAt: this.deps.services.now().toISOString(),
    });
    return this.deps.checkout.print(receipt, `${record.saleId}-copy-${this.deps.services.now().getTime()}`);
  }

  close(): void {
    this.unsubscribe();
  }
}

function messageText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
