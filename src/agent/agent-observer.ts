/**
 * What an agent reports as it works, for metrics (observability/metrics.ts) or anything else
 * that counts: sessions, RPCs, the CPE's own requests, retries, transfers, notifications,
 * connection requests. One observer serves a whole fleet; every method is optional and cheap.
 */
import type { AcsRequest } from '../cwmp/messages.js';

export interface AgentObserver {
  /** A session ended; `firstEvent` is the first event code its Inform carried. */
  sessionEnded?(ok: boolean, seconds: number, firstEvent: string, serial?: string): void;
  /** An ACS request was answered; fault 0 when it succeeded. */
  rpc?(method: string, faultCode: number): void;
  /** An ACS request arrived at a device, as sent (a scenario checks what the ACS asked for). */
  request?(serial: string, request: AcsRequest): void;
  /** A CPE request (TransferComplete, ...) was sent to the ACS. */
  cpeRequest?(method: string): void;
  /** A failed session is retried after this many seconds. */
  retry?(waitSeconds: number): void;
  /** A transfer ended; fault 0 when it succeeded. */
  transfer?(direction: 'download' | 'upload', faultCode: number, serial?: string): void;
  /** Changes were queued for the ACS: in the next Inform (value change), or as lightweight notifications. */
  notification?(kind: 'value-change' | 'active' | 'lightweight', count: number): void;
  /** A connection request arrived by `path` and was accepted or refused (with the cause). */
  connectionRequest?(path: 'http' | 'udp' | 'xmpp', outcome: string): void;
  /**
   * A connection to the ACS could not get a local port (EADDRNOTAVAIL: the source address's
   * ports are all taken, most in TIME_WAIT; EADDRINUSE) and waits to try again.
   */
  portWait?(code: string): void;
}

/** `observer` (none is fine) with port waits also told to `onPortWait`: the fleet's own count beside the metrics. */
export function alsoTellingPortWaits(observer: AgentObserver | undefined, onPortWait: (code: string) => void): AgentObserver {
  const out: AgentObserver = {};
  if (observer) {
    // Bound, not spread: an observer is often a class instance whose methods use its own fields.
    for (const key of ['sessionEnded', 'rpc', 'request', 'cpeRequest', 'retry', 'transfer', 'notification', 'connectionRequest'] as const) {
      const f = observer[key] as ((...args: unknown[]) => void) | undefined;
      if (f) (out as Record<string, unknown>)[key] = f.bind(observer);
    }
  }
  out.portWait = (code) => {
    onPortWait(code);
    observer?.portWait?.(code);
  };
  return out;
}
