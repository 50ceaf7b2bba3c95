/** UDP connection requests (TR-111) on loopback, with Debian's coturn as the STUN server. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startUdpConnectionRequests } from '../../src/connreq/connection-request-wiring.js';
import { checkUdpConnectionRequest, parseUdpConnectionRequest, signUdpConnectionRequest } from '../../src/cwmp/udp-connection-request.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';
import { commandMissing, freeUdpPort, startStunServer } from '../helpers/servers.js';

test('request parsing and checks: signature, username, stale ts, replayed id', () => {
  const ts = 1_800_000_000;
  const sig = signUdpConnectionRequest('pw', { ts, id: '7', un: 'acs', cn: 'ABC' });
  const r = parseUdpConnectionRequest(`GET http://10.0.0.1:7547?ts=${ts}&id=7&un=acs&cn=ABC&sig=${sig} HTTP/1.1\r\n\r\n`)!;
  assert.ok(r);
  const opts = { username: 'acs', password: 'pw', nowSeconds: ts, maxSkewSeconds: 60 };
  const ok = checkUdpConnectionRequest(r, opts, { lastTs: 0, recentIds: [] });
  assert.ok(ok.accept);
  assert.deepEqual(checkUdpConnectionRequest(r, opts, ok.state), { accept: false, reason: 'replay' });
  assert.deepEqual(checkUdpConnectionRequest(r, { ...opts, password: 'x' }, { lastTs: 0, recentIds: [] }), { accept: false, reason: 'signature' });
  assert.deepEqual(checkUdpConnectionRequest(r, { ...opts, username: 'other' }, { lastTs: 0, recentIds: [] }), { accept: false, reason: 'username' });
  assert.deepEqual(checkUdpConnectionRequest(r, { ...opts, nowSeconds: ts + 3600 }, { lastTs: 0, recentIds: [] }), { accept: false, reason: 'stale' });
  for (const bad of [
    '',
    'POST http://x?ts=1 HTTP/1.1',
    `GET http://x?ts=a&id=1&un=u&cn=c&sig=${sig} HTTP/1.1`,
    `GET http://x?id=1&un=u&cn=c&sig=${sig} HTTP/1.1`,
    'GET http://x?ts=1&id=1&un=u&cn=c&sig=zz HTTP/1.1',
  ]) {
    assert.equal(parseUdpConnectionRequest(bad), undefined, bad);
  }
});

const skip = commandMissing('turnserver');

test('STUN through coturn sets UDPConnectionRequestAddress; valid UDP requests start one session each', { skip }, async () => {
  const stunPort = await freeUdpPort();
  const stun = await startStunServer('127.0.0.1', stunPort);
  const h = await startHarness();
  try {
    h.acs.queue(h.serial, {
      method: 'SetParameterValues',
      parameterList: [
        { name: 'Device.ManagementServer.ConnectionRequestUsername', value: 'acs' },
        { name: 'Device.ManagementServer.ConnectionRequestPassword', value: 'udp-secret' },
        { name: 'Device.ManagementServer.STUNServerAddress', value: '127.0.0.1' },
        { name: 'Device.ManagementServer.STUNServerPort', value: String(stunPort) },
        { name: 'Device.ManagementServer.STUNUsername', value: 'stun-user' },
        { name: 'Device.ManagementServer.STUNPassword', value: 'stun-pass' },
        { name: 'Device.ManagementServer.STUNMinimumKeepAlivePeriod', value: '1' },
        { name: 'Device.ManagementServer.STUNMaximumKeepAlivePeriod', value: '2' },
        { name: 'Device.ManagementServer.STUNEnable', value: 'true' },
      ],
      parameterKey: 'stun',
    });
    const listener = await startUdpConnectionRequests(h.agent, { port: 0, address: '127.0.0.1' });
    try {
      h.agent.start();
      await sessionsCompleted(h, 1);
      await h.acs.waitFor(() => listener.stats.bindingResponses >= 1);
      // On loopback the mapping is the local address: no NAT, and no change to report.
      const udpAddress = h.agent.model.read('Device.ManagementServer.UDPConnectionRequestAddress');
      assert.equal(udpAddress, `127.0.0.1:${listener.mappedAddress!.port}`);
      assert.equal(h.agent.model.read('Device.ManagementServer.NATDetected'), 'false');

      // Three copies of one request: one session.
      await h.acs.udpConnectionRequest(udpAddress, 'acs', 'udp-secret', { copies: 3 });
      await sessionsCompleted(h, 2);
      assert.deepEqual(
        h.acs.completedSessions(h.serial)[1]!.events.map((e) => e.code),
        ['6 CONNECTION REQUEST'],
      );

      // Bad signature, unknown user, old timestamp, replayed id: ignored.
      await h.acs.udpConnectionRequest(udpAddress, 'acs', 'udp-secret', { badSignature: true });
      await h.acs.udpConnectionRequest(udpAddress, 'intruder', 'udp-secret');
      await h.acs.udpConnectionRequest(udpAddress, 'acs', 'udp-secret', { ts: Math.floor(Date.now() / 1000) - 86_400 });
      const id = 'fixed-id';
      await h.acs.udpConnectionRequest(udpAddress, 'acs', 'udp-secret', { id });
      await sessionsCompleted(h, 3);
      await h.acs.udpConnectionRequest(udpAddress, 'acs', 'udp-secret', { id });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(h.acs.completedSessions(h.serial).length, 3);
      assert.deepEqual(
        { signature: listener.stats.dropped['signature'], username: listener.stats.dropped['username'], stale: listener.stats.dropped['stale'] },
        { signature: 3, username: 3, stale: 3 },
      );
      assert.ok((listener.stats.dropped['replay'] ?? 0) >= 3 + 2 + 2);
      // Keep-alives continue between the minimum and maximum period.
      const before = listener.stats.bindingResponses;
      await h.acs.waitFor(() => listener.stats.bindingResponses > before, 20_000);
    } finally {
      listener.close();
    }
  } finally {
    await h.close();
    await stun.stop();
  }
});
