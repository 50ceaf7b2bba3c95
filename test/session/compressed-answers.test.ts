/** Compressed answers from the ACS: inflated only up to the body limit, so a zip bomb is a clean transport error. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { AcsTransport } from '../../src/session/acs-transport.js';

test('a gzip answer that inflates past maxBodyBytes is refused; a small one is read', async () => {
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
  const small = gzipSync('<soap-env:Envelope/>');
  let next = bomb;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Type': 'text/xml' }).end(next));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/acs`;
  try {
    assert.ok(bomb.length < 200_000, 'the bomb itself is small');
    const t1 = new AcsTransport({ url, requestTimeoutMs: 5_000, maxBodyBytes: 1024 * 1024, userAgent: 'test', compression: 'GZIP' });
    await assert.rejects(t1.post('<x/>'), /could not be decompressed within 1048576 bytes/);
    t1.close();
    next = small;
    const t2 = new AcsTransport({ url, requestTimeoutMs: 5_000, maxBodyBytes: 1024 * 1024, userAgent: 'test', compression: 'GZIP' });
    assert.equal((await t2.post('<x/>')).body, '<soap-env:Envelope/>');
    t2.close();
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
