/**
 * TP-469 7.3 (R-WS.6): a Controller opens the WebSocket session to the agent. The agent takes
 * v1.usp sessions that name the Controller with ?eid=, sends its WebSocketConnectRecord, answers
 * on that session, refuses a client that does not ask for v1.usp, and closes with 1003 on a frame
 * that holds no Record.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import WebSocket from 'ws';
import { builtInUspSchema } from '../../src/models/local-agent.js';
import { WebSocketListenerMtp } from '../../src/mtp/websocket-listener-mtp.js';
import { decodeMsg, decodeRecord, msgRecord, type UspRecord } from '../../src/usp/usp-codec.js';
import { noOutgoingTransport, UspEndpoint } from '../../src/usp-endpoint/usp-endpoint.js';
import { sessionsCompleted, startHarness, tempDir } from '../helpers/agent-harness.js';
import { startAgentProcess } from '../helpers/agent-process.js';
import { until } from '../helpers/until.js';

const AGENT = 'proto::listening-agent';
const CONTROLLER = 'proto::connecting-controller';

test('TP-469 7.3: a Controller opens a v1.usp session to the agent and is answered on it', { timeout: 60_000 }, async () => {
  const h = await startHarness({ agent: { schema: builtInUspSchema() } });
  const log = pino({ level: 'silent' });
  const listener = new WebSocketListenerMtp({ port: 0, address: '127.0.0.1', logger: log });
  const usp = new UspEndpoint(h.agent.device, {
    endpointId: AGENT,
    controllers: [{ endpointId: CONTROLLER, topic: '' }],
    transport: noOutgoingTransport(),
    listener,
    logger: log,
    parameterKeyName: 'Device.ManagementServer.ParameterKey',
  });
  const sockets: WebSocket[] = [];
  try {
    usp.start();
    h.agent.start();
    await sessionsCompleted(h, 1);
    await until(() => listener.port, 'the listener');
    const url = `ws://127.0.0.1:${listener.port}/usp`;

    const received: UspRecord[] = [];
    const socket = new WebSocket(`${url}?eid=${encodeURIComponent(CONTROLLER)}`, 'v1.usp');
    sockets.push(socket);
    socket.on('message', (data) => received.push(decodeRecord(new Uint8Array(data as Buffer))));
    let closeCode: number | undefined;
    socket.on('close', (code) => void (closeCode = code));
    await until(() => received.find((r) => r.websocket_connect !== undefined), 'the WebSocketConnectRecord');
    assert.equal(socket.protocol, 'v1.usp');

    socket.send(
      msgRecord(CONTROLLER, AGENT, {
        header: { msg_id: 'in-1', msg_type: 'GET' },
        body: { request: { get: { param_paths: ['Device.DeviceInfo.SerialNumber'] } } },
      }),
    );
    const answer = await until(() => {
      const r = received.find((x) => x.no_session_context && decodeMsg(x.no_session_context.payload).header.msg_id === 'in-1');
      return r ? decodeMsg(r.no_session_context!.payload) : undefined;
    }, 'the GetResp on the session');
    assert.equal(answer.header.msg_type, 'GET_RESP');
    assert.match(JSON.stringify(answer.body), new RegExp(h.serial));

    // Without v1.usp: no session.
    const refused = new WebSocket(`${url}?eid=${encodeURIComponent(CONTROLLER)}`, 'v2.other');
    sockets.push(refused);
    const outcome = await new Promise<string>((resolve) => {
      refused.once('open', () => resolve('open'));
      refused.once('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
      refused.once('error', (err) => resolve(`error ${err.message}`));
    });
    assert.notEqual(outcome, 'open');

    // A frame with no Record ends the session with 1003.
    socket.send(Buffer.from('no record here'));
    await until(() => closeCode, 'the close');
    assert.equal(closeCode, 1003);
  } finally {
    for (const s of sockets) s.terminate();
    await usp.stop();
    await h.close();
  }
});

test('run --usp-ws-listen with no URL: a USP agent that only listens, found by its Controller', { timeout: 60_000 }, async () => {
  const agent = startAgentProcess(
    ['--usp-ws-listen', '0', '--usp-controller-id', CONTROLLER, '--usp-endpoint-id', AGENT, '--state-dir', tempDir('usp-listen-'), '--log-format', 'json'],
    'info',
  );
  const sockets: WebSocket[] = [];
  try {
    const line = await until(() => agent.logs.find((l) => l['msg'] === 'USP WebSocket sessions accepted'), 'the listener', 30_000);
    assert.ok(!agent.logs.some((l) => l['msg'] === 'no ACS URL given: using the bundled test ACS'), 'USP only');
    const received: UspRecord[] = [];
    const socket = new WebSocket(`ws://127.0.0.1:${line['port']}/usp?eid=${encodeURIComponent(CONTROLLER)}`, 'v1.usp');
    sockets.push(socket);
    socket.on('message', (data) => received.push(decodeRecord(new Uint8Array(data as Buffer))));
    const connect = await until(() => received.find((r) => r.websocket_connect !== undefined), 'the WebSocketConnectRecord');
    assert.equal(connect.from_id, AGENT);
    const exited = new Promise<number | null>((r) => agent.child.once('exit', (code) => r(code)));
    process.kill(agent.child.pid!, 'SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    for (const s of sockets) s.terminate();
    await agent.powerCut();
  }
});
