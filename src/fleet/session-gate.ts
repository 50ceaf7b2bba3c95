/**
 * A fleet-wide bound on sessions in flight. Each session holds a socket to the ACS; past the
 * process's descriptor limit sessions would fail with EMFILE and back off (a 50,000-device boot
 * storm did), so excess sessions wait their turn here instead, first come first served.
 */
import fs from 'node:fs';

export class SessionGate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with the release function once a place is free. */
  acquire(): Promise<() => void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => this.waiting.push(() => resolve(this.releaser())));
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }
}

/** The process's soft limit on open files (/proc/self/limits), or undefined where it cannot be read. */
export function openFileLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
    if (!m) return undefined;
    return m[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(m[1]);
  } catch {
    return undefined;
  }
}

/**
 * Sessions in flight by default: three quarters of the descriptors left after a reserve of 256
 * (listeners, files, the ACS's own side when it runs in this process), at least 16, at most
 * 8,192 (beyond that the event loop, not descriptors, is the limit).
 */
export function defaultSessionLimit(fdLimit = openFileLimit()): number {
  if (fdLimit === undefined) return 1024;
  return Math.max(16, Math.min(8192, Math.floor((fdLimit - 256) * 0.75)));
}
