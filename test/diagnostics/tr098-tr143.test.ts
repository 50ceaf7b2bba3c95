/**
 * TR-143 on a TR-098 gateway: InternetGatewayDevice.DownloadDiagnostics and UploadDiagnostics
 * against real loopback HTTP servers, and UDPEchoConfig answering real datagrams, requested by
 * the test ACS and reported with 8 DIAGNOSTICS COMPLETE in TR-098's own states.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DiagnosticsRunner, startUdpEchoConfig } from '../../src/diagnostics/diagnostics-runner.js';
import type { ParameterValueInput } from '../../src/cwmp/messages.js';
import { IGD_SCHEMA } from '../../src/models/igd.js';
import { sessionsCompleted, startHarness, type Harness } from '../helpers/agent-harness.js';
import { freeUdpPort } from '../helpers/servers.js';
import { echoServerEnabled, exchange } from '../helpers/udp-echo.js';

const R = 'InternetGatewayDevice.';
const DL = `${R}DownloadDiagnostics.`;
const UL = `${R}UploadDiagnostics.`;
const U = `${R}UDPEchoConfig.`;

async function request(h: Harness, parameterList: ParameterValueInput[], sessions: number): Promise<void> {
  h.acs.queue(h.serial, { method: 'SetParameterValues', parameterList, parameterKey: `k${sessions}` });
  h.agent.trigger('6 CONNECTION REQUEST');
  await sessionsCompleted(h, sessions, 20_000);
}

test('TR-098 Download and Upload diagnostics: bytes as the servers saw them, Completed, failures in TR-098 states', { timeout: 60_000 }, async () => {
  const body = Buffer.alloc(300_000, 0x61);
  let uploaded = 0;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/file.bin') return void res.writeHead(200, { 'Content-Length': body.length }).end(body);
    if (req.method === 'PUT') {
      req.on('data', (c: Buffer) => (uploaded += c.length));
      return void req.on('end', () => res.writeHead(201).end());
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const h = await startHarness({ agent: { schema: IGD_SCHEMA } });
  new DiagnosticsRunner(h.agent.device);
  const m = h.agent.model;
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    await request(
      h,
      [
        { name: `${DL}DownloadURL`, value: `${base}/file.bin` },
        { name: `${DL}DiagnosticsState`, value: 'Requested' },
      ],
      3,
    );
    assert.deepEqual(
      h.acs.completedSessions(h.serial)[2]!.events.map((e) => e.code),
      ['8 DIAGNOSTICS COMPLETE'],
    );
    assert.equal(m.read(`${DL}DiagnosticsState`), 'Completed', "TR-098's word for it");
    assert.equal(m.read(`${DL}TestBytesReceived`), String(body.length));
    assert.ok(Number(m.read(`${DL}TotalBytesReceived`)) > body.length);
    const t = (o: string, p: string): number => Date.parse(m.read(`${o}${p}`));
    assert.ok(t(DL, 'TCPOpenRequestTime') <= t(DL, 'ROMTime') && t(DL, 'ROMTime') <= t(DL, 'BOMTime') && t(DL, 'BOMTime') <= t(DL, 'EOMTime'));

    await request(
      h,
      [
        { name: `${UL}UploadURL`, value: `${base}/up` },
        { name: `${UL}TestFileLength`, value: '123456' },
        { name: `${UL}DiagnosticsState`, value: 'Requested' },
      ],
      5,
    );
    assert.equal(m.read(`${UL}DiagnosticsState`), 'Completed');
    assert.equal(uploaded, 123_456);
    assert.ok(Number(m.read(`${UL}TotalBytesSent`)) > 123_456);

    // Failures in the states TR-098 has: nothing listens on port 1; a 404 ends the transfer.
    await request(
      h,
      [
        { name: `${DL}DownloadURL`, value: 'http://127.0.0.1:1/x' },
        { name: `${DL}DiagnosticsState`, value: 'Requested' },
      ],
      7,
    );
    assert.equal(m.read(`${DL}DiagnosticsState`), 'Error_InitConnectionFailed');
    await request(
      h,
      [
        { name: `${DL}DownloadURL`, value: `${base}/missing` },
        { name: `${DL}DiagnosticsState`, value: 'Requested' },
      ],
      9,
    );
    assert.equal(m.read(`${DL}DiagnosticsState`), 'Error_TransferFailed');
    await request(
      h,
      [
        { name: `${UL}UploadURL`, value: 'http://no-such-host.invalid/up' },
        { name: `${UL}DiagnosticsState`, value: 'Requested' },
      ],
      11,
    );
    assert.equal(m.read(`${UL}DiagnosticsState`), 'Error_InitConnectionFailed', 'a name that does not resolve: the connection could not be set up');
    // Every result is valid for its parameter's type and enumeration.
    for (const p of m.getParameterValues([DL, UL])) {
      const def = m.definitionOf(p.name)!;
      if (def.enumeration) assert.ok(def.enumeration.includes(p.value), `${p.name}=${p.value}`);
      if (def.type === 'unsignedInt') assert.ok(Number(p.value) < 2 ** 32, `${p.name}=${p.value}`);
    }
  } finally {
    await h.close();
    await new Promise((r) => server.close(r));
  }
});

test('TR-098 UDPEchoConfig: the gateway echoes datagrams from the allowed source and counts them', async () => {
  const h = await startHarness({ agent: { schema: IGD_SCHEMA } });
  const echo = startUdpEchoConfig(h.agent, '127.0.0.1');
  const port = await freeUdpPort();
  try {
    await echoServerEnabled(h, U, port);
    const replies = await exchange(
      port,
      [0, 1, 2, 3].map((i) => Buffer.from(`ping-${i}`)),
    );
    assert.deepEqual(replies.map((b) => b.toString()).sort(), ['ping-0', 'ping-1', 'ping-2', 'ping-3']);
    assert.equal(h.agent.model.read(`${U}PacketsReceived`), '4');
    assert.equal(h.agent.model.read(`${U}PacketsResponded`), '4');
    assert.equal(h.agent.model.read(`${U}BytesResponded`), String(4 * 'ping-0'.length));
    assert.notEqual(h.agent.model.read(`${U}TimeFirstPacketReceived`), '0001-01-01T00:00:00Z');
  } finally {
    echo.stop();
    await h.close();
  }
});
