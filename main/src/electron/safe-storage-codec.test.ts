import { describe, expect, it } from 'vitest';
import type { SafeStorage } from 'electron';
import { CommandError } from '../commands/command-error.ts';
import { createSafeStorageCodec } from './safe-storage-codec.ts';

function fakeSafeStorage(available: boolean, backend: string): SafeStorage {
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    // A reversible stand-in for the OS keystore.
    encryptString: (value: string) => Buffer.from(`sealed:${value}`),
    decryptString: (buffer: Buffer) => buffer.toString().replace(/^sealed:/, ''),
  } as unknown as SafeStorage;
}

describe('safeStorage codec', () => {
  it('round-trips through safeStorage and stores no plaintext', () => {
    const codec = createSafeStorageCodec(fakeSafeStorage(true, 'gnome_libsecret'), false);
    const stored = codec.encode('rt.0123456789abcdef');
    expect(stored).toBe(Buffer.from('sealed:rt.0123456789abcdef').toString('base64'));
    expect(codec.decode(stored)).toBe('rt.0123456789abcdef');
  });

  it('refuses (unavailable) without encryption: there is no plaintext fallback', () => {
    const codec = createSafeStorageCodec(fakeSafeStorage(false, 'unknown'), true);
    expect(() => codec.encode('x')).toThrow(CommandError);
    expect(() => codec.encode('x')).toThrow('Secure storage is not available on this till.');
  });

  it.runIf(process.platform === 'linux')('refuses the basic_text backend unless allowed', () => {
    expect(() => createSafeStorageCodec(fakeSafeStorage(true, 'basic_text'), false).encode('x')).toThrow(
      'This till has no keyring for secure storage. Call support.',
    );
    expect(createSafeStorageCodec(fakeSafeStorage(true, 'basic_text'), true).encode('x')).toBe(
      Buffer.from('sealed:x').toString('base64'),
    );
  });
});
