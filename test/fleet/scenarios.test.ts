/**
 * Fleet scenarios on small fleets against the test ACS: connection-request storms, a firmware
 * rollout, churn, and a fleet restarted from its snapshot; plus the command line end to end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pino } from 'pino';
import { TestAcs } from '../../src/acs/test-acs.js';
import { systemClock } from '../../src/runtime/clock.js';
import { Fleet, type FleetOptions } from '../../src/fleet/fleet.js';
import { FleetSnapshot } from '../../src/fleet/fleet-snapshot.js';
import { loadProfile } from '../../src/fleet/profile.js';
import { runScenario } from '../../src/fleet/scenarios.js';
import { tempDir } from '../helpers/agent-harness.js';
import { bin } from '../helpers/agent-process.js';
import { testFleet } from '../helpers/fleet.js';
import { until } from '../helpers/until.js';

async function small(acs: TestAcs, count: number, extra: Partial<FleetOptions> = {}): Promise<Fleet> {
  const url = await acs.listen();
  const fleet = testFleet(url, count, { profileName: 'gateway', bootWindowSeconds: 0.2, ...extra });
  await fleet.start();
  return fleet;
}

const events = (acs: TestAcs, serial: string): string[][] => acs.completedSessions(serial).map((s) => s.events.map((e) => e.code));

test('cr-storm: the ACS sends connection requests through the shared listener; each gives a CONNECTION REQUEST session', { timeout: 30_000 }, async () => {
  const acs = new TestAcs();
  const fleet = await small(acs, 20);
  try {
    const extra = await runScenario(fleet, { name: 'cr-storm', durationSeconds: 2, rate: 40 }, systemClock, acs).done;
    assert.ok((extra.actionsSent ?? 0) >= 20, `sent ${extra.actionsSent}`);
    assert.equal(extra.actionsFailed, 0);
    assert.ok((extra.actionLatencyMs?.count ?? 0) >= 15);
    const withCr = fleet.members.filter((m) => events(acs, m.serial).some((e) => e.includes('6 CONNECTION REQUEST')));
    assert.equal(withCr.length, 20, 'every device was reached');
  } finally {
    await fleet.stop();
    await acs.close();
  }
});

test('firmware-rollout: every device downloads, installs, reboots and reports success; the new version runs', { timeout: 30_000 }, async () => {
  const acs = new TestAcs();
  const fleet = await small(acs, 15);
  try {
    const extra = await runScenario(fleet, { name: 'firmware-rollout', durationSeconds: 20, rate: 30, firmwareVersion: '6.0.0' }, systemClock, acs).done;
    assert.equal(fleet.stats.transfersOk, 15);
    assert.equal(extra.actionsFailed, 0);
    for (const m of fleet.members) {
      assert.equal(m.agent!.model.read('Device.DeviceInfo.SoftwareVersion'), '6.0.0');
      const all = acs.sessions.filter((x) => x.serial === m.serial).map((x) => x.events.map((e) => e.code));
      assert.ok(
        all.some((e) => e.includes('1 BOOT') && e.includes('7 TRANSFER COMPLETE') && e.includes('M Download') && e.includes('4 VALUE CHANGE')),
        `${m.serial}: ${JSON.stringify(all)}`,
      );
    }
  } finally {
    await fleet.stop();
    await acs.close();
  }
});

test('bulkdata: the ACS gives every device a profile and each reports to the collector at the rate asked', { timeout: 60_000 }, async () => {
  const acs = new TestAcs();
  const fleet = await small(acs, 100);
  try {
    // Until every device has reported twice (a second round at the rate asked), however loaded the machine.
    const run = runScenario(fleet, { name: 'bulkdata', durationSeconds: 60, rate: 50 }, systemClock, acs);
    const perDevice = (): Map<string, number> => {
      const counts = new Map<string, number>();
      for (const r of acs.bulkData.reports) counts.set(r.query['sn']!, (counts.get(r.query['sn']!) ?? 0) + 1);
      return counts;
    };
    await acs.waitFor(() => perDevice().size === 100 && [...perDevice().values()].every((n) => n >= 2), 25_000);
    run.stop();
    const extra = await run.done;
    assert.equal(extra.actionsSent, 100);
    assert.equal(extra.actionLatencyMs?.count, 100, 'every device reported after it was configured');
    assert.deepEqual([...perDevice().keys()].sort(), fleet.members.map((m) => m.serial).sort());
    // At 50 reports a second across 100 devices, each reports every 2 s: no device far ahead of the others.
    assert.ok(Math.max(...perDevice().values()) <= 2 * Math.min(...perDevice().values()) + 2, JSON.stringify([...perDevice().values()]));
    const entry = (JSON.parse(acs.bulkData.reports.at(-1)!.body) as { Report: Record<string, unknown>[] }).Report[0]!;
    assert.equal(typeof entry['Device.DeviceInfo.UpTime'], 'number');
    assert.ok(
      Object.keys(entry).some((k) => /^Device\.IP\.Interface\.\d+\.Status$/.test(k)),
      Object.keys(entry).join(' '),
    );
  } finally {
    await fleet.stop();
    await acs.close();
  }
});

test('standby: devices sleep deaf to connection requests and wake with 13 WAKEUP', { timeout: 30_000 }, async () => {
  const acs = new TestAcs();
  const fleet = await small(acs, 20);
  try {
    const run = runScenario(fleet, { name: 'standby', durationSeconds: 3, churnPercent: 50, offlineSeconds: 0.5 }, systemClock, acs);
    // While some sleep, one of them does not answer a connection request.
    const asleep = await until(() => fleet.members.find((m) => m.agent?.standbyMode), 'a device asleep', 10_000);
    {
      const a = asleep.agent!;
      const status = await acs.connectionRequest(
        a.model.read(a.ms.connectionRequestUrl),
        a.model.read(a.ms.connectionRequestUsername),
        a.model.read(a.ms.connectionRequestPassword),
      );
      // Its night is short (0.5 s): on a loaded machine it may have woken before the request came.
      if (a.standbyMode || status !== 200) assert.equal(status, 404, 'asleep and deaf: no answer');
    }
    const extra = await run.done;
    assert.ok((extra.actionsSent ?? 0) >= 5, `${extra.actionsSent} nights`);
    const woke = await until(
      () => {
        const w = fleet.members.filter((m) => events(acs, m.serial).some((e) => e.includes('13 WAKEUP')));
        return w.length >= 5 ? w : undefined;
      },
      'five devices reporting 13 WAKEUP',
      15_000,
    );
    for (const m of woke)
      assert.ok(
        !events(acs, m.serial)
          .slice(1)
          .some((e) => e.includes('1 BOOT')),
        'standby is no reboot',
      );
  } finally {
    await fleet.stop();
    await acs.close();
  }
});

test('churn: devices go offline (unreachable) and come back with BOOT, not BOOTSTRAP', { timeout: 30_000 }, async () => {
  const acs = new TestAcs();
  const fleet = await small(acs, 20);
  try {
    const run = runScenario(fleet, { name: 'churn', durationSeconds: 3, churnPercent: 50, offlineSeconds: 0.5 }, systemClock, acs);
    const extra = await run.done;
    assert.ok((extra.actionsSent ?? 0) >= 5, `${extra.actionsSent} outages`);
    // A device's periodic Inform may fall in the run (the fleet's phases spread them over the hour):
    // it is no reboot, and only the sessions after an outage must carry BOOT.
    await until(
      () => {
        const rebooted = fleet.members.filter((m) => events(acs, m.serial).some((e, i) => i > 0 && e.includes('1 BOOT')));
        return rebooted.length >= 5 ? rebooted : undefined;
      },
      'five devices back with 1 BOOT',
      15_000,
    );
    for (const m of fleet.members) {
      const [first, ...rest] = events(acs, m.serial);
      assert.ok(first!.includes('0 BOOTSTRAP'));
      for (const e of rest) assert.ok(!e.includes('0 BOOTSTRAP') && (e.includes('1 BOOT') || e.includes('2 PERIODIC')), `${m.serial}: ${e.join(',')}`);
    }
    const off = fleet.members.find((m) => !m.agent);
    if (off) {
      const url = fleet.members.find((m) => m.agent)!.agent!.model.read('Device.ManagementServer.ConnectionRequestURL');
      const base = url.slice(0, url.indexOf('/', 8));
      assert.equal(await acs.connectionRequest(`${base}${off.crPath}`, off.serial, 'pw'), 404, 'an offline device does not answer');
    }
  } finally {
    await fleet.stop();
    await acs.close();
  }
});

test('a fleet restarted from its snapshot keeps its state: BOOT, not BOOTSTRAP, and the values the ACS set', { timeout: 30_000 }, async () => {
  const dir = tempDir('fleet-snap-');
  const acs = new TestAcs();
  const first = await small(acs, 10);
  let url1 = '';
  try {
    for (const m of first.members)
      acs.queue(m.serial, { method: 'SetParameterValues', parameterList: [{ name: 'Device.WiFi.SSID.1.SSID', value: `net-${m.index}` }], parameterKey: 'k' });
    await acs.waitFor(() => first.members.every((m) => acs.responses(m.serial).some((r) => r.method === 'SetParameterValuesResponse')));
    url1 = first.members[0]!.agent!.model.read('Device.ManagementServer.URL');
    new FleetSnapshot(dir, 'all').save(first);
  } finally {
    await first.stop();
    await acs.close();
  }
  // The same ACS URL again (a restarted ACS on the same port), so BOOTSTRAP is not due.
  const acs2 = new TestAcs({ port: new URL(url1).port === '' ? 0 : Number(new URL(url1).port) });
  const url2 = await acs2.listen();
  assert.equal(url2, url1);
  const restored = new FleetSnapshot(dir, 'all').load();
  const second = new Fleet({
    count: 10,
    profile: loadProfile('gateway'),
    acsUrl: url2,
    cwmpVersion: '1.4',
    connectionRequest: { port: 0, address: '127.0.0.1', password: 'pw' },
    bootWindowSeconds: 0.2,
    clock: systemClock,
    random: Math.random,
    logger: pino({ level: 'silent' }),
    restored,
  });
  await second.start();
  try {
    await acs2.waitFor(() => second.members.every((m) => acs2.completedSessions(m.serial).length >= 1));
    for (const m of second.members) {
      assert.equal(m.agent!.model.read('Device.WiFi.SSID.1.SSID'), `net-${m.index}`, 'the value the ACS set survived');
      assert.deepEqual(events(acs2, m.serial)[0], ['1 BOOT']);
    }
  } finally {
    await second.stop();
    await acs2.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('cwmp-agent fleet on the command line: boot storm against the bundled ACS, JSON summary, snapshot written', { timeout: 60_000 }, () => {
  const dir = tempDir('fleet-cli-');
  const r = spawnSync(
    process.execPath,
    [
      bin,
      'fleet',
      '--count',
      '40',
      '--scenario',
      'boot-storm',
      '--boot-window',
      '1',
      '--state-dir',
      dir,
      '--cr-port',
      '0',
      '--profile',
      'gateway',
      '--shard',
      '1/2',
    ],
    { encoding: 'utf8', timeout: 50_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { devices: number; bootstrapped: number; shard: string; sessions: { failed: number } };
  assert.equal(summary.devices, 20, 'shard 1 of 2 runs half');
  assert.equal(summary.bootstrapped, 20);
  assert.equal(summary.sessions.failed, 0);
  assert.match(r.stderr, /fleet: 20 devices \(gateway, shard 1\/2\)/);
  const snap = JSON.parse(fs.readFileSync(path.join(dir, 'fleet-1-of-2.json'), 'utf8')) as { devices: Record<string, unknown> };
  assert.deepEqual(Object.keys(snap.devices).sort()[0], 'HGW000000020');
  // Spread over two worker threads: each its own part of the range, one summary for all.
  const threaded = spawnSync(
    process.execPath,
    [bin, 'fleet', '--count', '30', '--workers', '2', '--scenario', 'boot-storm', '--boot-window', '1', '--cr-port', '0'],
    { encoding: 'utf8', timeout: 50_000 },
  );
  assert.equal(threaded.status, 0, threaded.stderr);
  const all = JSON.parse(threaded.stdout) as { workers: number; devices: number; bootstrapped: number; shard: string[] };
  assert.deepEqual([all.workers, all.devices, all.bootstrapped], [2, 30, 30]);
  assert.deepEqual(all.shard, ['0/2', '1/2']);
  const bad = spawnSync(process.execPath, [bin, 'fleet', '--count', '5', '--scenario', 'nope'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--scenario <name>' argument 'nope' is invalid\. one of boot-storm/);
  fs.rmSync(dir, { recursive: true, force: true });
});
