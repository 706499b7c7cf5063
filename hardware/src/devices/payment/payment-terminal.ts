/**
 * A semi-integrated payment terminal (UPOS CAT-like: authorizeSale, refund, cancel, transaction
 * status) speaking nexo / the Adyen Terminal API in local mode. The till sends an amount and a sale
 * reference; the terminal reads the card, asks for the PIN and gets the authorisation. Cards never
 * touch the till: it keeps the brand, the last four digits, the approval code and the reference.
 *
 * Every payment is a durable intent (payment-intents.ts), written before the terminal is called.
 * When the answer is lost — a timeout, a dropped connection, a crash of the worker — the intent is
 * `unresolved`, and the terminal is asked for the TransactionStatus of it, now and at every start,
 * until it says how the payment ended:
 *  - approved → the approval is recorded; or, when the cashier had cancelled in between (or the
 *    terminal approved only part of the amount), it is reversed and the intent ends `cancelled`;
 *  - declined, cancelled or failed → recorded as such;
 *  - not found → the terminal never received it: `failed`, nobody was charged;
 *  - in progress → asked again later (the customer is still at the terminal).
 * So a payment ends recorded as approved exactly when the terminal holds an approval for it that was
 * not reversed: never both, never neither. A repeated start with the same payment id returns that
 * intent and never reaches the terminal, so nothing is charged twice.
 *
 * One payment at a time: while an intent is unsettled, starting another is refused as busy.
 */
import { currencyExponent } from '@pos/app';
import { randomBytes } from 'node:crypto';
import { BaseDevice, type DeviceOptions } from '../../device/base-device.ts';
import { backoffDelay, type BackoffPolicy } from '../../device/backoff.ts';
import { DeviceError, errorText, isDeviceError } from '../../device/errors.ts';
import type { DeviceEvents } from '../../device/types.ts';
import { exchangeStage, type NexoLinkTransport, type NexoLocalClient } from './nexo-client.ts';
import {
  NexoProtocolError,
  abortRequest,
  interpretPaymentResponse,
  interpretReversalResponse,
  interpretTransactionStatus,
  paymentRequest,
  reversalRequest,
  transactionStatusRequest,
  type ExpectedPayment,
  type NexoParties,
  type PaymentOutcome,
  type TransactionIdentification,
} from './nexo-messages.ts';
import {
  isSettled,
  paymentStatusOf,
  type IntentChange,
  type PaymentIntent,
  type PaymentIntentStore,
  type PaymentKind,
  type PaymentStatusInfo,
} from './payment-intents.ts';

export interface PaymentTerminalEvents extends DeviceEvents {
  /** After every recorded change of a payment (already on disk when emitted). */
  readonly payment: PaymentStatusInfo;
}

export interface PaymentTerminalConfig {
  readonly parties: NexoParties;
  /** How long a payment may take, customer included (Adyen suggests at least 120 s). */
  readonly paymentTimeoutMs: number;
  /** Status queries, aborts and reversals: the terminal answers those at once. */
  readonly statusTimeoutMs: number;
  /** Between TransactionStatus queries while a payment is unresolved. */
  readonly recoveryRetry: BackoffPolicy;
  /** How long `cancel` waits for the payment to settle before answering with its current state. */
  readonly cancelSettleMs: number;
  readonly clock?: () => Date;
  /** nexo ServiceIDs: up to 10 characters, unique per SaleID; random by default. */
  readonly newServiceId?: () => string;
}

export const DEFAULT_RECOVERY_RETRY: BackoffPolicy = { initialDelayMs: 1000, maxDelayMs: 15_000, factor: 2 };

export interface PaymentStart {
  readonly paymentId: string;
  readonly kind: PaymentKind;
  /** Minor units, more than zero. */
  readonly amount: number;
  readonly currency: string;
}

const SERVICE_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomServiceId(): string {
  const bytes = randomBytes(10);
  let id = '';
  // 256 is not a multiple of 62; the slight bias does not matter for uniqueness.
  for (const byte of bytes) id += SERVICE_ID_ALPHABET.charAt(byte % SERVICE_ID_ALPHABET.length);
  return id;
}

