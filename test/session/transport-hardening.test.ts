/**
 * The ACS side as an attacker or an overloaded server would play it, over real sockets: a
 * dripping answer, a redirect that downgrades to http or leaves for another host, and 503 with
 * Retry-After.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { AcsTransport } from '../../src/session/acs-transport.js';
import type { ManualClock } from '../../src/runtime/clock.js';
import { retryWaitRange } from '../../src/cwmp/retry.js';
import { startHarness } from '../helpers/agent-harness.js';
import { makeTestPki } from '../helpers/test-ca.js';

async function listen(server: http.Server | https.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function close(server: http.Server | https.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

test('an answer dripped a byte at a time ends at the request deadline, not when the ACS stops (idle timeouts alone never fire)', {
  timeout: 20_000,
}, async () => {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml' });
    const drip = setInterval(() => res.write(' '), 100);
    res.on('close', () => clearInterval(drip));
  });
  const port = await listen(server);
  try {
    const t = new AcsTransport({ url: `http://127.0.0.1:${port}/`, requestTimeoutMs: 800, maxBodyBytes: 1 << 20, userAgent: 'test' });
    const started = Date.now();
    await assert.rejects(t.post('<x/>'), /no answer from the ACS within 800 ms/);
    const took = Date.now() - started;
    assert.ok(took < 2_000, `gave up after ${took} ms`);
    // What is left of the session bounds the exchange too.
    const t2 = new AcsTransport({ url: `http://127.0.0.1:${port}/`, requestTimeoutMs: 30_000, maxBodyBytes: 1 << 20, userAgent: 'test' });
    const s2 = Date.now();
    await assert.rejects(t2.post('<x/>', 300), /no answer from the ACS within 300 ms/);
    assert.ok(Date.now() - s2 < 1_500);
    t.close();
    t2.close();
  } finally {
    await close(server);
  }
});

test('a redirect from https to http is refused: nothing, credentials least of all, goes out in clear', async () => {
  const pki = makeTestPki();
  let plainRequests = 0;
  const plain = http.createServer((_req, res) => {
    plainRequests++;
    res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' }).end();
  });
  const plainPort = await listen(plain);
  const secure = https.createServer({ key: pki.serverKey, cert: pki.serverCert }, (_req, res) => {
    res.writeHead(302, { location: `http://127.0.0.1:${plainPort}/acs` }).end();
  });
  const securePort = await listen(secure);
  try {
    const t = new AcsTransport({
      url: `https://127.0.0.1:${securePort}/acs`,
      username: 'cpe',
      password: 'SECRET',
      tls: { ca: pki.caCert, rejectUnauthorized: true },
      requestTimeoutMs: 5_000,
      maxBodyBytes: 1 << 20,
      userAgent: 'test',
    });
    await assert.rejects(t.post('<Inform/>'), /refused a redirect from https to http/);
    assert.equal(plainRequests, 0);
    t.close();
  } finally {
    await close(secure);
    await close(plain);
  }
});

test('a redirect to another host is refused unless that host is listed', async () => {
  let reached = 0;
  const target = http.createServer((_req, res) => {
    reached++;
    res.writeHead(204).end();
  });
  const targetPort = await listen(target);
  const origin = http.createServer((_req, res) => res.writeHead(307, { location: `http://localhost:${targetPort}/acs` }).end());
  const originPort = await listen(origin);
  try {
    const refused = new AcsTransport({ url: `http://127.0.0.1:${originPort}/acs`, requestTimeoutMs: 5_000, maxBodyBytes: 1 << 20, userAgent: 'test' });
    await assert.rejects(refused.post('<Inform/>'), /another host \(localhost\)/);
    assert.equal(reached, 0);
    refused.close();
    const allowed = new AcsTransport({
      url: `http://127.0.0.1:${originPort}/acs`,
      requestTimeoutMs: 5_000,
      maxBodyBytes: 1 << 20,
      userAgent: 'test',
      redirectHosts: ['LocalHost'],
    });
    assert.equal((await allowed.post('<Inform/>')).status, 204);
    assert.equal(reached, 1);
    allowed.close();
  } finally {
    await close(origin);
    await close(target);
  }
});

test('503 with Retry-After: the agent waits what the ACS asks, spread by the retry multiplier, on top of the TR-069 wait', async () => {
  let posts = 0;
  const overloaded = http.createServer((req, res) => {
    posts++;
    req.resume();
    req.on('end', () => res.writeHead(503, { 'retry-after': '60' }).end());
  });
  const port = await listen(overloaded);
  const h = await startHarness({ manualClock: true, acsUrl: `http://127.0.0.1:${port}/acs`, agent: { random: () => 0.5 } });
  try {
    const outcome = h.agent.nextSession();
    h.agent.start();
    const o = await outcome;
    assert.equal(o.ok, false);
    assert.equal(o.retryAfterSeconds, 60);
    const [low, high] = retryWaitRange(1);
    // random() is 0.5: halfway through [60, 120] for the Retry-After, halfway through the TR-069 range.
    assert.equal((h.clock as ManualClock).nextTimerIn(), (90 + (low + high) / 2) * 1000);
    assert.equal(posts, 1);
  } finally {
    await h.close();
    await close(overloaded);
  }
});

test('an ACS that accepts the connection but never starts TLS is given up at the exchange deadline, and its socket closed', async () => {
  let open = 0;
  const accepted: net.Socket[] = [];
  const silent = net.createServer((socket) => {
    open++;
    accepted.push(socket);
    socket.resume();
    socket.on('close', () => open--);
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const t = new AcsTransport({
    url: `https://127.0.0.1:${(silent.address() as AddressInfo).port}/acs`,
    tls: { rejectUnauthorized: true },
    requestTimeoutMs: 500,
    maxBodyBytes: 1 << 20,
    userAgent: 'test',
  });
  try {
    const started = Date.now();
    await assert.rejects(t.post('<Inform/>'), /no answer from the ACS within 500 ms/);
    assert.ok(Date.now() - started < 2_000);
    // The half-open handshake is closed too, not left holding a descriptor.
    const until = Date.now() + 1_500;
    while (open > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.equal(open, 0, 'the connection is closed');
  } finally {
    t.close();
    for (const socket of accepted) socket.destroy();
    silent.close();
  }
});

test('an informational 1xx answer before the final one: the session reads the final status, headers and body only', async () => {
  const requests: string[] = [];
  const server = net.createServer((socket) => {
    let seen = '';
    socket.on('data', (d: Buffer) => {
      seen += d.toString('latin1');
      // One whole request at a time: headers, then a body of the declared length.
      for (;;) {
        const end = seen.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: *(\d+)/i.exec(seen.slice(0, end))?.[1] ?? 0);
        if (seen.length < end + 4 + length) return;
        requests.push(seen.slice(0, end + 4 + length));
        seen = seen.slice(end + 4 + length);
        const body = '<answer/>';
        socket.write(
          'HTTP/1.1 102 Processing\r\nSet-Cookie: early=1\r\n\r\n' +
            `HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nSet-Cookie: session=final; Path=/\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        );
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const t = new AcsTransport({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/acs`,
    requestTimeoutMs: 5_000,
    maxBodyBytes: 1 << 20,
    userAgent: 'test',
  });
  try {
    const first = await t.post('<Inform/>');
    assert.deepEqual([first.status, first.body], [200, '<answer/>']);
    await t.post('');
    // Only the final answer's cookie came back: the 1xx's headers are not the answer's.
    assert.match(requests[1] ?? '', /\r\ncookie: session=final\r\n/i);
    assert.doesNotMatch(requests[1] ?? '', /early=1/);
  } finally {
    t.close();
    server.close();
  }
});
