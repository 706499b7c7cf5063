/**
 * The subset of nexo Sale-to-POI (as the Adyen Terminal API, protocol 3.0, JSON) the till uses:
 * Payment (a sale, or an unreferenced refund: PaymentData.PaymentType "Refund", as Adyen does it),
 * Reversal, Abort and TransactionStatus. Requests are built here, exactly; responses are parsed
 * here, defensively (the terminal sends much more than we read, and what we read is checked).
 *
 * Card data: the POS never asks for it and keeps only what a receipt needs — the brand, the last four
 * digits of the masked PAN the terminal shows, the approval code and the terminal's transaction
 * reference. Nothing else of PaymentInstrumentData leaves this module.
 *
 * Amounts: nexo carries decimal amounts in major units (12.34 EUR); the till uses integer minor units.
 * Conversion goes through the domain's currency exponents and decimal parser, so a JPY amount is
 * never given decimals and a terminal answer with more decimals than the currency has is refused
 * rather than rounded.
 */
import { formatMoney, parseMoney } from '@pos/app';
import { z } from 'zod';

export const NEXO_PROTOCOL_VERSION = '3.0';

export type NexoMessageCategory = 'Payment' | 'Reversal' | 'Abort' | 'TransactionStatus';

export interface NexoMessageHeader {
  readonly ProtocolVersion: string;
  readonly MessageClass: 'Service';
  readonly MessageCategory: NexoMessageCategory;
  readonly MessageType: 'Request' | 'Response';
  readonly ServiceID: string;
  readonly SaleID: string;
  readonly POIID: string;
}

export interface TransactionIdentification {
  readonly TransactionID: string;
  readonly TimeStamp: string;
}

export interface MessageReference {
  readonly MessageCategory: 'Payment' | 'Reversal';
  readonly ServiceID: string;
  readonly SaleID: string;
  readonly POIID: string;
}

export interface PaymentRequestBody {
  readonly SaleData: { readonly SaleTransactionID: TransactionIdentification };
  readonly PaymentTransaction: {
    readonly AmountsReq: { readonly Currency: string; readonly RequestedAmount: number };
  };
  readonly PaymentData?: { readonly PaymentType: 'Normal' | 'Refund' };
}

export type ReversalReason = 'MerchantCancel' | 'CustCancel' | 'Malfunction' | 'Unable2Compl';

export interface ReversalRequestBody {
  readonly OriginalPOITransaction: {
    readonly POITransactionID: TransactionIdentification;
    readonly SaleID: string;
    readonly POIID: string;
  };
  readonly ReversalReason: ReversalReason;
}

export interface AbortRequestBody {
  readonly AbortReason: string;
  readonly MessageReference: MessageReference;
}

export interface TransactionStatusRequestBody {
  readonly MessageReference: MessageReference;
}

export interface SaleToPOIRequest {
  readonly MessageHeader: NexoMessageHeader;
  readonly PaymentRequest?: PaymentRequestBody;
  readonly ReversalRequest?: ReversalRequestBody;
  readonly AbortRequest?: AbortRequestBody;
  readonly TransactionStatusRequest?: TransactionStatusRequestBody;
}

/** Who talks: the till (SaleID, one per till) and the terminal (POIID, "<model>-<serial>"). */
export interface NexoParties {
  readonly saleId: string;
  readonly poiId: string;
}

/** The key of the response body that answers each request category. */
export const RESPONSE_BODY: Readonly<Record<NexoMessageCategory, string>> = {
  Payment: 'PaymentResponse',
  Reversal: 'ReversalResponse',
  Abort: 'AbortResponse',
  TransactionStatus: 'TransactionStatusResponse',
};

/** A terminal answer the till cannot act on (malformed, or not an answer to what was asked). */
export class NexoProtocolError extends Error {
  override readonly name = 'NexoProtocolError';
}

// ---------------------------------------------------------------------------------------------
// Amounts and text
// ---------------------------------------------------------------------------------------------

/** 1234 EUR minor units → 12.34; 1200 JPY → 1200. */
export function toNexoAmount(minor: number, currency: string): number {
  return Number(formatMoney(minor, currency));
}

/** 12.34 EUR → 1234. Refuses negative amounts, exponent notation and excess decimals. */
export function fromNexoAmount(value: number, currency: string): number {
  const text = String(value);
  if (!Number.isFinite(value) || !/^\d+(\.\d+)?$/.test(text)) {
    throw new NexoProtocolError(`The terminal sent an amount the till cannot read: ${text}.`);
  }
  try {
    return parseMoney(text, currency);
  } catch {
    throw new NexoProtocolError(
      `The terminal sent an amount with more decimals than ${currency} has: ${text}.`,
    );
  }
}

