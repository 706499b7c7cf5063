/**
 * The Terminal API local-mode client: one HTTPS POST to `https://<terminal>:8443/nexo/` per message,
 * header `x-api-key`, body encrypted with NexoCrypto (nexo-crypto.ts), answer decrypted and checked
 * to be the answer to what was asked (category, ServiceID, SaleID, POIID).
 *
 * Trust: the terminal's certificate must chain to the configured CA (Adyen's terminal root in the
 * field, the simulator's own certificate in tests), and its Common Name must be the terminal's:
 * `<POIID>.<test|live>.terminal.adyen.com` (or Adyen's `legacy-terminal-certificate`). The host name
 * is not checked (terminals are reached by LAN address, which no certificate names).
 *
 * Every failure is a DeviceError whose `params.stage` says what the till knows: `not_sent` when the
 * message provably never reached the terminal (no TLS session was ever established, or the terminal
 * refused the API key), `unknown` otherwise — the terminal may have acted on it, so the caller must
 * ask (TransactionStatus) before it concludes anything.
 */
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { DeviceError, capitalize, errorText, systemErrorCode } from '../../device/errors.ts';
import { BaseTransport } from '../../transports/transport.ts';
import { NexoCipher, NexoCryptoError, type NexoSecurityKey } from './nexo-crypto.ts';
import {
  NexoProtocolError,
  NexoResponseHeaderSchema,
  RESPONSE_BODY,
  type NexoParties,
  type SaleToPOIRequest,
} from './nexo-messages.ts';

export const NEXO_LOCAL_PORT = 8443;
export const NEXO_LOCAL_PATH = '/nexo/';
/** A terminal's answers are a few kilobytes; anything this large is not one. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

export type TerminalEnvironment = 'test' | 'live';

/** `params.stage` of a failed exchange. */
export type ExchangeStage = 'not_sent' | 'unknown';

export interface NexoClientConfig {
  readonly host: string;
  readonly port: number;
  readonly apiKey: string;
  /** PEM: the CA(s) the terminal's certificate must chain to. */
  readonly ca: string | Uint8Array;
  readonly parties: NexoParties;
  readonly environment: TerminalEnvironment;
  readonly key: NexoSecurityKey;
  readonly connectTimeoutMs: number;
}

export interface ExchangeOptions {
  /** The whole exchange, answer included (a payment waits for the customer). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

const TERMINAL_CN =
  /^([A-Za-z0-9]+-[A-Za-z0-9]+|legacy-terminal-certificate)\.(test|live)\.terminal\.adyen\.com$/;

/**
 * The `checkServerIdentity` for a terminal: the CN must be this terminal's (or Adyen's legacy
 * certificate) in this environment. Returns an Error to refuse, as Node expects.
 */
export function terminalIdentityCheck(
  poiId: string,
  environment: TerminalEnvironment,
): (host: string, certificate: PeerCertificate) => Error | undefined {
  return (_host, certificate) => {
    const cn = commonName(certificate);
    const match = cn === undefined ? null : TERMINAL_CN.exec(cn);
    if (match === null) {
      return new TerminalIdentityError(`the certificate's name "${cn ?? ''}" is not a payment terminal's`);
    }
    const [, who, env] = match;
    if (env !== environment) {
      return new TerminalIdentityError(
        `the certificate is for a ${env ?? '?'} terminal, not a ${environment} one`,
      );
    }
    if (who !== 'legacy-terminal-certificate' && who !== poiId) {
      return new TerminalIdentityError(`the certificate belongs to terminal ${who ?? '?'}, not ${poiId}`);
    }
    return undefined;
  };
}

class TerminalIdentityError extends Error {
  override readonly name = 'TerminalIdentityError';
  readonly code = 'ERR_TERMINAL_IDENTITY';
}

function commonName(certificate: PeerCertificate): string | undefined {
  // Node types the subject's fields as string, but a certificate may repeat CN (an array at runtime).
  const cn: unknown = (certificate.subject as unknown as Record<string, unknown> | undefined)?.CN;
  if (typeof cn === 'string') return cn;
  if (Array.isArray(cn) && cn.length === 1 && typeof cn[0] === 'string') return cn[0];
  return undefined;
}

export class NexoLocalClient {
  readonly #cipher: NexoCipher;
  readonly #checkIdentity: (host: string, certificate: PeerCertificate) => Error | undefined;
  readonly description: string;

