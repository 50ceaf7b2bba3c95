/**
 * A fleet past loopback: the bundled ACS in its own process on one host, the fleet on another
 * (network namespaces made here, joined by a veth pair, so TIME_WAIT holds ports as between real
 * hosts). The same steady run twice, open loop: N devices (default 100,000; FLEET_REMOTE_COUNT)
 * booting at `rate` a second, then Informing at `rate` a second (default 1,000; FLEET_REMOTE_RATE)
 * for S seconds (default 300; FLEET_REMOTE_SECONDS):
 * - from 4 source addresses (--source-addresses): sessions a second achieved, failed sessions,
 *   port waits and the TIME_WAIT peak, beside the port budget those addresses give (the ceiling
 *   measured in the same run: the namespace's ephemeral range ÷ 60 s);
 * - from 1 address (the system's choice): the same figures, where the budget is below the rate:
 *   the limit shows as port waits and a lower rate, never as a crash.
 * `npm run bench -- fleet-remote` (as root, with iproute2). Skipped, saying why, elsewhere.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { netnsMissing, twoHosts, type TwoHosts } from '../test/helpers/two-hosts.js';
import { bin } from './acs-process.js';

interface Run {
  label: string;
  summary: Record<string, any>;
  exitCode: number;
  warned: boolean;
}

function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (d: Buffer) => {
      seen += d.toString();
      if (pattern.test(seen)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`exited (${code}) before ${pattern}`)));
  });
}

async function fleetRun(h: TwoHosts, label: string, extra: string[], o: { count: number; rate: number; seconds: number }): Promise<Run> {
  const summaryFile = path.join(os.tmpdir(), `fleet-remote-${process.pid}-${label.replace(/\W+/g, '-')}.json`);
  const child = h.spawn(h.fleet, process.execPath, [
    bin,
    'fleet',
    '--count',
    String(o.count),
    '--acs-url',
    `http://${h.acsV4}:7557/acs`,
    '--scenario',
    'steady',
    '--rate',
    String(o.rate),
    // Booting at the steady rate: the whole run is open loop at `rate` new sessions a second.
    '--boot-window',
    String(Math.ceil(o.count / o.rate)),
    '--duration',
    String(Math.ceil(o.count / o.rate) + o.seconds),
    '--cr-port',
    '0',
    '--summary',
    summaryFile,
    ...extra,
  ]);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    // The progress line, for whoever watches the bench.
    const last = d.toString().trim().split('\n').at(-1);
    if (last?.startsWith('[')) process.stderr.write(`  ${label}: ${last}\n`);
  });
  child.stdout?.resume();
  const exitCode = await new Promise<number>((r) => child.once('exit', (code) => r(code ?? -1)));
  const summary = fs.existsSync(summaryFile) ? (JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as Record<string, any>) : {};
  fs.rmSync(summaryFile, { force: true });
  return { label, summary, exitCode, warned: /port budget:/.test(stderr) };
}

function describe(r: Run, seconds: number, rate: number): string {
  const s = r.summary;
  const ports = s['ports'] ?? {};
  const waits = Object.values((ports['portWaits'] ?? {}) as Record<string, number>).reduce((a, b) => a + b, 0);
  const sessions = (s['sessions']?.['ok'] ?? 0) + (s['sessions']?.['failed'] ?? 0);
  const elapsed = s['elapsedSeconds'] ?? seconds;
  return (
    `  ${r.label}: ${(sessions / Math.max(1, elapsed)).toFixed(0)} sessions/s over ${elapsed} s (asked ${rate}), ${s['sessions']?.['failed'] ?? '?'} failed, ` +
    `${s['bootstrapped'] ?? '?'} of ${s['devices'] ?? '?'} bootstrapped, ${waits} port waits, TIME_WAIT peak ${ports['timeWaitPeak'] ?? '?'}; ` +
    `floor (ceiling): ${ports['addresses'] ?? '?'} address(es) × ${ports['ephemeralPorts'] ?? '?'} ports ÷ 60 s = ${ports['sustainablePerSecond'] ?? '?'} new connections/s` +
    `${r.warned ? '; warned at start' : ''}; exit ${r.exitCode}`
  );
}

export async function runFleetRemoteBench(): Promise<void> {
  console.log('fleet past loopback (ACS and fleet on two hosts: network namespaces joined by veth)');
  const missing = netnsMissing();
  if (missing) {
    console.log(`  skipped: ${missing}`);
    return;
  }
  const o = {
    count: Number(process.env['FLEET_REMOTE_COUNT'] ?? 100_000),
    rate: Number(process.env['FLEET_REMOTE_RATE'] ?? 1000),
    seconds: Number(process.env['FLEET_REMOTE_SECONDS'] ?? 300),
  };
  const h = twoHosts(243);
  const acs = h.spawn(h.acs, process.execPath, [bin, 'acs', '--host', '0.0.0.0', '--port', '7557', '--max-sessions', '1000']);
  acs.stderr?.resume();
  try {
    await waitForOutput(acs, /JSON API at/);
    console.log(`  ${o.count} devices booting at ${o.rate}/s, then ${o.rate} Informs/s for ${o.seconds} s, each run`);
    const four = await fleetRun(h, '4 addresses', ['--source-addresses', h.fleetV4Cidrs.join(',')], o);
    console.log(describe(four, o.seconds, o.rate));
    // The first run's TIME_WAIT sockets are gone before the second starts.
    for (let i = 0; i < 150; i++) {
      const tw = Number(/ tw (\d+)/.exec(h.run(h.fleet, 'cat', ['/proc/net/sockstat']))?.[1] ?? 0);
      if (tw === 0) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const one = await fleetRun(h, '1 address', [], o);
    console.log(describe(one, o.seconds, o.rate));
  } finally {
    acs.kill('SIGKILL');
    h.close();
  }
}
