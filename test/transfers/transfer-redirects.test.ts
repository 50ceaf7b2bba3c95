/**
 * A file transfer's (and a Bulk Data report's) redirects, over real sockets: the transfer's
 * credentials never answer another origin's challenge, and nothing goes from https down to http.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { CwmpFault } from '../../src/cwmp/faults.js';
import { downloadFile, uploadFile } from '../../src/transfers/http-file-transfer.js';
import { tempDir } from '../helpers/agent-harness.js';
import { makeTestPki } from '../helpers/test-ca.js';

const dir = tempDir('xfer-redirect-');
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const base = { signal: new AbortController().signal, idleTimeoutMs: 5_000, maxBytes: 1 << 20 };

interface Seen {
  url: string;
  authorization: string | undefined;
}

/** A server that records every request and answers with `answer`. */
async function recording(
  answer: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  tls?: { key: string; cert: string },
): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
    req.resume();
    req.on('end', () => answer(req, res));
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** Asks for Basic credentials, and serves a file to any it gets (so only what was sent decides). */
const askingForBasic = (req: http.IncomingMessage, res: http.ServerResponse): void => {
  if (!req.headers.authorization) return void res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="elsewhere"' }).end();
  res.writeHead(200, { 'Content-Length': '5' }).end('taken');
};

async function faultOf(p: Promise<unknown>): Promise<CwmpFault> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CwmpFault) return err;
    throw err;
  }
  assert.fail('expected a fault');
}

test("a download redirected to another origin does not answer that origin's challenge with its credentials", async () => {
  const elsewhere = await recording(askingForBasic);
  const origin = await recording((req, res) => {
    // The origin itself wants the credentials, then sends the device on.
    if (!req.headers.authorization) return void res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="files"' }).end();
    res.writeHead(302, { Location: `${elsewhere.url}/fw.bin` }).end();
  });
  try {
    const fault = await faultOf(
      downloadFile({ ...base, url: `${origin.url}/fw.bin`, username: 'cpe', password: 'transfer-secret', dest: path.join(dir, 'a'), expectedSize: 0 }),
    );
    assert.equal(fault.faultCode, 9012);
    assert.match(fault.faultString, /not sent elsewhere/);
    assert.ok(
      origin.seen.some((s) => s.authorization?.startsWith('Basic ')),
      'the origin got the credentials it asked for',
    );
    assert.ok(elsewhere.seen.length > 0, 'the redirect was followed');
    assert.deepEqual(
      elsewhere.seen.map((s) => s.authorization),
      elsewhere.seen.map(() => undefined),
      'no Authorization header went to the other origin',
    );
  } finally {
    await origin.close();
    await elsewhere.close();
  }
});

test('a download redirected to another origin that asks for nothing is followed', async () => {
  const elsewhere = await recording((_req, res) => void res.writeHead(200, { 'Content-Length': '3' }).end('cdn'));
  const origin = await recording((_req, res) => void res.writeHead(302, { Location: `${elsewhere.url}/fw.bin` }).end());
  try {
    await downloadFile({ ...base, url: `${origin.url}/fw.bin`, username: 'cpe', password: 'transfer-secret', dest: path.join(dir, 'b'), expectedSize: 3 });
    assert.equal(fs.readFileSync(path.join(dir, 'b'), 'utf8'), 'cdn');
    assert.equal(elsewhere.seen[0]?.authorization, undefined);
  } finally {
    await origin.close();
    await elsewhere.close();
  }
});

test('a redirect from https to http is refused: the http server hears nothing', async () => {
  const pki = makeTestPki();
  const plain = await recording(askingForBasic);
  const secure = await recording((_req, res) => void res.writeHead(302, { Location: `${plain.url}/fw.bin` }).end(), {
    key: pki.serverKey,
    cert: pki.serverCert,
  });
  try {
    const fault = await faultOf(
      downloadFile({
        ...base,
        tls: { ca: pki.caCert, rejectUnauthorized: true },
        url: `${secure.url}/fw.bin`,
        username: 'cpe',
        password: 'transfer-secret',
        dest: path.join(dir, 'c'),
        expectedSize: 0,
      }),
    );
    assert.equal(fault.faultCode, 9015);
    assert.match(fault.faultString, /from https to http/);
    assert.equal(plain.seen.length, 0);
  } finally {
    await secure.close();
    await plain.close();
  }
});

test('a Bulk Data report (an upload) redirected to another origin keeps its credentials to itself', async () => {
  const elsewhere = await recording(askingForBasic);
  const collector = await recording((_req, res) => void res.writeHead(307, { Location: `${elsewhere.url}/reports` }).end());
  try {
    const fault = await faultOf(
      uploadFile({
        ...base,
        url: `${collector.url}/reports`,
        username: 'bulk',
        password: 'report-secret',
        method: 'POST',
        contentType: 'application/json',
        body: Buffer.from('{"Report":[]}'),
      }),
    );
    assert.equal(fault.faultCode, 9012);
    assert.ok(elsewhere.seen.length > 0);
    assert.ok(elsewhere.seen.every((s) => s.authorization === undefined));
  } finally {
    await collector.close();
    await elsewhere.close();
  }
});
