/**
 * Vectors computed with the openssl command line, independently of this code:
 *   openssl kdf -keylen 80 -kdfopt digest:SHA1 -kdfopt pass:omnitill-test-passphrase \
 *     -kdfopt salt:AdyenNexoV1Salt -kdfopt iter:4000 PBKDF2
 *   openssl enc -aes-256-cbc -K <cipher key> -iv <iv XOR nonce> -in plaintext | base64
 *   openssl dgst -sha256 -mac HMAC -macopt hexkey:<hmac key> -binary plaintext | base64
 * (Interop with Adyen's own NexoCrypto is in nexo-interop.test.ts.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NexoCipher, NexoCryptoError, deriveNexoKey, type NexoSecurityKey } from './nexo-crypto.ts';

const KEY: NexoSecurityKey = {
  keyIdentifier: 'OmnitillTest',
  keyVersion: 3,
  passphrase: 'omnitill-test-passphrase',
};
const NONCE = Uint8Array.from({ length: 16 }, (_, i) => i);
const PLAINTEXT = '{"SaleToPOIRequest":{"MessageHeader":{"ServiceID":"1"}}}';
const SEALED_MESSAGE = { MessageHeader: { ServiceID: 'S' }, PaymentResponse: {} };
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('deriveNexoKey', () => {
  it('derives HMAC key, cipher key and IV (in that order) with PBKDF2-SHA1, the Adyen salt and 4000 rounds', () => {
    const key = deriveNexoKey('omnitill-test-passphrase');
    expect(hex(key.hmacKey)).toBe('07ea51342b16f09513e6b4ba20ff4e8474dd43d538bae1ae5dbb072f0fb2f01f');
    expect(hex(key.cipherKey)).toBe('bbe6b09bbc89df454e0b6666bdec35ba6ea56ea2ccc26a3f4d2ad4ef1617705a');
    expect(hex(key.iv)).toBe('b10c9a6fa2ad338b1c856f06cd4c9e0f');
  });

  it('refuses an empty passphrase', () => {
    expect(() => deriveNexoKey('')).toThrow(RangeError);
  });
});

describe('NexoCipher', () => {
  const cipher = new NexoCipher(KEY);

  it('encrypts with AES-256-CBC under IV XOR nonce and authenticates the plaintext with HMAC-SHA256', () => {
    const secured = cipher.sealBytes({ ServiceID: '1' }, Buffer.from(PLAINTEXT), NONCE);
    expect(secured).toEqual({
      MessageHeader: { ServiceID: '1' },
      NexoBlob: 'ZcvfxnTsoauhfWs1CMrnGNtFbq8FF3eY++qpEWzldh5Vo9iarYZ8NkZRLtvnDV9U/NZw73ahBTN1lCYPeKyIfA==',
      SecurityTrailer: {
        AdyenCryptoVersion: 1,
        KeyIdentifier: 'OmnitillTest',
        KeyVersion: 3,
        Nonce: 'AAECAwQFBgcICQoLDA0ODw==',
        Hmac: 'EUwf77X4U0vo52rNQSPhNanHMsHUrQ6UCwU3y3lC/kY=',
      },
    });
  });

  it('seals the whole message with its wrapper and opens it again', () => {
    const message = { MessageHeader: { ServiceID: 'A1', SaleID: 'till-1' }, PaymentRequest: { x: 1 } };
    const body = cipher.seal('SaleToPOIRequest', message);
    expect(Object.keys(body)).toEqual(['SaleToPOIRequest']);
    expect(body.SaleToPOIRequest.MessageHeader).toEqual(message.MessageHeader);
    expect(JSON.stringify(body)).not.toContain('PaymentRequest');
    expect(cipher.open('SaleToPOIRequest', JSON.parse(JSON.stringify(body)))).toEqual(message);
  });

  it('uses a fresh nonce for every message', () => {
    const message = { MessageHeader: { ServiceID: 'A1' } };
    const a = cipher.seal('SaleToPOIResponse', message).SaleToPOIResponse;
    const b = cipher.seal('SaleToPOIResponse', message).SaleToPOIResponse;
    expect(a.SecurityTrailer.Nonce).not.toBe(b.SecurityTrailer.Nonce);
    expect(a.NexoBlob).not.toBe(b.NexoBlob);
  });

  it('round-trips any JSON message (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.jsonValue(), (serviceId, payload) => {
        const message = { MessageHeader: { ServiceID: serviceId }, Body: payload };
        const opened = cipher.open(
          'SaleToPOIResponse',
          JSON.parse(JSON.stringify(cipher.seal('SaleToPOIResponse', message))),
        );
        expect(opened).toEqual(JSON.parse(JSON.stringify(message)));
      }),
      { numRuns: 50 },
    );
  });

  const sealed = (): {
    SaleToPOIResponse: Record<string, unknown> & { SecurityTrailer: Record<string, unknown> };
  } =>
    JSON.parse(JSON.stringify(cipher.seal('SaleToPOIResponse', SEALED_MESSAGE))) as {
      SaleToPOIResponse: Record<string, unknown> & { SecurityTrailer: Record<string, unknown> };
    };

  it.each<[string, (body: ReturnType<typeof sealed>) => unknown, string]>([
    [
      'a plain (unencrypted) message',
      () => ({ SaleToPOIResponse: { MessageHeader: {}, PaymentResponse: {} } }),
      'not_secured',
    ],
    ['another wrapper', (body) => ({ SaleToPOIRequest: body.SaleToPOIResponse }), 'not_secured'],
    [
      'another crypto version',
      (body) => ((body.SaleToPOIResponse.SecurityTrailer.AdyenCryptoVersion = 2), body),
      'crypto_version',
    ],
    [
      'another key',
      (body) => ((body.SaleToPOIResponse.SecurityTrailer.KeyIdentifier = 'Other'), body),
      'key_mismatch',
    ],
    [
      'another key version',
      (body) => ((body.SaleToPOIResponse.SecurityTrailer.KeyVersion = 4), body),
      'key_mismatch',
    ],
    [
      'a nonce that is not Base64',
      (body) => ((body.SaleToPOIResponse.SecurityTrailer.Nonce = '!!!!'), body),
      'encoding',
    ],
    ['a short nonce', (body) => ((body.SaleToPOIResponse.SecurityTrailer.Nonce = 'AAEC'), body), 'encoding'],
    [
      'a flipped HMAC bit',
      (body) => {
        const mac = Buffer.from(String(body.SaleToPOIResponse.SecurityTrailer.Hmac), 'base64');
        mac[0] = (mac[0] ?? 0) ^ 1;
        body.SaleToPOIResponse.SecurityTrailer.Hmac = mac.toString('base64');
        return body;
      },
      'hmac',
    ],
    [
      'another nonce (decrypts to other bytes)',
      (body) => (
        (body.SaleToPOIResponse.SecurityTrailer.Nonce = Buffer.alloc(16, 7).toString('base64')),
        body
      ),
      'hmac',
    ],
    [
      'a swapped clear header',
      (body) => ((body.SaleToPOIResponse.MessageHeader = { ServiceID: 'OTHER' }), body),
      'header_mismatch',
    ],
  ])('refuses %s', (_name, tamper, failure) => {
    let caught: unknown;
    try {
      cipher.open('SaleToPOIResponse', tamper(sealed()));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(NexoCryptoError);
    expect((caught as NexoCryptoError).failure).toBe(failure);
  });

  it('refuses a message sealed with another passphrase', () => {
    const other = new NexoCipher({ ...KEY, passphrase: 'another passphrase' });
    const body = other.seal('SaleToPOIResponse', { MessageHeader: { ServiceID: 'S' } });
    expect(() => cipher.open('SaleToPOIResponse', body)).toThrow(NexoCryptoError);
  });
});
