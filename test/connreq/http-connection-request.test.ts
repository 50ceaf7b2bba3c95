/** HTTP connection requests end to end: the test ACS sends real Digest-authenticated GETs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startHttpConnectionRequests } from '../../src/connreq/connection-request-wiring.js';
import { DigestClient, parseChallenges } from '../../src/cwmp/http-auth.js';
import { sessionsCompleted, startHarness, type Harness } from '../helpers/agent-harness.js';

async function setup(): Promise<{ h: Harness; url: string; close: () => Promise<void> }> {
  const h = await startHarness();
  h.acs.queue(h.serial, {
    method: 'SetParameterValues',
    parameterList: [
      { name: 'Device.ManagementServer.ConnectionRequestUsername', value: 'acs' },
      { name: 'Device.ManagementServer.ConnectionRequestPassword', value: 'cr-secret' },
    ],
    parameterKey: 'cr',
  });
  const server = await startHttpConnectionRequests(h.agent, { port: 0, address: '127.0.0.1' });
  h.agent.start();
  await sessionsCompleted(h, 1);
  const url = h.agent.model.read('Device.ManagementServer.ConnectionRequestURL');
  return {
    h,
    url,
    close: async () => {
      await server.close();
      await h.close();
    },
  };
}

function get(url: string, authorization?: string): Promise<{ status: number; www: string | string[] | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: authorization ? { Authorization: authorization } : {}, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, www: res.headers['www-authenticate'] }));
    });
    req.on('error', reject);
  });
}

test('a valid Digest connection request starts a session with 6 CONNECTION REQUEST', async () => {
  const { h, url, close } = await setup();
  try {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{24}$/);
    assert.equal(await h.acs.connectionRequest(url, 'acs', 'cr-secret'), 200);
    await sessionsCompleted(h, 2);
    assert.deepEqual(
      h.acs.completedSessions(h.serial)[1]!.events.map((e) => e.code),
      ['6 CONNECTION REQUEST'],
    );
  } finally {
    await close();
  }
});

test('bad credentials get 401 and start nothing; a replayed Digest answer is refused', async () => {
  const { h, url, close } = await setup();
  try {
    assert.equal(await h.acs.connectionRequest(url, 'acs', 'wrong'), 401);
    assert.equal(await h.acs.connectionRequest(url, 'intruder', 'cr-secret'), 401);
    const challenge = await get(url);
    const client = new DigestClient(DigestClient.choose(parseChallenges(challenge.www))!, 'acs', 'cr-secret', () => 'abcdef0123456789');
    const path = new URL(url).pathname;
    const answer = client.authorization('GET', path);
    assert.equal((await get(url, answer)).status, 200);
    assert.equal((await get(url, answer)).status, 401, 'the same nonce count again is a replay');
    assert.equal((await get(url.replace(path, '/wrong-path'))).status, 404);
    await sessionsCompleted(h, 2);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(h.acs.completedSessions(h.serial).length, 2, 'only the one valid request started a session');
  } finally {
    await close();
  }
});

test('a flood of 1,000 unauthenticated requests starts no session and keeps memory flat', async () => {
  const { h, url, close } = await setup();
  try {
    const before = process.memoryUsage().heapUsed;
    for (let batch = 0; batch < 10; batch++) {
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          get(url, i % 2 ? 'Digest username="acs", realm="cwmp-agent", nonce="x", uri="/", response="00", qop=auth, nc=00000001, cnonce="c"' : undefined),
        ),
      );
      assert.ok(results.every((r) => r.status === 401));
    }
    global.gc?.();
    const grownMb = (process.memoryUsage().heapUsed - before) / 1e6;
    assert.ok(grownMb < 20, `heap grew ${grownMb.toFixed(1)} MB`);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.acs.completedSessions(h.serial).length, 1);
  } finally {
    await close();
  }
});

test('a connection request during a session is honoured right after it, no event lost', async () => {
  const { h, url, close } = await setup();
  try {
    h.acs.queue(h.serial, { method: 'GetRPCMethods' });
    h.acs.failNext({ slowMs: 300 }, { slowMs: 300 });
    h.agent.trigger('2 PERIODIC');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await h.acs.connectionRequest(url, 'acs', 'cr-secret'), 200);
    await sessionsCompleted(h, 3);
    const [, second, third] = h.acs.completedSessions(h.serial);
    assert.deepEqual(
      second!.events.map((e) => e.code),
      ['2 PERIODIC'],
    );
    assert.deepEqual(
      third!.events.map((e) => e.code),
      ['6 CONNECTION REQUEST'],
    );
  } finally {
    await close();
  }
});
