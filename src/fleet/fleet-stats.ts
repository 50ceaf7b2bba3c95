/**
 * What a fleet run measures: sessions completed and failed (with why), session latency as a
 * log-bucketed histogram (1% resolution, constant memory whatever the session count), and
 * rates over the last second for the live progress line.
 */

const BUCKETS_PER_DOUBLING = 70; // 2^(1/70) ≈ 1.0100: each bucket spans 1%
const MIN_MS = 0.01;

export class LatencyHistogram {
  private readonly counts = new Map<number, number>();
  count = 0;
  max = 0;

  record(ms: number): void {
    const b = ms <= MIN_MS ? 0 : Math.ceil(Math.log2(ms / MIN_MS) * BUCKETS_PER_DOUBLING);
    this.counts.set(b, (this.counts.get(b) ?? 0) + 1);
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  /** The counts, for another thread to merge (fleet workers). */
  export(): { buckets: [number, number][]; max: number } {
    return { buckets: [...this.counts], max: this.max };
  }

  merge(other: { buckets: [number, number][]; max: number }): void {
    for (const [b, n] of other.buckets) {
      this.counts.set(b, (this.counts.get(b) ?? 0) + n);
      this.count += n;
    }
    if (other.max > this.max) this.max = other.max;
  }

  /** The value at quantile q (0..1), to within the bucket's 1%. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const target = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (const b of [...this.counts.keys()].sort((x, y) => x - y)) {
      seen += this.counts.get(b)!;
      if (seen >= target) return Math.min(this.max, MIN_MS * 2 ** (b / BUCKETS_PER_DOUBLING));
    }
    return this.max;
  }
}

export interface FleetSummary {
  devices: number;
  online: number;
  bootstrapped: number;
  sessions: { ok: number; failed: number; perSecond: number };
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  failures: Record<string, number>;
  transfers: { ok: number; failed: number };
  elapsedSeconds: number;
}

export class FleetStats {
  readonly latency = new LatencyHistogram();
  ok = 0;
  failed = 0;
  readonly failures: Record<string, number> = {};
  readonly bootstrapped = new Set<number>();
  transfersOk = 0;
  transfersFailed = 0;
  private readonly startedAt: number;
  private windowStart: number;
  private windowSessions = 0;
  private lastRate = 0;

  constructor(private readonly now: () => number) {
    this.startedAt = this.windowStart = now();
  }

  session(ok: boolean, durationMs: number, reason: string | undefined): void {
    if (ok) {
      this.ok++;
      this.latency.record(durationMs);
    } else {
      this.failed++;
      // Reasons carry details (ports, codes); keep their first words as the category.
      const key = (reason ?? 'unknown').split(/[:(]/)[0]!.trim().slice(0, 60);
      this.failures[key] = (this.failures[key] ?? 0) + 1;
    }
    this.windowSessions++;
  }

  /** Sessions per second since the last call (for a once-a-second progress line). */
  rate(): number {
    const now = this.now();
    if (now - this.windowStart >= 250) {
      this.lastRate = (this.windowSessions * 1000) / (now - this.windowStart);
      this.windowStart = now;
      this.windowSessions = 0;
    }
    return this.lastRate;
  }

  summary(devices: number, online: number): FleetSummary {
    const elapsed = (this.now() - this.startedAt) / 1000;
    const round = (x: number): number => Math.round(x * 100) / 100;
    return {
      devices,
      online,
      bootstrapped: this.bootstrapped.size,
      sessions: { ok: this.ok, failed: this.failed, perSecond: round((this.ok + this.failed) / Math.max(0.001, elapsed)) },
      latencyMs: {
        p50: round(this.latency.quantile(0.5)),
        p90: round(this.latency.quantile(0.9)),
        p99: round(this.latency.quantile(0.99)),
        max: round(this.latency.max),
      },
      failures: { ...this.failures },
      transfers: { ok: this.transfersOk, failed: this.transfersFailed },
      elapsedSeconds: round(elapsed),
    };
  }
}
