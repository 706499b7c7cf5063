/**
 * A payment terminal speaking the Adyen Terminal API in local mode, for tests and the till's demo
 * mode: HTTPS on loopback with a self-signed certificate named like an Adyen terminal's, POST
 * `/nexo/` with `x-api-key`, NexoCrypto-encrypted JSON both ways. It answers Payment (sales and
 * refunds), Reversal, Abort and TransactionStatus the way a terminal does:
 *
 * - a payment takes `processingMs` of "customer time", then is approved or declined (`outcome`), or
 *   never ends (`neverAnswer`: the customer walked away) until an Abort ends it;
 * - the terminal keeps going when the till's connection drops: what it decided is kept, and
 *   TransactionStatus reports it (InProgress while undecided, NotFound for a message it never got);
 * - faults can be armed per protocol step (`failAt`): drop the connection, or hang (never answer).
 *
 * Every controls change applies at once, so a test or the demo can flip it mid-payment. The ledger
 * records what money moved (approvals, and reversals of them), so a test can assert "charged exactly
 * once". Only ever listens on a loopback address.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { TypedEmitter, type Listener } from '../device/events.ts';
import type { DeviceDescriptor } from '../device/types.ts';
import { NexoCipher, type NexoSecurityKey } from '../devices/payment/nexo-crypto.ts';
import { NEXO_LOCAL_PATH } from '../devices/payment/nexo-client.ts';
import { fromNexoAmount, toNexoAmount } from '../devices/payment/nexo-messages.ts';
import {
  SIMULATED_POI_ID,
  createTerminalCertificate,
  terminalCommonName,
  type TerminalCertificate,
} from './terminal-certificate.ts';

export type NexoFaultStep =
  /** A payment request arrived; nothing was done with it. */
  | 'payment.received'
  /** The payment was decided (money moved when approved); the answer is not sent yet. */
  | 'payment.decided'
  | 'status.received'
  | 'reversal.received'
  /** The reversal was done; the answer is not sent yet. */
  | 'reversal.done'
  | 'abort.received';

export type NexoFaultAction = 'drop' | 'hang';

export interface NexoTerminalBehaviour {
  readonly outcome: 'approve' | 'decline';
  /** Time the customer takes before the payment is decided. */
  readonly processingMs: number;
  /** The payment is never decided (until aborted). */
  readonly neverAnswer: boolean;
  /** Refuses connections, as a terminal switched off. */
  readonly offline: boolean;
}

export interface LedgerEntry {
  readonly kind: 'sale' | 'refund';
  /** The till's SaleTransactionID. */
  readonly transactionId: string;
  readonly poiTransactionId: string;
  /** Minor units. */
  readonly amount: number;
  readonly currency: string;
  readonly reversed: boolean;
}

export interface NexoTerminalSimulatorOptions {
  /** 127.0.0.1 by default; any 127.x.y.z address (Adyen's client insists on port 8443). */
  readonly host?: string;
  /** 0 (any free port) by default. */
  readonly port?: number;
  readonly poiId?: string;
  readonly apiKey?: string;
  readonly key?: NexoSecurityKey;
  readonly behaviour?: Partial<NexoTerminalBehaviour>;
}

export const SIMULATOR_API_KEY = 'omnitill-simulator-api-key';
export const SIMULATOR_KEY: NexoSecurityKey = {
  keyIdentifier: 'OmnitillSim',
  keyVersion: 1,
  passphrase: 'omnitill-simulator-passphrase',
};

interface StepEvent {
  readonly step: NexoFaultStep;
  readonly serviceId: string;
}

interface Transaction {
  readonly category: 'Payment' | 'Reversal';
  readonly header: Readonly<Record<string, unknown>>;
  state: 'in_progress' | 'done';
  response?: Readonly<Record<string, unknown>>;
  abort?: () => void;
}

type Json = Readonly<Record<string, unknown>>;

