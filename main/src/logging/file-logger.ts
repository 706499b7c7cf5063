import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogFields, Logger } from './logger.ts';

export interface RotatingFileLoggerOptions {
  readonly file: string;
  /** Rotate once the current file would exceed this. Default 5 MiB. */
  readonly maxBytes?: number;
  /** Rotated files kept (`main.log.1` … `main.log.N`). Default 5. */
  readonly maxFiles?: number;
  readonly clock?: () => Date;
}

/**
 * JSON lines, rotated by size. Synchronous appends: the volume is small (commands log only their
 * failures) and a line written right before a crash is exactly the one support needs.
 */
export function createRotatingFileLogger(options: RotatingFileLoggerOptions): Logger {
  const { file } = options;
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  const maxFiles = options.maxFiles ?? 5;
  const clock = options.clock ?? (() => new Date());
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let size = currentSize(file);

  function rotate(): void {
    for (let index = maxFiles - 1; index >= 1; index -= 1)
      tryRename(`${file}.${index}`, `${file}.${index + 1}`);
    tryRename(file, `${file}.1`);
    size = 0;
  }

  function write(level: 'info' | 'warn' | 'error', message: string, fields?: LogFields): void {
    const line = `${JSON.stringify({ at: clock().toISOString(), level, message, ...fields })}\n`;
    const bytes = Buffer.byteLength(line);
    if (size > 0 && size + bytes > maxBytes) rotate();
    try {
      appendFileSync(file, line, { mode: 0o600 });
      size += bytes;
    } catch {
      // A full or read-only disk must not turn logging into a crash of main.
    }
  }

  return {
    info: (message, fields) => {
      write('info', message, fields);
    },
    warn: (message, fields) => {
      write('warn', message, fields);
    },
    error: (message, fields) => {
      write('error', message, fields);
    },
  };
}

function currentSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function tryRename(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    // The older file does not exist yet.
  }
}
