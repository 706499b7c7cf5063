/**
 * Interop against code we did not write (Adyen's @adyen/api-library), both ways, over real HTTPS on
 * loopback:
 *  1. Adyen's own client (TerminalLocalAPI, with its NexoCrypto and its certificate check) completes
 *     payments against our terminal simulator. Adyen's client always calls port 8443, so the
 *     simulator listens on 8443 of a random 127.x.y.z address.
 *  2. Our client, and the whole payment terminal device on top of it, completes a payment against a
 *     terminal built in this file from Adyen's NexoCrypto and ObjectSerializer.
 * Plus: our key derivation equals Adyen's, and messages sealed by either open with the other.
 */
import { createServer, type Server } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as AdyenModule from '@adyen/api-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SIMULATOR_API_KEY,
  SIMULATOR_KEY,
  startNexoTerminalSimulator,
  type NexoTerminalSimulatorHandle,
} from '../../simulators/nexo-terminal-simulator.ts';
import {
  SIMULATED_POI_ID,
  createTerminalCertificate,
  type TerminalCertificate,
} from '../../simulators/terminal-certificate.ts';
import { NexoCipher, deriveNexoKey } from './nexo-crypto.ts';
import { NexoLinkTransport, NexoLocalClient } from './nexo-client.ts';
import { interpretPaymentResponse, paymentRequest } from './nexo-messages.ts';
import { PaymentIntentStore } from './payment-intents.ts';
import { NexoPaymentTerminal } from './payment-terminal.ts';

const adyen = ((await import('@adyen/api-library')) as unknown as { default: typeof AdyenModule }).default;
const { Client, Config, NexoCrypto, TerminalLocalAPI, EnvironmentEnum } = adyen;
const { ObjectSerializer } = adyen.Types.terminal;

type AdyenSecurityKey = AdyenModule.Types.terminal.SecurityKey;

/** Adyen's models are classes; its code reads them as plain JSON, which is what these are. */
function adyenKey(passphrase = SIMULATOR_KEY.passphrase): AdyenSecurityKey {
  return Object.assign(new adyen.Types.terminal.SecurityKey(), {
    AdyenCryptoVersion: 1,
    KeyIdentifier: SIMULATOR_KEY.keyIdentifier,
    KeyVersion: SIMULATOR_KEY.keyVersion,
    Passphrase: passphrase,
  });
}
const ADYEN_KEY = adyenKey();
const SALE_ID = 'till-7';

function adyenPaymentRequest(
  serviceId: string,
  transactionId: string,
  amount: number,
): AdyenModule.Types.terminal.TerminalApiRequest {
  // Plain JSON in the shape Adyen's models describe; its ObjectSerializer takes it as it is.
  return {
    SaleToPOIRequest: {
      MessageHeader: {
        ProtocolVersion: '3.0',
        MessageClass: 'Service',
        MessageCategory: 'Payment',
        MessageType: 'Request',
        ServiceID: serviceId,
        SaleID: SALE_ID,
        POIID: SIMULATED_POI_ID,
      },
      PaymentRequest: {
        SaleData: {
          SaleTransactionID: { TransactionID: transactionId, TimeStamp: new Date().toISOString() },
        },
        PaymentTransaction: { AmountsReq: { Currency: 'EUR', RequestedAmount: amount } },
      },
    },
  } as unknown as AdyenModule.Types.terminal.TerminalApiRequest;
}

async function listenOn8443(): Promise<NexoTerminalSimulatorHandle> {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const octet = (): number => 1 + Math.floor(Math.random() * 250);
    const host = `127.${octet()}.${octet()}.${octet()}`;
    try {
      return await startNexoTerminalSimulator({ host, port: 8443, behaviour: { processingMs: 10 } });
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EADDRINUSE')) throw error;
    }
  }
  throw new Error('no free 127.x.y.z:8443 found');
}

