/** Real peers for the tests, installed from Debian: coturn (STUN) and prosody (XMPP). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';

export function commandMissing(cmd: string): string | undefined {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0 ? undefined : `${cmd} is not installed (apt-get install ${cmd === 'turnserver' ? 'coturn' : cmd})`;
}

/** A free UDP port on an address (bound and released). */
export async function freeUdpPort(address = '127.0.0.1'): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, address, r));
  const port = s.address().port;
  s.close();
  return port;
}

export interface RunningServer {
  process: ChildProcess;
  stop(): Promise<void>;
}

/** coturn as a plain STUN server on address:port. `netns` runs it inside a network namespace. */
export async function startStunServer(address: string, port: number, netns?: string): Promise<RunningServer> {
  const args = ['-n', '--stun-only', `--listening-ip=${address}`, `--listening-port=${port}`, '--no-cli', '--no-tls', '--no-dtls', '--log-file=stdout', '--simple-log'];
  const child = netns ? spawn('ip', ['netns', 'exec', netns, 'turnserver', ...args], { stdio: 'ignore' }) : spawn('turnserver', args, { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 400));
  if (child.exitCode !== null) throw new Error(`turnserver exited with ${child.exitCode}`);
  return {
    process: child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await done;
    },
  };
}
