/**
 * When a queued transfer may run (TR-069 A.4.1.8 ScheduleDownload). Pure: the caller passes
 * the time. Download and Upload have no windows, only their DelaySeconds.
 */
import type { AbsoluteWindow, TransferRecord } from './transfer-record.js';

export type StartDecision =
  | { action: 'wait'; until: number }
  /** Run now; `deadline` ends the attempt (the window's end), `window` says under which rules. */
  | { action: 'start'; window: AbsoluteWindow | undefined; deadline: number | undefined }
  /** Every window has passed: TransferComplete with 9020. */
  | { action: 'expired' };

export function startDecision(t: Pick<TransferRecord, 'notBefore' | 'windows'>, now: number): StartDecision {
  if (t.windows.length === 0) return now >= t.notBefore ? { action: 'start', window: undefined, deadline: undefined } : { action: 'wait', until: t.notBefore };
  // notBefore also carries a retry's back-off: a retry pushed past a window's end moves to the next.
  const window = t.windows.find((w) => w.end > Math.max(now, t.notBefore));
  if (!window) return { action: 'expired' };
  const from = Math.max(window.start, t.notBefore);
  return now >= from ? { action: 'start', window, deadline: window.end } : { action: 'wait', until: from };
}

/** Retries allowed in a window after a failed attempt: MaxRetries, or the agent's choice (-1). */
export function retriesAllowed(window: AbsoluteWindow | undefined): number {
  if (!window) return 0;
  return window.maxRetries === -1 ? 2 : window.maxRetries;
}

/** Back-off before retry n (1-based) inside a window: 10 s, 20 s, 40 s, ... at most 5 minutes. */
export function retryDelayMs(retry: number): number {
  return Math.min(300_000, 10_000 * 2 ** (retry - 1));
}
