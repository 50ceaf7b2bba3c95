/**
 * Refused connection requests leave a trace an operator can find ("why does my ACS's request do
 * nothing?") without letting a flood of bad requests flood the log: one info line per cause, then
 * at most one a minute per cause, counting the ones not shown.
 */
import type { Logger } from 'pino';

const QUIET_MS = 60_000;

export type RefusalLog = (cause: string, details?: Record<string, unknown>) => void;

export function refusalLog(log: Pick<Logger, 'info'>, kind: 'HTTP' | 'UDP' | 'XMPP', now: () => number = Date.now): RefusalLog {
  const byCause = new Map<string, { at: number; unseen: number }>();
  return (cause, details = {}) => {
    const t = now();
    const seen = byCause.get(cause);
    if (seen && t - seen.at < QUIET_MS) {
      seen.unseen++;
      return;
    }
    const notShown = seen?.unseen ?? 0;
    byCause.set(cause, { at: t, unseen: 0 });
    log.info({ kind, cause, ...details, ...(notShown > 0 ? { alsoRefusedSinceLastLine: notShown } : {}) }, 'connection request refused');
  };
}
