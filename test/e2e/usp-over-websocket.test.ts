/**
 * USP over WebSocket, the agent connecting to its Controller: a Controller made of the `ws`
 * library's server and the Broadband Forum's own .proto files. The agent asks for v1.usp (and
 * refuses a server that does not agree), names itself with ?eid=, sends its WebSocketConnectRecord,
 * answers over binary frames, closes with 1003 on a frame that holds no Record, and comes back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { builtInUspSchema } from '../../src/models/local-agent.js';
import { WebSocketMtp, webSocketRetryWaitMs } from '../../src/mtp/websocket-mtp.js';
import { overWebSocket, UspEndpoint } from '../../src/usp-endpoint/usp-endpoint.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';
import { until } from '../helpers/until.js';
import { officialCodec, uspProtoMissing, type Obj } from '../helpers/usp-controller.js';

const skip = uspProtoMissing() ?? false;
const AGENT = 'proto::ws-agent';
const CONTROLLER = 'proto::ws-controller';

test('the WebSocket retry waits follow the binding: 5-10 s, 10-20 s, ... capped at the tenth', () => {
  assert.equal(webSocketRetryWaitMs(1, 5000, 2000, 0), 5000);
  assert.equal(webSocketRetryWaitMs(1, 5000, 2000, 1), 10_000);
  assert.equal(webSocketRetryWaitMs(3, 5000, 2000, 0), 20_000);
  assert.equal(webSocketRetryWaitMs(10, 5000, 2000, 1), 5_120_000);
  assert.equal(webSocketRetryWaitMs(25, 5000, 2000, 1), 5_120_000);
});

test('a USP Controller over WebSocket: v1.usp, eid, connect record, Get, 1003 on garbage, reconnection; a server without v1.usp is refused', {
  skip,
  timeout: 60_000,
}, async () => {
  const codec = await officialCodec();
  let agreeToUsp = true;
  const server = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    handleProtocols: (protocols) => (agreeToUsp && protocols.has('v1.usp') ? 'v1.usp' : false),
  });
  await new Promise((r) => server.once('listening', r));
  const sessions: { socket: WebSocket; url: string; protocol: string; received: { record: Obj; msg?: Obj }[]; closeCode?: number }[] = [];
  server.on('connection', (socket, req) => {
    const s: (typeof sessions)[number] = { socket, url: req.url ?? '', protocol: socket.protocol, received: [] };
    sessions.push(s);
    socket.on('message', (data) => s.received.push(codec.decode(data as Buffer)));
    socket.on('close', (code) => void (s.closeCode = code));
  });
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/usp`;
  const h = await startHarness({ agent: { schema: builtInUspSchema() } });
  const log = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
  const mtp = new WebSocketMtp({ url, endpointId: AGENT, retryMinimumWaitMs: 50, logger: log });
  const usp = new UspEndpoint(h.agent.device, {
    endpointId: AGENT,
    controllers: [{ endpointId: CONTROLLER, topic: url }],
    transport: overWebSocket(mtp),
    logger: log,
    parameterKeyName: 'Device.ManagementServer.ParameterKey',
  });
  try {
    usp.start();
    h.agent.start();
    await sessionsCompleted(h, 1);
    const first = await until(() => sessions[0]?.received.find((r) => r.record['websocket_connect']), 'the WebSocketConnectRecord');
    assert.equal(first.record['from_id'], AGENT);
    assert.equal(sessions[0]!.protocol, 'v1.usp');
    assert.equal(new URL(sessions[0]!.url, 'ws://x').searchParams.get('eid'), AGENT);
    assert.equal(h.agent.model.read('Device.LocalAgent.Controller.1.MTP.1.Protocol'), 'WebSocket');

    const socket = sessions[0]!.socket;
    socket.send(codec.encode(CONTROLLER, AGENT, 'w1', 'GET', { request: { get: { param_paths: ['Device.DeviceInfo.SerialNumber'] } } }));
    const answer = await until(() => sessions[0]!.received.find((r) => r.msg?.['header']?.['msg_id'] === 'w1')?.msg, 'the GetResp');
    assert.equal(answer['body']['response']['get_resp']['req_path_results'][0]['resolved_path_results'][0]['result_params']['SerialNumber'], h.serial);

    // A frame with no Record: the agent closes with 1003, then comes back (a new session, announced again).
    socket.send(Buffer.from('no record here'));
    await until(() => sessions[0]!.closeCode, 'the close');
    assert.equal(sessions[0]!.closeCode, 1003);
    await until(() => sessions[1]?.received.find((r) => r.record['websocket_connect']), 'the agent back');

    // A server that does not agree to v1.usp gets no session: the agent closes and retries.
    agreeToUsp = false;
    sessions[1]!.socket.terminate();
    await until(() => (sessions.length >= 3 && sessions[2]!.closeCode !== undefined ? true : undefined), 'a refused session');
    assert.equal(sessions[2]!.received.length, 0, 'no Record went to a server without v1.usp');
    agreeToUsp = true;
    await until(() => sessions.find((s, i) => i >= 3 && s.received.some((r) => r.record['websocket_connect'])), 'the agent back once the server agrees');
  } finally {
    await usp.stop();
    await h.close();
    for (const c of server.clients) c.terminate();
    await new Promise((r) => server.close(r));
  }
});

test('TP-469 7.4, 7.7, 7.12: Pings on the keep-alive interval, a Record in fragmented frames is read, the agent closes with 1000', {
  skip,
  timeout: 60_000,
}, async () => {
  const codec = await officialCodec();
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: (p) => (p.has('v1.usp') ? 'v1.usp' : false) });
  await new Promise((r) => server.once('listening', r));
  let session: { socket: WebSocket; pings: number; received: { record: Obj; msg?: Obj }[]; closeCode?: number } | undefined;
  server.on('connection', (socket) => {
    const s = { socket, pings: 0, received: [] as { record: Obj; msg?: Obj }[], closeCode: undefined as number | undefined };
    session = s;
    socket.on('ping', () => void s.pings++);
    socket.on('message', (data) => s.received.push(codec.decode(data as Buffer)));
    socket.on('close', (code) => void (s.closeCode = code));
  });
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/usp`;
  const h = await startHarness({ agent: { schema: builtInUspSchema() } });
  const log = pino({ level: 'silent' });
  const usp = new UspEndpoint(h.agent.device, {
    endpointId: AGENT,
    controllers: [{ endpointId: CONTROLLER, topic: url }],
    transport: overWebSocket(new WebSocketMtp({ url, endpointId: AGENT, keepAliveMs: 50, logger: log })),
    logger: log,
    parameterKeyName: 'Device.ManagementServer.ParameterKey',
  });
  let stopped = false;
  try {
    usp.start();
    h.agent.start();
    await until(() => session?.received.find((r) => r.record['websocket_connect']), 'the session');
    await until(() => (session!.pings >= 2 ? true : undefined), 'two Pings');
    // One Record, sent in three fragments of one message.
    const bytes = Buffer.from(codec.encode(CONTROLLER, AGENT, 'frag', 'GET', { request: { get: { param_paths: ['Device.DeviceInfo.SerialNumber'] } } }));
    const third = Math.ceil(bytes.length / 3);
    session!.socket.send(bytes.subarray(0, third), { binary: true, fin: false });
    session!.socket.send(bytes.subarray(third, 2 * third), { binary: true, fin: false });
    session!.socket.send(bytes.subarray(2 * third), { binary: true, fin: true });
    const answer = await until(() => session!.received.find((r) => r.msg?.['header']?.['msg_id'] === 'frag')?.msg, 'the answer to the fragmented Record');
    assert.equal(answer['header']['msg_type'], 'GET_RESP');
    await usp.stop();
    stopped = true;
    await until(() => session!.closeCode, 'the close');
    assert.equal(session!.closeCode, 1000);
  } finally {
    if (!stopped) await usp.stop();
    await h.close();
    for (const c of server.clients) c.terminate();
    await new Promise((r) => server.close(r));
  }
});