describe('key derivation and sealing agree with Adyen NexoCrypto', () => {
  it('derives the same key material as Adyen', async () => {
    interface Generator {
      deriveKeyMaterial(passphrase: string): { hmacKey: Buffer; cipherKey: Buffer; iv: Buffer };
    }
    // A CommonJS module with `exports.default`: depending on the interop, one or two `default`s deep.
    const loaded =
      (await import('@adyen/api-library/lib/src/security/nexoDerivedKeyGenerator.js')) as unknown as {
        default: Generator | { default: Generator };
      };
    const generator = 'deriveKeyMaterial' in loaded.default ? loaded.default : loaded.default.default;
    const theirs = generator.deriveKeyMaterial('omnitill-test-passphrase');
    const ours = deriveNexoKey('omnitill-test-passphrase');
    expect(Buffer.from(ours.hmacKey).equals(theirs.hmacKey)).toBe(true);
    expect(Buffer.from(ours.cipherKey).equals(theirs.cipherKey)).toBe(true);
    expect(Buffer.from(ours.iv).equals(theirs.iv)).toBe(true);
  });

  it('opens what Adyen sealed, and Adyen opens what we sealed', () => {
    const cipher = new NexoCipher(SIMULATOR_KEY);
    const message = {
      MessageHeader: {
        MessageCategory: 'Payment',
        ServiceID: 'X1',
        SaleID: SALE_ID,
        POIID: SIMULATED_POI_ID,
      },
      PaymentResponse: { Response: { Result: 'Success' } },
    };
    const header = message.MessageHeader as unknown as AdyenModule.Types.terminal.MessageHeader;
    const theirs = NexoCrypto.encrypt(header, JSON.stringify({ SaleToPOIResponse: message }), ADYEN_KEY);
    expect(
      cipher.open('SaleToPOIResponse', JSON.parse(JSON.stringify({ SaleToPOIResponse: theirs }))),
    ).toEqual(message);

    const ours = cipher.seal('SaleToPOIResponse', message).SaleToPOIResponse;
    const opened = new NexoCrypto().decrypt(
      ours as unknown as AdyenModule.Types.terminal.SaleToPOISecuredMessage,
      ADYEN_KEY,
    );
    expect(JSON.parse(opened)).toEqual({ SaleToPOIResponse: message });
  });
});

describe("Adyen's TerminalLocalAPI against our terminal simulator", () => {
  let handle: NexoTerminalSimulatorHandle;
  let api: InstanceType<typeof TerminalLocalAPI>;

  beforeAll(async () => {
    handle = await listenOn8443();
    const client = new Client(
      new Config({
        apiKey: SIMULATOR_API_KEY,
        environment: EnvironmentEnum.TEST,
        certificatePath: handle.certificate.certPath,
        terminalApiLocalEndpoint: `https://${handle.host}`,
        connectionTimeoutMillis: 5000,
      }),
    );
    api = new TerminalLocalAPI(client);
  });

  afterAll(async () => {
    await handle.close();
  });

  it('completes a payment: approved, and charged exactly once', async () => {
    const response = await api.request(adyenPaymentRequest('A0001', 'sale-4711', 12.34), ADYEN_KEY);
    const payment = response.SaleToPOIResponse?.PaymentResponse;
    expect(payment?.Response.Result).toBe('Success');
    expect(payment?.PaymentResult?.AmountsResp?.AuthorizedAmount).toBe(12.34);
    expect(payment?.PaymentResult?.AmountsResp?.Currency).toBe('EUR');
    expect(payment?.SaleData.SaleTransactionID.TransactionID).toBe('sale-4711');
    expect(payment?.PaymentResult?.PaymentInstrumentData?.CardData?.MaskedPan).toBe('541333******9999');
    expect(response.SaleToPOIResponse?.MessageHeader.ServiceID).toBe('A0001');
    expect(handle.simulator.ledger).toEqual([
      expect.objectContaining({
        kind: 'sale',
        transactionId: 'sale-4711',
        amount: 1234,
        currency: 'EUR',
        reversed: false,
      }),
    ]);
  });

  it('reads a decline', async () => {
    handle.simulator.decline();
    try {
      const response = await api.request(adyenPaymentRequest('A0002', 'sale-4712', 5), ADYEN_KEY);
      const result = response.SaleToPOIResponse?.PaymentResponse?.Response;
      expect(result?.Result).toBe('Failure');
      expect(result?.ErrorCondition).toBe('Refusal');
      expect(handle.simulator.chargedCount('sale-4712')).toBe(0);
    } finally {
      handle.simulator.approve();
    }
  });

  it('asks the transaction status of an earlier payment and gets the repeated response', async () => {
    const request = {
      SaleToPOIRequest: {
        MessageHeader: {
          ProtocolVersion: '3.0',
          MessageClass: 'Service',
          MessageCategory: 'TransactionStatus',
          MessageType: 'Request',
          ServiceID: 'A0003',
          SaleID: SALE_ID,
          POIID: SIMULATED_POI_ID,
        },
        TransactionStatusRequest: {
          MessageReference: { MessageCategory: 'Payment', SaleID: SALE_ID, ServiceID: 'A0001' },
        },
      },
    } as unknown as AdyenModule.Types.terminal.TerminalApiRequest;
    const response = await api.request(request, ADYEN_KEY);
    const status = response.SaleToPOIResponse?.TransactionStatusResponse;
    expect(status?.Response.Result).toBe('Success');
    const repeated = status?.RepeatedMessageResponse?.RepeatedResponseMessageBody.PaymentResponse;
    expect(repeated?.SaleData.SaleTransactionID.TransactionID).toBe('sale-4711');
    expect(repeated?.PaymentResult?.AmountsResp?.AuthorizedAmount).toBe(12.34);
  });

  it('is refused with a wrong passphrase (the simulator cannot open the message)', async () => {
    await expect(
      api.request(adyenPaymentRequest('A0004', 'sale-4713', 1), adyenKey('wrong passphrase')),
    ).rejects.toThrow();
    expect(handle.simulator.chargedCount('sale-4713')).toBe(0);
  });
});

