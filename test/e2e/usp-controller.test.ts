/**
 * The bundled USP controller: agents connect to it over WebSocket, its JSON API sends them any
 * message and reads their notifications; and `run --usp` with no URL starts it in-process, so a
 * USP device runs and answers with no broker and no configuration.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { builtInUspSchema } from '../../src/models/local-agent.js';
import { WebSocketMtp } from '../../src/mtp/websocket-mtp.js';
import { UspTestController } from '../../src/usp-controller/usp-test-controller.js';
import { overWebSocket, UspEndpoint } from '../../src/usp-endpoint/usp-endpoint.js';
import { sessionsCompleted, startHarness, tempDir } from '../helpers/agent-harness.js';
import { startAgentProcess } from '../helpers/agent-process.js';
import { until } from '../helpers/until.js';

const AGENT = 'proto::api-agent';

test('the bundled controller: an agent connects, the JSON API lists it, sends it a Get and a Set, and reads its notifications', {
  timeout: 60_000,
}, async () => {
  const controller = new UspTestController();
  const url = await controller.listen();
  const api = url.replace(/^ws/, 'http').replace(/\/usp$/, '/api');
  const h = await startHarness({ agent: { schema: builtInUspSchema() } });
  const log = pino({ level: 'silent' });
  const usp = new UspEndpoint(h.agent.device, {
    endpointId: AGENT,
    controllers: [{ endpointId: controller.endpointId, topic: url }],
    transport: overWebSocket(new WebSocketMtp({ url, endpointId: AGENT, retryMinimumWaitMs: 50, logger: log })),
    logger: log,
    parameterKeyName: 'Device.ManagementServer.ParameterKey',
  });
  const post = (path: string, body: unknown, type = 'application/json') =>
    fetch(`${api}${path}`, { method: 'POST', headers: { 'Content-Type': type }, body: JSON.stringify(body) });
  try {
    usp.start();
    h.agent.start();
    await sessionsCompleted(h, 1);
    await controller.waitFor(() => controller.agent(AGENT)?.connected === true);
    assert.deepEqual(await (await fetch(`${api}/agents`)).json(), [{ endpointId: AGENT, connected: true, notifications: 0 }]);

    const got = await post(`/agents/${encodeURIComponent(AGENT)}/messages`, {
      msgType: 'GET',
      body: { request: { get: { param_paths: ['Device.DeviceInfo.SerialNumber'] } } },
    });
    assert.equal(got.status, 200);
    const answer = (await got.json()) as {
      body: { response: { get_resp: { req_path_results: { resolved_path_results: { result_params: Record<string, string> }[] }[] } } };
    };
    assert.equal(answer.body.response.get_resp.req_path_results[0]!.resolved_path_results[0]!.result_params['SerialNumber'], h.serial);

    // A subscription with NotifRetry: the controller answers the Notify with a NotifyResp, so it goes once.
    const add = await post(`/agents/${encodeURIComponent(AGENT)}/messages`, {
      msgType: 'ADD',
      body: {
        request: {
          add: {
            create_objs: [
              {
                obj_path: 'Device.LocalAgent.Subscription.',
                param_settings: [
                  { param: 'Enable', value: 'true' },
                  { param: 'ID', value: 'api-vc' },
                  { param: 'NotifType', value: 'ValueChange' },
                  { param: 'ReferenceList', value: 'Device.DeviceInfo.ProvisioningCode' },
                  { param: 'NotifRetry', value: 'true' },
                ],
              },
            ],
          },
        },
      },
    });
    assert.equal(add.status, 200);
    h.agent.model.writeFromDevice({ 'Device.DeviceInfo.ProvisioningCode': 'seen-by-api' });
    const notifications = await until(async () => {
      const list = (await (await fetch(`${api}/agents/${encodeURIComponent(AGENT)}/notifications`)).json()) as unknown[];
      return list.length > 0 ? list : undefined;
    }, 'a notification in the API');
    assert.match(JSON.stringify(notifications[0]), /seen-by-api/);

    // The API refuses what a foreign web page could send, and says what it expects.
    assert.equal((await post(`/agents/${encodeURIComponent(AGENT)}/messages`, { msgType: 'GET' }, 'text/plain')).status, 415);
    assert.equal((await post(`/agents/${encodeURIComponent(AGENT)}/messages`, { msgType: 'NOPE', body: {} })).status, 400);
    assert.equal((await fetch(`${api}/agents/nobody`)).status, 404);
  } finally {
    await usp.stop();
    await h.close();
    await controller.close();
  }
});

test('run --usp with no URL: the bundled controller in-process reads the device over a WebSocket; no ACS, no broker', { timeout: 60_000 }, async () => {
  const stateDir = tempDir('usp-demo-');
  const agent = startAgentProcess(['--usp', '--state-dir', stateDir, '--log-format', 'json'], 'info');
  try {
    const read = await until(
      () => agent.logs.find((l) => l['msg'] === 'the bundled USP controller read these values from the device'),
      'the demo read',
      30_000,
    );
    const values = read['values'] as Record<string, string>;
    assert.match(values['EndpointID'] ?? '', /^os::/);
    assert.ok(values['SoftwareVersion']);
    assert.ok(!agent.logs.some((l) => l['msg'] === 'no ACS URL given: using the bundled test ACS'), 'USP only: no test ACS');
    const exited = new Promise<number | null>((r) => agent.child.once('exit', (code) => r(code)));
    process.kill(agent.child.pid!, 'SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    await agent.powerCut();
  }
});
