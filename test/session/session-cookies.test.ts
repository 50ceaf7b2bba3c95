/**
 * The session's cookies as RFC 6265 has them, over a real socket: only what the ACS set, only
 * where its Path and lifetime allow, and nothing before the ACS set any.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AcsTransport } from '../../src/session/acs-transport.js';

test('cookies: none before the ACS sets one; then those whose path and lifetime match, a replaced value, a deleted one gone', async () => {
  const seen: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers.cookie);
    req.resume();
    req.on('end', () => {
      if (seen.length === 1) {
        res.setHeader('Set-Cookie', [
          'session=one; Path=/; HttpOnly',
          'elsewhere=x; Path=/other',
          'tls-only=y; Secure',
          'gone=z; Max-Age=0',
          'keep=1; Max-Age=3600',
        ]);
      }
      // The second answer replaces one value and deletes another.
      if (seen.length === 2) res.setHeader('Set-Cookie', ['session=two; Path=/', 'keep=; Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
      res.end('<ok/>');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const t = new AcsTransport({ url: `http://127.0.0.1:${port}/acs`, requestTimeoutMs: 5_000, maxBodyBytes: 1 << 20, userAgent: 'test' });
  try {
    await t.post('<Inform/>');
    await t.post('');
    await t.post('');
    assert.equal(seen[0], undefined, 'no Cookie header before the ACS set one');
    // A Secure cookie goes to a loopback ACS over http too: loopback is a secure context (RFC 6265bis, as browsers have it).
    assert.equal(seen[1], 'session=one; tls-only=y; keep=1');
    assert.equal(seen[2], 'session=two; tls-only=y');
  } finally {
    t.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