export class NexoPaymentTerminal extends BaseDevice<PaymentTerminalEvents> {
  readonly kind = 'payment_terminal';
  readonly label = 'payment terminal';
  readonly #link: NexoLinkTransport;
  readonly #client: NexoLocalClient;
  readonly #config: PaymentTerminalConfig;
  readonly #clock: () => Date;
  readonly #newServiceId: () => string;
  #store: PaymentIntentStore | undefined;
  /** Payments whose request awaits the terminal's answer. */
  readonly #inFlight = new Set<string>();
  /** Intents some flow (the payment itself, a recovery step, a reversal) is working on. */
  readonly #active = new Set<string>();
  /** Aborted when the device is disabled, released or closed: stops every exchange. */
  #stopping = new AbortController();
  /** `settled` callers still waiting; answered at once when the device stops. */
  readonly #waiters = new Set<() => void>();
  #recoveryTimer: ReturnType<typeof setTimeout> | undefined;
  #recoveryAttempt = 0;
  #recovering: Promise<void> | undefined;
  #recoverAgain = false;

  constructor(
    id: string,
    link: NexoLinkTransport,
    config: PaymentTerminalConfig,
    options: DeviceOptions = {},
  ) {
    super(id, link, options);
    this.#link = link;
    this.#client = link.client;
    this.#config = config;
    this.#clock = config.clock ?? (() => new Date());
    this.#newServiceId = config.newServiceId ?? randomServiceId;
  }

