/**
 * The USP agent end to end over a real broker (Debian's mosquitto), driven by a controller made
 * of independent parts: MQTT.js for the transport and protobufjs loaded with the Broadband
 * Forum's own .proto files for the messages (not the agent's schema). The same device speaks CWMP
 * to the bundled ACS meanwhile: a value the ACS sets is a ValueChange over USP, a value set over
 * USP is what the ACS reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { builtInUspSchema } from '../../src/models/local-agent.js';
import { MqttMtp } from '../../src/mtp/mqtt-mtp.js';
import { overMqtt, UspEndpoint } from '../../src/usp-endpoint/usp-endpoint.js';
import { getValues, sendRpcs, sessionsCompleted, startHarness } from '../helpers/agent-harness.js';
import { mosquittoMissing, startMosquitto } from '../helpers/mosquitto.js';
import { until } from '../helpers/until.js';
import { startController, uspProtoMissing, type Obj } from '../helpers/usp-controller.js';

const skip = mosquittoMissing() ?? uspProtoMissing() ?? false;
if (skip) console.log(`# SKIP usp-over-mqtt: ${skip}`);

const AGENT = 'proto::cwmp-agent-test';
const CONTROLLER = 'proto::controller-test';
const AGENT_TOPIC = 'usp/agent/test';
const CONTROLLER_TOPIC = 'usp/controller/test';

test('a USP controller over mosquitto: connect record, Get, Set, Add, subscriptions, Operate Reboot with Boot!, bad input; CWMP beside it', {
  skip,
  timeout: 90_000,
}, async () => {
  const broker = await startMosquitto();
  const h = await startHarness({ agent: { schema: builtInUspSchema() } });
  const log = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
  const mtp = new MqttMtp({ url: broker.url, clientId: 'cwmp-agent-test', agentTopic: AGENT_TOPIC, logger: log, reconnectMs: 100 });
  const usp = new UspEndpoint(h.agent.device, {
    endpointId: AGENT,
    controllers: [{ endpointId: CONTROLLER, topic: CONTROLLER_TOPIC }],
    transport: overMqtt(mtp),
    logger: log,
    parameterKeyName: 'Device.ManagementServer.ParameterKey',
  });
  const c = await startController({ url: broker.url, controllerId: CONTROLLER, controllerTopic: CONTROLLER_TOPIC, agentId: AGENT, agentTopic: AGENT_TOPIC });
  try {
    usp.start();
    h.agent.start();
    await sessionsCompleted(h, 1);

    // The MQTTConnectRecord, with the agent's topic, and MQTT 5's Content Type and Response Topic.
    const connect = await until(() => c.received.find((r) => r.record['mqtt_connect']), 'the MQTTConnectRecord');
    assert.equal(connect.record['to_id'], CONTROLLER);
    assert.equal(connect.record['from_id'], AGENT);
    assert.deepEqual(connect.record['mqtt_connect'], { version: 'V5', subscribed_topic: AGENT_TOPIC });
    assert.equal(connect.contentType, 'usp.msg');
    assert.equal(connect.responseTopic, AGENT_TOPIC);

    // Get: a parameter, an object to one level, a path the model does not have (7026 in its own result).
    const serial = h.agent.model.read('Device.DeviceInfo.SerialNumber');
    const got = await c.request(
      { request: { get: { param_paths: ['Device.DeviceInfo.SerialNumber', 'Device.LocalAgent.', 'Device.No.Such.'], max_depth: 1 } } },
      'GET',
    );
    assert.equal(got['header']['msg_type'], 'GET_RESP');
    const [one, agentObj, missing] = got['body']['response']['get_resp']['req_path_results'];
    assert.deepEqual(one['resolved_path_results'], [{ resolved_path: 'Device.DeviceInfo.', result_params: { SerialNumber: serial } }]);
    assert.equal(agentObj['err_code'], 0);
    assert.deepEqual(
      agentObj['resolved_path_results'].map((r: Obj) => r['resolved_path']),
      ['Device.LocalAgent.'],
      'max_depth 1: the object alone, not its controllers',
    );
    assert.equal(agentObj['resolved_path_results'][0]['result_params']['EndpointID'], AGENT);
    assert.equal(missing['err_code'], 7026);

    // Set over USP; the ACS reads it over CWMP.
    const setResp = await c.request(
      {
        request: {
          set: {
            allow_partial: false,
            update_objs: [{ obj_path: 'Device.DeviceInfo.', param_settings: [{ param: 'ProvisioningCode', value: 'set-by-usp', required: true }] }],
          },
        },
      },
      'SET',
    );
    const updated = setResp['body']['response']['set_resp']['updated_obj_results'][0]['oper_status']['oper_success']['updated_inst_results'][0];
    assert.deepEqual(updated['updated_params'], { ProvisioningCode: 'set-by-usp' });
    // Active notification (forced on ProvisioningCode): the ACS is told of the Controller's change.
    await h.acs.waitFor(() =>
      h.acs.sessions.some(
        (s) =>
          s.events.some((e) => e.code === '4 VALUE CHANGE') &&
          s.messages.some((m) => m.from === 'cpe' && m.method === 'Inform' && m.body.includes('set-by-usp')),
      ),
    );
    assert.equal((await getValues(h, 'Device.DeviceInfo.ProvisioningCode'))['Device.DeviceInfo.ProvisioningCode'], 'set-by-usp');

    // A required non-writable parameter: nothing changes, and the error names it (7013).
    const refused = await c.request(
      {
        request: {
          set: {
            allow_partial: false,
            update_objs: [
              {
                obj_path: 'Device.DeviceInfo.',
                param_settings: [
                  { param: 'SerialNumber', value: 'x', required: true },
                  { param: 'ProvisioningCode', value: 'not-applied', required: true },
                ],
              },
            ],
          },
        },
      },
      'SET',
    );
    assert.equal(refused['header']['msg_type'], 'ERROR');
    assert.ok(refused['body']['error']['param_errs'].some((e: Obj) => e['param_path'] === 'Device.DeviceInfo.SerialNumber' && e['err_code'] === 7013));
    assert.equal(h.agent.model.read('Device.DeviceInfo.ProvisioningCode'), 'set-by-usp');

    // A ValueChange subscription: the ACS sets the value over CWMP, the controller is told over USP.
    const added = await c.request(
      {
        request: {
          add: {
            allow_partial: false,
            create_objs: [
              {
                obj_path: 'Device.LocalAgent.Subscription.',
                param_settings: [
                  { param: 'Enable', value: 'true', required: true },
                  { param: 'ID', value: 'vc-1', required: true },
                  { param: 'NotifType', value: 'ValueChange', required: true },
                  { param: 'ReferenceList', value: 'Device.DeviceInfo.ProvisioningCode', required: true },
                ],
              },
            ],
          },
        },
      },
      'ADD',
    );
    const created = added['body']['response']['add_resp']['created_obj_results'][0]['oper_status']['oper_success'];
    assert.match(created['instantiated_path'], /^Device\.LocalAgent\.Subscription\.\d+\.$/);
    assert.equal(created['unique_keys']['ID'], 'vc-1');
    assert.equal(h.agent.model.read(`${created['instantiated_path']}Recipient`), 'Device.LocalAgent.Controller.1', 'the subscription is the controller’s');
    await sendRpcs(h, {
      method: 'SetParameterValues',
      parameterList: [{ name: 'Device.DeviceInfo.ProvisioningCode', value: 'set-by-acs' }],
      parameterKey: 'k',
    });
    const vc = await until(
      () => c.received.find((r) => r.msg?.['body']?.['request']?.['notify']?.['value_change']?.['param_value'] === 'set-by-acs')?.msg,
      'the ValueChange notification',
    );
    assert.equal(vc['body']['request']['notify']['subscription_id'], 'vc-1');
    assert.equal(vc['body']['request']['notify']['value_change']['param_path'], 'Device.DeviceInfo.ProvisioningCode');

    // GetInstances and a Delete of the subscription.
    const instances = await c.request(
      { request: { get_instances: { obj_paths: ['Device.LocalAgent.Subscription.'], first_level_only: true } } },
      'GET_INSTANCES',
    );
    assert.deepEqual(
      instances['body']['response']['get_instances_resp']['req_path_results'][0]['curr_insts'].map((i: Obj) => i['instantiated_obj_path']),
      [created['instantiated_path']],
    );

    // Boot!: subscribe, Operate Device.Reboot(); the device reboots through the runtime and says why.
    await c.request(
      {
        request: {
          add: {
            create_objs: [
              {
                obj_path: 'Device.LocalAgent.Subscription.',
                param_settings: [
                  { param: 'Enable', value: 'true' },
                  { param: 'ID', value: 'boot-1' },
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
    const reboots = h.device.reboots;
    const op = await c.request({ request: { operate: { command: 'Device.Reboot()', command_key: 'usp-reboot-1', send_resp: true } } }, 'OPERATE');
    assert.equal(op['body']['response']['operate_resp']['operation_results'][0]['executed_command'], 'Device.Reboot()');
    const boot = await until(() => c.received.find((r) => r.msg?.['body']?.['request']?.['notify']?.['event']?.['event_name'] === 'Boot!')?.msg, 'Boot!');
    assert.equal(h.device.reboots, reboots + 1);
    assert.equal(boot['body']['request']['notify']['subscription_id'], 'boot-1');
    assert.deepEqual(
      { ...boot['body']['request']['notify']['event']['params'] },
      { CommandKey: 'usp-reboot-1', Cause: 'RemoteReboot', FirmwareUpdated: 'false', ParameterMap: '{}' },
    );
    // The ValueChange subscription was not persistent: gone with the reboot.
    assert.equal(h.agent.model.instanceIds('Device.LocalAgent.Subscription.').length, 1);

    // Bad input: garbage, a Record for another agent, one from an unknown controller, a message the agent does not support.
    await c.raw(Buffer.from('not a record at all'));
    await c.send({ request: { get: { param_paths: ['Device.DeviceInfo.SerialNumber'] } } }, 'GET', { to_id: 'proto::someone-else' });
    await c.send({ request: { get: { param_paths: ['Device.DeviceInfo.SerialNumber'] } } }, 'GET', { from_id: 'proto::stranger' });
    const unsupported = await c.request({ request: { register: { reg_paths: [{ path: 'Device.X.' }] } } }, 'REGISTER');
    assert.equal(unsupported['body']['error']['err_code'], 7001);
    const still = await c.request({ request: { get_supported_protocol: { controller_supported_protocol_versions: '1.4' } } }, 'GET_SUPPORTED_PROTO');
    assert.equal(still['body']['response']['get_supported_protocol_resp']['agent_supported_protocol_versions'], '1.4');
    const answered = c.received.filter((r) => r.msg?.['header']?.['msg_type'] === 'GET_RESP').length;
    assert.equal(answered, 1, 'the Gets to another agent and from a stranger got no answer');
  } finally {
    await c.close();
    await usp.stop();
    await h.close();
    await broker.stop();
  }
});
