/**
 * Reboots of the CLI agent are real restarts of its process: the agent (the worker) exits with
 * REBOOT_EXIT_CODE after saving its state, and this small parent starts it again, as a device's
 * init would. A worker that dies otherwise (a crash, the kernel's OOM killer) is started again
 * too, after a pause that grows while it keeps dying; only a clean exit (0) or a configuration
 * error (2) ends the parent, with the same status. Signals to the parent go on to the worker,
 * and a worker stopped that way ends the parent. Without the parent (under systemd, say), a
 * worker is run with CWMP_AGENT_WORKER=1 and the service manager restarts it.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export const REBOOT_EXIT_CODE = 75;
export const CONFIG_ERROR_EXIT_CODE = 2;
export const WORKER_ENV = 'CWMP_AGENT_WORKER';

/** Restart pauses after a crash: 1 s, doubling to 30 s; back to 1 s after a minute of running. */
const FIRST_PAUSE_MS = 1_000;
const LONGEST_PAUSE_MS = 30_000;
const HEALTHY_AFTER_MS = 60_000;

/**
 * Node options for the worker: the supervisor's own, and a small young generation (2 MB semi
 * spaces instead of 16): one device allocates little, and this keeps some 10 MB of RSS off a
 * set-top box. Whoever sets the option themselves (NODE_OPTIONS, node flags) keeps their value.
 */
export function workerNodeOptions(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env['NODE_OPTIONS'] ?? ''): string[] {
  const chosen = [...execArgv, nodeOptions].some((o) => o.includes('--max-semi-space-size'));
  return chosen ? [...execArgv] : [...execArgv, '--max-semi-space-size=2'];
}

export function isWorker(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[WORKER_ENV] === '1';
}

export function supervise(): void {
  let child: ChildProcess;
  let stopping = false;
  let pauseMs = FIRST_PAUSE_MS;
  let pending: NodeJS.Timeout | undefined;
  const start = (): void => {
    pending = undefined;
    const startedAt = Date.now();
    child = spawn(process.execPath, [...workerNodeOptions(), ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, [WORKER_ENV]: '1' } });
    child.once('exit', (code, signal) => {
      if (code === REBOOT_EXIT_CODE && !stopping) {
        start();
        return;
      }
      if (!stopping && code !== 0 && code !== CONFIG_ERROR_EXIT_CODE) {
        if (Date.now() - startedAt > HEALTHY_AFTER_MS) pauseMs = FIRST_PAUSE_MS;
        process.stderr.write(`cwmp-agent: the agent process ended (${signal ?? `exit status ${code}`}); starting it again in ${pauseMs / 1000} s\n`);
        pending = setTimeout(start, pauseMs);
        pauseMs = Math.min(LONGEST_PAUSE_MS, pauseMs * 2);
        return;
      }
      // Stopped as asked: a worker still starting may die of the signal itself, which is still a clean stop.
      if (stopping) process.exit(code ?? 0);
      if (signal) {
        process.removeAllListeners(signal);
        process.kill(process.pid, signal);
        return;
      }
      process.exit(code ?? 1);
    });
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      stopping = true;
      if (pending) {
        // Between a crash and its restart: nothing to stop.
        clearTimeout(pending);
        process.exit(0);
      }
      child.kill(sig);
    });
  }
  // Standby and wake-up (see cli.ts) go to the worker as they are.
  for (const sig of ['SIGUSR1', 'SIGUSR2'] as const) process.on(sig, () => child.kill(sig));
  start();
}