  constructor(readonly config: NexoClientConfig) {
    this.#cipher = new NexoCipher(config.key);
    this.#checkIdentity = terminalIdentityCheck(config.parties.poiId, config.environment);
    this.description = `payment terminal ${config.parties.poiId} at ${config.host}:${config.port}`;
  }

  /**
   * Sends one request and returns the body of its answer (e.g. the PaymentResponse object), or null
   * when the terminal answers with an empty body (it does for AbortRequest).
   */
  async exchange(
    request: SaleToPOIRequest,
    options: ExchangeOptions,
  ): Promise<Readonly<Record<string, unknown>> | null> {
    const body = JSON.stringify(this.#cipher.seal('SaleToPOIRequest', request));
    const text = await this.#post(body, options);
    if (text.trim() === '') return null;
    try {
      return this.#read(request, text);
    } catch (error) {
      if (error instanceof NexoCryptoError || error instanceof NexoProtocolError) {
        throw this.#error(
          'protocol',
          `The ${this.description} sent an answer the till cannot use: ${error.message}`,
          'unknown',
          error,
        );
      }
      throw error;
    }
  }

  /** Opens a TLS session (certificate and identity checked) and closes it: is the terminal there? */
  probe(timeoutMs = this.config.connectTimeoutMs): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({
        host: this.config.host,
        port: this.config.port,
        ca: toCa(this.config.ca),
        checkServerIdentity: this.#checkIdentity,
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          this.#error(
            'timeout',
            `The ${this.description} did not answer within ${timeoutMs} ms.`,
            'not_sent',
          ),
        );
      }, timeoutMs);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.end();
        socket.destroy();
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(this.#beforeConnect(error));
      });
    });
  }

  #read(request: SaleToPOIRequest, text: string): Readonly<Record<string, unknown>> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new NexoProtocolError('the answer is not JSON');
    }
    const inner = this.#cipher.open('SaleToPOIResponse', json);
    const header = NexoResponseHeaderSchema.safeParse(inner.MessageHeader);
    const sent = request.MessageHeader;
    if (
      !header.success ||
      header.data.MessageType !== 'Response' ||
      header.data.MessageCategory !== sent.MessageCategory ||
      header.data.ServiceID !== sent.ServiceID ||
      (header.data.SaleID !== undefined &&
        header.data.SaleID !== null &&
        header.data.SaleID !== sent.SaleID) ||
      (header.data.POIID !== undefined && header.data.POIID !== null && header.data.POIID !== sent.POIID)
    ) {
      throw new NexoProtocolError('the answer is not the answer to the message the till sent');
    }
    const responseBody = inner[RESPONSE_BODY[sent.MessageCategory]];
    if (typeof responseBody !== 'object' || responseBody === null || Array.isArray(responseBody)) {
      throw new NexoProtocolError(`the answer has no ${RESPONSE_BODY[sent.MessageCategory]}`);
    }
    return responseBody as Readonly<Record<string, unknown>>;
  }

  #post(body: string, options: ExchangeOptions): Promise<string> {
    const { timeoutMs, signal } = options;
    return new Promise((resolve, reject) => {
      let connected = false;
      let done = false;
      const finish = (error: DeviceError | undefined, text = ''): void => {
        if (done) return;
        done = true;
        clearTimeout(deadline);
        clearTimeout(connectDeadline);
        signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve(text);
        else {
          request.destroy();
          reject(error);
        }
      };
      const request = httpsRequest({
        host: this.config.host,
        port: this.config.port,
        method: 'POST',
        path: NEXO_LOCAL_PATH,
        // One connection per message: a dropped connection then means exactly one message is in doubt.
        agent: false,
        ca: toCa(this.config.ca),
        checkServerIdentity: this.#checkIdentity,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-api-key': this.config.apiKey,
        },
      });
      const onAbort = (): void => {
        finish(
          this.#error(
            'disabled',
            `The request to the ${this.description} was abandoned.`,
            connected ? 'unknown' : 'not_sent',
          ),
        );
      };
      if (signal?.aborted === true) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort);
      const connectDeadline = setTimeout(
        () => {
          if (!connected) {
            finish(
              this.#error(
                'timeout',
                `The ${this.description} did not accept a connection within ${this.config.connectTimeoutMs} ms.`,
                'not_sent',
              ),
            );
          }
        },
        Math.min(this.config.connectTimeoutMs, timeoutMs),
      );
      const deadline = setTimeout(() => {
        finish(
          this.#error(
            'timeout',
            `The ${this.description} did not answer within ${Math.round(timeoutMs / 1000)} s.`,
            connected ? 'unknown' : 'not_sent',
          ),
        );
      }, timeoutMs);
      request.on('socket', (socket) => {
        socket.once('secureConnect', () => {
          connected = true;
        });
      });
      request.on('error', (error) => {
        finish(connected ? this.#afterConnect(error) : this.#beforeConnect(error));
      });
      request.on('response', (response) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            finish(this.#error('protocol', `The ${this.description} sent an oversized answer.`, 'unknown'));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', (error) => {
          finish(this.#afterConnect(error));
        });
        response.on('aborted', () => {
          finish(this.#afterConnect(new Error('the answer was cut off')));
        });
        response.on('end', () => {
          if (status === 401 || status === 403) {
            finish(
              this.#error(
                'access_denied',
                `The ${this.description} refused the till's API key (HTTP ${status}). Check the key in the terminal's settings.`,
                'not_sent',
              ),
            );
            return;
          }
          if (status !== 200) {
            finish(this.#error('protocol', `The ${this.description} answered HTTP ${status}.`, 'unknown'));
            return;
          }
          finish(undefined, Buffer.concat(chunks).toString('utf8'));
        });
      });
      request.end(body);
    });
  }

  /** Nothing reached the terminal: no TLS session was established. */
  #beforeConnect(error: unknown): DeviceError {
    const code = systemErrorCode(error) ?? '';
    if (
      error instanceof TerminalIdentityError ||
      /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET|ALTNAME/.test(code)
    ) {
      return this.#error(
        'access_denied',
        `The ${this.description} presented a certificate the till does not trust (${error instanceof TerminalIdentityError ? error.message : code}). Check the terminal's address and the configured certificate.`,
        'not_sent',
        error,
      );
    }
    if (code === 'ETIMEDOUT') {
      return this.#error(
        'timeout',
        `The ${this.description} did not accept a connection in time.`,
        'not_sent',
        error,
      );
    }
    return this.#error(
      'offline',
      `The ${this.description} cannot be reached (${code === '' ? errorText(error) : code}). Check that it is on and on the store network.`,
      'not_sent',
      error,
    );
  }

  /** The TLS session was up: the terminal may have the message. */
  #afterConnect(error: unknown): DeviceError {
    return this.#error(
      'offline',
      `The connection to the ${this.description} broke before it answered (${systemErrorCode(error) ?? errorText(error)}).`,
      'unknown',
      error,
    );
  }

  #error(code: DeviceError['code'], message: string, stage: ExchangeStage, cause?: unknown): DeviceError {
    return new DeviceError(
      code,
      message,
      { stage, link: this.description },
      cause === undefined ? undefined : { cause },
    );
  }
}

