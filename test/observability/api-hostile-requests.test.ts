/**
 * The HTTP APIs on a user's machine (the test ACS's JSON API and the fleet's control API) against
 * what a web page or a careless client can send them, over real sockets: a cross-origin text/plain
 * POST, a foreign Origin, a rebound Host name, a malformed percent-escape and a malformed request
 * target. Each gets a 4xx with the reason, changes nothing, and the server answers the next request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { TestAcs } from '../../src/acs/test-acs.js';
import { ControlServer } from '../../src/observability/control-server.js';
import { fleetTarget } from '../../src/observability/control-target.js';
import { testFleet } from '../helpers/fleet.js';

interface Answer {
  status: number;
  body: string;
}

function request(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A request line written as given (http.request would refuse some of these targets itself). */
function rawRequest(port: number, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };

test('the test ACS API: text/plain, a foreign Origin or Host are refused and queue nothing; a bad escape is a 400, not a crash', async () => {
  const acs = new TestAcs({ api: true });
  const port = Number(new URL(await acs.listen()).port);
  const rpc = JSON.stringify({ method: 'Reboot', commandKey: 'csrf' });
  try {
    const plain = await request(port, 'POST', '/api/devices/SN1/rpcs', { 'content-type': 'text/plain' }, rpc);
    assert.equal(plain.status, 415, plain.body);
    assert.match(plain.body, /application\/json/);
    const form = await request(port, 'POST', '/api/devices/SN1/rpcs', { 'content-type': 'application/x-www-form-urlencoded' }, rpc);
    assert.equal(form.status, 415);
    const foreign = await request(port, 'POST', '/api/devices/SN1/rpcs', { ...JSON_TYPE, origin: 'http://evil.example' }, rpc);
    assert.equal(foreign.status, 403, foreign.body);
    const rebound = await request(port, 'GET', '/api/devices', { host: `evil.example:${port}` });
    assert.equal(rebound.status, 403, rebound.body);
    assert.equal(acs.queuedFor('SN1'), 0, 'nothing was queued');

    const badEscape = await request(port, 'GET', '/api/devices/%E0%A4%A');
    assert.equal(badEscape.status, 400);
    assert.match(badEscape.body, /percent-escape/);
    assert.match(await rawRequest(port, '/files/%E0%A4%A'), /^HTTP\/1\.1 400/);

    // The same origin, with JSON: accepted, and the server is still there to say so.
    const ok = await request(port, 'POST', '/api/devices/SN1/rpcs', { ...JSON_TYPE, origin: `http://127.0.0.1:${port}` }, rpc);
    assert.equal(ok.status, 202, ok.body);
    assert.equal(acs.queuedFor('SN1'), 1);
  } finally {
    await acs.close();
  }
});

test('the control API: a cross-origin text/plain POST adds no devices; a malformed target or escape is a 400 and the server lives on', {
  timeout: 60_000,
}, async () => {
  const acs = new TestAcs();
  const fleet = testFleet(await acs.listen(), 2);
  const control = new ControlServer({ target: fleetTarget(fleet, 'stb'), port: 0, address: '127.0.0.1' });
  const port = await control.listen();
  try {
    const plain = await request(port, 'POST', '/api/devices', { 'content-type': 'text/plain' }, JSON.stringify({ count: 1000 }));
    assert.equal(plain.status, 415, plain.body);
    const foreign = await request(port, 'POST', '/api/devices', { ...JSON_TYPE, origin: 'https://evil.example' }, JSON.stringify({ count: 1000 }));
    assert.equal(foreign.status, 403);
    const rebound = await request(port, 'GET', '/api/summary', { host: `attacker.example:${port}` });
    assert.equal(rebound.status, 403);
    assert.equal(JSON.parse((await request(port, 'GET', '/api/summary')).body).devices, 2, 'no device was added');

    assert.equal((await request(port, 'GET', '/api/devices/%E0%A4%A')).status, 400);
    assert.match(await rawRequest(port, '//x:99999'), /^HTTP\/1\.1 400/);
    assert.equal((await request(port, 'GET', '/api/summary')).status, 200, 'still serving');
  } finally {
    await control.close();
    await fleet.stop();
    await acs.close();
  }
});

test('the control port bounds its connections and event streams: a flood of streams is refused and the API still answers', { timeout: 60_000 }, async () => {
  const acs = new TestAcs();
  const fleet = testFleet(await acs.listen(), 1);
  const control = new ControlServer({ target: fleetTarget(fleet, 'stb'), port: 0, address: '127.0.0.1' });
  const port = await control.listen();
  const streams: http.ClientRequest[] = [];
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      statuses.push(
        await new Promise<number>((resolve, reject) => {
          const req = http.get({ host: '127.0.0.1', port, path: '/api/events', agent: false }, (res) => {
            resolve(res.statusCode ?? 0);
            if (res.statusCode !== 200) res.resume();
          });
          req.on('error', reject);
          streams.push(req);
        }),
      );
    }
    assert.equal(statuses.filter((s) => s === 200).length, 32, `statuses: ${statuses.join(',')}`);
    assert.ok(statuses.slice(32).every((s) => s === 503));
    // Sockets beyond the connection bound are closed at once, not kept.
    const sockets = await Promise.all(
      Array.from(
        { length: 300 },
        () =>
          new Promise<net.Socket>((resolve) => {
            const s = net.connect(port, '127.0.0.1', () => resolve(s));
            s.on('error', () => resolve(s));
          }),
      ),
    );
    // The server closes what it cannot take: at least one of them is closed from its side.
    await Promise.any(sockets.map((s) => (s.destroyed ? Promise.resolve() : new Promise((r) => s.once('close', r)))));
    for (const s of sockets) s.destroy();
    for (const r of streams) r.destroy();
    assert.equal((await request(port, 'GET', '/api/summary')).status, 200, 'still serving once the flood is gone');
  } finally {
    for (const r of streams) r.destroy();
    await control.close();
    await fleet.stop();
    await acs.close();
  }
});

test("the test ACS API refuses a value type or a ChangeDUState op that would break out of the envelope's attributes", async () => {
  const acs = new TestAcs({ api: true });
  const port = Number(new URL(await acs.listen()).port);
  try {
    const badType = await request(
      port,
      'POST',
      '/api/devices/SN1/rpcs',
      JSON_TYPE,
      JSON.stringify({
        method: 'SetParameterValues',
        parameterList: [{ name: 'Device.X', value: 'v', type: 'string"/><Injected a="' }],
        parameterKey: '',
      }),
    );
    assert.equal(badType.status, 400, badType.body);
    assert.match(badType.body, /XSD type name/);
    const badOp = await request(
      port,
      'POST',
      '/api/devices/SN1/rpcs',
      JSON_TYPE,
      JSON.stringify({ method: 'ChangeDUState', commandKey: '', operations: [{ op: 'Install"><x a="', url: 'http://x/' }] }),
    );
    assert.equal(badOp.status, 400, badOp.body);
    assert.equal(acs.queuedFor('SN1'), 0);
    // Queues are bounded: a thousand RPCs wait for one device at most.
    const many = JSON.stringify(Array.from({ length: 1_001 }, () => ({ method: 'GetRPCMethods' })));
    assert.equal((await request(port, 'POST', '/api/devices/SN1/rpcs', JSON_TYPE, many)).status, 429);
    assert.equal(acs.queuedFor('SN1'), 0);
  } finally {
    await acs.close();
  }
});
