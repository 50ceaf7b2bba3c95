/**
 * The connection-request listener under abuse, over real sockets: slow connections cannot starve
 * a good request, a Digest answer for another URI opens nothing, MD5 is offered first, the
 * rate-limit 503 carries no Retry-After, and refusals are logged once per cause.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startHttpConnectionRequests } from '../../src/connreq/connection-request-wiring.js';
import { HttpConnectionRequestServer } from '../../src/connreq/http-server.js';
import { DigestClient, parseChallenges } from '../../src/cwmp/http-auth.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';

function get(url: string, authorization?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; challenges: string[] }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: authorization ? { Authorization: authorization } : {}, agent: false }, (res) => {
      res.resume();
      // Each WWW-Authenticate header as sent (Node joins repeated headers in res.headers).
      const challenges = res.rawHeaders.filter((_v, i, a) => i % 2 === 1 && a[i - 1]!.toLowerCase() === 'www-authenticate');
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, challenges }));
    });
    req.on('error', reject);
  });
}

async function digestFor(url: string, username: string, password: string, uri: string): Promise<string> {
  const challenge = await get(url);
  const client = new DigestClient(DigestClient.choose(parseChallenges(challenge.headers['www-authenticate']))!, username, password, () => 'abcdef0123456789');
  return client.authorization('GET', uri);
}

async function agentWithCredentials(logLines?: Record<string, unknown>[]) {
  const logger = logLines
    ? pino(
        { level: 'info' },
        new Writable({
          write: (c, _e, done) => {
            logLines.push(JSON.parse(c.toString()) as Record<string, unknown>);
            done();
          },
        }),
      )
    : undefined;
  const h = await startHarness(logger ? { agent: { logger } } : {});
  return h;
}

test('a Digest answer computed for another URI is refused (RFC 7616 3.4.6); the same credentials for this URI are accepted', async () => {
  const h = await agentWithCredentials();
  const server = new HttpConnectionRequestServer({ address: '127.0.0.1', port: 0 });
  let accepted = 0;
  server.addRoute('/device-a', { credentials: () => ({ username: 'acs', password: 'pw' }), onConnectionRequest: () => accepted++ });
  const port = await server.listen();
  const url = `http://127.0.0.1:${port}/device-a`;
  try {
    assert.equal((await get(url, await digestFor(url, 'acs', 'pw', '/device-b'))).status, 401);
    assert.equal((await get(url, await digestFor(url, 'acs', 'pw', 'http://127.0.0.1/elsewhere'))).status, 401);
    assert.equal(accepted, 0);
    assert.equal((await get(url, await digestFor(url, 'acs', 'pw', '/device-a'))).status, 200);
    assert.equal((await get(url, await digestFor(url, 'acs', 'pw', `http://127.0.0.1:${port}/device-a`))).status, 200, 'the absolute form of the same target');
    assert.equal(accepted, 2);
  } finally {
    await server.close();
    await h.close();
  }
});

test('the challenge offers MD5 first, then SHA-256 (clients reading only the first header know MD5); the order is configurable', async () => {
  for (const [order, first] of [
    [undefined, 'MD5'],
    [['SHA-256', 'MD5'] as const, 'SHA-256'],
  ] as const) {
    const server = new HttpConnectionRequestServer({ address: '127.0.0.1', port: 0, digestAlgorithms: order });
    server.addRoute('/d', { credentials: () => ({ username: 'acs', password: 'pw' }), onConnectionRequest: () => undefined });
    const port = await server.listen();
    try {
      const list = (await get(`http://127.0.0.1:${port}/d`)).challenges;
      assert.equal(list.length, 2);
      assert.match(list[0]!, new RegExp(`algorithm=${first}\\b`));
      assert.ok(list.some((c) => /algorithm=SHA-256/.test(c)) && list.some((c) => /algorithm=MD5\b/.test(c)));
    } finally {
      await server.close();
    }
  }
});

test('the rate-limited 503 carries no Retry-After (TR-069 3.2.2)', async () => {
  const server = new HttpConnectionRequestServer({ address: '127.0.0.1', port: 0, maxAcceptedPerMinute: 1 });
  server.addRoute('/d', { credentials: () => ({ username: 'acs', password: 'pw' }), onConnectionRequest: () => undefined });
  const port = await server.listen();
  const url = `http://127.0.0.1:${port}/d`;
  try {
    assert.equal((await get(url, await digestFor(url, 'acs', 'pw', '/d'))).status, 200);
    const limited = await get(url, await digestFor(url, 'acs', 'pw', '/d'));
    assert.equal(limited.status, 503);
    assert.equal(limited.headers['retry-after'], undefined);
  } finally {
    await server.close();
  }
});

test('hundreds of slow, silent connections neither exhaust descriptors nor keep a good request out, and are swept within seconds', {
  timeout: 30_000,
}, async () => {
  const server = new HttpConnectionRequestServer({ address: '127.0.0.1', port: 0 });
  let accepted = 0;
  server.addRoute('/d', { credentials: () => ({ username: 'acs', password: 'pw' }), onConnectionRequest: () => accepted++ });
  const port = await server.listen();
  const url = `http://127.0.0.1:${port}/d`;
  const slow: net.Socket[] = [];
  try {
    for (let i = 0; i < 400; i++) {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => undefined);
      s.write('GET /d HTTP/1.1\r\nHost: x\r\n');
      slow.push(s);
    }
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(server.openConnections <= 128, `${server.openConnections} connections held open`);
    const started = Date.now();
    assert.equal((await get(url, await digestFor(url, 'acs', 'pw', '/d'))).status, 200, 'a good request gets through');
    assert.equal(accepted, 1);
    assert.ok(Date.now() - started < 2_000);
    // Headers not complete within 5 s: Node's check runs every second here, not every 30.
    const until = Date.now() + 10_000;
    while (server.openConnections > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    assert.equal(server.openConnections, 0, 'the slow ones were closed by the header timeout');
  } finally {
    for (const s of slow) s.destroy();
    await server.close();
  }
});

test('refused connection requests are logged at info, once per cause and minute', async () => {
  const lines: Record<string, unknown>[] = [];
  const h = await agentWithCredentials(lines);
  const server = await startHttpConnectionRequests(h.agent, { port: 0, address: '127.0.0.1' });
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    const url = h.agent.model.read('Device.ManagementServer.ConnectionRequestURL');
    const path = new URL(url).pathname;
    // ConnectionRequestUsername is empty: every request is refused, and the log says why.
    for (let i = 0; i < 5; i++) assert.equal((await get(url, await digestFor(url, '', '', path))).status, 401);
    const refused = lines.filter((l) => l['msg'] === 'connection request refused');
    assert.equal(refused.length, 1, JSON.stringify(refused));
    assert.equal(refused[0]!['level'], 30);
    assert.equal(refused[0]!['cause'], 'no credentials configured');
    assert.equal(refused[0]!['kind'], 'HTTP');
  } finally {
    await server.close();
    await h.close();
  }
});