  /** The intent journal; attached (by the worker) before the device is enabled. */
  attachIntentStore(store: PaymentIntentStore): void {
    if (this.#store !== undefined) throw new RangeError('the payment terminal already has an intent store');
    this.#store = store;
  }

  get intentStore(): PaymentIntentStore | undefined {
    return this.#store;
  }

  authorizeSale(request: Omit<PaymentStart, 'kind'>): Promise<PaymentStatusInfo> {
    return this.start({ ...request, kind: 'sale' });
  }

  refund(request: Omit<PaymentStart, 'kind'>): Promise<PaymentStatusInfo> {
    return this.start({ ...request, kind: 'refund' });
  }

  /**
   * Starts a payment and resolves once its intent is on disk and the terminal has been called
   * (state `pending`); `payment` events and `settled` tell the rest. A payment id already known
   * resolves with that payment's status and calls nobody.
   */
  async start(request: PaymentStart): Promise<PaymentStatusInfo> {
    const store = this.#requireStore();
    const known = store.get(request.paymentId);
    if (known !== undefined) {
      if (
        known.kind !== request.kind ||
        known.amount !== request.amount ||
        known.currency !== request.currency
      ) {
        throw new DeviceError(
          'illegal',
          `The payment "${request.paymentId}" was already started as a ${known.kind} of ${known.amount} ${known.currency} (minor units). A new payment needs a new id.`,
          { device: this.id },
        );
      }
      return paymentStatusOf(known);
    }
    validateAmount(request);
    this.requireReady();
    const busy = store.unsettled[0];
    if (busy !== undefined) {
      throw new DeviceError(
        'busy',
        `The payment terminal is still finishing payment "${busy.paymentId}" (${paymentStatusOf(busy).state}). Wait for it, or cancel it.`,
        { device: this.id, paymentId: busy.paymentId },
      );
    }
    const intent = await store.create({
      paymentId: request.paymentId,
      kind: request.kind,
      amount: request.amount,
      currency: request.currency,
      saleId: this.#config.parties.saleId,
      poiId: this.#config.parties.poiId,
      transaction: { TransactionID: request.paymentId, TimeStamp: this.#clock().toISOString() },
      serviceId: this.#newServiceId(),
      message:
        request.kind === 'sale' ? 'Waiting for the customer at the terminal.' : 'Refunding on the terminal.',
    });
    this.#emit(intent);
    void this.#runPayment(intent);
    return paymentStatusOf(intent);
  }

  /**
   * The cashier no longer wants the payment. A settled payment is returned as it is (an approved one
   * is refunded, not cancelled). Otherwise the wish is recorded (an approval found later is then
   * reversed), the terminal is told to abort, and the answer is the status once the payment has
   * settled or after `cancelSettleMs`, whichever comes first.
   */
  async cancel(paymentId: string): Promise<PaymentStatusInfo> {
    const store = this.#requireStore();
    const intent = this.#requireIntent(paymentId);
    if (isSettled(intent.state)) return paymentStatusOf(intent);
    const settling = this.settled(paymentId, this.#config.cancelSettleMs);
    if (!intent.cancelRequested) {
      this.#emit(
        await store.update(paymentId, { cancelRequested: true, message: 'Cancelling the payment…' }),
      );
    }
    if (this.#inFlight.has(paymentId)) {
      // The abort's own answer is empty or lost alike; the payment's answer (or its status) decides.
      await this.#exchange(
        abortRequest({
          parties: this.#config.parties,
          serviceId: this.#newServiceId(),
          target: intent.serviceId,
        }),
        this.#config.statusTimeoutMs,
      ).catch(() => undefined);
    } else {
      this.#kickRecovery();
    }
    return settling;
  }

  /** The payment as recorded; an unsettled one is also checked with the terminal right away. */
  transactionStatus(paymentId: string): PaymentStatusInfo {
    const intent = this.#requireIntent(paymentId);
    if (!isSettled(intent.state) && !this.#active.has(paymentId)) this.#kickRecovery();
    return paymentStatusOf(intent);
  }

  payment(paymentId: string): PaymentStatusInfo | undefined {
    const intent = this.#store?.get(paymentId);
    return intent === undefined ? undefined : paymentStatusOf(intent);
  }

  /** Resolves when the payment is settled, or after `timeoutMs` with its status then. */
  settled(paymentId: string, timeoutMs: number): Promise<PaymentStatusInfo> {
    const current = this.#requireIntent(paymentId);
    if (isSettled(current.state)) return Promise.resolve(paymentStatusOf(current));
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        off();
        this.#waiters.delete(finish);
        resolve(paymentStatusOf(this.#requireIntent(paymentId)));
      };
      this.#waiters.add(finish);
      const off = this.on('payment', (status) => {
        if (status.paymentId === paymentId && isSettled(this.#requireIntent(paymentId).state)) finish();
      });
      const timer = setTimeout(finish, timeoutMs);
    });
  }

  protected onData(): void {
    // HTTPS: answers come back on their requests, never as unsolicited bytes.
  }

  protected override onStart(): Promise<void> {
    this.#requireStore();
    if (this.#stopping.signal.aborted) this.#stopping = new AbortController();
    this.#recoveryAttempt = 0;
    this.#kickRecovery();
    return Promise.resolve();
  }

  protected override onStop(reason: DeviceError): void {
    clearTimeout(this.#recoveryTimer);
    this.#recoveryTimer = undefined;
    // A lost link fails the exchanges by itself; a disable, release or close abandons them. Their
    // intents stay as they are on disk and are recovered at the next start.
    if (reason.code !== 'disabled') return;
    this.#stopping.abort();
    for (const finish of [...this.#waiters]) finish();
  }

  protected override async probe(): Promise<string> {
    await this.#client.probe();
    return `The ${this.#client.description} is reachable and its certificate is valid.`;
  }

  // -------------------------------------------------------------------------------------------
  // The payment
  // -------------------------------------------------------------------------------------------

  async #runPayment(intent: PaymentIntent): Promise<void> {
    const { paymentId } = intent;
    this.#active.add(paymentId);
    this.#inFlight.add(paymentId);
    try {
      let answer: Readonly<Record<string, unknown>> | null;
      try {
        answer = await this.#exchange(
          paymentRequest({
            parties: this.#config.parties,
            serviceId: intent.serviceId,
            transaction: intent.transaction,
            kind: intent.kind,
            amount: intent.amount,
            currency: intent.currency,
          }),
          this.#config.paymentTimeoutMs,
        );
      } finally {
        this.#inFlight.delete(paymentId);
      }
      await this.#settle(paymentId, interpretPaymentResponse(answer ?? {}, expectedOf(intent)));
    } catch (error) {
      await this.#answerLost(paymentId, error).catch((failure: unknown) => {
        this.#reportFailure(failure);
      });
    } finally {
      this.#active.delete(paymentId);
      if (!isSettled(this.#store?.get(paymentId)?.state ?? 'failed')) this.#scheduleRecovery();
    }
  }

  /** The payment's exchange failed: failed when the terminal provably never got it, unresolved otherwise. */
  async #answerLost(paymentId: string, error: unknown): Promise<void> {
    if (this.#stopping.signal.aborted) return;
    const intent = this.#store?.get(paymentId);
    if (intent === undefined || isSettled(intent.state)) return;
    if (error instanceof NexoProtocolError) {
      await this.#record(paymentId, {
        state: 'unresolved',
        message: `The terminal's answer could not be used (${error.message}) Checking with the terminal…`,
      });
      return;
    }
    const failure = this.asDeviceError(error);
    if (exchangeStage(error) === 'not_sent') {
      await this.#record(paymentId, {
        state: intent.cancelRequested ? 'cancelled' : 'failed',
        message: `${failure.message} Nobody was charged.`,
      });
    } else {
      await this.#record(paymentId, {
        state: 'unresolved',
        message: `The terminal's answer was lost (${failure.message}) Checking with the terminal…`,
      });
    }
    if (failure.code === 'offline') this.#link.lost(failure);
  }

  /**
   * Records what the terminal said about the payment. The state is re-read here, and the choice
   * between keeping and reversing an approval is made and recorded without an await in between.
   */
  async #settle(paymentId: string, outcome: PaymentOutcome): Promise<void> {
    const intent = this.#store?.get(paymentId);
    if (intent === undefined || isSettled(intent.state) || intent.state === 'reversing') return;
    switch (outcome.result) {
      case 'approved': {
        const card = {
          ...(outcome.authCode === null ? {} : { authCode: outcome.authCode }),
          ...(outcome.cardBrand === null ? {} : { cardBrand: outcome.cardBrand }),
          ...(outcome.cardLast4 === null ? {} : { cardLast4: outcome.cardLast4 }),
          reference: outcome.reference,
          poiTransaction: outcome.poiTransaction,
        };
        if (intent.cancelRequested) {
          await this.#reverse(paymentId, card, 'The terminal approved the payment after it was cancelled');
          return;
        }
        await this.#record(paymentId, { ...card, state: 'approved', message: 'Approved.' });
        return;
      }
      case 'partial':
        await this.#reverse(
          paymentId,
          { reference: outcome.reference, poiTransaction: outcome.poiTransaction },
          'The terminal approved only part of the amount, which the till does not accept',
        );
        return;
      case 'declined':
      case 'cancelled':
      case 'failed':
        await this.#record(paymentId, {
          state: outcome.result === 'failed' && intent.cancelRequested ? 'cancelled' : outcome.result,
          message: outcome.message,
          ...(outcome.reference === null ? {} : { reference: outcome.reference }),
        });
        return;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Reversal
  // -------------------------------------------------------------------------------------------

  /** Decides (and records) that an approval is reversed, then sends the reversal. */
  async #reverse(
    paymentId: string,
    found: IntentChange & { readonly poiTransaction: TransactionIdentification },
    why: string,
  ): Promise<void> {
    await this.#record(paymentId, {
      ...found,
      state: 'reversing',
      reversalServiceId: this.#newServiceId(),
      message: `${why}; reversing it on the terminal…`,
    });
    await this.#sendReversal(paymentId);
  }

  async #sendReversal(paymentId: string): Promise<void> {
    const intent = this.#store?.get(paymentId);
    if (
      intent?.state !== 'reversing' ||
      intent.poiTransaction === undefined ||
      intent.reversalServiceId === undefined
    ) {
      return;
    }
    let answer: Readonly<Record<string, unknown>> | null;
    try {
      answer = await this.#exchange(
        reversalRequest({
          parties: this.#config.parties,
          serviceId: intent.reversalServiceId,
          original: intent.poiTransaction,
          reason: 'MerchantCancel',
        }),
        this.#config.statusTimeoutMs,
      );
    } catch (error) {
      // Sent or not, the reversal's status is asked next (a reversal not found is sent again).
      this.#lostDuring(error);
      return;
    }
    let outcome;
    try {
      outcome = interpretReversalResponse(answer ?? {});
    } catch {
      return;
    }
    await this.#reversalDone(paymentId, outcome.reversed, outcome.message);
  }

  async #reversalDone(paymentId: string, reversed: boolean, message: string): Promise<void> {
    const intent = this.#store?.get(paymentId);
    if (intent?.state !== 'reversing') return;
    if (reversed) {
      await this.#record(paymentId, {
        state: 'cancelled',
        message: `${intent.kind === 'sale' ? 'The payment' : 'The refund'} was reversed on the terminal; no money moved.`,
      });
      return;
    }
    // The money moved and stays moved: the approval is what the till must record.
    await this.#record(paymentId, {
      state: 'approved',
      message: `${message} ${intent.kind === 'sale' ? 'The customer has paid: complete the sale, or refund it.' : 'The refund was made.'}`,
    });
  }

  // -------------------------------------------------------------------------------------------
  // Recovery
  // -------------------------------------------------------------------------------------------

  #kickRecovery(): void {
    clearTimeout(this.#recoveryTimer);
    this.#recoveryTimer = undefined;
    if (this.#recovering !== undefined) {
      this.#recoverAgain = true;
      return;
    }
    this.#recovering = this.#recoverAll()
      .catch((error: unknown) => {
        this.#reportFailure(error);
      })
      .finally(() => {
        this.#recovering = undefined;
        if (this.#recoverAgain) {
          this.#recoverAgain = false;
          this.#kickRecovery();
        } else if (this.#needsRecovery()) {
          this.#scheduleRecovery();
        } else {
          this.#recoveryAttempt = 0;
        }
      });
  }

  #scheduleRecovery(): void {
    if (this.#recoveryTimer !== undefined || this.#recovering !== undefined || !this.#canTalk()) return;
    const delay = backoffDelay(this.#config.recoveryRetry, Math.min(this.#recoveryAttempt, 30));
    this.#recoveryAttempt += 1;
    this.#recoveryTimer = setTimeout(() => {
      this.#recoveryTimer = undefined;
      this.#kickRecovery();
    }, delay);
  }

  #needsRecovery(): boolean {
    return (this.#store?.unsettled ?? []).some((intent) => !this.#active.has(intent.paymentId));
  }

  /** Link up and enabled: recovery runs then, and restarts from onStart after a reconnect. */
  #canTalk(): boolean {
    return this.state === 'enabled' && this.linkUp && !this.#stopping.signal.aborted;
  }

  async #recoverAll(): Promise<void> {
    for (const intent of this.#store?.unsettled ?? []) {
      if (!this.#canTalk()) return;
      if (this.#active.has(intent.paymentId)) continue;
      this.#active.add(intent.paymentId);
      try {
        await this.#recoverOne(intent.paymentId);
      } finally {
        this.#active.delete(intent.paymentId);
      }
    }
  }

  async #recoverOne(paymentId: string): Promise<void> {
    const intent = this.#store?.get(paymentId);
    if (intent === undefined || isSettled(intent.state)) return;
    if (intent.state === 'reversing') {
      await this.#recoverReversal(intent);
      return;
    }
    if (intent.state === 'pending') {
      // Pending but not in flight here: the process that sent it is gone.
      await this.#record(paymentId, {
        state: 'unresolved',
        message: 'The till stopped during this payment. Checking with the terminal…',
      });
    }
    let status;
    try {
      const answer = await this.#exchange(
        transactionStatusRequest({
          parties: this.#config.parties,
          serviceId: this.#newServiceId(),
          category: 'Payment',
          target: intent.serviceId,
        }),
        this.#config.statusTimeoutMs,
      );
      status = interpretTransactionStatus(
        answer ?? {},
        { category: 'Payment', serviceId: intent.serviceId },
        expectedOf(intent),
      );
    } catch (error) {
      this.#lostDuring(error);
      return;
    }
    switch (status.kind) {
      case 'in_progress':
        if (intent.cancelRequested) {
          await this.#exchange(
            abortRequest({
              parties: this.#config.parties,
              serviceId: this.#newServiceId(),
              target: intent.serviceId,
            }),
            this.#config.statusTimeoutMs,
          ).catch(() => undefined);
        }
        return;
      case 'unavailable':
        return;
      case 'not_found':
        await this.#record(paymentId, {
          state: intent.cancelRequested ? 'cancelled' : 'failed',
          message: 'The terminal never received this payment; nobody was charged.',
        });
        return;
      case 'payment':
        await this.#settle(paymentId, status.outcome);
        return;
      case 'reversal':
        return;
    }
  }

  async #recoverReversal(intent: PaymentIntent): Promise<void> {
    const serviceId = intent.reversalServiceId;
    if (serviceId === undefined) return;
    let status;
    try {
      const answer = await this.#exchange(
        transactionStatusRequest({
          parties: this.#config.parties,
          serviceId: this.#newServiceId(),
          category: 'Reversal',
          target: serviceId,
        }),
        this.#config.statusTimeoutMs,
      );
      status = interpretTransactionStatus(
        answer ?? {},
        { category: 'Reversal', serviceId },
        expectedOf(intent),
      );
    } catch (error) {
      this.#lostDuring(error);
      return;
    }
    switch (status.kind) {
      case 'not_found':
        // The reversal never arrived: send it again, under a new ServiceID recorded first.
        await this.#record(intent.paymentId, { reversalServiceId: this.#newServiceId() });
        await this.#sendReversal(intent.paymentId);
        return;
      case 'reversal':
        await this.#reversalDone(intent.paymentId, status.outcome.reversed, status.outcome.message);
        return;
      case 'in_progress':
      case 'unavailable':
      case 'payment':
        return;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Plumbing
  // -------------------------------------------------------------------------------------------

  #exchange(
    request: Parameters<NexoLocalClient['exchange']>[0],
    timeoutMs: number,
  ): Promise<Readonly<Record<string, unknown>> | null> {
    return this.#client.exchange(request, { timeoutMs, signal: this.#stopping.signal });
  }

  /** A status or reversal exchange failed: a lost network takes the link down (and recovery waits for it). */
  #lostDuring(error: unknown): void {
    if (this.#stopping.signal.aborted) return;
    if (isDeviceError(error) && error.code === 'offline') this.#link.lost(error);
  }

  async #record(paymentId: string, change: IntentChange): Promise<void> {
    const store = this.#requireStore();
    this.#emit(await store.update(paymentId, change));
  }

  #emit(intent: PaymentIntent): void {
    this.events.emit('payment', paymentStatusOf(intent));
  }

  #reportFailure(error: unknown): void {
    if (this.#stopping.signal.aborted) return;
    this.reportError(
      new DeviceError('failure', `The payment journal could not be written: ${errorText(error)}`, {
        device: this.id,
      }),
      'device',
    );
  }

  #requireStore(): PaymentIntentStore {
    if (this.#store === undefined) {
      throw new DeviceError(
        'unavailable',
        'The payment terminal has no payment journal; the till cannot take card payments.',
        {
          device: this.id,
        },
      );
    }
    return this.#store;
  }

  #requireIntent(paymentId: string): PaymentIntent {
    const intent = this.#requireStore().get(paymentId);
    if (intent === undefined) {
      throw new DeviceError('illegal', `The payment terminal knows no payment "${paymentId}".`, {
        device: this.id,
      });
    }
    return intent;
  }
}

function expectedOf(intent: PaymentIntent): ExpectedPayment {
  return {
    transactionId: intent.transaction.TransactionID,
    amount: intent.amount,
    currency: intent.currency,
  };
}

function validateAmount(request: PaymentStart): void {
  try {
    currencyExponent(request.currency);
  } catch {
    throw new DeviceError(
      'illegal',
      `"${request.currency}" is not a currency the payment terminal can take.`,
    );
  }
  if (!Number.isSafeInteger(request.amount) || request.amount <= 0) {
    throw new DeviceError('illegal', 'A payment amount must be a whole number of minor units above zero.');
  }
}
