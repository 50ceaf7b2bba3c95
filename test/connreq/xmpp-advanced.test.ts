/**
 * The XMPP connection beyond logging in (TR-181 XMPP.Connection.{i}, TR-069 Annex K): STARTTLS
 * verified with the agent's trust and UseTLS, TLSEstablished, Stats, the server order of
 * ServerConnectAlgorithm with ServerConnectAttempts, and whitespace keepalives, against
 * Debian's prosody.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { XmppConnectionRequester } from '../../src/acs/xmpp-requester.js';
import { startXmppConnectionRequests } from '../../src/connreq/connection-request-wiring.js';
import { orderServers, xmppServerCandidates } from '../../src/connreq/xmpp-servers.js';
import type { ManualClock } from '../../src/runtime/clock.js';
import type { ParameterValueInput } from '../../src/cwmp/messages.js';
import { sessionsCompleted, startHarness, type Harness, type HarnessOptions } from '../helpers/agent-harness.js';
import { commandMissing, startProsody, type Prosody } from '../helpers/servers.js';
import { makeTestPki } from '../helpers/test-ca.js';

const P = 'Device.XMPP.Connection.1.';
const MS = 'Device.ManagementServer.';

test('RFC 2782 order: priority first, then weighted; SRV lookups fall back to the domain on 5222', async () => {
  const list = [
    { host: 'c', port: 1, priority: 20, weight: 0 },
    { host: 'a', port: 1, priority: 10, weight: 60 },
    { host: 'b', port: 1, priority: 10, weight: 20 },
  ];
  // With random 0 the first of the priority's running sum wins; with ~1 the last.
  assert.deepEqual(
    orderServers(list, () => 0).map((s) => s.host),
    ['b', 'a', 'c'],
  );
  assert.deepEqual(
    orderServers(list, () => 0.999).map((s) => s.host),
    ['a', 'b', 'c'],
  );
  // Over many draws a weight-60 server leads about three times as often as a weight-20 one.
  let seed = 1;
  const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  let aFirst = 0;
  for (let i = 0; i < 4000; i++) if (orderServers(list, random)[0]!.host === 'a') aFirst++;
  assert.ok(aFirst > 2700 && aFirst < 3300, `a first ${aFirst} of 4000`);

  const srv = async (name: string) => (name === '_xmpp-client._tcp.example.net' ? [{ name: 'xmpp1.example.net', port: 5223, priority: 5, weight: 0 }] : []);
  assert.deepEqual(await xmppServerCandidates('DNS-SRV', 'example.net', [], srv, Math.random), [{ host: 'xmpp1.example.net', port: 5223 }]);
  assert.deepEqual(
    await xmppServerCandidates('DNS-SRV', 'other.net', [], srv, Math.random),
    [{ host: 'other.net', port: 5222 }],
    'no records: the domain itself',
  );
  assert.deepEqual(
    await xmppServerCandidates('DNS-SRV', 'x.net', [], async () => [{ name: '.', port: 0, priority: 0, weight: 0 }], Math.random),
    [],
    'a "." target: no service',
  );
  assert.deepEqual(await xmppServerCandidates('DNS', 'example.net', list, srv, Math.random), [{ host: 'example.net', port: 5222 }]);
  assert.deepEqual(
    (await xmppServerCandidates('ServerTable', 'example.net', list, srv, () => 0)).map((s) => s.host),
    ['b', 'a', 'c'],
  );
});

const skip = commandMissing('prosody');

function connectionSettings(prosody: Prosody, extra: Record<string, string> = {}): ParameterValueInput[] {
  const values: Record<string, string> = {
    [`${MS}ConnectionRequestUsername`]: 'cr-user',
    [`${MS}ConnectionRequestPassword`]: 'cr-pass',
    [`${P}Username`]: 'cpe',
    [`${P}Password`]: 'cpe-pass',
    [`${P}Domain`]: prosody.domain,
    [`${P}Resource`]: 'cwmp',
    [`${P}ServerConnectAlgorithm`]: 'ServerTable',
    [`${P}ServerRetryInitialInterval`]: '1',
    [`${P}ServerRetryMaxInterval`]: '2',
    [`${P}Server.1.Enable`]: 'true',
    [`${P}Server.1.ServerAddress`]: '127.0.0.1',
    [`${P}Server.1.Port`]: String(prosody.port),
    [`${P}Enable`]: 'true',
    [`${MS}ConnReqXMPPConnection`]: 'Device.XMPP.Connection.1',
    [`${MS}ConnReqAllowedJabberIDs`]: 'acs@cwmp.test',
    ...extra,
  };
  return Object.entries(values).map(([name, value]) => ({ name, value }));
}

/** An agent whose first session creates and configures XMPP.Connection.1 (with `servers` Server entries). */
async function agentWithConnection(
  prosody: Prosody,
  extra: Record<string, string>,
  opts: HarnessOptions = {},
  servers = 1,
): Promise<{ h: Harness; stop: () => Promise<void> }> {
  const h = await startHarness(opts);
  const xmpp = startXmppConnectionRequests(h.agent);
  h.acs.queue(h.serial, { method: 'AddObject', objectName: 'Device.XMPP.Connection.', parameterKey: 'c' });
  for (let i = 0; i < servers; i++) h.acs.queue(h.serial, { method: 'AddObject', objectName: `${P}Server.`, parameterKey: `s${i}` });
  h.acs.queue(h.serial, { method: 'SetParameterValues', parameterList: connectionSettings(prosody, extra), parameterKey: 'x' });
  h.agent.start();
  await sessionsCompleted(h, 1);
  return {
    h,
    stop: async () => {
      await xmpp.stop();
      await h.close();
    },
  };
}

