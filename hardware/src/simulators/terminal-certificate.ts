/**
 * A throwaway TLS identity for a simulated payment terminal: a self-signed certificate whose Common
 * Name has the shape of an Adyen terminal's (`<POIID>.test.terminal.adyen.com`), made with the
 * `openssl` command line into a fresh temporary folder. The certificate is its own CA: clients are
 * configured to trust exactly it, the way the till trusts Adyen's terminal root in the field.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TerminalCertificate {
  readonly dir: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly commonName: string;
  /** Deletes the folder. */
  remove(): Promise<void>;
}

export const SIMULATED_POI_ID = 'V400m-324688179';

export function terminalCommonName(poiId: string, environment: 'test' | 'live' = 'test'): string {
  return `${poiId}.${environment}.terminal.adyen.com`;
}

export async function createTerminalCertificate(
  commonName = terminalCommonName(SIMULATED_POI_ID),
): Promise<TerminalCertificate> {
  if (!/^[A-Za-z0-9.-]+$/.test(commonName)) throw new RangeError(`not a certificate name: ${commonName}`);
  const dir = await mkdtemp(join(tmpdir(), 'omnitill-terminal-cert-'));
  const certPath = join(dir, 'terminal-cert.pem');
  const keyPath = join(dir, 'terminal-key.pem');
  try {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${commonName}`,
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ]);
    const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    return {
      dir,
      certPath,
      keyPath,
      certPem,
      keyPem,
      commonName,
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 20_000 }, (error, _stdout, stderr) => {
      if (error === null) {
        resolve();
        return;
      }
      const missing = 'code' in error && error.code === 'ENOENT';
      reject(
        new Error(
          missing
            ? 'The terminal simulator needs the openssl command (Debian: apt-get install openssl).'
            : `openssl failed: ${stderr || error.message}`,
        ),
      );
    });
  });
}
