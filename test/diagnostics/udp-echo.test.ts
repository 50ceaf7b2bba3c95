/** UDPEchoConfig: the device as a TR-143 UDP echo (plus) server, configured by the ACS. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startUdpEchoConfig } from '../../src/diagnostics/diagnostics-runner.js';
import { sessionsCompleted, startHarness, type Harness } from '../helpers/agent-harness.js';
import { freeUdpPort } from '../helpers/servers.js';
import { echoServerEnabled, exchange } from '../helpers/udp-echo.js';

const U = 'Device.IP.Diagnostics.UDPEchoConfig.';

/**
 * An agent with the diagnostics runner and its UDP echo server, a port for that server and a port
 * nobody answers on. `request` starts it with the echo server enabled on that port and these
 * values set in its first session, and waits for the diagnostics session after it.
 */
async function withEchoAgent(
  body: (h: Harness, port: number, silent: number, request: (values: Record<string, string>) => Promise<void>) => Promise<void>,
): Promise<void> {
  const h = await startHarness();
  const { DiagnosticsRunner } = await import('../../src/diagnostics/diagnostics-runner.js');
  new DiagnosticsRunner(h.agent.device);
  const echo = startUdpEchoConfig(h.agent, '127.0.0.1');
  const port = await freeUdpPort();
  const request = async (values: Record<string, string>): Promise<void> => {
    const all = { [`${U}UDPPort`]: String(port), [`${U}Enable`]: 'true', ...values };
    h.acs.queue(h.serial, {
      method: 'SetParameterValues',
      parameterList: Object.entries(all).map(([name, value]) => ({ name, value })),
      parameterKey: 'echo-diag',
    });
    h.agent.start();
    await sessionsCompleted(h, 2, 20_000);
  };
  try {
    await body(h, port, await freeUdpPort(), request);
  } finally {
    echo.stop();
    await h.close();
  }
}

test('echo plus server: answers the allowed source, fills the Echo Plus fields, counts', async () => {
  const h = await startHarness();
  const echo = startUdpEchoConfig(h.agent, '127.0.0.1');
  const port = await freeUdpPort();
  try {
    await echoServerEnabled(h, U, port, true);
    const packets = [1, 2, 3, 4, 5].map((sn) => {
      const b = Buffer.alloc(64);
      b.writeUInt32BE(sn, 0);
      return b;
    });
    const replies = await exchange(port, packets);
    assert.equal(replies.length, 5);
    const respSns = replies.map((r) => r.readUInt32BE(4)).sort((a, b) => a - b);
    assert.deepEqual(respSns, [1, 2, 3, 4, 5], 'TestRespSN counts the responses');
    assert.ok(
      replies.every((r) => r.readUInt32BE(12) >= r.readUInt32BE(8)),
      'reply time stamp not before receive time stamp',
    );
    assert.deepEqual(replies.map((r) => r.readUInt32BE(0)).sort(), [1, 2, 3, 4, 5], 'TestGenSN echoed');
    const m = h.agent.model;
    assert.equal(m.read(`${U}PacketsReceived`), '5');
    assert.equal(m.read(`${U}BytesReceived`), String(5 * 64));
    assert.equal(m.read(`${U}PacketsResponded`), '5');
    assert.notEqual(m.read(`${U}TimeFirstPacketReceived`), '0001-01-01T00:00:00Z');

    // Another allowed source: our packets are no longer answered (nor counted).
    h.acs.queue(h.serial, { method: 'SetParameterValues', parameterList: [{ name: `${U}SourceIPAddress`, value: '127.0.0.2' }], parameterKey: 'echo2' });
    h.agent.trigger('6 CONNECTION REQUEST');
    await sessionsCompleted(h, 2);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await exchange(port, packets.slice(0, 2))).length, 0);
    assert.equal(m.read(`${U}PacketsReceived`), '0', 'a restarted server starts counting afresh');
  } finally {
    echo.stop();
    await h.close();
  }
});

test('UDPEchoDiagnostics: the device as client against its own echo server; a silent port counts failures', { timeout: 30_000 }, async () => {
  const E = 'Device.IP.Diagnostics.UDPEchoDiagnostics.';
  await withEchoAgent(async (h, port, silent, request) => {
    await request({
      [`${E}Host`]: '127.0.0.1',
      [`${E}Port`]: String(port),
      [`${E}NumberOfRepetitions`]: '4',
      [`${E}InterTransmissionTime`]: '20',
      [`${E}Timeout`]: '300',
      [`${E}DiagnosticsState`]: 'Requested',
    });
    const m = h.agent.model;
    assert.equal(m.read(`${E}DiagnosticsState`), 'Complete');
    assert.equal(m.read(`${E}SuccessCount`), '4');
    assert.equal(m.read(`${E}FailureCount`), '0');
    assert.equal(m.read(`${U}PacketsReceived`), '4', 'the echo server saw exactly the datagrams the client sent');
    const [min, avg, max] = ['Minimum', 'Average', 'Maximum'].map((k) => Number(m.read(`${E}${k}ResponseTime`)));
    assert.ok(min! > 0 && min! <= avg! && avg! <= max! && max! < 300_000);

    h.acs.queue(h.serial, {
      method: 'SetParameterValues',
      parameterList: [
        { name: `${E}Port`, value: String(silent) },
        { name: `${E}DiagnosticsState`, value: 'Requested' },
      ],
      parameterKey: 'ue2',
    });
    h.agent.trigger('6 CONNECTION REQUEST');
    await sessionsCompleted(h, 4, 20_000);
    assert.equal(m.read(`${E}SuccessCount`), '0');
    assert.equal(m.read(`${E}FailureCount`), '4');
  });
});

test('ServerSelectionDiagnostics over UDP Echo: host:port entries, the answering server wins, one datagram at a time', { timeout: 30_000 }, async () => {
  const S = 'Device.IP.Diagnostics.ServerSelectionDiagnostics.';
  const { echoTarget } = await import('../../src/diagnostics/diagnostics-runner.js');
  assert.deepEqual(echoTarget('[2001:db8::1]:7000'), { host: '2001:db8::1', port: 7000 });
  assert.deepEqual(echoTarget('echo.example'), { host: 'echo.example', port: 7 });
  await withEchoAgent(async (h, port, silent, request) => {
    await request({
      [`${S}Protocol`]: 'UDP Echo',
      [`${S}HostList`]: `127.0.0.1:${silent},127.0.0.1:${port}`,
      [`${S}NumberOfRepetitions`]: '3',
      [`${S}Timeout`]: '300',
      [`${S}DiagnosticsState`]: 'Requested',
    });
    const m = h.agent.model;
    assert.equal(m.read(`${S}DiagnosticsState`), 'Complete');
    assert.equal(m.read(`${S}FastestHost`), `127.0.0.1:${port}`);
    assert.equal(m.read(`${S}IPAddressUsed`), '127.0.0.1');
    assert.equal(m.read(`${U}PacketsReceived`), '3', 'three echoes, one after another');
    const [min, avg, max] = ['Minimum', 'Average', 'Maximum'].map((k) => Number(m.read(`${S}${k}ResponseTime`)));
    assert.ok(min! > 0 && min! <= avg! && avg! <= max! && max! < 300_000);
  });
});
