/** The test ACS in its own process, so that a benchmark's CPU figures are the agent's alone. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/cwmp-agent');

export async function startAcsProcess(extraArgs: string[] = []): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [bin, 'acs', '--port', '0', ...extraArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /listening at (\S+)/.exec(d.toString());
      if (m) resolve(m[1]!);
    });
    child.once('exit', () => reject(new Error('ACS exited')));
  });
  return { url, stop: () => child.kill() };
}