const DEFAULT_BEHAVIOUR: NexoTerminalBehaviour = {
  outcome: 'approve',
  processingMs: 50,
  neverAnswer: false,
  offline: false,
};

export class NexoTerminalSimulator {
  readonly poiId: string;
  readonly apiKey: string;
  readonly key: NexoSecurityKey;
  readonly #cipher: NexoCipher;
  readonly #events = new TypedEmitter<{ step: StepEvent }>();
  readonly #transactions = new Map<string, Transaction>();
  readonly #ledger: LedgerEntry[] = [];
  readonly #faults: { step: NexoFaultStep; action: NexoFaultAction; times: number }[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #behaviour: NexoTerminalBehaviour;
  #lastPayment: string | undefined;
  #paymentInProgress: string | undefined;
  #sequence = 0;
  /** Categories of the messages received, in order (for tests). */
  readonly received: string[] = [];

  constructor(options: {
    poiId: string;
    apiKey: string;
    key: NexoSecurityKey;
    behaviour?: Partial<NexoTerminalBehaviour>;
  }) {
    this.poiId = options.poiId;
    this.apiKey = options.apiKey;
    this.key = options.key;
    this.#cipher = new NexoCipher(options.key);
    this.#behaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
  }

  get behaviour(): NexoTerminalBehaviour {
    return this.#behaviour;
  }

  set(change: Partial<NexoTerminalBehaviour>): void {
    this.#behaviour = { ...this.#behaviour, ...change };
  }

  approve(): void {
    this.set({ outcome: 'approve', neverAnswer: false });
  }

  decline(): void {
    this.set({ outcome: 'decline', neverAnswer: false });
  }

  /** Payments never end (until the till aborts them): the till's request times out. */
  timeout(): void {
    this.set({ neverAnswer: true });
  }

  /**
   * Back to a terminal at rest: faults cleared, the payment in progress (if any) cancelled as by the
   * customer, the behaviour the default one (changed by `behaviour`). The ledger is kept.
   */
  reset(behaviour: Partial<NexoTerminalBehaviour> = {}): void {
    this.clearFaults();
    this.#behaviour = { ...DEFAULT_BEHAVIOUR, ...behaviour };
    const inProgress =
      this.#paymentInProgress === undefined ? undefined : this.#transactions.get(this.#paymentInProgress);
    inProgress?.abort?.();
  }

  /** Arms a fault: the next `times` times the step is reached, the connection is dropped or left hanging. */
  failAt(step: NexoFaultStep, action: NexoFaultAction = 'drop', times = 1): void {
    this.#faults.push({ step, action, times });
  }

  clearFaults(): void {
    this.#faults.length = 0;
  }

  /** Called synchronously when a step is reached, before any armed fault acts. */
  onStep(listener: Listener<StepEvent>): () => void {
    return this.#events.on('step', listener);
  }

  get ledger(): readonly LedgerEntry[] {
    return this.#ledger;
  }

  /** Approvals for this sale reference that were not reversed. */
  chargedCount(transactionId: string): number {
    return this.#ledger.filter((entry) => entry.transactionId === transactionId && !entry.reversed).length;
  }

  /** Money moved for this sale reference, in minor units (refunds count negative). */
  netAmount(transactionId: string): number {
    return this.#ledger
      .filter((entry) => entry.transactionId === transactionId && !entry.reversed)
      .reduce((sum, entry) => sum + (entry.kind === 'sale' ? entry.amount : -entry.amount), 0);
  }

  /** Whether a payment is being processed now. */
  get busy(): boolean {
    return this.#paymentInProgress !== undefined;
  }

