/**
 * Waits (real time) until `condition` holds, polling; fails with `what` after `timeoutMs`. For tests
 * that wait on I/O over real ports, where a fixed sleep would be either flaky or slow.
 */
export async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
