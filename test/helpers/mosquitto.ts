/** A real MQTT broker for the tests: Debian's mosquitto on a loopback port, with a config of its own. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const BINARY = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => fs.existsSync(p));

/** Why the broker cannot run here, or undefined when it can. */
export function mosquittoMissing(): string | undefined {
  if (BINARY) return undefined;
  return spawnSync('sh', ['-c', 'command -v mosquitto']).status === 0 ? undefined : 'mosquitto is not installed (apt-get install mosquitto)';
}

async function freeTcpPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export interface Broker {
  url: string;
  process: ChildProcess;
  /** Kills the broker (every client dropped at once) and starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts mosquitto (with `extraConfig` lines, e.g. "sys_interval 1") and resolves once it accepts connections. */
export async function startMosquitto(extraConfig = ''): Promise<Broker> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosquitto-'));
  const port = await freeTcpPort();
  const config = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(config, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n${extraConfig}\n`);
  let child = await spawnBroker(config, port);
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  return {
    url: `mqtt://127.0.0.1:${port}`,
    get process() {
      return child;
    },
    async restart() {
      await kill();
      child = await spawnBroker(config, port);
    },
    async stop() {
      await kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function spawnBroker(config: string, port: number): Promise<ChildProcess> {
  const child = spawn(BINARY ?? 'mosquitto', ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => void (stderr = (stderr + c.toString()).slice(-4000)));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`mosquitto did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}