/** Text from the terminal, made safe for a receipt line or the cashier's screen. */
export function cleanText(value: string, max: number): string {
  // eslint-disable-next-line no-control-regex -- terminal text must not carry control characters to the UI
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}

/** The last four digits of a masked PAN ("541333******9999" → "9999"); null unless they are digits. */
export function lastFourDigits(maskedPan: string | undefined | null): string | null {
  if (maskedPan === undefined || maskedPan === null) return null;
  const match = /(\d{4})\s*$/.exec(maskedPan);
  return match?.[1] ?? null;
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

export function messageHeader(
  category: NexoMessageCategory,
  type: 'Request' | 'Response',
  parties: NexoParties,
  serviceId: string,
): NexoMessageHeader {
  return {
    ProtocolVersion: NEXO_PROTOCOL_VERSION,
    MessageClass: 'Service',
    MessageCategory: category,
    MessageType: type,
    ServiceID: serviceId,
    SaleID: parties.saleId,
    POIID: parties.poiId,
  };
}

export interface PaymentRequestInput {
  readonly parties: NexoParties;
  readonly serviceId: string;
  readonly transaction: TransactionIdentification;
  readonly kind: 'sale' | 'refund';
  /** Minor units. */
  readonly amount: number;
  readonly currency: string;
}

export function paymentRequest(input: PaymentRequestInput): SaleToPOIRequest {
  return {
    MessageHeader: messageHeader('Payment', 'Request', input.parties, input.serviceId),
    PaymentRequest: {
      SaleData: { SaleTransactionID: input.transaction },
      PaymentTransaction: {
        AmountsReq: { Currency: input.currency, RequestedAmount: toNexoAmount(input.amount, input.currency) },
      },
      ...(input.kind === 'refund' ? { PaymentData: { PaymentType: 'Refund' as const } } : {}),
    },
  };
}

export function reversalRequest(input: {
  readonly parties: NexoParties;
  readonly serviceId: string;
  readonly original: TransactionIdentification;
  readonly reason: ReversalReason;
}): SaleToPOIRequest {
  return {
    MessageHeader: messageHeader('Reversal', 'Request', input.parties, input.serviceId),
    ReversalRequest: {
      OriginalPOITransaction: {
        POITransactionID: input.original,
        SaleID: input.parties.saleId,
        POIID: input.parties.poiId,
      },
      ReversalReason: input.reason,
    },
  };
}

export function abortRequest(input: {
  readonly parties: NexoParties;
  readonly serviceId: string;
  /** The ServiceID of the payment to abort. */
  readonly target: string;
}): SaleToPOIRequest {
  return {
    MessageHeader: messageHeader('Abort', 'Request', input.parties, input.serviceId),
    AbortRequest: {
      AbortReason: 'MerchantAbort',
      MessageReference: reference('Payment', input.parties, input.target),
    },
  };
}

export function transactionStatusRequest(input: {
  readonly parties: NexoParties;
  readonly serviceId: string;
  readonly category: 'Payment' | 'Reversal';
  /** The ServiceID of the payment or reversal asked about. */
  readonly target: string;
}): SaleToPOIRequest {
  return {
    MessageHeader: messageHeader('TransactionStatus', 'Request', input.parties, input.serviceId),
    TransactionStatusRequest: { MessageReference: reference(input.category, input.parties, input.target) },
  };
}

function reference(
  category: 'Payment' | 'Reversal',
  parties: NexoParties,
  serviceId: string,
): MessageReference {
  return { MessageCategory: category, ServiceID: serviceId, SaleID: parties.saleId, POIID: parties.poiId };
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

const text = (max: number) => z.string().max(max);
const optionalText = (max: number) => text(max).nullish();

const TransactionIdSchema = z.looseObject({ TransactionID: text(256), TimeStamp: text(64) });

export const NexoResponseHeaderSchema = z.looseObject({
  MessageClass: text(32),
  MessageCategory: text(32),
  MessageType: text(32),
  ServiceID: optionalText(64),
  SaleID: optionalText(256),
  POIID: optionalText(256),
});

const ResultSchema = z.looseObject({
  Result: z.enum(['Success', 'Failure', 'Partial']),
  ErrorCondition: optionalText(64),
  AdditionalResponse: optionalText(100_000),
});

const PaymentResponseSchema = z.looseObject({
  Response: ResultSchema,
  SaleData: z.looseObject({ SaleTransactionID: TransactionIdSchema }).nullish(),
  POIData: z.looseObject({ POITransactionID: TransactionIdSchema }).nullish(),
  PaymentResult: z
    .looseObject({
      PaymentInstrumentData: z
        .looseObject({
          CardData: z.looseObject({ PaymentBrand: optionalText(256), MaskedPan: optionalText(64) }).nullish(),
        })
        .nullish(),
      AmountsResp: z.looseObject({ AuthorizedAmount: z.number(), Currency: optionalText(3) }).nullish(),
      PaymentAcquirerData: z.looseObject({ ApprovalCode: optionalText(256) }).nullish(),
    })
    .nullish(),
});

const ReversalResponseSchema = z.looseObject({
  Response: ResultSchema,
  POIData: z.looseObject({ POITransactionID: TransactionIdSchema }).nullish(),
});

const TransactionStatusResponseSchema = z.looseObject({
  Response: ResultSchema,
  RepeatedMessageResponse: z
    .looseObject({
      MessageHeader: NexoResponseHeaderSchema,
      RepeatedResponseMessageBody: z.looseObject({
        PaymentResponse: z.unknown().optional(),
        ReversalResponse: z.unknown().optional(),
      }),
    })
    .nullish(),
});

type ParsedResult = z.output<typeof ResultSchema>;

export interface ExpectedPayment {
  readonly transactionId: string;
  /** Minor units. */
  readonly amount: number;
  readonly currency: string;
}

export type PaymentOutcome =
  | {
      readonly result: 'approved';
      readonly poiTransaction: TransactionIdentification;
      readonly amount: number;
      readonly authCode: string | null;
      readonly cardBrand: string | null;
      readonly cardLast4: string | null;
      readonly reference: string;
    }
  | {
      /** Approved for less than asked: the till does not take split payments, so it is reversed. */
      readonly result: 'partial';
      readonly poiTransaction: TransactionIdentification;
      readonly amount: number;
      readonly reference: string;
    }
  | {
      readonly result: 'declined' | 'cancelled' | 'failed';
      readonly reference: string | null;
      readonly errorCondition: string | null;
      readonly message: string;
    };

const DECLINES = new Set(['refusal', 'wrongpin', 'invalidcard', 'paymentrestriction']);
const CANCELS = new Set(['cancel', 'aborted']);

/** Reads a PaymentResponse and checks it answers the payment we asked for. */
export function interpretPaymentResponse(raw: unknown, expected: ExpectedPayment): PaymentOutcome {
  const parsed = PaymentResponseSchema.safeParse(raw);
  if (!parsed.success) throw new NexoProtocolError('The terminal sent a malformed payment response.');
  const response = parsed.data;
  const saleTransaction = response.SaleData?.SaleTransactionID.TransactionID;
  if (saleTransaction !== undefined && saleTransaction !== expected.transactionId) {
    throw new NexoProtocolError(
      `The terminal answered for transaction "${cleanText(saleTransaction, 64)}", not "${expected.transactionId}".`,
    );
  }
  const poiTransaction = response.POIData?.POITransactionID;
  const reference = poiTransaction === undefined ? null : cleanText(poiTransaction.TransactionID, 128);
  const { Result, ErrorCondition } = response.Response;
  if (Result === 'Failure') {
    const condition = ErrorCondition ?? null;
    const key = (condition ?? '').toLowerCase();
    const result = DECLINES.has(key) ? 'declined' : CANCELS.has(key) ? 'cancelled' : 'failed';
    return {
      result,
      reference,
      errorCondition: condition,
      message: failureMessage(result, condition, response.Response),
    };
  }
  if (poiTransaction === undefined || reference === null) {
    throw new NexoProtocolError('The terminal approved a payment without its transaction identification.');
  }
  const amounts = response.PaymentResult?.AmountsResp;
  if (
    amounts?.Currency !== undefined &&
    amounts.Currency !== null &&
    amounts.Currency !== expected.currency
  ) {
    throw new NexoProtocolError(
      `The terminal approved ${cleanText(amounts.Currency, 3)}, not ${expected.currency}.`,
    );
  }
  const amount =
    amounts === undefined || amounts === null
      ? expected.amount
      : fromNexoAmount(amounts.AuthorizedAmount, expected.currency);
  const clean = { poiTransaction: { ...poiTransaction }, reference };
  if (Result === 'Partial' || amount < expected.amount) {
    return { result: 'partial', amount, ...clean };
  }
  if (amount > expected.amount) {
    throw new NexoProtocolError('The terminal approved more than the till asked for.');
  }
  const card = response.PaymentResult?.PaymentInstrumentData?.CardData;
  const brand = card?.PaymentBrand;
  const approval = response.PaymentResult?.PaymentAcquirerData?.ApprovalCode;
  return {
    result: 'approved',
    amount,
    ...clean,
    authCode: approval === undefined || approval === null || approval === '' ? null : cleanText(approval, 32),
    cardBrand: brand === undefined || brand === null || brand === '' ? null : cleanText(brand, 32),
    cardLast4: lastFourDigits(card?.MaskedPan),
  };
}

export interface ReversalOutcome {
  readonly reversed: boolean;
  readonly errorCondition: string | null;
  readonly message: string;
}

export function interpretReversalResponse(raw: unknown): ReversalOutcome {
  const parsed = ReversalResponseSchema.safeParse(raw);
  if (!parsed.success) throw new NexoProtocolError('The terminal sent a malformed reversal response.');
  const { Result, ErrorCondition } = parsed.data.Response;
  if (Result === 'Success') {
    return { reversed: true, errorCondition: null, message: 'The payment was reversed on the terminal.' };
  }
  const detail = additionalMessage(parsed.data.Response);
  return {
    reversed: false,
    errorCondition: ErrorCondition ?? null,
    message: cleanText(
      `The terminal refused to reverse the payment${ErrorCondition === undefined || ErrorCondition === null ? '' : ` (${ErrorCondition})`}${detail === null ? '' : `: ${detail}`}.`,
      200,
    ),
  };
}

export type StatusOutcome =
  | { readonly kind: 'in_progress' }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'unavailable'; readonly message: string }
  | { readonly kind: 'payment'; readonly outcome: PaymentOutcome }
  | { readonly kind: 'reversal'; readonly outcome: ReversalOutcome };

/**
 * Reads a TransactionStatusResponse about the message `target` (a payment or a reversal, by its
 * ServiceID). "InProgress" and "NotFound" are answers, not failures: the first means ask again
 * later, the second that the terminal never received that message.
 */
export function interpretTransactionStatus(
  raw: unknown,
  target: { readonly category: 'Payment' | 'Reversal'; readonly serviceId: string },
  expected: ExpectedPayment,
): StatusOutcome {
  const parsed = TransactionStatusResponseSchema.safeParse(raw);
  if (!parsed.success) throw new NexoProtocolError('The terminal sent a malformed transaction status.');
  const { Response, RepeatedMessageResponse } = parsed.data;
  if (Response.Result !== 'Success') {
    const condition = (Response.ErrorCondition ?? '').toLowerCase();
    if (condition === 'inprogress') return { kind: 'in_progress' };
    if (condition === 'notfound') return { kind: 'not_found' };
    return {
      kind: 'unavailable',
      message: `The terminal could not report the transaction (${Response.ErrorCondition ?? 'no reason given'}).`,
    };
  }
  if (RepeatedMessageResponse === undefined || RepeatedMessageResponse === null) {
    throw new NexoProtocolError('The terminal reported a status without the transaction it is about.');
  }
  const header = RepeatedMessageResponse.MessageHeader;
  if (
    header.MessageCategory !== target.category ||
    (header.ServiceID !== undefined && header.ServiceID !== null && header.ServiceID !== target.serviceId)
  ) {
    throw new NexoProtocolError('The terminal reported the status of another transaction.');
  }
  const body = RepeatedMessageResponse.RepeatedResponseMessageBody;
  if (target.category === 'Payment') {
    if (body.PaymentResponse === undefined) {
      throw new NexoProtocolError('The terminal reported a payment status without the payment response.');
    }
    return { kind: 'payment', outcome: interpretPaymentResponse(body.PaymentResponse, expected) };
  }
  if (body.ReversalResponse === undefined) {
    throw new NexoProtocolError('The terminal reported a reversal status without the reversal response.');
  }
  return { kind: 'reversal', outcome: interpretReversalResponse(body.ReversalResponse) };
}

function failureMessage(
  result: 'declined' | 'cancelled' | 'failed',
  condition: string | null,
  response: ParsedResult,
): string {
  const detail = additionalMessage(response);
  const base =
    result === 'declined'
      ? 'The card was declined'
      : result === 'cancelled'
        ? 'The payment was cancelled on the terminal'
        : `The terminal could not take the payment${condition === null ? '' : ` (${condition})`}`;
  return cleanText(detail === null ? `${base}.` : `${base}: ${detail}.`, 200);
}

/**
 * Adyen's AdditionalResponse is a URL-encoded form ("refusalReason=...&message=...") or Base64 JSON;
 * only the form's human-readable reason is used.
 */
function additionalMessage(response: ParsedResult): string | null {
  const additional = response.AdditionalResponse;
  if (!additional?.includes('=')) return null;
  const params = new URLSearchParams(additional);
  const reason = params.get('refusalReason') ?? params.get('message') ?? params.get('errors');
  if (reason === null || reason.trim() === '') return null;
  return cleanText(reason, 120);
}
