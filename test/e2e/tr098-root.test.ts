/** A legacy gateway: the agent with the TR-098 InternetGatewayDevice root, end to end against the test ACS. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parameterValues, readCpeMessage, textAt } from '../../src/acs/acs-messages.js';
import { startHttpConnectionRequests } from '../../src/connreq/connection-request-wiring.js';
import { IGD_SCHEMA } from '../../src/models/igd.js';
import { CWMP_NAMESPACES } from '../../src/cwmp/namespaces.js';
import type { ManualClock } from '../../src/runtime/clock.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';
import { validateEnvelopes, xsdSkipReason } from '../helpers/xsd.js';
import { commandMissing } from '../helpers/servers.js';
import { DiagnosticsRunner } from '../../src/diagnostics/diagnostics-runner.js';

const R = 'InternetGatewayDevice.';
const WIP = `${R}WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.`;

test('TR-098 root: the Inform carries the TR-098 forced parameters, the default connection address included, and validates', async () => {
  const h = await startHarness({ agent: { schema: IGD_SCHEMA } });
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    const inform = h.acs.completedSessions(h.serial)[0]!.messages[0]!;
    const values = parameterValues(readCpeMessage(inform.body));
    for (const name of [
      'DeviceSummary',
      'DeviceInfo.SpecVersion',
      'DeviceInfo.HardwareVersion',
      'DeviceInfo.SoftwareVersion',
      'DeviceInfo.ProvisioningCode',
      'ManagementServer.ParameterKey',
      'ManagementServer.ConnectionRequestURL',
    ]) {
      assert.ok(`${R}${name}` in values, `${R}${name} is in the Inform`);
    }
    assert.equal(values[`${R}DeviceInfo.SpecVersion`]!.value, '1.0');
    assert.match(values[`${R}DeviceSummary`]!.value, /^InternetGatewayDevice:1\.\d+\[\]\(Baseline:1/);
    // The simulated gateway's WAN address (eth0, from the seed), and no other connection's.
    assert.match(values[`${WIP}ExternalIPAddress`]!.value, /^192\.0\.2\.\d+$/);
    assert.ok(
      Object.keys(values).every((n) => n.startsWith(R)),
      `only InternetGatewayDevice names: ${Object.keys(values).join(', ')}`,
    );
    const skip = xsdSkipReason();
    if (!skip) {
      const result = validateEnvelopes(CWMP_NAMESPACES[2]!, [inform.body]);
      assert.ok(result.ok, result.output);
    }
  } finally {
    await h.close();
  }
});

test('TR-098 root: parameter RPCs on the gateway tree, with the faults of a device that owns its interfaces', async () => {
  const h = await startHarness({ agent: { schema: IGD_SCHEMA }, manualClock: true });
  const clock = h.clock as ManualClock;
  try {
    h.acs.queue(
      h.serial,
      { method: 'GetParameterValues', parameterNames: [R] },
      {
        method: 'SetParameterValues',
        parameterList: [
          { name: `${R}ManagementServer.PeriodicInformInterval`, value: '300' },
          { name: `${R}Time.LocalTimeZone`, value: '+01:00' },
        ],
        parameterKey: 'k1',
      },
      {
        method: 'SetParameterValues',
        parameterList: [
          { name: `${WIP}ExternalIPAddress`, value: '203.0.113.9' },
          { name: `${R}ManagementServer.PeriodicInformInterval`, value: '600' },
        ],
        parameterKey: 'k2',
      },
      { method: 'AddObject', objectName: `${R}WANDevice.1.WANConnectionDevice.1.WANPPPConnection.`, parameterKey: 'k3' },
      { method: 'AddObject', objectName: `${R}WANDevice.1.WANConnectionDevice.1.WANIPConnection.`, parameterKey: 'k4' },
      { method: 'AddObject', objectName: `${R}Layer3Forwarding.Forwarding.`, parameterKey: 'k5' },
      { method: 'GetParameterNames', parameterPath: `${R}LANDevice.1.`, nextLevel: true },
      { method: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.UpTime'] },
    );
    h.agent.start();
    await sessionsCompleted(h, 1);
    const [gpv, spv1, spv2, addPpp, addIp, addRoute, gpn, wrongRoot] = h.acs.responses(h.serial);
    const all = parameterValues(gpv!);
    assert.ok(Object.keys(all).length > 150, `${Object.keys(all).length} parameters under ${R}`);
    assert.equal(all[`${R}LANDevice.1.LANEthernetInterfaceConfig.1.Status`]!.value, 'Up');
    const hosts = Number(all[`${R}LANDevice.1.Hosts.HostNumberOfEntries`]!.value);
    assert.ok(hosts >= 1 && all[`${R}LANDevice.1.Hosts.Host.${hosts}.IPAddress`]!.value.startsWith('192.168.1.'));
    assert.equal(all[`${R}Layer3Forwarding.DefaultConnectionService`]!.value, WIP.slice(0, -1));
    assert.equal(all[`${R}ManagementServer.Password`]!.value, '', 'passwords read as empty');
    assert.equal(spv1!.method, 'SetParameterValuesResponse');
    assert.equal(spv2!.method, 'Fault');
    assert.equal(textAt(spv2!.body, 'detail', 'Fault', 'SetParameterValuesFault', 'FaultCode'), '9007', 'the device owns its WAN address');
    assert.equal(addPpp!.method, 'AddObjectResponse');
    assert.equal(textAt(addIp!.body, 'detail', 'Fault', 'FaultCode'), '9001', "the WAN IP connection is the device's own");
    assert.equal(addRoute!.method, 'AddObjectResponse');
    assert.equal(gpn!.method, 'GetParameterNamesResponse');
    assert.equal(textAt(wrongRoot!.body, 'detail', 'Fault', 'FaultCode'), '9005', 'no Device. tree on a TR-098 device');
    assert.equal(h.agent.model.read(`${R}ManagementServer.ParameterKey`), 'k5');
    assert.equal(h.agent.model.read(`${R}ManagementServer.PeriodicInformInterval`), '300', 'nothing of the failed set applied');
    assert.equal(h.agent.model.read(`${R}WANDevice.1.WANConnectionDevice.1.WANPPPConnectionNumberOfEntries`), '1');
    // The interval set under the TR-098 root drives the periodic Inform.
    assert.equal(clock.nextTimerIn(), 300_000);
    clock.advance(300_000);
    await sessionsCompleted(h, 2);
    assert.deepEqual(
      h.acs.completedSessions(h.serial)[1]!.events.map((e) => e.code),
      ['2 PERIODIC'],
    );
  } finally {
    await h.close();
  }
});

test('TR-098 root: connection requests use the TR-098 credentials and URL; a PPP default connection sends its own address', async () => {
  const h = await startHarness({ agent: { schema: IGD_SCHEMA } });
  const server = await startHttpConnectionRequests(h.agent, { port: 0, address: '127.0.0.1', advertisedHost: '127.0.0.1' });
  try {
    const ppp = `${R}WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1`;
    h.acs.queue(
      h.serial,
      {
        method: 'SetParameterValues',
        parameterList: [
          { name: `${R}ManagementServer.ConnectionRequestUsername`, value: 'acs' },
          { name: `${R}ManagementServer.ConnectionRequestPassword`, value: 'secret' },
        ],
        parameterKey: 'cr',
      },
      { method: 'AddObject', objectName: `${R}WANDevice.1.WANConnectionDevice.1.WANPPPConnection.`, parameterKey: 'p' },
      {
        method: 'SetParameterValues',
        parameterList: [
          { name: `${ppp}.ExternalIPAddress`, value: '198.51.100.7' },
          { name: `${R}Layer3Forwarding.DefaultConnectionService`, value: ppp },
        ],
        parameterKey: 'd',
      },
    );
    h.agent.start();
    await sessionsCompleted(h, 1);
    const url = h.agent.model.read(`${R}ManagementServer.ConnectionRequestURL`);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\//);
    assert.equal(await h.acs.connectionRequest(url, 'acs', 'wrong'), 401);
    assert.equal(await h.acs.connectionRequest(url, 'acs', 'secret'), 200);
    await sessionsCompleted(h, 2);
    const second = h.acs.completedSessions(h.serial)[1]!;
    assert.deepEqual(
      second.events.map((e) => e.code),
      ['6 CONNECTION REQUEST'],
    );
    const values = parameterValues(readCpeMessage(second.messages[0]!.body));
    assert.equal(values[`${ppp}.ExternalIPAddress`]?.value, '198.51.100.7');
    assert.ok(!(`${WIP}ExternalIPAddress` in values), "only the default connection's address is forced");
  } finally {
    await server.close();
    await h.close();
  }
});

const noTools = commandMissing('ping') ?? commandMissing('traceroute');

test('TR-098 root: IPPingDiagnostics and TraceRouteDiagnostics at the root, with TR-098 result names and states', {
  skip: noTools,
  timeout: 40_000,
}, async () => {
  const h = await startHarness({ agent: { schema: IGD_SCHEMA } });
  new DiagnosticsRunner(h.agent.device);
  const P = `${R}IPPingDiagnostics.`;
  const T = `${R}TraceRouteDiagnostics.`;
  try {
    h.acs.queue(
      h.serial,
      {
        method: 'SetParameterValues',
        parameterList: [
          { name: `${P}Host`, value: '127.0.0.1' },
          { name: `${P}NumberOfRepetitions`, value: '2' },
          { name: `${P}DiagnosticsState`, value: 'Requested' },
          { name: `${T}Host`, value: '127.0.0.1' },
          { name: `${T}NumberOfTries`, value: '1' },
          { name: `${T}MaxHopCount`, value: '3' },
          { name: `${T}DiagnosticsState`, value: 'Requested' },
        ],
        parameterKey: 'diag',
      },
      { method: 'SetParameterValues', parameterList: [{ name: `${P}DiagnosticsState`, value: 'Canceled' }], parameterKey: 'x' },
    );
    h.agent.start();
    await sessionsCompleted(h, 2, 30_000);
    const m = h.agent.model;
    // "Canceled" is not a TR-098 state: refused, so the test still ran.
    assert.equal(textAt(h.acs.responses(h.serial)[1]!.body, 'detail', 'Fault', 'SetParameterValuesFault', 'FaultCode'), '9007');
    const codes = h.acs
      .completedSessions(h.serial)
      .slice(1)
      .flatMap((s) => s.events.map((e) => e.code));
    assert.ok(codes.includes('8 DIAGNOSTICS COMPLETE'));
    await waitFor(() => m.read(`${P}DiagnosticsState`) !== 'Requested' && m.read(`${T}DiagnosticsState`) !== 'Requested', 30_000);
    assert.equal(m.read(`${P}DiagnosticsState`), 'Complete');
    assert.equal(m.read(`${P}SuccessCount`), '2');
    assert.equal(m.read(`${T}DiagnosticsState`), 'Complete');
    assert.equal(m.read(`${T}RouteHopsNumberOfEntries`), '1');
    assert.equal(m.read(`${T}RouteHops.1.HopHostAddress`), '127.0.0.1');
  } finally {
    await h.close();
  }
});

async function waitFor(ok: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
