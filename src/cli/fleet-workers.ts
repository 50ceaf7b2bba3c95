/**
 * A fleet spread over worker threads, for machines with cores to spare: each worker runs an
 * equal part of this process's serial range as its own fleet (own listeners: connection
 * request ports count up from --cr-port), and this thread adds up their progress and summaries.
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { startMetricsServer } from '../observability/metrics-server.js';
import { LatencyHistogram, type FleetSummary } from '../fleet/fleet-stats.js';
import { showProgress, type ProgressFigures } from './fleet-progress.js';
import { portBudget, type PortWatch } from '../fleet/port-budget.js';

/** A worker's progress figures, its latency histogram as counts that cross the thread boundary. */
export type WorkerProgress = Omit<ProgressFigures, 'latency' | 'workers'> & {
  type: 'progress';
  latency: { buckets: [number, number][]; max: number };
  /** The worker's metrics (prom-client JSON), when metrics are on: this thread adds them up. */
  metrics?: Awaited<ReturnType<Registry['getMetricsAsJSON']>>;
};

export interface WorkerSummary {
  type: 'summary';
  summary: FleetSummary & Record<string, unknown>;
  latency: { buckets: [number, number][]; max: number };
}

export interface WorkerPlan {
  configFile: string | undefined;
  flags: Record<string, unknown>;
  /** The worker's young generation, for a large part of the fleet (see fleet-young-generation.ts). */
  youngGenerationMb?: number;
  /** The thread's old generation (see fleet-heap.ts): V8's default when absent. */
  oldGenerationMb?: number;
}

