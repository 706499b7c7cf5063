import type { SafeStorage } from 'electron';
import { CommandError } from '../commands/command-error.ts';
import type { SecretCodec } from '../commands/secret-store.ts';

/**
 * Secrets at rest encrypted with the OS keystore (DPAPI, Keychain, libsecret/kwallet). There is
 * no plaintext fallback: without encryption the secret commands answer `unavailable`. On Linux
 * without a keyring, safeStorage's `basic_text` backend encrypts with a hard-coded key, which is
 * obfuscation only; it is refused unless the deployment explicitly allows it.
 */
export function createSafeStorageCodec(safeStorage: SafeStorage, allowBasicText: boolean): SecretCodec {
  function ensureAvailable(): void {
    if (!safeStorage.isEncryptionAvailable()) {
      throw new CommandError('unavailable', 'Secure storage is not available on this till.');
    }
    if (
      process.platform === 'linux' &&
      !allowBasicText &&
      safeStorage.getSelectedStorageBackend() === 'basic_text'
    ) {
      throw new CommandError('unavailable', 'This till has no keyring for secure storage. Call support.');
    }
  }
  return {
    encode(value) {
      ensureAvailable();
      return safeStorage.encryptString(value).toString('base64');
    },
    decode(stored) {
      ensureAvailable();
      return safeStorage.decryptString(Buffer.from(stored, 'base64'));
    },
  };
}
