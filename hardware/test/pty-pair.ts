/**
 * A connected pair of pseudo-terminals made by socat, for integration tests that run a driver on one
 * end and a simulator on the other, both through real serial ports.
 *
 * socat is required, not optional: when it is missing the helper fails with a message saying how to
 * install it (CI installs it), rather than letting the test be skipped.
 *
 * With `links`, socat also creates symlinks at those paths; a pair reopened with the same links gives
 * the same port names again, which is how a test plugs a "device" back in after pulling it.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface PtyPair {
  /** Port paths: the links when given, the /dev/pts nodes otherwise. */
  readonly a: string;
  readonly b: string;
  readonly pid: number;
  /** Stops socat (SIGTERM) and waits for it to exit; both ports vanish. Idempotent. */
  close(): Promise<void>;
}

export interface PtyPairOptions {
  readonly links?: readonly [string, string];
  readonly timeoutMs?: number;
}

const PTY_LINE = /PTY is (\/dev\/pts\/\d+)/g;

export async function openPtyPair(options: PtyPairOptions = {}): Promise<PtyPair> {
  const { links, timeoutMs = 5000 } = options;
  const end = (link: string | undefined): string =>
    `pty,raw,echo=0${link === undefined ? '' : `,link=${link}`}`;
  const child = spawn('socat', ['-d', '-d', end(links?.[0]), end(links?.[1])], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });

  const ptys = await new Promise<string[]>((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`socat did not set up a pty pair within ${timeoutMs} ms. Its output:\n${stderr}`));
    }, timeoutMs);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new Error(
              'socat is not installed; the hardware integration tests need it (Debian: apt-get install socat).',
            )
          : error,
      );
    });
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(
        new Error(
          `socat exited (code ${String(code)}) before the pty pair was ready. Its output:\n${stderr}`,
        ),
      );
    };
    child.once('exit', onExit);
    const onOutput = (chunk: string): void => {
      stderr += chunk;
      if (!stderr.includes('starting data transfer loop')) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stderr.off('data', onOutput);
      // Keep draining stderr so socat never blocks on a full pipe.
      child.stderr.resume();
      const found = [...stderr.matchAll(PTY_LINE)].map((match) => match[1] ?? '');
      if (found.length === 2) resolve(found);
      else reject(new Error(`could not read two pty paths from socat's output:\n${stderr}`));
    };
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', onOutput);
  });

  const [ptyA = '', ptyB = ''] = ptys;
  return {
    a: links?.[0] ?? ptyA,
    b: links?.[1] ?? ptyB,
    pid: child.pid ?? -1,
    close: () => stop(child),
  };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
    child.kill('SIGTERM');
  });
}
