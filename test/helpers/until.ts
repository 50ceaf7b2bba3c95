/**
 * Waits for a condition, never for a fixed time: polls `probe` until it gives a value (anything but
 * undefined) and returns it, or throws after `timeoutMs` naming `what` was awaited.
 */
export async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
