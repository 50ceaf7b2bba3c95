/** XMPP connection requests (TR-069 Annex K) through Debian's prosody, started by the test. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XmppConnectionRequester } from '../../src/acs/xmpp-requester.js';
import { startXmppConnectionRequests } from '../../src/connreq/connection-request-wiring.js';
import { checkXmppConnectionRequest, senderAllowed } from '../../src/cwmp/xmpp-connection-request.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';
import { commandMissing, startProsody } from '../helpers/servers.js';
import { IGD_SCHEMA } from '../../src/models/igd.js';

test('allowed senders and credentials', () => {
  assert.ok(senderAllowed('acs@x.test/r1', ['acs@x.test']));
  assert.ok(senderAllowed('acs@x.test/r1', ['ACS@x.test/r1']));
  assert.ok(!senderAllowed('acs@x.test/r2', ['acs@x.test/r1']));
  assert.ok(senderAllowed('anyone@x.test/r', []));
  const policy = { allowedJids: ['acs@x.test'], username: 'u', password: 'p' };
  assert.deepEqual(checkXmppConnectionRequest('acs@x.test/a', 'u', 'p', policy), { accept: true });
  assert.deepEqual(checkXmppConnectionRequest('evil@x.test/a', 'u', 'p', policy), { accept: false, errorType: 'cancel', condition: 'service-unavailable' });
  assert.deepEqual(checkXmppConnectionRequest('acs@x.test/a', 'u', 'x', policy), { accept: false, errorType: 'cancel', condition: 'not-authorized' });
});

const skip = commandMissing('prosody');

test('connection requests through prosody: allowed JID, wrong JID, wrong password, server restart', { skip, timeout: 60_000 }, async () => {
  const prosody = await startProsody([
    { user: 'acs', password: 'acs-pass' },
    { user: 'cpe', password: 'cpe-pass' },
    { user: 'other', password: 'other-pass' },
  ]);
  const h = await startHarness();
  const service = `xmpp://127.0.0.1:${prosody.port}`;
  const acs = new XmppConnectionRequester({ service, domain: prosody.domain, username: 'acs', password: 'acs-pass' });
  const other = new XmppConnectionRequester({ service, domain: prosody.domain, username: 'other', password: 'other-pass' });
  const xmpp = startXmppConnectionRequests(h.agent);
  const P = 'Device.XMPP.Connection.1.';
  const status = (): string => h.agent.model.read(`${P}Status`);
  try {
    h.acs.queue(
      h.serial,
      { method: 'AddObject', objectName: 'Device.XMPP.Connection.', parameterKey: 'add-conn' },
      { method: 'AddObject', objectName: `${P}Server.`, parameterKey: 'add-srv' },
    );
    h.acs.queue(h.serial, {
      method: 'SetParameterValues',
      parameterList: [
        { name: 'Device.ManagementServer.ConnectionRequestUsername', value: 'cr-user' },
        { name: 'Device.ManagementServer.ConnectionRequestPassword', value: 'cr-pass' },
        { name: `${P}Username`, value: 'cpe' },
        { name: `${P}Password`, value: 'cpe-pass' },
        { name: `${P}Domain`, value: prosody.domain },
        { name: `${P}Resource`, value: 'cwmp' },
        { name: `${P}ServerRetryInitialInterval`, value: '1' },
        { name: `${P}ServerRetryMaxInterval`, value: '2' },
        { name: `${P}Server.1.Enable`, value: 'true' },
        { name: `${P}Server.1.ServerAddress`, value: '127.0.0.1' },
        { name: `${P}Server.1.Port`, value: String(prosody.port) },
        { name: `${P}ServerConnectAlgorithm`, value: 'ServerTable' },
        { name: `${P}Enable`, value: 'true' },
        { name: 'Device.ManagementServer.ConnReqXMPPConnection', value: 'Device.XMPP.Connection.1' },
        { name: 'Device.ManagementServer.ConnReqAllowedJabberIDs', value: 'acs@cwmp.test' },
      ],
      parameterKey: 'xmpp',
    });
    h.agent.start();
    await sessionsCompleted(h, 1);
    const [addConn, addSrv] = h.acs.responses(h.serial);
    assert.equal(addConn!.method, 'AddObjectResponse');
    assert.equal(addSrv!.method, 'AddObjectResponse');
    assert.equal(h.agent.model.read('Device.XMPP.ConnectionNumberOfEntries'), '1');
    assert.equal(h.agent.model.read(`${P}ServerNumberOfEntries`), '1');
    await h.acs.waitFor(() => status() === 'Enabled', 15_000);
    const jid = h.agent.model.read('Device.ManagementServer.ConnReqJabberID');
    assert.equal(jid, 'cpe@cwmp.test/cwmp');
    // ConnReqJabberID is active by default: the ACS hears of it in a VALUE CHANGE session.
    await sessionsCompleted(h, 2);
    assert.deepEqual(
      h.acs.completedSessions(h.serial)[1]!.events.map((e) => e.code),
      ['4 VALUE CHANGE'],
    );

    await acs.start();
    await other.start();
    // type="get", as in TR-069 Annex K's example and from GenieACS.
    assert.equal(await acs.connectionRequest(jid, 'cr-user', 'cr-pass'), 'result');
    await sessionsCompleted(h, 3);
    assert.deepEqual(
      h.acs.completedSessions(h.serial)[2]!.events.map((e) => e.code),
      ['6 CONNECTION REQUEST'],
    );
    // type="set", as some other ACSes send it.
    assert.equal(await acs.connectionRequest(jid, 'cr-user', 'cr-pass', 5000, 'set'), 'result');
    await sessionsCompleted(h, 4);
    assert.deepEqual(
      h.acs.completedSessions(h.serial)[3]!.events.map((e) => e.code),
      ['6 CONNECTION REQUEST'],
    );

    assert.equal(await acs.connectionRequest(jid, 'cr-user', 'wrong'), 'not-authorized');
    assert.equal(await other.connectionRequest(jid, 'cr-user', 'cr-pass'), 'service-unavailable');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(h.acs.completedSessions(h.serial).length, 4, 'refused requests start nothing');

    // The server goes away and comes back: the agent logs in again by itself.
    await acs.stop();
    await other.stop();
    await prosody.stop();
    await h.acs.waitFor(() => status() !== 'Enabled', 10_000);
    await prosody.start();
    await h.acs.waitFor(() => status() === 'Enabled', 15_000);
    const again = new XmppConnectionRequester({ service, domain: prosody.domain, username: 'acs', password: 'acs-pass' });
    await again.start();
    try {
      const before = h.acs.completedSessions(h.serial).length;
      assert.equal(await again.connectionRequest(jid, 'cr-user', 'cr-pass'), 'result');
      await sessionsCompleted(h, before + 1);
      assert.ok(
        h.acs
          .completedSessions(h.serial)
          .at(-1)!
          .events.some((e) => e.code === '6 CONNECTION REQUEST'),
      );
    } finally {
      await again.stop();
    }
  } finally {
    await xmpp.stop();
    await acs.stop();
    await other.stop();
    await h.close();
    await prosody.stop();
  }
});

test('TR-098 root: XMPP connection requests over InternetGatewayDevice.XMPP.Connection.{i}', { skip, timeout: 60_000 }, async () => {
  const prosody = await startProsody([
    { user: 'acs', password: 'acs-pass' },
    { user: 'gw', password: 'gw-pass' },
  ]);
  const h = await startHarness({ agent: { schema: IGD_SCHEMA } });
  const acs = new XmppConnectionRequester({ service: `xmpp://127.0.0.1:${prosody.port}`, domain: prosody.domain, username: 'acs', password: 'acs-pass' });
  const xmpp = startXmppConnectionRequests(h.agent);
  const R = 'InternetGatewayDevice.';
  const P = `${R}XMPP.Connection.1.`;
  try {
    h.acs.queue(
      h.serial,
      { method: 'AddObject', objectName: `${R}XMPP.Connection.`, parameterKey: 'a' },
      { method: 'AddObject', objectName: `${P}Server.`, parameterKey: 'b' },
      {
        method: 'SetParameterValues',
        parameterList: [
          { name: `${R}ManagementServer.ConnectionRequestUsername`, value: 'cr-user' },
          { name: `${R}ManagementServer.ConnectionRequestPassword`, value: 'cr-pass' },
          { name: `${P}Username`, value: 'gw' },
          { name: `${P}Password`, value: 'gw-pass' },
          { name: `${P}Domain`, value: prosody.domain },
          { name: `${P}Resource`, value: 'cwmp' },
          { name: `${P}Server.1.Enable`, value: 'true' },
          { name: `${P}Server.1.ServerAddress`, value: '127.0.0.1' },
          { name: `${P}Server.1.Port`, value: String(prosody.port) },
          { name: `${P}ServerConnectAlgorithm`, value: 'ServerTable' },
          { name: `${P}Enable`, value: 'true' },
          { name: `${R}ManagementServer.ConnReqXMPPConnection`, value: `${R}XMPP.Connection.1` },
          { name: `${R}ManagementServer.ConnReqAllowedJabberIDs`, value: 'acs@cwmp.test' },
        ],
        parameterKey: 'xmpp',
      },
    );
    h.agent.start();
    await sessionsCompleted(h, 1);
    await h.acs.waitFor(() => h.agent.model.read(`${P}Status`) === 'Enabled', 15_000);
    const jid = h.agent.model.read(`${R}ManagementServer.ConnReqJabberID`);
    assert.equal(jid, 'gw@cwmp.test/cwmp');
    await sessionsCompleted(h, 2);
    await acs.start();
    assert.equal(await acs.connectionRequest(jid, 'cr-user', 'cr-pass'), 'result');
    await sessionsCompleted(h, 3);
    assert.deepEqual(
      h.acs.completedSessions(h.serial)[2]!.events.map((e) => e.code),
      ['6 CONNECTION REQUEST'],
    );
    assert.equal(await acs.connectionRequest(jid, 'cr-user', 'wrong'), 'not-authorized');
  } finally {
    await xmpp.stop();
    await acs.stop();
    await h.close();
    await prosody.stop();
  }
});