const read = (h: Harness, name: string): string => h.agent.model.read(name);

test("STARTTLS with the agent's CA: TLSEstablished, connection requests, and Stats counting stanzas both ways", { skip, timeout: 60_000 }, async () => {
  const pki = makeTestPki(['cwmp.test']);
  const prosody = await startProsody(
    [
      { user: 'acs', password: 'acs-pass' },
      { user: 'cpe', password: 'cpe-pass' },
    ],
    { tls: { key: pki.serverKey, cert: pki.serverCert }, requireEncryption: true },
  );
  const { h, stop } = await agentWithConnection(prosody, { [`${P}UseTLS`]: 'true' }, { agent: { tls: { ca: pki.caCert, rejectUnauthorized: true } } });
  const acs = new XmppConnectionRequester({
    service: `xmpp://127.0.0.1:${prosody.port}`,
    domain: prosody.domain,
    username: 'acs',
    password: 'acs-pass',
    tls: { ca: pki.caCert, rejectUnauthorized: true },
  });
  try {
    await h.acs.waitFor(() => read(h, `${P}Status`) === 'Enabled', 15_000);
    assert.equal(read(h, `${P}TLSEstablished`), 'true');
    const before = { rx: Number(read(h, `${P}Stats.ReceivedMessages`)), tx: Number(read(h, `${P}Stats.TransmittedMessages`)) };
    assert.ok(before.rx >= 1 && before.tx >= 1, `login stanzas counted: ${JSON.stringify(before)}`);
    await acs.start();
    const jid = read(h, `${MS}ConnReqJabberID`);
    assert.equal(await acs.connectionRequest(jid, 'cr-user', 'cr-pass'), 'result');
    assert.equal(await acs.connectionRequest(jid, 'cr-user', 'wrong'), 'not-authorized');
    await h.acs.waitFor(() => h.acs.completedSessions(h.serial).some((s) => s.events.some((e) => e.code === '6 CONNECTION REQUEST')));
    assert.ok(Number(read(h, `${P}Stats.ReceivedMessages`)) >= before.rx + 2, 'two connectionRequest iqs received');
    assert.ok(Number(read(h, `${P}Stats.TransmittedMessages`)) >= before.tx + 2, 'a result and an error sent');
    assert.equal(read(h, `${P}Stats.TransmittedErrorMessages`), '1', 'the not-authorized answer');
    assert.equal(read(h, `${P}Stats.ReceivedErrorMessages`), '0');
  } finally {
    await acs.stop();
    await stop();
    await prosody.stop();
  }
});

