/** Downloads and uploads over real HTTP(S) on loopback: auth, resume, and each failure's fault code. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { CwmpFault } from '../../src/cwmp/faults.js';
import { downloadFile, TransferAborted, uploadFile } from '../../src/transfers/http-file-transfer.js';
import { closedPort, FileServer } from '../helpers/file-server.js';
import { tempDir } from '../helpers/agent-harness.js';
import { makeTestPki } from '../helpers/test-ca.js';

const dir = tempDir('xfer-');
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const dest = (name: string): string => path.join(dir, name);
const base = { username: '', password: '', signal: new AbortController().signal, idleTimeoutMs: 5_000, maxBytes: 1 << 30 };

async function faultOf(p: Promise<unknown>): Promise<CwmpFault> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CwmpFault) return err;
    throw err;
  }
  assert.fail('expected a fault');
}

test('Digest-protected download: right credentials fetch the file; wrong or missing ones are 9012', async () => {
  const server = new FileServer({ auth: { scheme: 'digest', username: 'cpe', password: 's3cret' } });
  await server.listen();
  const body = randomBytes(100_000);
  server.files.set('fw.bin', { body });
  try {
    const r = await downloadFile({ ...base, url: server.url('fw.bin'), username: 'cpe', password: 's3cret', dest: dest('a'), expectedSize: body.length });
    assert.equal(r.bytes, body.length);
    assert.deepEqual(fs.readFileSync(dest('a')), body);
    const wrong = await faultOf(downloadFile({ ...base, url: server.url('fw.bin'), username: 'cpe', password: 'nope', dest: dest('b'), expectedSize: 0 }));
    assert.equal(wrong.faultCode, 9012);
    assert.match(wrong.faultString, /rejected the credentials/);
    const none = await faultOf(downloadFile({ ...base, url: server.url('fw.bin'), dest: dest('c'), expectedSize: 0 }));
    assert.equal(none.faultCode, 9012);
  } finally {
    await server.close();
  }
});

test('Basic auth and a redirect are followed', async () => {
  const server = new FileServer({ auth: { scheme: 'basic', username: 'u', password: 'p' } });
  await server.listen();
  server.files.set('web.tar', { body: Buffer.from('hello') });
  try {
    await downloadFile({ ...base, url: server.url('redirect/web.tar'), username: 'u', password: 'p', dest: dest('d'), expectedSize: 5 });
    assert.equal(fs.readFileSync(dest('d'), 'utf8'), 'hello');
  } finally {
    await server.close();
  }
});

test('each failure maps to its fault: 9016 missing file, 9015 nobody listening, 9018 wrong size, 9010 no room', async () => {
  const server = new FileServer();
  await server.listen();
  server.files.set('small', { body: Buffer.alloc(10) });
  try {
    assert.equal((await faultOf(downloadFile({ ...base, url: server.url('missing'), dest: dest('e'), expectedSize: 0 }))).faultCode, 9016);
    const port = await closedPort();
    const refused = await faultOf(downloadFile({ ...base, url: `http://127.0.0.1:${port}/x`, dest: dest('f'), expectedSize: 0 }));
    assert.equal(refused.faultCode, 9015);
    assert.match(refused.faultString, /ECONNREFUSED/);
    const size = await faultOf(downloadFile({ ...base, url: server.url('small'), dest: dest('g'), expectedSize: 11 }));
    assert.equal(size.faultCode, 9018);
    assert.match(size.faultString, /FileSize/);
    const room = await faultOf(downloadFile({ ...base, url: server.url('small'), dest: dest('h'), expectedSize: 0, maxBytes: 5 }));
    assert.equal(room.faultCode, 9010);
  } finally {
    await server.close();
  }
});

test('a connection cut midway is 9017; the next attempt resumes from the partial file', async () => {
  const server = new FileServer();
  await server.listen();
  const body = randomBytes(200_000);
  server.files.set('big', { body, cutAfter: 120_000, rateBytesPerSecond: 1_000_000 });
  try {
    const cut = await faultOf(downloadFile({ ...base, url: server.url('big'), dest: dest('i'), expectedSize: body.length }));
    assert.equal(cut.faultCode, 9017);
    const partial = fs.statSync(dest('i')).size;
    assert.ok(partial > 0 && partial <= 120_000, `kept ${partial} bytes`);
    const r = await downloadFile({ ...base, url: server.url('big'), dest: dest('i'), expectedSize: body.length });
    assert.equal(r.resumedFrom, partial);
    assert.equal(server.requests.at(-1)?.range, `bytes=${partial}-`);
    assert.deepEqual(fs.readFileSync(dest('i')), body);
  } finally {
    await server.close();
  }
});

test('a cancelled download stops with TransferAborted, not a fault', async () => {
  const server = new FileServer();
  await server.listen();
  server.files.set('slow', { body: Buffer.alloc(100_000), rateBytesPerSecond: 20_000 });
  const c = new AbortController();
  setTimeout(() => c.abort('cancelled'), 200);
  try {
    await assert.rejects(downloadFile({ ...base, signal: c.signal, url: server.url('slow'), dest: dest('j'), expectedSize: 0 }), TransferAborted);
  } finally {
    await server.close();
  }
});

test('HTTPS: verified against the configured CA; an untrusted certificate is refused with 9015', async () => {
  const pki = makeTestPki();
  const server = new FileServer({ tls: { key: pki.serverKey, cert: pki.serverCert } });
  await server.listen();
  server.files.set('f', { body: Buffer.from('tls') });
  try {
    await downloadFile({ ...base, tls: { ca: pki.caCert, rejectUnauthorized: true }, url: server.url('f'), dest: dest('k'), expectedSize: 3 });
    assert.equal(fs.readFileSync(dest('k'), 'utf8'), 'tls');
    const untrusted = await faultOf(
      downloadFile({ ...base, tls: { ca: pki.otherCaCert, rejectUnauthorized: true }, url: server.url('f'), dest: dest('l'), expectedSize: 3 }),
    );
    assert.equal(untrusted.faultCode, 9015);
    assert.match(untrusted.faultString, /certificate/);
  } finally {
    await server.close();
  }
});

test('upload by PUT with Digest auth; a refusing server is 9011', async () => {
  const server = new FileServer({ auth: { scheme: 'digest', username: 'u', password: 'p' } });
  await server.listen();
  try {
    await uploadFile({
      ...base,
      url: server.url('up/log.txt'),
      username: 'u',
      password: 'p',
      body: Buffer.from('log lines'),
      method: 'PUT',
      contentType: 'text/plain',
    });
    assert.equal(server.uploads.length, 1);
    assert.equal(server.uploads[0]!.method, 'PUT');
    assert.equal(server.uploads[0]!.body.toString(), 'log lines');
    const port = await closedPort();
    const down = await faultOf(uploadFile({ ...base, url: `http://127.0.0.1:${port}/x`, body: Buffer.from('x'), method: 'POST', contentType: 'text/plain' }));
    assert.equal(down.faultCode, 9011);
    const auth = await faultOf(
      uploadFile({ ...base, url: server.url('up/x'), username: 'u', password: 'bad', body: Buffer.from('x'), method: 'PUT', contentType: 'text/plain' }),
    );
    assert.equal(auth.faultCode, 9012);
  } finally {
    await server.close();
  }
});
