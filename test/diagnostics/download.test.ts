/** TR-143 DownloadDiagnostics against a real HTTP server on loopback, checked against what the server sent. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DiagnosticsRunner } from '../../src/diagnostics/diagnostics-runner.js';
import { sessionsCompleted, startHarness, type Harness } from '../helpers/agent-harness.js';

const D = 'Device.IP.Diagnostics.DownloadDiagnostics.';
const SIZE = 512 * 1024;

async function fileServer(): Promise<{ url: string; bodyBytesSent: () => number; close: () => Promise<void> }> {
  let sent = 0;
  const body = Buffer.alloc(SIZE, 0x61);
  const server = http.createServer((req, res) => {
    if (req.url !== '/file.bin') return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Length': SIZE });
    // In chunks, so that first and last byte are apart.
    let offset = 0;
    const push = (): void => {
      const chunk = body.subarray(offset, offset + 64 * 1024);
      offset += chunk.length;
      sent += chunk.length;
      if (offset >= SIZE) res.end(chunk);
      else res.write(chunk, () => setTimeout(push, 2));
    };
    push();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, bodyBytesSent: () => sent, close: () => new Promise((r) => server.close(() => r())) };
}

async function requestDownload(h: Harness, url: string, connections: number, sessions: number): Promise<void> {
  h.acs.queue(h.serial, {
    method: 'SetParameterValues',
    parameterList: [
      { name: `${D}DownloadURL`, value: url },
      { name: `${D}NumberOfConnections`, value: String(connections) },
      { name: `${D}DiagnosticsState`, value: 'Requested' },
    ],
    parameterKey: `dl-${sessions}`,
  });
  h.agent.trigger('6 CONNECTION REQUEST');
  await sessionsCompleted(h, sessions, 20_000);
}

test('DownloadDiagnostics: one and three connections, bytes and times as the server saw them; failures map to Error_*', { timeout: 60_000 }, async () => {
  const server = await fileServer();
  const h = await startHarness();
  new DiagnosticsRunner(h.agent.device);
  const m = h.agent.model;
  const t = (p: string): number => Date.parse(m.read(`${D}${p}`));
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);

    await requestDownload(h, `${server.url}/file.bin`, 1, 3);
    assert.deepEqual(
      h.acs.completedSessions(h.serial)[2]!.events.map((e) => e.code),
      ['8 DIAGNOSTICS COMPLETE'],
    );
    assert.equal(m.read(`${D}DiagnosticsState`), 'Complete');
    assert.equal(m.read(`${D}TestBytesReceived`), String(SIZE));
    assert.equal(server.bodyBytesSent(), SIZE);
    assert.ok(Number(m.read(`${D}TotalBytesReceived`)) > SIZE, 'headers count in the total');
    assert.ok(Number(m.read(`${D}TotalBytesSent`)) > 0);
    assert.match(m.read(`${D}BOMTime`), /\.\d{6}Z$/, 'microsecond time stamps');
    assert.ok(
      t('TCPOpenRequestTime') <= t('TCPOpenResponseTime') &&
        t('TCPOpenResponseTime') <= t('ROMTime') &&
        t('ROMTime') <= t('BOMTime') &&
        t('BOMTime') <= t('EOMTime'),
    );
    assert.equal(m.read(`${D}IPAddressUsed`), '127.0.0.1');
    assert.equal(m.read(`${D}PerConnectionResultNumberOfEntries`), '0');

    await requestDownload(h, `${server.url}/file.bin`, 3, 5);
    assert.equal(m.read(`${D}TestBytesReceived`), String(3 * SIZE));
    assert.equal(server.bodyBytesSent(), 4 * SIZE);
    const ids = m.instanceIds(`${D}PerConnectionResult.`);
    assert.equal(ids.length, 3);
    assert.deepEqual(
      ids.map((id) => m.read(`${D}PerConnectionResult.${id}.TestBytesReceived`)),
      [String(SIZE), String(SIZE), String(SIZE)],
    );

    await requestDownload(h, 'http://127.0.0.1:1/file.bin', 1, 7);
    assert.equal(m.read(`${D}DiagnosticsState`), 'Error_InitConnectionFailed');
    await requestDownload(h, `${server.url}/missing`, 1, 9);
    assert.equal(m.read(`${D}DiagnosticsState`), 'Error_TransferFailed');
    await requestDownload(h, 'gopher://127.0.0.1/x', 1, 11);
    assert.equal(m.read(`${D}DiagnosticsState`), 'Error_Other');
  } finally {
    await h.close();
    await server.close();
  }
});

test('time-based DownloadDiagnostics: stops at TimeBasedTestDuration, one IncrementalResult per interval, bytes as the server sent them', {
  timeout: 60_000,
}, async () => {
  const { FileServer } = await import('../helpers/file-server.js');
  const server = new FileServer();
  await server.listen();
  // Far more than 2 s can carry at this rate: the test must end by time, not by end of file.
  server.files.set('long.bin', { body: Buffer.alloc(8_000_000, 0x62), rateBytesPerSecond: 400_000 });
  const h = await startHarness();
  new DiagnosticsRunner(h.agent.device);
  const m = h.agent.model;
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    h.acs.queue(h.serial, {
      method: 'SetParameterValues',
      parameterList: [
        { name: `${D}DownloadURL`, value: server.url('long.bin') },
        { name: `${D}TimeBasedTestDuration`, value: '2' },
        { name: `${D}TimeBasedTestMeasurementInterval`, value: '1' },
        { name: `${D}DiagnosticsState`, value: 'Requested' },
      ],
      parameterKey: 'tb',
    });
    h.agent.trigger('6 CONNECTION REQUEST');
    await sessionsCompleted(h, 3, 30_000);
    assert.equal(m.read(`${D}DiagnosticsState`), 'Complete');
    const total = Number(m.read(`${D}TestBytesReceived`));
    assert.ok(total > 400_000 && total < 1_400_000, `about 2 s at 400 kB/s, got ${total}`);
    const seconds = (Date.parse(m.read(`${D}EOMTime`)) - Date.parse(m.read(`${D}BOMTime`))) / 1000;
    assert.ok(seconds >= 1.9 && seconds < 3, `ran ${seconds} s`);
    const n = Number(m.read(`${D}IncrementalResultNumberOfEntries`));
    assert.ok(n >= 2 && n <= 3, `${n} intervals`);
    let sum = 0;
    for (let i = 1; i <= n; i++) {
      const bytes = Number(m.read(`${D}IncrementalResult.${i}.TestBytesReceived`));
      const start = Date.parse(m.read(`${D}IncrementalResult.${i}.StartTime`));
      const end = Date.parse(m.read(`${D}IncrementalResult.${i}.EndTime`));
      assert.ok(end >= start);
      if (i < n) assert.ok(bytes > 200_000 && bytes < 700_000, `interval ${i}: ${bytes} bytes`);
      sum += bytes;
    }
    assert.ok(sum <= total && sum > total * 0.8, `intervals ${sum} of ${total}`);
  } finally {
    await h.close();
    await server.close();
  }
});