describe('our client against a terminal built from Adyen NexoCrypto and ObjectSerializer', () => {
  let certificate: TerminalCertificate;
  let server: Server;
  let port: number;
  const seen: { path?: string; apiKey?: string; request?: AdyenModule.Types.terminal.TerminalApiRequest } =
    {};

  beforeAll(async () => {
    certificate = await createTerminalCertificate();
    server = createServer({ cert: certificate.certPem, key: certificate.keyPem }, (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen.path = request.url ?? '';
        seen.apiKey = String(request.headers['x-api-key']);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          SaleToPOIRequest: AdyenModule.Types.terminal.SaleToPOISecuredMessage;
        };
        const plain = new NexoCrypto().decrypt(body.SaleToPOIRequest, ADYEN_KEY);
        const terminalRequest = ObjectSerializer.deserialize(
          JSON.parse(plain),
          'TerminalApiRequest',
        ) as AdyenModule.Types.terminal.TerminalApiRequest;
        seen.request = terminalRequest;
        const header = terminalRequest.SaleToPOIRequest.MessageHeader;
        const payment = terminalRequest.SaleToPOIRequest.PaymentRequest;
        const responseHeader = { ...(JSON.parse(JSON.stringify(header)) as object), MessageType: 'Response' };
        const terminalResponse = ObjectSerializer.serialize(
          {
            SaleToPOIResponse: {
              MessageHeader: responseHeader,
              PaymentResponse: {
                Response: { Result: 'Success' },
                SaleData: { SaleTransactionID: payment?.SaleData.SaleTransactionID },
                POIData: {
                  POITransactionID: {
                    TransactionID: 'ADY0001.8815658961765250',
                    TimeStamp: '2026-01-02T10:00:00.000Z',
                  },
                },
                PaymentResult: {
                  PaymentInstrumentData: {
                    PaymentInstrumentType: 'Card',
                    CardData: { PaymentBrand: 'visa', MaskedPan: '411111******1111' },
                  },
                  AmountsResp: {
                    AuthorizedAmount: payment?.PaymentTransaction.AmountsReq.RequestedAmount,
                    Currency: payment?.PaymentTransaction.AmountsReq.Currency,
                  },
                  PaymentAcquirerData: {
                    ApprovalCode: '123456',
                    AcquirerPOIID: SIMULATED_POI_ID,
                    MerchantID: 'TestMerchant',
                  },
                },
              },
            },
          },
          'TerminalApiResponse',
        ) as unknown;
        const secured = NexoCrypto.encrypt(
          responseHeader as unknown as AdyenModule.Types.terminal.MessageHeader,
          JSON.stringify(terminalResponse),
          ADYEN_KEY,
        );
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ SaleToPOIResponse: secured }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    port = address.port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
    await certificate.remove();
  });

  const client = (): NexoLocalClient =>
    new NexoLocalClient({
      host: '127.0.0.1',
      port,
      apiKey: 'our-api-key',
      ca: certificate.certPem,
      parties: { saleId: SALE_ID, poiId: SIMULATED_POI_ID },
      environment: 'test',
      key: SIMULATOR_KEY,
      connectTimeoutMs: 2000,
    });

  it('sends a payment Adyen decodes exactly, and reads the answer Adyen encoded', async () => {
    const request = paymentRequest({
      parties: { saleId: SALE_ID, poiId: SIMULATED_POI_ID },
      serviceId: 'S000000001',
      transaction: { TransactionID: 'sale-99', TimeStamp: '2026-01-02T09:59:59.000Z' },
      kind: 'sale',
      amount: 1999,
      currency: 'EUR',
    });
    const answer = await client().exchange(request, { timeoutMs: 5000 });
    expect(seen.path).toBe('/nexo/');
    expect(seen.apiKey).toBe('our-api-key');
    expect(seen.request?.SaleToPOIRequest.MessageHeader).toMatchObject({
      MessageCategory: 'Payment',
      MessageClass: 'Service',
      MessageType: 'Request',
      ServiceID: 'S000000001',
      SaleID: SALE_ID,
      POIID: SIMULATED_POI_ID,
    });
    expect(seen.request?.SaleToPOIRequest.PaymentRequest?.PaymentTransaction.AmountsReq).toEqual({
      Currency: 'EUR',
      RequestedAmount: 19.99,
    });
    expect(
      interpretPaymentResponse(answer, { transactionId: 'sale-99', amount: 1999, currency: 'EUR' }),
    ).toEqual({
      result: 'approved',
      amount: 1999,
      poiTransaction: { TransactionID: 'ADY0001.8815658961765250', TimeStamp: '2026-01-02T10:00:00.000Z' },
      reference: 'ADY0001.8815658961765250',
      authCode: '123456',
      cardBrand: 'visa',
      cardLast4: '1111',
    });
  });

  it('runs a whole sale through the payment terminal device', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'omnitill-interop-'));
    const store = await PaymentIntentStore.open({ dataDir });
    const device = new NexoPaymentTerminal('adyen-built', new NexoLinkTransport(client()), {
      parties: { saleId: SALE_ID, poiId: SIMULATED_POI_ID },
      paymentTimeoutMs: 5000,
      statusTimeoutMs: 2000,
      recoveryRetry: { initialDelayMs: 50, maxDelayMs: 200, factor: 2 },
      cancelSettleMs: 100,
    });
    device.attachIntentStore(store);
    try {
      await device.open();
      await device.claim();
      await device.enable();
      expect(
        (await device.authorizeSale({ paymentId: 'pay-interop-1', amount: 4250, currency: 'EUR' })).state,
      ).toBe('pending');
      expect(await device.settled('pay-interop-1', 5000)).toEqual({
        paymentId: 'pay-interop-1',
        state: 'approved',
        amount: 4250,
        currency: 'EUR',
        authCode: '123456',
        cardBrand: 'visa',
        cardLast4: '1111',
        reference: 'ADY0001.8815658961765250',
        message: 'Approved.',
      });
      expect(
        seen.request?.SaleToPOIRequest.PaymentRequest?.PaymentTransaction.AmountsReq.RequestedAmount,
      ).toBe(42.5);
    } finally {
      await device.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses the terminal when its certificate names another terminal', async () => {
    const other = new NexoLocalClient({
      ...client().config,
      parties: { saleId: SALE_ID, poiId: 'P400Plus-000000001' },
    });
    await expect(other.probe()).rejects.toMatchObject({
      code: 'access_denied',
      params: { stage: 'not_sent' },
    });
  });

  it('refuses the terminal when it is a test terminal and the till expects a live one', async () => {
    const live = new NexoLocalClient({ ...client().config, environment: 'live' });
    await expect(live.probe()).rejects.toMatchObject({ code: 'access_denied' });
  });

  it('refuses a certificate that does not chain to the configured CA', async () => {
    const stranger = await createTerminalCertificate();
    try {
      const untrusting = new NexoLocalClient({ ...client().config, ca: stranger.certPem });
      await expect(untrusting.probe()).rejects.toMatchObject({ code: 'access_denied' });
    } finally {
      await stranger.remove();
    }
  });
});
