/** The session retry wait of TR-069 3.2.1.1 (Table 3). Pure: randomness comes in as an argument. */

export interface RetryPolicy {
  /** CWMPRetryMinimumWaitInterval, seconds (1..65535, default 5). */
  minimumWaitSeconds: number;
  /** CWMPRetryIntervalMultiplier, in thousandths (1000..65535, default 2000). */
  intervalMultiplier: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { minimumWaitSeconds: 5, intervalMultiplier: 2000 };

/** The range [low, high] in seconds for the wait before retry number `retry` (1-based). */
export function retryWaitRange(retry: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): [number, number] {
  const n = Math.min(Math.max(1, Math.floor(retry)), 10);
  const m = policy.minimumWaitSeconds;
  const k = policy.intervalMultiplier / 1000;
  return [m * k ** (n - 1), m * k ** n];
}

/**
 * Seconds to wait before retry number `retry`, uniformly drawn from the range with `random`
 * (a number in [0, 1), such as Math.random()).
 */
export function retryWaitSeconds(retry: number, random: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number {
  const [low, high] = retryWaitRange(retry, policy);
  return low + (high - low) * Math.min(Math.max(random, 0), 1);
}

/**
 * Seconds to wait for an ACS's Retry-After of `askedSeconds`: never sooner than asked, and spread
 * over [asked, asked × CWMPRetryIntervalMultiplier] with `random` (in [0, 1)), as TR-069's retry
 * window spreads ordinary retries. Without it a crowd of devices that the ACS turned away at once
 * all come back at once, in waves one Retry-After apart.
 */
export function retryAfterWaitSeconds(askedSeconds: number, random: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number {
  if (!(askedSeconds > 0)) return 0;
  const k = Math.max(1, policy.intervalMultiplier / 1000);
  return askedSeconds * (1 + (k - 1) * Math.min(Math.max(random, 0), 1));
}
