/**
 * Fleets past loopback: two hosts made by the test (network namespaces joined by a veth pair),
 * the bundled ACS in its own process on one, the fleet on the other. Each device sends from its
 * own address (IPv4 and IPv6), is reached on it, and a fleet from too few addresses shows its
 * port limit (port waits counted, no failed session) where one with more does not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { bin } from '../helpers/agent-process.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mosquittoMissing } from '../helpers/mosquitto.js';
import { netnsMissing, twoHosts, type TwoHosts } from '../helpers/two-hosts.js';
import { until } from '../helpers/until.js';

const skip = netnsMissing() ?? false;
if (skip) console.log(`# SKIP fleet-source-addresses (network namespaces): ${skip}`);

type Json = Record<string, any>;

/** A process on a host: its output so far, and its end. */
function started(child: ChildProcess) {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => void (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => void (stderr += d.toString()));
  const exited = new Promise<number>((r) => child.once('exit', (code) => r(code ?? -1)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited: () => exited };
}

/** The bundled ACS on the ACS host (both families), and its JSON API, asked from that host. */
async function acsOn(h: TwoHosts) {
  const acs = started(h.spawn(h.acs, process.execPath, [bin, 'acs', '--host', '::', '--port', '7557']));
  await until(() => /JSON API at/.test(acs.stdout()) || undefined, 'the ACS to listen');
  const api = (path: string, method = 'GET'): Json =>
    JSON.parse(
      h.run(h.acs, process.execPath, [
        '-e',
        `fetch('http://127.0.0.1:7557/api${path}', { method: '${method}', ${method === 'POST' ? "headers: { 'content-type': 'application/json' }, body: '{}'" : ''} }).then((r) => r.text()).then((t) => process.stdout.write(t))`,
      ]),
    );
  return { acs, api };
}

test('each device sends from its own address, IPv4 or IPv6, names it in its ConnectionRequestURL, and is reached on it', {
  skip,
  timeout: 120_000,
}, async () => {
  const h = twoHosts(241);
  const { acs, api } = await acsOn(h);
  const fleet = started(
    h.spawn(h.fleet, process.execPath, [
      bin,
      'fleet',
      '--count',
      '8',
      '--acs-url',
      `http://${h.acsName}:7557/acs`,
      '--source-addresses',
      [...h.fleetV4Cidrs, h.fleetV6Prefix].join(','),
      '--scenario',
      'steady',
      '--boot-window',
      '0',
      '--cr-port',
      '0',
    ]),
  );
  try {
    let devices: Json[] = [];
    await until(
      () => {
        devices = api('/devices') as unknown as Json[];
        return devices.length === 8 || undefined;
      },
      'every device to inform',
      60_000,
    );
    const expected = ['10.241.1.1', '10.241.1.2', '10.241.1.3', '10.241.1.4', 'fd00:f1:1::1', 'fd00:f1:1::2', 'fd00:f1:1::3', 'fd00:f1:1::4'];
    const bySerial = new Map(devices.map((d) => [d['serial'] as string, d]));
    expected.forEach((address, i) => {
      const d = bySerial.get(`STB${String(i).padStart(9, '0')}`);
      assert.ok(d, `device ${i} informed`);
      assert.equal(d['lastAddress'], address, `device ${i} sent from its own address`);
      const host = new URL(d['connectionRequestUrl']).hostname.replace(/^\[|\]$/g, '');
      assert.equal(host, address, `device ${i} is reached on its own address`);
    });
    // A connection request from the ACS host to an IPv6 device and an IPv4 one, on their addresses.
    for (const serial of ['STB000000005', 'STB000000002']) {
      const sent = api(`/devices/${serial}/connection-request`, 'POST');
      assert.equal(sent['status'], 200, `connection request to ${sent['url']}: ${JSON.stringify(sent)}`);
      await until(
        () => (api(`/devices/${serial}/sessions`) as unknown as Json[]).some((s) => s['events'].includes('6 CONNECTION REQUEST')) || undefined,
        `${serial} to answer its connection request with a session`,
      );
      const sessions = api(`/devices/${serial}/sessions`) as unknown as Json[];
      assert.equal(sessions.at(-1)!['from'], bySerial.get(serial)!['lastAddress'], 'and that session came from its address too');
    }
  } finally {
    fleet.child.kill('SIGKILL');
    acs.child.kill('SIGKILL');
    await Promise.all([fleet.exited(), acs.exited()]);
    h.close();
  }
});

test('a fleet from too few addresses waits for ports (counted, no failed session); from four addresses it does not', { skip, timeout: 180_000 }, async () => {
  const h = twoHosts(242);
  // 20 ephemeral ports a source address: 50 devices booting at once need more than one address has.
  h.run(h.fleet, 'sysctl', ['-qw', 'net.ipv4.ip_local_port_range=40000 40019']);
  const { acs } = await acsOn(h);
  const fleetRun = async (args: string[]): Promise<{ summary: Json; stderr: string; code: number }> => {
    const fleet = started(
      h.spawn(h.fleet, process.execPath, [
        bin,
        'fleet',
        '--count',
        '50',
        '--acs-url',
        `http://${h.acsV4}:7557/acs`,
        '--boot-window',
        '0',
        '--cr-port',
        '0',
        ...args,
      ]),
    );
    const code = await fleet.exited();
    return { summary: JSON.parse(fleet.stdout()) as Json, stderr: fleet.stderr(), code };
  };
  try {
    const one = await fleetRun(['--scenario', 'steady', '--duration', '4']);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stderr, /port budget: .* 1 source address × 20 ephemeral ports ÷ 60 s of TIME_WAIT sustain 0/);
    const waits = Object.values(one.summary['ports']['portWaits'] as Record<string, number>).reduce((a, b) => a + b, 0);
    assert.ok(waits > 0, `port waits counted: ${JSON.stringify(one.summary['ports'])}`);
    assert.equal(one.summary['sessions']['failed'], 0, 'a port wait is no failed session');
    assert.ok(one.summary['bootstrapped'] < 50, 'not every device got a port');
    assert.ok(one.summary['ports']['timeWaitPeak'] > 0, 'TIME_WAIT seen');
    assert.equal(one.summary['ports']['ephemeralPorts'], 20);

    const four = await fleetRun(['--scenario', 'boot-storm', '--source-addresses', h.fleetV4Cidrs.join(',')]);
    assert.equal(four.code, 0, four.stderr);
    assert.equal(four.summary['bootstrapped'], 50, 'every device booted from four addresses');
    assert.equal(four.summary['sessions']['failed'], 0);
    assert.deepEqual(four.summary['ports']['portWaits'], {});
    assert.equal(four.summary['ports']['addresses'], 4);
  } finally {
    acs.child.kill('SIGKILL');
    await acs.exited();
    h.close();
  }
});

