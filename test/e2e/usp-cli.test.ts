/**
 * The contract outside checks use: `bin/cwmp-agent run --usp-mqtt-url ... --usp-controller-id ...
 * --usp-controller-topic ... --state-dir DIR` runs a USP-only agent (CWMP off, no test ACS, no
 * connection-request port) that announces itself to the Controller, and on Device.Reboot()
 * restarts in place (the supervisor stays) and tells its subscribers Boot! with the command key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAgentProcess } from '../helpers/agent-process.js';
import { tempDir } from '../helpers/agent-harness.js';
import { mosquittoMissing, startMosquitto } from '../helpers/mosquitto.js';
import { until } from '../helpers/until.js';
import { startController, uspProtoMissing } from '../helpers/usp-controller.js';

const skip = mosquittoMissing() ?? uspProtoMissing() ?? false;
if (skip) console.log(`# SKIP usp-cli: ${skip}`);

test('run --usp-mqtt-url: a USP-only agent announces itself, answers, and reboots in place with Boot!', { skip, timeout: 90_000 }, async () => {
  const broker = await startMosquitto();
  const stateDir = tempDir('usp-cli-');
  const agentId = 'proto::cli-agent';
  const c = await startController({
    url: broker.url,
    controllerId: 'proto::cli-controller',
    controllerTopic: 'usp/cli/controller',
    agentId,
    agentTopic: `usp/agent/${agentId}`,
  });
  const agent = startAgentProcess([
    '--usp-mqtt-url',
    broker.url,
    '--usp-controller-id',
    'proto::cli-controller',
    '--usp-controller-topic',
    'usp/cli/controller',
    '--usp-endpoint-id',
    agentId,
    '--state-dir',
    stateDir,
  ]);
  try {
    const connect = await until(() => c.received.find((r) => r.record['mqtt_connect']), 'the MQTTConnectRecord', 30_000);
    assert.equal(connect.record['from_id'], agentId);
    const got = await c.request({ request: { get: { param_paths: ['Device.ManagementServer.EnableCWMP', 'Device.LocalAgent.EndpointID'] } } }, 'GET');
    const [cwmp, id] = got['body']['response']['get_resp']['req_path_results'];
    assert.equal(cwmp['resolved_path_results'][0]['result_params']['EnableCWMP'], 'false', 'USP only: CWMP is off');
    assert.equal(id['resolved_path_results'][0]['result_params']['EndpointID'], agentId);
    const set = await c.request(
      {
        request: {
          set: { update_objs: [{ obj_path: 'Device.DeviceInfo.', param_settings: [{ param: 'ProvisioningCode', value: 'cli-usp', required: true }] }] },
        },
      },
      'SET',
    );
    assert.equal(set['header']['msg_type'], 'SET_RESP');
    await c.request(
      {
        request: {
          add: {
            create_objs: [
              {
                obj_path: 'Device.LocalAgent.Subscription.',
                param_settings: [
                  { param: 'Enable', value: 'true' },
                  { param: 'ID', value: 'boot' },
                  { param: 'NotifType', value: 'Event' },
                  { param: 'ReferenceList', value: 'Device.Boot!' },
                  { param: 'Persistent', value: 'true' },
                ],
              },
            ],
          },
        },
      },
      'ADD',
    );
    const supervisor = agent.child.pid;
    await c.request({ request: { operate: { command: 'Device.Reboot()', command_key: 'cli-reboot', send_resp: true } } }, 'OPERATE');
    const boot = await until(
      () => c.received.find((r) => r.msg?.['body']?.['request']?.['notify']?.['event']?.['event_name'] === 'Boot!')?.msg,
      'Boot! after the reboot',
      30_000,
    );
    assert.equal(boot['body']['request']['notify']['event']['params']['CommandKey'], 'cli-reboot');
    assert.equal(boot['body']['request']['notify']['event']['params']['Cause'], 'RemoteReboot');
    assert.equal(agent.child.exitCode, null, 'the supervisor is still running');
    assert.equal(agent.child.pid, supervisor);
    // The value set before the reboot is still there after it.
    const after = await c.request({ request: { get: { param_paths: ['Device.DeviceInfo.ProvisioningCode'] } } }, 'GET');
    assert.equal(after['body']['response']['get_resp']['req_path_results'][0]['resolved_path_results'][0]['result_params']['ProvisioningCode'], 'cli-usp');
    const exited = new Promise<number | null>((r) => agent.child.once('exit', (code) => r(code)));
    process.kill(agent.child.pid!, 'SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    await agent.powerCut();
    await c.close();
    await broker.stop();
  }
});
