import type { ReceiptModel } from '@pos/app';
import type { DeviceStatus, PaymentStatus, PrintJobStatus, ScaleReading } from '../contract.ts';
import { CommandError } from './command-error.ts';

/**
 * The hardware worker as main sees it (architecture.md: a utilityProcess, reached over a
 * MessagePort). Handlers call only this port, so they do not change when the worker arrives.
 * Methods throw CommandError (unavailable, device_busy, not_found) for refusals.
 */
export interface HardwareHost {
  printReceipt(job: PrintRequest): Promise<PrintJobStatus>;
  /** The default drawer when no id is given. */
  openDrawer(drawerId: string | undefined): Promise<void>;
  showOnDisplay(lines: readonly string[]): Promise<void>;
  readScale(): Promise<ScaleReading>;
  startPayment(request: StartPayment): Promise<PaymentStatus>;
  cancelPayment(paymentId: string): Promise<PaymentStatus>;
  paymentStatus(paymentId: string): Promise<PaymentStatus>;
  listDevices(): Promise<readonly DeviceStatus[]>;
}

export interface PrintRequest {
  readonly jobId: string;
  readonly receipt: ReceiptModel;
  readonly copy: boolean;
}

export interface StartPayment {
  readonly paymentId: string;
  readonly kind: 'sale' | 'refund';
  readonly amount: number;
  readonly currency: string;
}

/**
 * Until the worker exists every hardware command answers `unavailable`, clearly, rather than
 * pretending to print or pay: the sale path must see that a receipt was not printed.
 */
export function createUnavailableHardwareHost(): HardwareHost {
  const unavailable = (): Promise<never> =>
    Promise.reject(new CommandError('unavailable', 'The hardware service is not running on this till.'));
  return {
    printReceipt: unavailable,
    openDrawer: unavailable,
    showOnDisplay: unavailable,
    readScale: unavailable,
    startPayment: unavailable,
    cancelPayment: unavailable,
    paymentStatus: unavailable,
    listDevices: unavailable,
  };
}
