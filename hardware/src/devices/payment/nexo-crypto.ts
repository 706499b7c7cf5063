/**
 * Message protection of the Adyen Terminal API in local mode ("NexoCrypto"), written from the
 * published description (docs.adyen.com, "Derive an encryption key" and "Encrypt and decrypt
 * messages"; research/hardware-anchors.md §3.1), not from Adyen's code:
 *
 * - Key material: PBKDF2-HMAC-SHA1 over the shared passphrase, salt "AdyenNexoV1Salt", 4000 rounds,
 *   80 bytes, laid out as HMAC key (32), cipher key (32), IV (16).
 * - Each message: a fresh random nonce as long as the IV; the whole JSON message (with its
 *   `SaleToPOIRequest` / `SaleToPOIResponse` wrapper) is encrypted with AES-256-CBC under the cipher
 *   key and IV = derived IV XOR nonce, and authenticated with HMAC-SHA256 over the plaintext.
 * - On the wire the body becomes `{ <wrapper>: { MessageHeader, NexoBlob, SecurityTrailer } }`, with
 *   the header in clear for routing, the blob, nonce and HMAC in Base64.
 *
 * Opening checks, in order: crypto version, key identity, Base64, decryption, HMAC (constant time,
 * on the decrypted bytes), JSON, and that the clear header equals the encrypted one (so the routing
 * header cannot be swapped). Every failure is a NexoCryptoError; nothing is trusted before the HMAC.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  pbkdf2Sync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

export const NEXO_KEY_SALT = 'AdyenNexoV1Salt';
export const NEXO_KEY_ROUNDS = 4000;
export const NEXO_CRYPTO_VERSION = 1;
const HMAC_KEY_LENGTH = 32;
const CIPHER_KEY_LENGTH = 32;
const IV_LENGTH = 16;
const HMAC_LENGTH = 32;

/** The shared key as configured on the terminal (Customer Area: key identifier, version, passphrase). */
export interface NexoSecurityKey {
  readonly keyIdentifier: string;
  readonly keyVersion: number;
  readonly passphrase: string;
  /** 1 unless Adyen says otherwise. */
  readonly cryptoVersion?: number;
}

export interface NexoDerivedKey {
  readonly hmacKey: Uint8Array;
  readonly cipherKey: Uint8Array;
  readonly iv: Uint8Array;
}

export interface NexoSecurityTrailer {
  readonly AdyenCryptoVersion: number;
  readonly KeyIdentifier: string;
  readonly KeyVersion: number;
  readonly Nonce: string;
  readonly Hmac: string;
}

export interface NexoSecuredMessage {
  readonly MessageHeader: Readonly<Record<string, unknown>>;
  readonly NexoBlob: string;
  readonly SecurityTrailer: NexoSecurityTrailer;
}

export type NexoWrapper = 'SaleToPOIRequest' | 'SaleToPOIResponse';

export type NexoCryptoFailure =
  | 'not_secured'
  | 'crypto_version'
  | 'key_mismatch'
  | 'encoding'
  | 'decrypt'
  | 'hmac'
  | 'json'
  | 'header_mismatch';

/** A message that cannot be opened. Its text never contains key material or plaintext. */
export class NexoCryptoError extends Error {
  override readonly name = 'NexoCryptoError';

  constructor(
    readonly failure: NexoCryptoFailure,
    message: string,
  ) {
    super(message);
  }
}

export function deriveNexoKey(passphrase: string): NexoDerivedKey {
  if (passphrase.length === 0) throw new RangeError('the nexo passphrase must not be empty');
  const material = pbkdf2Sync(
    Buffer.from(passphrase, 'utf8'),
    Buffer.from(NEXO_KEY_SALT, 'ascii'),
    NEXO_KEY_ROUNDS,
    HMAC_KEY_LENGTH + CIPHER_KEY_LENGTH + IV_LENGTH,
    'sha1',
  );
  return {
    hmacKey: material.subarray(0, HMAC_KEY_LENGTH),
    cipherKey: material.subarray(HMAC_KEY_LENGTH, HMAC_KEY_LENGTH + CIPHER_KEY_LENGTH),
    iv: material.subarray(HMAC_KEY_LENGTH + CIPHER_KEY_LENGTH),
  };
}

/** One shared key, derived once; seals and opens messages with it. */
export class NexoCipher {
  readonly #key: NexoSecurityKey;
  readonly #derived: NexoDerivedKey;
  readonly #cryptoVersion: number;

  constructor(key: NexoSecurityKey) {
    if (key.keyIdentifier.length === 0) throw new RangeError('the nexo key identifier must not be empty');
    if (!Number.isSafeInteger(key.keyVersion) || key.keyVersion < 0) {
      throw new RangeError(`the nexo key version must be a whole number: ${key.keyVersion}`);
    }
    this.#key = key;
    this.#cryptoVersion = key.cryptoVersion ?? NEXO_CRYPTO_VERSION;
    this.#derived = deriveNexoKey(key.passphrase);
  }

  get keyIdentifier(): string {
    return this.#key.keyIdentifier;
  }

  get keyVersion(): number {
    return this.#key.keyVersion;
  }

  /**
   * Encrypts `message` (the object under the wrapper, MessageHeader included) into the body to POST
   * or answer. `nonce` is for test vectors only; every real message gets a fresh random one.
   */
  seal<W extends NexoWrapper>(
    wrapper: W,
    message: { readonly MessageHeader: object },
    nonce: Uint8Array = randomBytes(IV_LENGTH),
  ): Readonly<Record<W, NexoSecuredMessage>> {
    const plaintext = Buffer.from(JSON.stringify({ [wrapper]: message }), 'utf8');
    const secured = this.sealBytes(message.MessageHeader, plaintext, nonce);
    // A computed key loses its literal type; the object has exactly the key `wrapper`.
    return { [wrapper]: secured } as Readonly<Record<W, NexoSecuredMessage>>;
  }