function toCa(ca: string | Uint8Array): string | Buffer {
  return typeof ca === 'string' ? ca : Buffer.from(ca);
}

export function exchangeStage(error: unknown): ExchangeStage {
  return error instanceof DeviceError && error.params.stage === 'not_sent' ? 'not_sent' : 'unknown';
}

/**
 * The terminal as a BaseDevice link. HTTPS has no standing connection, so "open" is a TLS handshake
 * with the identity checks (the terminal is there and is the right one), and the link is reported
 * lost when an exchange fails at the network level; BaseDevice then shows the terminal offline and
 * probes it with backoff until it answers again, and restarts the device (which resumes recovery).
 */
export class NexoLinkTransport extends BaseTransport {
  readonly type = 'tcp';
  readonly description: string;
  #open = false;

  constructor(readonly client: NexoLocalClient) {
    super();
    // As BaseDevice words it: "The payment terminal on network device 10.0.0.5:8443 …".
    this.description = `network device ${client.config.host}:${client.config.port}`;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  async open(): Promise<void> {
    await this.client.probe();
    this.#open = true;
  }

  close(): Promise<void> {
    this.#open = false;
    return Promise.resolve();
  }

  write(): Promise<void> {
    return Promise.reject(
      new DeviceError('illegal', `${capitalize(this.description)} takes messages, not raw bytes.`),
    );
  }

  /** An exchange failed at the network level. */
  lost(cause: unknown): void {
    if (!this.#open) return;
    this.#open = false;
    this.emitLost(cause);
  }
}
