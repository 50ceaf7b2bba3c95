/**
 * A thousand simulated devices in one process against the test ACS: every one bootstraps,
 * informs periodically and answers a GetParameterValues with its own identity; connection
 * requests reach the right device through the shared HTTP listener and UDP socket.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { TestAcs } from '../../src/acs/test-acs.js';
import { parameterValues, readCpeMessage } from '../../src/acs/acs-messages.js';
import { systemClock } from '../../src/runtime/clock.js';
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
  for (const s of serials)
    acs.queue(s, {
      method: 'GetParameterValues',
      parameterNames: [
        'Device.DeviceInfo.SerialNumber',
        'Device.DeviceInfo.ProductClass',
        'Device.Services.STBService.1.Components.FrontEnd.1.IP.IGMP.ClientVersion',
      ],
    });
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
    const answers = new Map(
      acs
        .responses()
        .filter((r) => r.method === 'GetParameterValuesResponse')
        .map((r) => [parameterValues(r)['Device.DeviceInfo.SerialNumber']?.value, parameterValues(r)]),
    );
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
    await acs.waitFor(() =>
      acs
        .completedSessions(other.serial)
        .slice(udpBefore)
        .some((s) => s.events.some((e) => e.code === '6 CONNECTION REQUEST')),
    );
  } finally {
    await fleet.stop();
    await acs.close();
  }
});

/** A TR-098 gateway's dump in the CSV format genieacs-sim uses (object rows, xsd: types). */
const IGD_CSV = `Parameter,Object,Object timestamp,Writable,Writable timestamp,Value,Value type,Value timestamp,Notification,Notification timestamp,Access list,Access list timestamp
InternetGatewayDevice.,true,,false,,,,,,,,
InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.,true,,false,,,,,,,,
InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID,false,,true,,"home, sweet ""home""",xsd:string,,,,,
InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Enable,false,,true,,true,xsd:boolean,,,,,
InternetGatewayDevice.DeviceInfo.ModelName,false,,false,,HG-9,xsd:string,,,,,
InternetGatewayDevice.ManagementServer.ConnectionRequestPassword,false,,true,,leaked,xsd:string,,,,,
`;

test('a fleet of TR-098 gateways from a genieacs-sim CSV: InternetGatewayDevice Informs, snapshot values, connection requests', {
  timeout: 60_000,
}, async () => {
  const { buildProfile, snapshotFromCsv } = await import('../../src/fleet/profile.js');
  const profile = buildProfile({ name: 'igd' }, snapshotFromCsv(IGD_CSV));
  assert.equal(profile.schema.root, 'InternetGatewayDevice.');
  assert.deepEqual(
    profile.skipped.map((s) => s.name),
    ['InternetGatewayDevice.ManagementServer.ConnectionRequestPassword'],
    'the secret is not taken',
  );
  const acs = new TestAcs();
  const url = await acs.listen();
  const fleet = new Fleet({
    count: 20,
    profile,
    acsUrl: url,
    cwmpVersion: '1.4',
    connectionRequest: { port: 0, address: '127.0.0.1', password: 'fleet-secret' },
    periodicInformInterval: 60,
    bootWindowSeconds: 1,
    clock: systemClock,
    random: Math.random,
    logger: pino({ level: 'silent' }),
  });
  const R = 'InternetGatewayDevice.';
  for (const m of fleet.members)
    acs.queue(m.serial, { method: 'GetParameterValues', parameterNames: [`${R}LANDevice.1.WLANConfiguration.1.`, `${R}DeviceInfo.ModelName`] });
  try {
    await fleet.start();
    await acs.waitFor(() => fleet.members.every((m) => acs.completedSessions(m.serial).length >= 1), 30_000);
    for (const m of fleet.members) {
      const inform = parameterValues(readCpeMessage(acs.completedSessions(m.serial)[0]!.messages[0]!.body));
      assert.ok(
        `${R}DeviceSummary` in inform && `${R}WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress` in inform,
        `${m.serial}: TR-098 Inform`,
      );
      const answer = parameterValues(acs.responses(m.serial).find((r) => r.method === 'GetParameterValuesResponse')!);
      assert.equal(answer[`${R}LANDevice.1.WLANConfiguration.1.SSID`]?.value, 'home, sweet "home"');
      assert.equal(answer[`${R}DeviceInfo.ModelName`]?.value, 'HG-9');
    }
    const target = fleet.members[7]!;
    const crUrl = target.agent!.model.read(`${R}ManagementServer.ConnectionRequestURL`);
    assert.equal(await acs.connectionRequest(crUrl, target.serial, 'fleet-secret'), 200);
    await acs.waitFor(() => acs.completedSessions(target.serial).some((s) => s.events.some((e) => e.code === '6 CONNECTION REQUEST')));
  } finally {
    await fleet.stop();
    await acs.close();
  }
});