test('a server certificate the agent does not trust: no login, Status Error', { skip, timeout: 60_000 }, async () => {
  const pki = makeTestPki(['cwmp.test']);
  const prosody = await startProsody([{ user: 'cpe', password: 'cpe-pass' }], { tls: { key: pki.serverKey, cert: pki.serverCert }, requireEncryption: true });
  const statuses: string[] = [];
  const { h, stop } = await agentWithConnection(prosody, {}, { agent: { tls: { ca: pki.otherCaCert, rejectUnauthorized: true } } });
  h.agent.model.onChange((names) => {
    if (names.includes(`${P}Status`)) statuses.push(read(h, `${P}Status`));
  });
  try {
    await h.acs.waitFor(() => statuses.includes('Error'), 15_000);
    assert.ok(!statuses.includes('Enabled'));
    assert.equal(read(h, `${P}TLSEstablished`), 'false');
  } finally {
    await stop();
    await prosody.stop();
  }
});

test('UseTLS true against a server without STARTTLS: Error_Misconfigured; false: logged in without TLS', { skip, timeout: 60_000 }, async () => {
  const prosody = await startProsody([{ user: 'cpe', password: 'cpe-pass' }]);
  try {
    const strict = await agentWithConnection(prosody, { [`${P}UseTLS`]: 'true' });
    try {
      await strict.h.acs.waitFor(() => read(strict.h, `${P}Status`) === 'Error_Misconfigured', 15_000);
    } finally {
      await strict.stop();
    }
    const relaxed = await agentWithConnection(prosody, { [`${P}UseTLS`]: 'false' });
    try {
      await relaxed.h.acs.waitFor(() => read(relaxed.h, `${P}Status`) === 'Enabled', 15_000);
      assert.equal(read(relaxed.h, `${P}TLSEstablished`), 'false');
    } finally {
      await relaxed.stop();
    }
  } finally {
    await prosody.stop();
  }
});

test('ServerTable: the lowest Priority first, the next after ServerConnectAttempts failures', { skip, timeout: 60_000 }, async () => {
  const prosody = await startProsody([{ user: 'cpe', password: 'cpe-pass' }]);
  // A port nobody listens on, preferred (priority 0) over the real server (priority 5).
  const dead = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
  const { h, stop } = await agentWithConnection(
    prosody,
    {
      [`${P}ServerConnectAttempts`]: '2',
      [`${P}Server.1.Priority`]: '5',
      [`${P}Server.2.Enable`]: 'true',
      [`${P}Server.2.ServerAddress`]: '127.0.0.1',
      [`${P}Server.2.Port`]: String(dead),
      [`${P}Server.2.Priority`]: '0',
    },
    {},
    2,
  );
  const seen: string[] = [];
  h.agent.model.onChange((names) => {
    if (names.includes(`${P}Status`)) seen.push(read(h, `${P}Status`));
  });
  try {
    await h.acs.waitFor(() => read(h, `${P}Status`) === 'Enabled', 20_000);
    // Two refused attempts at the preferred server came first.
    assert.equal(seen.filter((s) => s === 'ServerNotPresent').length, 2, seen.join(' '));
  } finally {
    await stop();
    await prosody.stop();
  }
});

test('KeepAliveInterval: a whitespace keepalive on the stream every interval', { skip, timeout: 60_000 }, async () => {
  const prosody = await startProsody([{ user: 'cpe', password: 'cpe-pass' }]);
  // A TCP relay in front of prosody that keeps what the agent sends.
  let fromAgent = '';
  const relay = net.createServer((client) => {
    const upstream = net.connect(prosody.port, '127.0.0.1');
    client.on('data', (d) => {
      fromAgent += d.toString('utf8');
      upstream.write(d);
    });
    upstream.on('data', (d) => client.write(d));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  const relayPort = (relay.address() as net.AddressInfo).port;
  const { h, stop } = await agentWithConnection(prosody, { [`${P}Server.1.Port`]: String(relayPort), [`${P}KeepAliveInterval`]: '60' }, { manualClock: true });
  const clock = h.clock as ManualClock;
  try {
    await h.acs.waitFor(() => read(h, `${P}Status`) === 'Enabled', 15_000);
    await new Promise((r) => setTimeout(r, 200));
    const mark = fromAgent.length;
    clock.advance(59_000);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(fromAgent.slice(mark), '', 'nothing before the interval');
    clock.advance(1_000);
    await h.acs.waitFor(() => fromAgent.length > mark, 5_000);
    assert.equal(fromAgent.slice(mark), ' ');
    clock.advance(60_000);
    await h.acs.waitFor(() => fromAgent.length > mark + 1, 5_000);
    assert.equal(fromAgent.slice(mark), '  ');
  } finally {
    await stop();
    relay.close();
    await prosody.stop();
  }
});