  /** The HTTP handler; exposed so the server wiring stays small. */
  handle(request: IncomingMessage, response: ServerResponse): void {
    if (request.method !== 'POST' || request.url !== NEXO_LOCAL_PATH) {
      response.writeHead(404).end();
      return;
    }
    if (request.headers['x-api-key'] !== this.apiKey) {
      response.writeHead(401).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 256 * 1024) request.destroy();
      else chunks.push(chunk);
    });
    request.on('end', () => {
      let message: Json;
      try {
        message = this.#cipher.open('SaleToPOIRequest', JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        response.writeHead(400, { 'content-type': 'text/plain' }).end('The message could not be opened.');
        return;
      }
      this.#dispatch(message, response);
    });
  }

  /** Drops every open connection and stops pending timers (the simulator's part of close). */
  shutdown(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  trackSocket(socket: Socket): void {
    if (this.#behaviour.offline) {
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }

  #dispatch(message: Json, response: ServerResponse): void {
    const header = record(message.MessageHeader);
    const category = typeof header.MessageCategory === 'string' ? header.MessageCategory : '';
    this.received.push(category);
    switch (category) {
      case 'Payment':
        this.#payment(header, record(message.PaymentRequest), response);
        return;
      case 'Reversal':
        this.#reversal(header, record(message.ReversalRequest), response);
        return;
      case 'Abort':
        this.#abort(header, record(message.AbortRequest), response);
        return;
      case 'TransactionStatus':
        this.#status(header, record(message.TransactionStatusRequest), response);
        return;
      default:
        response.writeHead(400, { 'content-type': 'text/plain' }).end(`Unsupported category ${category}.`);
    }
  }

  #payment(header: Json, request: Json, response: ServerResponse): void {
    const serviceId = String(header.ServiceID);
    if (this.#fault('payment.received', serviceId, response)) return;
    const saleTransaction = record(record(request.SaleData).SaleTransactionID);
    const amounts = record(record(request.PaymentTransaction).AmountsReq);
    const currency = String(amounts.Currency);
    const kind = record(request.PaymentData).PaymentType === 'Refund' ? 'refund' : 'sale';
    const answer = (body: Json): void => {
      if (this.#fault('payment.decided', serviceId, response)) return;
      this.#reply(response, header, 'PaymentResponse', body);
    };
    const base = { SaleData: { SaleTransactionID: saleTransaction } };
    if (this.#paymentInProgress !== undefined) {
      answer({
        ...base,
        Response: { Result: 'Failure', ErrorCondition: 'Busy' },
        POIData: { POITransactionID: this.#poiTransaction() },
      });
      return;
    }
    const key = transactionKey(header);
    const transaction: Transaction = { category: 'Payment', header, state: 'in_progress' };
    this.#transactions.set(key, transaction);
    this.#lastPayment = key;
    this.#paymentInProgress = key;
    const decide = (aborted: boolean): void => {
      if (transaction.state === 'done') return;
      this.#paymentInProgress = undefined;
      delete transaction.abort;
      const poiTransaction = this.#poiTransaction();
      let body: Json;
      if (aborted) {
        body = {
          ...base,
          Response: { Result: 'Failure', ErrorCondition: 'Aborted' },
          POIData: { POITransactionID: poiTransaction },
        };
      } else if (this.#behaviour.outcome === 'decline') {
        body = {
          ...base,
          Response: {
            Result: 'Failure',
            ErrorCondition: 'Refusal',
            AdditionalResponse: 'refusalReason=Not%20enough%20balance&message=Declined',
          },
          POIData: { POITransactionID: poiTransaction },
        };
      } else {
        let amount: number;
        try {
          amount = fromNexoAmount(Number(amounts.RequestedAmount), currency);
        } catch {
          body = {
            ...base,
            Response: { Result: 'Failure', ErrorCondition: 'MessageFormat' },
            POIData: { POITransactionID: poiTransaction },
          };
          transaction.state = 'done';
          transaction.response = body;
          answer(body);
          return;
        }
        this.#ledger.push({
          kind,
          transactionId: String(saleTransaction.TransactionID),
          poiTransactionId: poiTransaction.TransactionID,
          amount,
          currency,
          reversed: false,
        });
        body = {
          ...base,
          Response: { Result: 'Success' },
          POIData: { POITransactionID: poiTransaction },
          PaymentResult: {
            PaymentType: kind === 'refund' ? 'Refund' : 'Normal',
            PaymentInstrumentData: {
              PaymentInstrumentType: 'Card',
              CardData: { PaymentBrand: 'mc', MaskedPan: '541333******9999', EntryMode: ['Contactless'] },
            },
            AmountsResp: { AuthorizedAmount: toNexoAmount(amount, currency), Currency: currency },
            PaymentAcquirerData: {
              ApprovalCode: String(100000 + (this.#sequence % 900000)),
              AcquirerPOIID: this.poiId,
              MerchantID: 'OmnitillSimulator',
            },
          },
        };
      }
      transaction.state = 'done';
      transaction.response = body;
      answer(body);
    };
    transaction.abort = () => {
      decide(true);
    };
    if (this.#behaviour.neverAnswer) return;
    this.#later(this.#behaviour.processingMs, () => {
      decide(false);
    });
  }

  #reversal(header: Json, request: Json, response: ServerResponse): void {
    const serviceId = String(header.ServiceID);
    if (this.#fault('reversal.received', serviceId, response)) return;
    const original = record(record(request.OriginalPOITransaction).POITransactionID);
    const index = this.#ledger.findIndex((entry) => entry.poiTransactionId === original.TransactionID);
    const entry = this.#ledger[index];
    let body: Json;
    if (entry === undefined) {
      body = { Response: { Result: 'Failure', ErrorCondition: 'NotFound' } };
    } else if (entry.reversed) {
      body = {
        Response: {
          Result: 'Failure',
          ErrorCondition: 'NotAllowed',
          AdditionalResponse: 'message=Already%20reversed',
        },
      };
    } else {
      this.#ledger[index] = { ...entry, reversed: true };
      body = {
        Response: { Result: 'Success' },
        POIData: { POITransactionID: this.#poiTransaction() },
        ReversedAmount: toNexoAmount(entry.amount, entry.currency),
      };
    }
    this.#transactions.set(transactionKey(header), {
      category: 'Reversal',
      header,
      state: 'done',
      response: body,
    });
    if (this.#fault('reversal.done', serviceId, response)) return;
    this.#reply(response, header, 'ReversalResponse', body);
  }

  #abort(header: Json, request: Json, response: ServerResponse): void {
    if (this.#fault('abort.received', String(header.ServiceID), response)) return;
    const reference = record(request.MessageReference);
    const target = this.#transactions.get(`${String(reference.SaleID)}/${String(reference.ServiceID)}`);
    target?.abort?.();
    // A terminal answers an abort with an empty body; the aborted payment answers for itself.
    response.writeHead(200, { 'content-type': 'application/json' }).end();
  }

  #status(header: Json, request: Json, response: ServerResponse): void {
    if (this.#fault('status.received', String(header.ServiceID), response)) return;
    const reference = request.MessageReference === undefined ? undefined : record(request.MessageReference);
    const key =
      reference === undefined
        ? this.#lastPayment
        : `${String(reference.SaleID)}/${String(reference.ServiceID)}`;
    const transaction = key === undefined ? undefined : this.#transactions.get(key);
    let body: Json;
    if (
      transaction === undefined ||
      (reference?.MessageCategory !== undefined && reference.MessageCategory !== transaction.category)
    ) {
      body = { Response: { Result: 'Failure', ErrorCondition: 'NotFound' } };
    } else if (transaction.state === 'in_progress' || transaction.response === undefined) {
      body = { Response: { Result: 'Failure', ErrorCondition: 'InProgress' } };
    } else {
      body = {
        Response: { Result: 'Success' },
        MessageReference: reference ?? {},
        RepeatedMessageResponse: {
          MessageHeader: { ...transaction.header, MessageType: 'Response' },
          RepeatedResponseMessageBody: {
            [transaction.category === 'Payment' ? 'PaymentResponse' : 'ReversalResponse']:
              transaction.response,
          },
        },
      };
    }
    this.#reply(response, header, 'TransactionStatusResponse', body);
  }

  /** Announces the step and applies an armed fault; true when the exchange ends here. */
  #fault(step: NexoFaultStep, serviceId: string, response: ServerResponse): boolean {
    this.#events.emit('step', { step, serviceId });
    const fault = this.#faults.find((candidate) => candidate.step === step);
    if (fault === undefined) return false;
    fault.times -= 1;
    if (fault.times <= 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
    if (fault.action === 'drop') response.socket?.destroy();
    // 'hang': the response is simply never written.
    return true;
  }

  #reply(response: ServerResponse, requestHeader: Json, bodyKey: string, body: Json): void {
    if (response.destroyed || response.writableEnded) return;
    const message = { MessageHeader: { ...requestHeader, MessageType: 'Response' }, [bodyKey]: body };
    const text = JSON.stringify(this.#cipher.seal('SaleToPOIResponse', message));
    response.writeHead(200, { 'content-type': 'application/json' }).end(text);
  }

  #poiTransaction(): { TransactionID: string; TimeStamp: string } {
    this.#sequence += 1;
    const tender = `${this.poiId.slice(0, 4)}${String(this.#sequence).padStart(6, '0')}`;
    return {
      TransactionID: `${tender}.${randomBytes(8).toString('hex').toUpperCase()}`,
      TimeStamp: new Date().toISOString(),
    };
  }

  #later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, ms);
    this.#timers.add(timer);
  }
}

