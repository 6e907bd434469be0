import assert from 'node:assert/strict';

/**
 * Polls `read` until it returns a truthy value and returns it; fails naming `what` after
 * `timeoutMs`. Tests wait for conditions this way, never for a fixed time (no timing assertions).
 */
export async function eventually<T>(
  read: () => Promise<T | undefined | false> | T | undefined | false,
  what = 'condition',
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