test("a USP fleet connects to its broker from each device's own address", { skip: skip || mosquittoMissing() || false, timeout: 120_000 }, async () => {
  const h = twoHosts(244);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-source-'));
  const config = path.join(dir, 'mosquitto.conf');
  // The broker on the other host, saying where each client connects from.
  fs.writeFileSync(config, 'listener 1883 0.0.0.0\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type all\n');
  fs.chmodSync(dir, 0o755);
  const broker = started(h.spawn(h.acs, 'mosquitto', ['-c', config]));
  let fleet: ReturnType<typeof started> | undefined;
  try {
    // (stderr: mosquitto's stdout is block-buffered into a pipe.)
    await until(() => /Opening ipv4 listen socket/.test(broker.stderr()) || undefined, 'mosquitto to listen');
    fleet = started(
      h.spawn(h.fleet, process.execPath, [
        bin,
        'fleet',
        '--protocol',
        'usp',
        '--count',
        '4',
        '--usp-mqtt-url',
        `mqtt://${h.acsV4}:1883`,
        '--usp-controller-id',
        'proto::remote-controller',
        '--usp-controller-topic',
        'usp/controller',
        '--source-addresses',
        h.fleetV4Cidrs.join(','),
        '--scenario',
        'steady',
        '--boot-window',
        '0',
      ]),
    );
    const seen = (): string[] => [...new Set([...broker.stderr().matchAll(/New client connected from (\S+):\d+ as (os::\S+)/g)].map((m) => `${m[1]} ${m[2]}`))];
    await until(() => (seen().length === 4 ? true : undefined), 'four devices connected to the broker', 60_000);
    const from = seen()
      .map((s) => s.split(' ')[0])
      .sort();
    assert.deepEqual(from, [...h.fleetV4].sort(), 'each device from its own address');
  } finally {
    fleet?.child.kill('SIGKILL');
    broker.child.kill('SIGKILL');
    await Promise.all([fleet?.exited(), broker.exited()]);
    fs.rmSync(dir, { recursive: true, force: true });
    h.close();
  }
});

test('source addresses the host does not have, or of the wrong family for the ACS, are refused at start, naming them', { timeout: 60_000 }, async () => {
  for (const [args, message] of [
    [
      ['--source-addresses', '203.0.113.64/30'],
      /does not have 2 of the fleet's source addresses \(203\.0\.113\.65, 203\.0\.113\.66\).*ip addr add 203\.0\.113\.65\/32/,
    ],
    [['--source-addresses', '127.0.0.1/32,::1/128'], /the ACS is at an IPv4 address \(127\.0\.0\.1\)/],
    [['--source-addresses', '10.0.0.0/33'], /--source-addresses.*a prefix of at most \/32/],
  ] as const) {
    const p = started(
      spawn(process.execPath, [bin, 'fleet', '--count', '2', '--acs-url', 'http://127.0.0.1:9/acs', ...args], { stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    const code = await p.exited();
    assert.equal(code, 2, `${args.join(' ')}: status 2 (${p.stderr()})`);
    assert.match(p.stderr(), message);
  }
});