export interface NexoTerminalSimulatorHandle {
  readonly simulator: NexoTerminalSimulator;
  readonly certificate: TerminalCertificate;
  readonly host: string;
  readonly port: number;
  /** A descriptor for the worker, pointing at this simulator (settings may be overridden). */
  descriptor(id?: string, settings?: Readonly<Record<string, string | number | boolean>>): DeviceDescriptor;
  close(): Promise<void>;
}

/** Starts a terminal simulator on loopback HTTPS with a fresh certificate. */
export async function startNexoTerminalSimulator(
  options: NexoTerminalSimulatorOptions = {},
): Promise<NexoTerminalSimulatorHandle> {
  const host = options.host ?? '127.0.0.1';
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) {
    throw new RangeError(`the terminal simulator listens on loopback only, not ${host}`);
  }
  const poiId = options.poiId ?? SIMULATED_POI_ID;
  const certificate = await createTerminalCertificate(terminalCommonName(poiId, 'test'));
  const simulator = new NexoTerminalSimulator({
    poiId,
    apiKey: options.apiKey ?? SIMULATOR_API_KEY,
    key: options.key ?? SIMULATOR_KEY,
    ...(options.behaviour === undefined ? {} : { behaviour: options.behaviour }),
  });
  const server: Server = createServer(
    { cert: certificate.certPem, key: certificate.keyPem },
    (request, response) => {
      simulator.handle(request, response);
    },
  );
  server.on('connection', (socket: Socket) => {
    simulator.trackSocket(socket);
  });
  // A client hanging up mid-handshake is not the simulator's problem.
  server.on('tlsClientError', () => undefined);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await certificate.remove();
    throw error;
  }
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new RangeError('the simulator has no TCP address');
  const port = address.port;
  return {
    simulator,
    certificate,
    host,
    port,
    descriptor: (id = 'terminal', settings = {}) => ({
      id,
      kind: 'payment_terminal',
      model: 'adyen',
      transport: { type: 'tcp', host, port },
      settings: {
        poiId,
        saleId: 'omnitill-demo',
        environment: 'test',
        caFile: certificate.certPath,
        apiKey: simulator.apiKey,
        keyIdentifier: simulator.key.keyIdentifier,
        keyVersion: simulator.key.keyVersion,
        keyPassphrase: simulator.key.passphrase,
        ...settings,
      },
    }),
    close: async () => {
      simulator.shutdown();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      await certificate.remove();
    },
  };
}

function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function transactionKey(header: Json): string {
  return `${String(header.SaleID)}/${String(header.ServiceID)}`;
}
