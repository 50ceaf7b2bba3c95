/**
 * A fleet-wide bound on sessions in flight. Each session holds a socket to the ACS; past the
 * process's descriptor limit sessions would fail with EMFILE and back off (a 50,000-device boot
 * storm did), so excess sessions wait their turn here instead, first come first served.
 */
import fs from 'node:fs';

export class SessionGate {
  private active = 0;
  // A queue with a moving head: shift() on an array of tens of thousands of waiters (a 100,000
  // boot storm) copies it each time, and that was 5% of the storm's CPU.
  private waiting: ((() => void) | undefined)[] = [];
  private head = 0;

  constructor(readonly limit: number) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length - this.head;
  }

  /** Resolves with the release function once a place is free. */
  acquire(): Promise<() => void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => this.waiting.push(() => resolve(this.releaser())));
  }

  private dequeue(): (() => void) | undefined {
    if (this.head === this.waiting.length) return undefined;
    const next = this.waiting[this.head];
    this.waiting[this.head++] = undefined;
    // Drop the consumed front once it is most of the array, so memory follows the queue.
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    return next;
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.dequeue();
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

const MOST_IN_FLIGHT = 256;

/**
 * Sessions in flight by default: three quarters of the descriptors left after a reserve of 256
 * (listeners, files, the ACS's own side when it runs in this process), at least 16, at most 256.
 * More in flight than the ACS serves at once only makes sessions wait at the ACS, where each
 * holds its socket and buffers in this process and costs garbage-collection time: a 100,000
 * boot storm against the bundled ACS took 49 s at 8,192, 45 s at 1,024 and 38 s at 256. 256 keep
 * an ACS with 50 ms sessions at 5,000 a second; a far or slow ACS needs more (--max-in-flight:
 * sessions a second times seconds a session).
 */
export function defaultSessionLimit(fdLimit = openFileLimit()): number {
  if (fdLimit === undefined) return MOST_IN_FLIGHT;
  return Math.max(16, Math.min(MOST_IN_FLIGHT, Math.floor((fdLimit - 256) * 0.75)));
}
