/**
 * What one `cwmp-agent run` costs a device: RSS of the supervisor and of an idle worker (the
 * simulated device and the Linux host), each beside a bare `node -e` process measured in the
 * same run (the floor), and the time from start (spawn of bin/cwmp-agent run, a fresh state
 * directory, a configuration file) to the first Inform the ACS reads, and to its session's end.
 * Goals (issue "Ship it"): supervisor within 10 MB of the floor, worker within 40 MB.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestAcs } from '../src/acs/test-acs.js';
import { bin } from './acs-process.js';

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

function childrenOf(pid: number): number[] {
  return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await gone;
}

const mb = (kb: number): string => `${(kb / 1024).toFixed(1)} MB`;

export async function runProcessBench(): Promise<void> {
  const floorChild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)']);
  await sleep(1500);
  const floor = rssKb(floorChild.pid!);
  await stop(floorChild);
  console.log(`process: one agent (floor: a bare node -e process, ${mb(floor)} RSS)`);
  // When the ACS reads the first Inform, as a user measures it at their ACS.
  let informAt: number | undefined;
  const acs = new TestAcs({
    onInform: () => {
      informAt ??= performance.now();
      return [];
    },
  });
  const url = await acs.listen();
  for (const kind of ['simulated', 'linux'] as const) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-process-'));
    const config = path.join(dir, 'agent.yaml');
    fs.writeFileSync(config, `device:\n  kind: ${kind}\n  seed: bench-${kind}\n`);
    const before = acs.completedSessions().length;
    informAt = undefined;
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [bin, 'run', '--config', config, '--acs-url', url, '--state-dir', path.join(dir, 'state'), '--cr-port', '0', '--log-level', 'warn'],
      { stdio: 'inherit' },
    );
    await acs.waitFor(() => acs.completedSessions().length > before, 20_000);
    const firstInformMs = performance.now() - started;
    const informReadMs = (informAt ?? Number.NaN) - started;
    // Idle: ten seconds after its boot session, the garbage of starting up collected.
    await sleep(10_000);
    const supervisor = rssKb(child.pid!);
    const worker = childrenOf(child.pid!).map(rssKb)[0] ?? 0;
    console.log(
      `  ${kind.padEnd(9)} supervisor ${mb(supervisor)} (floor + ${mb(supervisor - floor)}), idle worker ${mb(worker)} (floor + ${mb(worker - floor)}), first Inform read by the ACS ${informReadMs.toFixed(0)} ms after start, its session over at ${firstInformMs.toFixed(0)} ms`,
    );
    await stop(child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  await acs.close();
}
