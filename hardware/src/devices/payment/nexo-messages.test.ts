import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NexoProtocolError,
  abortRequest,
  cleanText,
  fromNexoAmount,
  interpretPaymentResponse,
  interpretReversalResponse,
  interpretTransactionStatus,
  lastFourDigits,
  paymentRequest,
  reversalRequest,
  toNexoAmount,
  transactionStatusRequest,
} from './nexo-messages.ts';

const parties = { saleId: 'till-1', poiId: 'V400m-324688179' };
const expected = { transactionId: 'sale-1', amount: 1234, currency: 'EUR' };
const poi = { TransactionID: 'T1.ABC', TimeStamp: '2026-01-02T10:00:00.000Z' };

function approval(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Response: { Result: 'Success' },
    SaleData: { SaleTransactionID: { TransactionID: 'sale-1', TimeStamp: '2026-01-02T09:59:00.000Z' } },
    POIData: { POITransactionID: poi },
    PaymentResult: {
      PaymentInstrumentData: {
        PaymentInstrumentType: 'Card',
        CardData: {
          PaymentBrand: 'visa',
          MaskedPan: '411111******1111',
          SensitiveCardData: { PAN: 'never' },
        },
      },
      AmountsResp: { AuthorizedAmount: 12.34, Currency: 'EUR' },
      PaymentAcquirerData: { ApprovalCode: '654321', AcquirerPOIID: 'x', MerchantID: 'm' },
    },
    ...overrides,
  };
}

describe('amounts', () => {
  it.each([
    [1234, 'EUR', 12.34],
    [5, 'EUR', 0.05],
    [1200, 'JPY', 1200],
    [1234, 'KWD', 1.234],
    [100_000_000_000, 'EUR', 1_000_000_000],
  ])('%i minor units of %s are %d on the wire', (minor, currency, wire) => {
    expect(toNexoAmount(minor, currency)).toBe(wire);
    expect(fromNexoAmount(wire, currency)).toBe(minor);
  });

  it('round-trips every amount exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000_000_000 }),
        fc.constantFrom('EUR', 'JPY', 'KWD', 'USD'),
        (minor, currency) => {
          expect(fromNexoAmount(toNexoAmount(minor, currency), currency)).toBe(minor);
        },
      ),
    );
  });

  it.each([
    ['more decimals than the currency has', 12.345, 'EUR'],
    ['decimals in yen', 12.5, 'JPY'],
    ['a negative amount', -1, 'EUR'],
    ['exponent notation', 1e-7, 'EUR'],
    ['not a number', Number.NaN, 'EUR'],
  ])('refuses %s', (_name, value, currency) => {
    expect(() => fromNexoAmount(value, currency)).toThrow(NexoProtocolError);
  });
});

describe('requests', () => {
  it('builds a sale exactly as the Terminal API expects it', () => {
    expect(
      paymentRequest({
        parties,
        serviceId: 'S1',
        transaction: { TransactionID: 'sale-1', TimeStamp: '2026-01-02T09:59:00.000Z' },
        kind: 'sale',
        amount: 1234,
        currency: 'EUR',
      }),
    ).toEqual({
      MessageHeader: {
        ProtocolVersion: '3.0',
        MessageClass: 'Service',
        MessageCategory: 'Payment',
        MessageType: 'Request',
        ServiceID: 'S1',
        SaleID: 'till-1',
        POIID: 'V400m-324688179',
      },
      PaymentRequest: {
        SaleData: { SaleTransactionID: { TransactionID: 'sale-1', TimeStamp: '2026-01-02T09:59:00.000Z' } },
        PaymentTransaction: { AmountsReq: { Currency: 'EUR', RequestedAmount: 12.34 } },
      },
    });
  });

  it('marks a refund with PaymentType Refund', () => {
    const request = paymentRequest({
      parties,
      serviceId: 'S2',
      transaction: poi,
      kind: 'refund',
      amount: 500,
      currency: 'EUR',
    });
    expect(request.PaymentRequest?.PaymentData).toEqual({ PaymentType: 'Refund' });
  });

  it('names the original transaction in a reversal, and the target message in abort and status', () => {
    expect(
      reversalRequest({ parties, serviceId: 'S3', original: poi, reason: 'MerchantCancel' }).ReversalRequest,
    ).toEqual({
      OriginalPOITransaction: { POITransactionID: poi, SaleID: 'till-1', POIID: 'V400m-324688179' },
      ReversalReason: 'MerchantCancel',
    });
    const reference = {
      MessageCategory: 'Payment',
      ServiceID: 'S1',
      SaleID: 'till-1',
      POIID: 'V400m-324688179',
    };
    expect(abortRequest({ parties, serviceId: 'S4', target: 'S1' }).AbortRequest).toEqual({
      AbortReason: 'MerchantAbort',
      MessageReference: reference,
    });
    expect(
      transactionStatusRequest({ parties, serviceId: 'S5', category: 'Payment', target: 'S1' })
        .TransactionStatusRequest,
    ).toEqual({ MessageReference: reference });
  });
});

