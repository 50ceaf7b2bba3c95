/** Real peers for the tests, installed from Debian: coturn (STUN) and prosody (XMPP). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { bindingRequest, readBindingResponse } from '../../src/cwmp/stun-binding.js';

export function commandMissing(cmd: string): string | undefined {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0
    ? undefined
    : `${cmd} is not installed (apt-get install ${cmd === 'turnserver' ? 'coturn' : cmd})`;
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

/** Sends Binding requests every 100 ms until the server answers one, or fails after timeoutMs. */
async function stunAnswers(address: string, port: number, timeoutMs: number): Promise<void> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const request = bindingRequest({});
  try {
    await new Promise<void>((resolve, reject) => {
      const again = setInterval(() => socket.send(request.bytes, port, address), 100);
      const timer = setTimeout(() => {
        clearInterval(again);
        reject(new Error(`turnserver did not answer on ${address}:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.on('message', (msg) => {
        if (readBindingResponse(msg, request.transactionId)) {
          clearTimeout(timer);
          clearInterval(again);
          resolve();
        }
      });
      socket.send(request.bytes, port, address);
    });
  } finally {
    socket.close();
  }
}

/** coturn as a plain STUN server on address:port. `netns` runs it inside a network namespace. */
export async function startStunServer(address: string, port: number, netns?: string): Promise<RunningServer> {
  // UDP only: the port was chosen free for UDP, and a TCP listener on it could collide with another test's.
  const args = [
    '-n',
    '--stun-only',
    `--listening-ip=${address}`,
    `--listening-port=${port}`,
    '--no-cli',
    '--no-tls',
    '--no-dtls',
    '--no-tcp',
    '--log-file=stdout',
    '--simple-log',
  ];
  const child = netns
    ? spawn('ip', ['netns', 'exec', netns, 'turnserver', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('turnserver', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // Its last words, for the error when it does not come up.
  let output = '';
  const keep = (d: Buffer): void => void (output = (output + d.toString()).slice(-2000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  // Ready when it answers a Binding request (a fixed wait was too short on a loaded machine).
  try {
    if (!netns) await stunAnswers(address, port, 10_000);
    else await new Promise((r) => setTimeout(r, 400));
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}; exit ${child.exitCode}; turnserver said: ${output.slice(-600)}`);
  }
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

/** Debian's prosody on 127.0.0.1 with its own config, data and accounts, as Annex K tests need. */
export interface Prosody extends RunningServer {
  port: number;
  domain: string;
  start(): Promise<void>;
}

export interface ProsodyOptions {
  /** PEM key and certificate for the domain: STARTTLS is offered. */
  tls?: { key: string; cert: string };
  /** Clients must encrypt (c2s_require_encryption). */
  requireEncryption?: boolean;
}

export async function startProsody(accounts: { user: string; password: string }[], options: ProsodyOptions = {}): Promise<Prosody> {
  const { tempDir } = await import('./agent-harness.js');
  const fs = await import('node:fs');
  const path = await import('node:path');
  const net = await import('node:net');
  const dir = tempDir('prosody-');
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const domain = 'cwmp.test';
  const config = path.join(dir, 'prosody.cfg.lua');
  fs.mkdirSync(path.join(dir, 'data'));
  if (options.tls) {
    fs.writeFileSync(path.join(dir, 'domain.key'), options.tls.key, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'domain.crt'), options.tls.cert);
  }
  fs.writeFileSync(
    config,
    [
      `pidfile = "${dir}/prosody.pid"`,
      `data_path = "${dir}/data"`,
      'daemonize = false',
      'run_as_root = true',
      'interfaces = { "127.0.0.1" }',
      `c2s_ports = { ${port} }`,
      's2s_ports = { }',
      `modules_enabled = { "roster", "saslauth", "disco", "ping", "posix"${options.tls ? ', "tls"' : ''} }`,
      'modules_disabled = { "s2s", "offline", "c2s_bidi" }',
      `c2s_require_encryption = ${options.requireEncryption ? 'true' : 'false'}`,
      ...(options.tls ? [`ssl = { key = "${dir}/domain.key", certificate = "${dir}/domain.crt" }`] : []),
      'allow_unencrypted_plain_auth = true',
      'authentication = "internal_plain"',
      `log = { { levels = { min = "error" }, to = "file", filename = "${dir}/prosody.log" } }`,
      `VirtualHost "${domain}"`,
      '',
    ].join('\n'),
  );
  for (const a of accounts) execFileSyncQuiet('prosodyctl', ['--config', config, 'register', a.user, domain, a.password]);
  let child: ChildProcess | undefined;
  const server: Prosody = {
    port,
    domain,
    get process() {
      return child!;
    },
    async start() {
      child = spawn('prosody', ['--config', config], { stdio: 'ignore' });
      const deadline = Date.now() + 10_000;
      for (;;) {
        const up = await new Promise<boolean>((resolve) => {
          const sock = net.connect(port, '127.0.0.1', () => {
            sock.destroy();
            resolve(true);
          });
          sock.on('error', () => resolve(false));
        });
        if (up) return;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`prosody did not start (see ${dir}/prosody.log)`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      const done = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await done;
    },
  };
  await server.start();
  return server;
}

function execFileSyncQuiet(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
}
