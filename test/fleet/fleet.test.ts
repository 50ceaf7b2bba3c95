/**
 * A thousand simulated devices in one process against the test ACS: every one bootstraps,
 * informs periodically and answers a GetParameterValues with its own identity; connection
 * requests reach the right device through the shared HTTP listener and UDP socket.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { TestAcs } from '../../src/acs/test-acs.js';
import { parameterValues } from '../../src/acs/acs-messages.js';
import { systemClock } from '../../src/clock.js';
import { Fleet } from '../../src/fleet/fleet.js';
import { loadProfile } from '../../src/fleet/profile.js';

test('1,000 devices: each bootstraps, informs periodically and answers GetParameterValues; connection requests are routed', { timeout: 120_000 }, async () => {
  const acs = new TestAcs();
  const url = await acs.listen();
  const profile = loadProfile('stb');
  const fleet = new Fleet({
    count: 1000,
    profile,
    acsUrl: url,
    cwmpVersion: '1.4',
    connectionRequest: { port: 0, address: '127.0.0.1', password: 'fleet-secret' },
    periodicInformInterval: 5,
    bootWindowSeconds: 2,
    clock: systemClock,
    random: Math.random,
    logger: pino({ level: 'silent' }),
  });
  const serials = fleet.members.map((m) => m.serial);
  assert.equal(new Set(serials).size, 1000, 'serial numbers are unique');
  assert.equal(serials[0], 'STB000000000');
  for (const s of serials) acs.queue(s, { method: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.SerialNumber', 'Device.DeviceInfo.ProductClass', 'Device.Services.STBService.1.Components.FrontEnd.1.IP.IGMP.ClientVersion'] });
  try {
    await fleet.start();
    const sessionsOf = (): Map<string, string[][]> => {
      const by = new Map<string, string[][]>();
      for (const s of acs.completedSessions()) by.set(s.serial, [...(by.get(s.serial) ?? []), s.events.map((e) => e.code)]);
      return by;
    };
    await acs.waitFor(() => {
      const by = sessionsOf();
      return serials.every((s) => (by.get(s) ?? []).some((e) => e.includes('2 PERIODIC')));
    }, 60_000);
    const by = sessionsOf();
    for (const s of serials) {
      const sessions = by.get(s)!;
      assert.ok(sessions[0]!.includes('0 BOOTSTRAP') && sessions[0]!.includes('1 BOOT'), `${s} bootstrapped first`);
    }
    const answers = new Map(acs.responses().filter((r) => r.method === 'GetParameterValuesResponse').map((r) => [parameterValues(r)['Device.DeviceInfo.SerialNumber']?.value, parameterValues(r)]));
    for (const s of serials) {
      const v = answers.get(s);
      assert.ok(v, `${s} answered GetParameterValues`);
      assert.equal(v['Device.DeviceInfo.ProductClass']?.value, 'STB-UHD');
      assert.equal(v['Device.Services.STBService.1.Components.FrontEnd.1.IP.IGMP.ClientVersion']?.value, 'v3', 'a value from the profile snapshot');
    }
    assert.equal(fleet.stats.bootstrapped.size, 1000);
    assert.equal(fleet.stats.failed, 0);

    // Connection requests through the shared listeners reach exactly the device they name.
    const target = fleet.members[123]!;
    const crUrl = target.agent!.model.read('Device.ManagementServer.ConnectionRequestURL');
    const before = acs.completedSessions(target.serial).length;
    assert.equal(await acs.connectionRequest(crUrl, target.serial, 'fleet-secret'), 200);
    assert.equal(await acs.connectionRequest(crUrl, target.serial, 'wrong'), 401);
    await acs.waitFor(() => acs.completedSessions(target.serial).some((s, i) => i >= before && s.events.some((e) => e.code === '6 CONNECTION REQUEST')));
    const other = fleet.members[999]!;
    const udpBefore = acs.completedSessions(other.serial).length;
    await acs.udpConnectionRequest(other.agent!.model.read('Device.ManagementServer.UDPConnectionRequestAddress'), other.serial, 'fleet-secret');
    await acs.waitFor(() => acs.completedSessions(other.serial).slice(udpBefore).some((s) => s.events.some((e) => e.code === '6 CONNECTION REQUEST')));
  } finally {
    await fleet.stop();
    await acs.close();
  }
});