describe('interpretPaymentResponse', () => {
  it('keeps only brand, last four digits, approval code and reference of an approval', () => {
    const outcome = interpretPaymentResponse(approval(), expected);
    expect(outcome).toEqual({
      result: 'approved',
      amount: 1234,
      poiTransaction: poi,
      reference: 'T1.ABC',
      authCode: '654321',
      cardBrand: 'visa',
      cardLast4: '1111',
    });
    expect(JSON.stringify(outcome)).not.toMatch(/411111|never/);
  });

  it('reads an approval of less than asked as partial', () => {
    const outcome = interpretPaymentResponse(
      approval({
        Response: { Result: 'Partial' },
        PaymentResult: { AmountsResp: { AuthorizedAmount: 10, Currency: 'EUR' } },
      }),
      expected,
    );
    expect(outcome).toMatchObject({ result: 'partial', amount: 1000 });
  });

  it.each([
    ['Refusal', 'declined', 'The card was declined: Not enough balance.'],
    ['WrongPin', 'declined', 'The card was declined: Not enough balance.'],
    ['Cancel', 'cancelled', 'The payment was cancelled on the terminal: Not enough balance.'],
    ['Aborted', 'cancelled', 'The payment was cancelled on the terminal: Not enough balance.'],
    ['Busy', 'failed', 'The terminal could not take the payment (Busy): Not enough balance.'],
  ])('reads ErrorCondition %s as %s', (condition, result, message) => {
    const outcome = interpretPaymentResponse(
      approval({
        Response: {
          Result: 'Failure',
          ErrorCondition: condition,
          AdditionalResponse: 'refusalReason=Not%20enough%20balance',
        },
        PaymentResult: undefined,
      }),
      expected,
    );
    expect(outcome).toEqual({ result, reference: 'T1.ABC', errorCondition: condition, message });
  });

  it.each([
    [
      'an answer for another sale',
      approval({ SaleData: { SaleTransactionID: { TransactionID: 'sale-2', TimeStamp: 't' } } }),
    ],
    ['an approval without the terminal transaction id', approval({ POIData: undefined })],
    [
      'an approval in another currency',
      approval({ PaymentResult: { AmountsResp: { AuthorizedAmount: 12.34, Currency: 'USD' } } }),
    ],
    [
      'an approval of more than asked',
      approval({ PaymentResult: { AmountsResp: { AuthorizedAmount: 20, Currency: 'EUR' } } }),
    ],
    ['an unknown result', approval({ Response: { Result: 'Maybe' } })],
    ['nothing at all', {}],
  ])('refuses %s', (_name, response) => {
    expect(() => interpretPaymentResponse(response, expected)).toThrow(NexoProtocolError);
  });
});

describe('interpretTransactionStatus', () => {
  const target = { category: 'Payment' as const, serviceId: 'S1' };

  it.each([
    ['InProgress', { kind: 'in_progress' }],
    ['NotFound', { kind: 'not_found' }],
    ['Busy', { kind: 'unavailable', message: 'The terminal could not report the transaction (Busy).' }],
  ])('reads a failed status with %s', (condition, outcome) => {
    expect(
      interpretTransactionStatus(
        { Response: { Result: 'Failure', ErrorCondition: condition } },
        target,
        expected,
      ),
    ).toEqual(outcome);
  });

  it('reads the repeated payment response', () => {
    const status = {
      Response: { Result: 'Success' },
      RepeatedMessageResponse: {
        MessageHeader: {
          MessageClass: 'Service',
          MessageCategory: 'Payment',
          MessageType: 'Response',
          ServiceID: 'S1',
        },
        RepeatedResponseMessageBody: { PaymentResponse: approval() },
      },
    };
    expect(interpretTransactionStatus(status, target, expected)).toMatchObject({
      kind: 'payment',
      outcome: { result: 'approved' },
    });
  });

  it('refuses the status of another message', () => {
    const status = {
      Response: { Result: 'Success' },
      RepeatedMessageResponse: {
        MessageHeader: {
          MessageClass: 'Service',
          MessageCategory: 'Payment',
          MessageType: 'Response',
          ServiceID: 'S9',
        },
        RepeatedResponseMessageBody: { PaymentResponse: approval() },
      },
    };
    expect(() => interpretTransactionStatus(status, target, expected)).toThrow(NexoProtocolError);
  });

  it('reads a reversal status', () => {
    const status = {
      Response: { Result: 'Success' },
      RepeatedMessageResponse: {
        MessageHeader: {
          MessageClass: 'Service',
          MessageCategory: 'Reversal',
          MessageType: 'Response',
          ServiceID: 'R1',
        },
        RepeatedResponseMessageBody: { ReversalResponse: { Response: { Result: 'Success' } } },
      },
    };
    expect(interpretTransactionStatus(status, { category: 'Reversal', serviceId: 'R1' }, expected)).toEqual({
      kind: 'reversal',
      outcome: { reversed: true, errorCondition: null, message: 'The payment was reversed on the terminal.' },
    });
  });
});

describe('text from the terminal', () => {
  it('reads a refused reversal', () => {
    expect(
      interpretReversalResponse({
        Response: {
          Result: 'Failure',
          ErrorCondition: 'NotAllowed',
          AdditionalResponse: 'message=Too%20late',
        },
      }),
    ).toEqual({
      reversed: false,
      errorCondition: 'NotAllowed',
      message: 'The terminal refused to reverse the payment (NotAllowed): Too late.',
    });
  });

  it.each([
    ['541333******9999', '9999'],
    ['5413 33** **** 9999', '9999'],
    ['************', null],
    ['411111******11x1', null],
    [undefined, null],
  ])('takes the last four digits of %s', (masked, last4) => {
    expect(lastFourDigits(masked)).toBe(last4);
  });

  it('strips control characters and clips', () => {
    expect(cleanText('a\u0007b\nc', 10)).toBe('a b c');
    expect(cleanText('abcdefghij', 5)).toBe('abcd…');
  });
});
