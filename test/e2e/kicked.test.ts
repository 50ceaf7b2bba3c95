/**
 * Kicked (TR-069 A.4.2.1, web identity management) end to end: a browser on the LAN goes to the
 * KickURL, the agent opens a session with 5 KICKED and calls Kicked, and the browser is
 * redirected to the NextURL the test ACS answers; without an ACS it goes to its own next.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startHttpConnectionRequests } from '../../src/connection-requests.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';

/** A browser's GET: status and Location, redirects not followed. */
function browse(url: string, referer?: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: referer ? { Referer: referer } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
    }).on('error', reject);
  });
}

test('a kick from the LAN: 5 KICKED, Kicked with the browser\'s command, arg, next and Referer, redirect to the ACS\'s NextURL', async () => {
  // The ACS sends logins to its portal, and anything else where the browser said.
  const h = await startHarness({ acs: { kickedNextUrl: (k) => (k.command === 'login' ? `https://portal.example/welcome?user=${encodeURIComponent(k.arg)}` : k.next) } });
  const server = await startHttpConnectionRequests(h.agent, { port: 0, address: '127.0.0.1', advertisedHost: '127.0.0.1' });
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    const kickUrl = h.agent.model.read('Device.ManagementServer.KickURL');
    assert.match(kickUrl, /^http:\/\/127\.0\.0\.1:\d+\/kick$/);
    const r = await browse(`${kickUrl}?command=login&arg=alice&next=${encodeURIComponent('http://192.168.1.1/done')}`, 'http://192.168.1.1/setup-page-with-a-very-long-address-that-goes-on-and-on/index.html');
    assert.equal(r.status, 302);
    assert.equal(r.location, 'https://portal.example/welcome?user=alice');
    assert.deepEqual(h.acs.kicked.map(({ command, arg, next }) => ({ command, arg, next })), [{ command: 'login', arg: 'alice', next: 'http://192.168.1.1/done' }]);
    assert.equal(h.acs.kicked[0]!.referer.length, 64, 'the Referer, cut to what the schema allows');
    // The browser is answered as soon as the KickedResponse is in; the session then ends.
    await sessionsCompleted(h, 2);
    const s = h.acs.completedSessions(h.serial)[1]!;
    assert.deepEqual(s.events.map((e) => e.code), ['5 KICKED']);
    assert.ok(s.messages.some((m) => m.from === 'cpe' && m.method === 'Kicked'));
    assert.equal(h.agent.pendingEvents.length, 0);

    // Bad requests are refused before any session; a destination that is not http(s) is not followed.
    assert.equal((await browse(`${kickUrl}?arg=x`)).status, 400, 'no command');
    assert.equal((await browse(`${kickUrl}?command=${'c'.repeat(33)}`)).status, 400, 'command too long');
    assert.equal((await browse(`${kickUrl}?command=go&next=${encodeURIComponent('javascript:alert(1)')}`)).status, 502);
  } finally {
    await server.close();
    await h.close();
  }
});

test('a kick while the ACS cannot be reached: the browser goes to its own next', async () => {
  const h = await startHarness({ acsUrl: 'http://127.0.0.1:1/acs' });
  const server = await startHttpConnectionRequests(h.agent, { port: 0, address: '127.0.0.1', advertisedHost: '127.0.0.1' });
  try {
    h.agent.start();
    const kickUrl = h.agent.model.read('Device.ManagementServer.KickURL');
    const r = await browse(`${kickUrl}?command=login&next=${encodeURIComponent('http://192.168.1.1/offline')}`);
    assert.equal(r.status, 302);
    assert.equal(r.location, 'http://192.168.1.1/offline');
    assert.ok(!h.agent.pendingEvents.some((e) => e.code === 'M Kicked'), 'nothing of the kick is owed to the ACS later');
  } finally {
    await server.close();
    await h.close();
  }
});
