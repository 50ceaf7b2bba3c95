/**
 * Reboots of the CLI agent are real restarts of its process: the agent (the worker) exits with
 * REBOOT_EXIT_CODE after saving its state, and this small parent starts it again, as a device's
 * init would. Any other exit, or a death by signal (a "power cut" in tests), ends the parent
 * with the same status. Signals to the parent go on to the worker. Without the parent (under
 * systemd, say), a worker is run with CWMP_AGENT_WORKER=1 and the service manager restarts it.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export const REBOOT_EXIT_CODE = 75;
export const WORKER_ENV = 'CWMP_AGENT_WORKER';

export function isWorker(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[WORKER_ENV] === '1';
}

export function supervise(): void {
  let child: ChildProcess;
  let stopping = false;
  const start = (): void => {
    child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, [WORKER_ENV]: '1' } });
    child.once('exit', (code, signal) => {
      if (code === REBOOT_EXIT_CODE && !stopping) {
        start();
        return;
      }
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
      child.kill(sig);
    });
  }
  // Standby and wake-up (see cli.ts) go to the worker as they are.
  for (const sig of ['SIGUSR1', 'SIGUSR2'] as const) process.on(sig, () => child.kill(sig));
  start();
}
