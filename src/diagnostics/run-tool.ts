/** Runs a measurement tool (ping, traceroute) to completion, collecting its output; abortable. */
import { spawn } from 'node:child_process';

export type ToolRun = { kind: 'exited'; code: number | null; stdout: string; stderr: string } | { kind: 'missing' } | { kind: 'failed' } | { kind: 'aborted' };

export function runTool(command: string, args: readonly string[], signal: AbortSignal): Promise<ToolRun> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { signal, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) =>
      resolve(signal.aborted ? { kind: 'aborted' } : e.code === 'ENOENT' ? { kind: 'missing' } : { kind: 'failed' }),
    );
    child.on('close', (code) => resolve(signal.aborted ? { kind: 'aborted' } : { kind: 'exited', code, stdout, stderr }));
  });
}
