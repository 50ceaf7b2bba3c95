/**
 * A young generation sized to the fleet. V8's default semi-spaces (16 MB) are scavenged so
 * often in a large boot storm that, at 100,000 devices, scavenges took 10 of the run's 46 s;
 * 64 MB semi-spaces brought the storm to 38 s. They cost RSS (about 0.7 KB per device at 100,000,
 * 7 KB at 10,000), so only fleets past 24,000 devices in a thread get more than the default.
 * V8 reads the size once, when the heap is made: the main thread is started again with the
 * option, a worker thread gets it through its resource limits.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';

const RELAUNCHED_ENV = 'CWMP_AGENT_FLEET_YOUNG_GENERATION';
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

/** Whoever set the size themselves (node flags, NODE_OPTIONS) keeps it. */
function sizeChosen(execArgv: readonly string[], nodeOptions: string): boolean {
  return [...execArgv, nodeOptions].some((o) => o.includes('--max-semi-space-size') || o.includes('--max-young-generation-size'));
}

/**
 * Runs this command again with semi-spaces for `devices` devices, when they differ from the
 * default and nobody chose a size: resolves with the exit status (this process only passes
 * signals on and waits), or undefined when this process should run the fleet itself.
 */
export function relaunchForFleet(devices: number): Promise<number> | undefined {
  const semi = semiSpaceMbFor(devices);
  if (semi <= DEFAULT_SEMI_SPACE_MB || process.env[RELAUNCHED_ENV] === '1' || sizeChosen(process.execArgv, process.env['NODE_OPTIONS'] ?? '')) return undefined;
  const child = spawn(process.execPath, [...process.execArgv, `--max-semi-space-size=${semi}`, ...process.argv.slice(1)], {
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
