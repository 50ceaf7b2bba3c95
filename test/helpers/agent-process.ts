/**
 * The CLI agent as its own process group: `bin/cwmp-agent run` is a small supervisor whose
 * worker restarts on every reboot, so a "power cut" kills the whole group with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/cwmp-agent');

export interface AgentProcess {
  child: ChildProcess;
  /** Parsed pino lines from stdout (all workers), when started with a log level. */
  logs: Record<string, unknown>[];
  /** SIGKILL to the supervisor and its worker at once; resolves when the supervisor is gone. */
  powerCut(): Promise<void>;
}

export function startAgentProcess(args: string[], logLevel = 'silent'): AgentProcess {
  const child = spawn(process.execPath, [bin, 'run', ...args, '--log-level', logLevel], {
    detached: true,
    stdio: ['ignore', logLevel === 'silent' ? 'ignore' : 'pipe', 'inherit'],
  });
  const logs: Record<string, unknown>[] = [];
  if (child.stdout) {
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    });
  }
  return {
    child,
    logs,
    async powerCut() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
    },
  };
}
