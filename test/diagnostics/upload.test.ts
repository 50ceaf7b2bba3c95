/** TR-143 UploadDiagnostics: PUTs to a real loopback server, checked against the bytes it received. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DiagnosticsRunner } from '../../src/diagnostics/diagnostics-runner.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';

const U = 'Device.IP.Diagnostics.UploadDiagnostics.';

test('UploadDiagnostics: one and two connections, bytes as the server received them; a refused port fails', { timeout: 60_000 }, async () => {
  let received = 0;
  const server = http.createServer((req, res) => {
    if (req.method !== 'PUT') return void res.writeHead(405).end();
    req.on('data', (c: Buffer) => (received += c.length));
    req.on('end', () => res.writeHead(201).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`;
  const h = await startHarness();
  new DiagnosticsRunner(h.agent.device);
  const m = h.agent.model;
  const request = async (target: string, connections: number, bytes: number, sessions: number): Promise<void> => {
    h.acs.queue(h.serial, {
      method: 'SetParameterValues',
      parameterList: [
        { name: `${U}UploadURL`, value: target },
        { name: `${U}NumberOfConnections`, value: String(connections) },
        { name: `${U}TestFileLength`, value: String(bytes) },
        { name: `${U}DiagnosticsState`, value: 'Requested' },
      ],
      parameterKey: `up-${sessions}`,
    });
    h.agent.trigger('6 CONNECTION REQUEST');
    await sessionsCompleted(h, sessions, 20_000);
  };
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    await request(url, 1, 300_000, 3);
    assert.equal(m.read(`${U}DiagnosticsState`), 'Complete');
    assert.equal(m.read(`${U}TestBytesSent`), '300000');
    assert.equal(received, 300_000);
    assert.ok(Number(m.read(`${U}TotalBytesSent`)) > 300_000, 'request headers count in the total');
    const t = (p: string): number => Date.parse(m.read(`${U}${p}`));
    assert.ok(t('TCPOpenRequestTime') <= t('ROMTime') && t('ROMTime') <= t('BOMTime') && t('BOMTime') <= t('EOMTime'));

    await request(url, 2, 100_000, 5);
    assert.equal(m.read(`${U}TestBytesSent`), '200000');
    assert.equal(received, 500_000);
    assert.equal(m.read(`${U}PerConnectionResultNumberOfEntries`), '2');

    await request('http://127.0.0.1:1/upload', 1, 10, 7);
    assert.equal(m.read(`${U}DiagnosticsState`), 'Error_InitConnectionFailed');
  } finally {
    await h.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('time-based UploadDiagnostics: a chunked PUT that flows until TimeBasedTestDuration, with an IncrementalResult per interval', {
  timeout: 60_000,
}, async () => {
  let received = 0;
  let chunked = false;
  // A server that takes about 2 MB/s, so that the socket buffers, not the test, set the pace.
  const server = http.createServer((req, res) => {
    chunked = req.headers['transfer-encoding'] === 'chunked';
    req.on('data', (c: Buffer) => {
      received += c.length;
      req.pause();
      setTimeout(() => req.resume(), (c.length / 2_000_000) * 1000);
    });
    req.on('end', () => res.writeHead(201).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/up`;
  const h = await startHarness();
  new DiagnosticsRunner(h.agent.device);
  const m = h.agent.model;
  try {
    h.acs.queue(h.serial, {
      method: 'SetParameterValues',
      parameterList: [
        { name: `${U}UploadURL`, value: url },
        { name: `${U}TimeBasedTestDuration`, value: '2' },
        { name: `${U}TimeBasedTestMeasurementInterval`, value: '1' },
        { name: `${U}DiagnosticsState`, value: 'Requested' },
      ],
      parameterKey: 'tbu',
    });
    h.agent.start();
    await sessionsCompleted(h, 2, 30_000);
    assert.equal(m.read(`${U}DiagnosticsState`), 'Complete');
    assert.ok(chunked, 'a time-based upload has no length known in advance');
    const sent = Number(m.read(`${U}TestBytesSent`));
    assert.equal(received, sent, 'the server received every byte the test counted');
    assert.ok(sent > 1_000_000 && sent < 40_000_000, `${sent} bytes in about 2 s`);
    const n = Number(m.read(`${U}IncrementalResultNumberOfEntries`));
    assert.ok(n >= 2 && n <= 3, `${n} intervals`);
    let sum = 0;
    for (let i = 1; i <= n; i++) sum += Number(m.read(`${U}IncrementalResult.${i}.TestBytesSent`));
    assert.ok(sum <= sent && sum > sent * 0.5, `intervals ${sum} of ${sent}`);
  } finally {
    await h.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
