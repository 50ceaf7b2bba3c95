/**
 * A heap sized to the fleet.
 * - The young generation: V8's default semi-spaces (16 MB) are scavenged so often in a large
 *   boot storm that, at 100,000 devices, scavenges took 10 of the run's 46 s; 64 MB semi-spaces
 *   brought the storm to 38 s. They cost RSS (about 0.7 KB per device at 100,000, 7 KB at
 *   10,000), so only fleets past 24,000 devices in a thread get more than the default.
 * - The old generation: V8's limit (about 4 GB here, whatever the machine has) killed a fleet of
 *   1,000,000 after 70 s of its boot storm. A thread gets room for its devices' retained heap with
 *   a boot storm's headroom, within the machine's memory; a fleet whose devices alone would not
 *   fit is refused at start with the figure it needs.
 * V8 reads both sizes once, when the heap is made: the main thread is started again with the
 * options, a worker thread gets them through its resource limits.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import v8 from 'node:v8';

const RELAUNCHED_ENV = 'CWMP_AGENT_FLEET_HEAP_SIZED';
const DEFAULT_SEMI_SPACE_MB = 16;

/** Semi-space size for a thread running `devices` devices: the default up to 24,000, then 1 MB per 1,500 devices, at most 64. */
export function semiSpaceMbFor(devices: number): number {
  return Math.min(64, Math.max(DEFAULT_SEMI_SPACE_MB, Math.round(devices / 1500)));
}

/** Young generation for a worker thread's resource limits: two semi-spaces and a large-object space of the same size. */
export function youngGenerationMbFor(devices: number): number | undefined {
  const semi = semiSpaceMbFor(devices);
  return semi > DEFAULT_SEMI_SPACE_MB ? semi * 3 : undefined;
}

/** Devices one thread of this process runs: its shard's part of the fleet, split over its workers. */
export function devicesPerThread(count: number, shard: { total: number } | undefined, workers = 1): number {
  return Math.ceil(count / (shard?.total ?? 1) / Math.max(1, workers));
}

/** Retained heap per fleet device, KB: 10.9 measured at 10,000 (stb, after a collection), rounded up for richer profiles. */
export const RETAINED_KB_PER_DEVICE = 12;
/** What a process holds besides its devices (code, the profile, listeners), MB. */
const BASE_HEAP_MB = 256;
/** A boot storm holds sessions, XML and timers beside the devices: room for that above the retained heap. */
const STORM_HEADROOM = 1.6;

/** The heap `devices` devices retain (MB), before any headroom. */
export function retainedHeapMbFor(devices: number): number {
  return Math.ceil(BASE_HEAP_MB + (devices * RETAINED_KB_PER_DEVICE) / 1024);
}

/**
 * The old generation for a thread of `devices` devices (MB), or undefined where V8's own limit
 * (`currentLimitMb`) is enough: their retained heap with a boot storm's headroom, at most 85% of
 * the machine's memory (`totalMb`).
 */
export function oldSpaceMbFor(
  devices: number,
  currentLimitMb = v8.getHeapStatistics().heap_size_limit / 2 ** 20,
  totalMb = os.totalmem() / 2 ** 20,
): number | undefined {
  const wanted = Math.ceil(retainedHeapMbFor(devices) * STORM_HEADROOM);
  const size = Math.min(wanted, Math.floor(totalMb * 0.85));
  return size > currentLimitMb ? size : undefined;
}

/** Why a fleet of `devices` devices in this process cannot run on this machine, or undefined when it can. */
export function heapProblem(devices: number, totalMb = os.totalmem() / 2 ** 20): string | undefined {
  const needed = retainedHeapMbFor(devices);
  if (needed <= totalMb * 0.9) return undefined;
  const perMachine = Math.floor(((totalMb * 0.9 - BASE_HEAP_MB) * 1024) / RETAINED_KB_PER_DEVICE);
  return (
    `a fleet of ${devices.toLocaleString('en')} devices in one process needs about ${(needed / 1024).toFixed(1)} GB of heap ` +
    `(${RETAINED_KB_PER_DEVICE} KB a device), and this machine has ${(totalMb / 1024).toFixed(1)} GB: ` +
    `run it as shards (--shard I/N) on machines of about ${Math.max(1, perMachine).toLocaleString('en')} devices each`
  );
}

/** Whoever set a size themselves (node flags, NODE_OPTIONS) keeps it. */
function sizeChosen(execArgv: readonly string[], nodeOptions: string, flags: readonly string[]): boolean {
  return [...execArgv, nodeOptions].some((o) => flags.some((f) => o.includes(f)));
}

/** The V8 options a thread of `devices` devices needs that nobody chose already. */
export function heapOptionsFor(devices: number, execArgv: readonly string[] = process.execArgv, nodeOptions = process.env['NODE_OPTIONS'] ?? ''): string[] {
  const out: string[] = [];
  const semi = semiSpaceMbFor(devices);
  if (semi > DEFAULT_SEMI_SPACE_MB && !sizeChosen(execArgv, nodeOptions, ['--max-semi-space-size', '--max-young-generation-size']))
    out.push(`--max-semi-space-size=${semi}`);
  const old = oldSpaceMbFor(devices);
  if (old !== undefined && !sizeChosen(execArgv, nodeOptions, ['--max-old-space-size', '--max-heap-size'])) out.push(`--max-old-space-size=${old}`);
  return out;
}

/**
 * Runs this command again with a heap for `devices` devices, when it needs more than V8's
 * defaults and nobody chose the sizes: resolves with the exit status (this process only passes
 * signals on and waits), or undefined when this process should run the fleet itself.
 */
export function relaunchForFleet(devices: number): Promise<number> | undefined {
  const options = heapOptionsFor(devices);
  if (options.length === 0 || process.env[RELAUNCHED_ENV] === '1') return undefined;
  const child = spawn(process.execPath, [...process.execArgv, ...options, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [RELAUNCHED_ENV]: '1' },
  });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const pass = (sig: NodeJS.Signals): void => {
    child.kill(sig);
  };
  for (const sig of signals) process.on(sig, pass);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      for (const sig of signals) process.off(sig, pass);
      // A child ended by a signal ends this process with the shell's status for it.
      resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0));
    }),
  );
}
