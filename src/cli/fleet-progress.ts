/** The live progress line of a fleet run, the same for one thread and for workers added up. */
import type { LatencyHistogram } from '../fleet/fleet-stats.js';

export interface ProgressFigures {
  online: number;
  devices: number;
  bootstrapped: number;
  rate: number;
  ok: number;
  failed: number;
  transfersOk: number;
  transfersFailed: number;
  latency: LatencyHistogram;
  /** A USP fleet's agents: connected now, and announced (Boot! or OnBoardRequest sent). */
  usp?: { connected: number; announced: number };
  /** TCP sockets open and in TIME_WAIT (the namespace's), the TIME_WAIT peak, and connections that waited for a port. */
  ports?: { inUse?: number; timeWait?: number; timeWaitPeak: number; waits: number };
  /** Set when the figures add up several worker threads. */
  workers?: number;
}

/**
 * Writes the line to stderr once a second, in place on a terminal (every 5 s, one per line,
 * when stderr is a file or a pipe). Returns the function that stops it.
 */
export function showProgress(figures: () => ProgressFigures): () => void {
  const started = Date.now();
  const tty = process.stderr.isTTY;
  let ticks = 0;
  const timer = setInterval(() => {
    ticks++;
    if (!tty && ticks % 5 !== 0) return;
    const f = figures();
    const line =
      `[${String(Math.round((Date.now() - started) / 1000)).padStart(5)}s] ${f.workers !== undefined ? `${f.workers} workers  ` : ''}online ${f.online}/${f.devices}  bootstrapped ${f.bootstrapped}  ` +
      `${f.rate.toFixed(0)} sessions/s  (${f.ok} ok, ${f.failed} failed)  p50 ${f.latency.quantile(0.5).toFixed(1)} ms  p99 ${f.latency.quantile(0.99).toFixed(1)} ms` +
      (f.transfersOk + f.transfersFailed > 0 ? `  transfers ${f.transfersOk} ok ${f.transfersFailed} failed` : '') +
      (f.usp ? `  USP connected ${f.usp.connected} announced ${f.usp.announced}` : '') +
      (f.ports?.timeWait !== undefined
        ? `  ports ${f.ports.inUse} open ${f.ports.timeWait} TIME_WAIT (peak ${f.ports.timeWaitPeak})${f.ports.waits > 0 ? ` ${f.ports.waits} port waits` : ''}`
        : '');
    process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
  }, 1000);
  return () => {
    clearInterval(timer);
    if (tty) process.stderr.write('\n');
  };
}