export async function runFleetWorkers(plans: WorkerPlan[], summaryFile: string | undefined, metrics?: { port: number; address: string }): Promise<void> {
  const entry = new URL('./fleet-worker-entry.js', import.meta.url);
  const progress: (WorkerProgress | undefined)[] = plans.map(() => undefined);
  const summaries: (WorkerSummary | undefined)[] = plans.map(() => undefined);
  const errors: (Error | undefined)[] = plans.map(() => undefined);
  const workers = plans.map((plan, i) => {
    const w = new Worker(entry, {
      workerData: plan,
      resourceLimits: {
        ...(plan.youngGenerationMb ? { maxYoungGenerationSizeMb: plan.youngGenerationMb } : {}),
        ...(plan.oldGenerationMb ? { maxOldGenerationSizeMb: plan.oldGenerationMb } : {}),
      },
    });
    w.on('error', (err) => (errors[i] = err));
    w.on('message', (m: WorkerProgress | WorkerSummary) => {
      if (m.type === 'progress') progress[i] = m;
      else summaries[i] = m;
    });
    return w;
  });
  const ended = Promise.all(
    workers.map(
      (w, i) =>
        new Promise<void>((resolve, reject) =>
          w.once('exit', (code) =>
            code === 0 && summaries[i] ? resolve() : reject(new Error(`fleet worker ${i}: ${errors[i]?.message ?? `exited with ${code} before its summary`}`)),
          ),
        ),
    ),
  );
  // One endpoint for the whole process: the workers' latest metrics, added up (counters and gauges summed).
  const server = metrics
    ? await startMetricsServer({
        port: metrics.port,
        address: metrics.address,
        text: () => AggregatorRegistry.aggregate(progress.flatMap((p) => (p?.metrics ? [p.metrics] : []))).metrics(),
        contentType: AggregatorRegistry.PROMETHEUS_CONTENT_TYPE,
      })
    : undefined;
  if (server && metrics) process.stderr.write(`fleet: metrics at http://${metrics.address}:${server.port}/metrics\n`);
  const stopProgress = showProgress(() => {
    const ps = progress.filter((p): p is WorkerProgress => p !== undefined);
    const sum = (f: (p: WorkerProgress) => number): number => ps.reduce((n, p) => n + f(p), 0);
    const latency = new LatencyHistogram();
    for (const p of ps) latency.merge(p.latency);
    return {
      workers: plans.length,
      online: sum((p) => p.online),
      devices: sum((p) => p.devices),
      bootstrapped: sum((p) => p.bootstrapped),
      rate: sum((p) => p.rate),
      ok: sum((p) => p.ok),
      failed: sum((p) => p.failed),
      transfersOk: sum((p) => p.transfersOk),
      transfersFailed: sum((p) => p.transfersFailed),
      latency,
      ...(ps.some((p) => p.usp) ? { usp: { connected: sum((p) => p.usp?.connected ?? 0), announced: sum((p) => p.usp?.announced ?? 0) } } : {}),
      // Socket counts are the namespace's, the same for every worker; port waits are each worker's own.
      ...(ps.some((p) => p.ports)
        ? {
            ports: {
              inUse: Math.max(...ps.map((p) => p.ports?.inUse ?? 0)),
              timeWait: Math.max(...ps.map((p) => p.ports?.timeWait ?? 0)),
              timeWaitPeak: Math.max(...ps.map((p) => p.ports?.timeWaitPeak ?? 0)),
              waits: sum((p) => p.ports?.waits ?? 0),
            },
          }
        : {}),
    };
  });
  const stop = (): void => {
    for (const w of workers) w.postMessage('stop');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await ended;
  } catch (err) {
    // One part failed: stop the others and say why.
    stop();
    stopProgress();
    process.stderr.write(`cwmp-agent fleet: ${(err as Error).message}\n`);
    process.exit(1);
  }
  stopProgress();
  await server?.close();
  const done = summaries as WorkerSummary[];
  const latency = new LatencyHistogram();
  for (const s of done) latency.merge(s.latency);
  const add = (f: (s: WorkerSummary['summary']) => number): number => done.reduce((n, s) => n + f(s.summary), 0);
  const failures: Record<string, number> = {};
  for (const s of done) for (const [k, v] of Object.entries(s.summary.failures)) failures[k] = (failures[k] ?? 0) + v;
  const round = (x: number): number => Math.round(x * 100) / 100;
  const mem = process.memoryUsage();
  const devices = add((s) => s.devices);
  const merged = {
    ...done[0]!.summary,
    workers: plans.length,
    shard: done.map((s) => s.summary['shard']),
    interrupted: done.some((s) => s.summary['interrupted'] === true),
    devices,
    online: add((s) => s.online),
    bootstrapped: add((s) => s.bootstrapped),
    sessions: { ok: add((s) => s.sessions.ok), failed: add((s) => s.sessions.failed), perSecond: round(add((s) => s.sessions.perSecond)) },
    latencyMs: { p50: round(latency.quantile(0.5)), p90: round(latency.quantile(0.9)), p99: round(latency.quantile(0.99)), max: round(latency.max) },
    failures,
    transfers: { ok: add((s) => s.transfers.ok), failed: add((s) => s.transfers.failed) },
    elapsedSeconds: Math.max(...done.map((s) => s.summary.elapsedSeconds)),
    scenarioResults: done.map((s) => s.summary['scenarioResults']),
    ...(done[0]!.summary['usp'] ? { usp: addUp(done.map((s) => s.summary['usp'] as Record<string, number>)) } : {}),
    ...(done[0]!.summary['ports'] ? { ports: mergedPorts(done.map((s) => s.summary['ports'] as PortSummary)) } : {}),
    // The workers' own retained heaps, added, and the whole process's RSS.
    memory: {
      heapRetainedBytes: add((s) => (s['memory'] as { heapRetainedBytes?: number } | undefined)?.heapRetainedBytes ?? 0),
      rssBytes: mem.rss,
      rssPerDeviceBytes: Math.round(mem.rss / Math.max(1, devices)),
    },
  };
  const text = JSON.stringify(merged, null, 2);
  process.stdout.write(`${text}\n`);
  if (summaryFile) fs.writeFileSync(summaryFile, `${text}\n`);
  process.exit(0);
}

/** The workers' counters added up, key by key. */
function addUp(parts: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of parts) for (const [k, v] of Object.entries(part)) out[k] = (out[k] ?? 0) + v;
  return out;
}

type PortSummary = ReturnType<PortWatch['summary']>;

/** The workers' port figures as one: their addresses and budgets added, the namespace's socket counts once. */
function mergedPorts(parts: PortSummary[]): PortSummary {
  const addresses = parts.reduce((n, p) => n + p.addresses, 0);
  return {
    ...portBudget(addresses, parts[0]!.ephemeralPorts),
    inUse: Math.max(...parts.map((p) => p.inUse ?? 0)),
    timeWait: Math.max(...parts.map((p) => p.timeWait ?? 0)),
    timeWaitPeak: Math.max(...parts.map((p) => p.timeWaitPeak)),
    portWaits: addUp(parts.map((p) => p.portWaits)),
  };
}