  /** The low-level half of `seal`: the secured message for exactly these plaintext bytes. */
  sealBytes(
    header: object,
    plaintext: Uint8Array,
    nonce: Uint8Array = randomBytes(IV_LENGTH),
  ): NexoSecuredMessage {
    if (nonce.length !== IV_LENGTH) throw new RangeError(`the nonce must be ${IV_LENGTH} bytes`);
    const cipher = createCipheriv('aes-256-cbc', this.#derived.cipherKey, this.#messageIv(nonce));
    const blob = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const hmac = createHmac('sha256', this.#derived.hmacKey).update(plaintext).digest();
    return {
      MessageHeader: { ...header },
      NexoBlob: blob.toString('base64'),
      SecurityTrailer: {
        AdyenCryptoVersion: this.#cryptoVersion,
        KeyIdentifier: this.#key.keyIdentifier,
        KeyVersion: this.#key.keyVersion,
        Nonce: Buffer.from(nonce).toString('base64'),
        Hmac: hmac.toString('base64'),
      },
    };
  }

  /**
   * Opens a body received from the peer: `{ <wrapper>: { MessageHeader, NexoBlob, SecurityTrailer } }`.
   * Returns the decrypted message under the wrapper (MessageHeader and the payload), after every
   * check in the module comment.
   */
  open(wrapper: NexoWrapper, body: unknown): Readonly<Record<string, unknown>> {
    const secured = field(body, wrapper);
    const header = field(secured, 'MessageHeader');
    const blob = field(secured, 'NexoBlob');
    const trailer = field(secured, 'SecurityTrailer');
    if (!isRecord(header) || typeof blob !== 'string' || !isRecord(trailer)) {
      throw new NexoCryptoError('not_secured', `The message is not an encrypted ${wrapper}.`);
    }
    const plaintext = this.openBytes(blob, trailer);
    let json: unknown;
    try {
      json = JSON.parse(plaintext.toString('utf8'));
    } catch {
      throw new NexoCryptoError('json', 'The decrypted message is not JSON.');
    }
    const inner = field(json, wrapper);
    if (!isRecord(inner)) {
      throw new NexoCryptoError('json', `The decrypted message has no ${wrapper}.`);
    }
    if (!sameHeader(header, inner.MessageHeader)) {
      throw new NexoCryptoError(
        'header_mismatch',
        'The clear message header differs from the encrypted one; the message was tampered with.',
      );
    }
    return inner;
  }

  /** Decrypts and authenticates one blob; returns the plaintext bytes. */
  openBytes(blob: string, trailer: Readonly<Record<string, unknown>>): Buffer {
    const { AdyenCryptoVersion, KeyIdentifier, KeyVersion, Nonce, Hmac } = trailer;
    if (AdyenCryptoVersion !== this.#cryptoVersion) {
      throw new NexoCryptoError(
        'crypto_version',
        `The message uses crypto version ${String(AdyenCryptoVersion)}, not ${this.#cryptoVersion}.`,
      );
    }
    if (KeyIdentifier !== this.#key.keyIdentifier || KeyVersion !== this.#key.keyVersion) {
      throw new NexoCryptoError(
        'key_mismatch',
        `The message is encrypted with key "${String(KeyIdentifier)}" version ${String(KeyVersion)}, not the configured "${this.#key.keyIdentifier}" version ${this.#key.keyVersion}.`,
      );
    }
    const nonce = base64(Nonce, 'Nonce');
    const mac = base64(Hmac, 'Hmac');
    const ciphertext = base64(blob, 'NexoBlob');
    if (nonce.length !== IV_LENGTH || mac.length !== HMAC_LENGTH || ciphertext.length === 0) {
      throw new NexoCryptoError('encoding', 'The security trailer has a nonce or HMAC of the wrong length.');
    }
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.#derived.cipherKey, this.#messageIv(nonce));
      plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      // Bad padding: a wrong key or a damaged blob. The HMAC check below would fail as well.
      throw new NexoCryptoError('decrypt', 'The message could not be decrypted (wrong key or damaged).');
    }
    const expected = createHmac('sha256', this.#derived.hmacKey).update(plaintext).digest();
    if (!timingSafeEqual(expected, mac)) {
      throw new NexoCryptoError('hmac', 'The message failed its integrity check (HMAC).');
    }
    return plaintext;
  }

  #messageIv(nonce: Uint8Array): Buffer {
    const iv = Buffer.alloc(IV_LENGTH);
    for (let i = 0; i < IV_LENGTH; i += 1) iv[i] = (this.#derived.iv[i] ?? 0) ^ (nonce[i] ?? 0);
    return iv;
  }
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function base64(value: unknown, name: string): Buffer {
  if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value)) {
    throw new NexoCryptoError('encoding', `The ${name} of the message is not Base64.`);
  }
  return Buffer.from(value, 'base64');
}

/** Field-by-field equality of two headers (flat objects of strings). */
function sameHeader(clear: Readonly<Record<string, unknown>>, inner: unknown): boolean {
  if (!isRecord(inner)) return false;
  const keys = new Set([...Object.keys(clear), ...Object.keys(inner)]);
  for (const key of keys) if (clear[key] !== inner[key]) return false;
  return true;
}
