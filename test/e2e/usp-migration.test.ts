/**
 * The CWMP-to-USP migration of one device: a CWMP device that can speak USP but has no MTP
 * configured; its ACS writes Device.MQTT.Client, Device.LocalAgent.MTP and a Controller over
 * CWMP; the device connects to the broker (Debian's mosquitto) as the model says, introduces
 * itself to the Controller (an independent one: MQTT.js and the Broadband Forum's .proto files)
 * with an OnBoardRequest, answers it, and after a restart comes back over USP by itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { builtInUspSchema } from '../../src/models/local-agent.js';
import { ProvisionedUsp } from '../../src/usp-endpoint/provisioned-usp.js';
import { getValues, sendRpcs, sessionsCompleted, startHarness } from '../helpers/agent-harness.js';
import { mosquittoMissing, startMosquitto } from '../helpers/mosquitto.js';
import { until } from '../helpers/until.js';
import { startController, uspProtoMissing } from '../helpers/usp-controller.js';

const skip = mosquittoMissing() ?? uspProtoMissing() ?? false;
if (skip) console.log(`# SKIP usp-migration: ${skip}`);

const AGENT = 'os::00D09E-MIGRATE1';
const CONTROLLER = 'proto::migration-controller';
const CONTROLLER_TOPIC = 'usp/controller/migration';

test('an ACS moves a CWMP device to USP: MQTT client and Controller written over CWMP, OnBoardRequest, Get over USP, back after a restart', {
  skip,
  timeout: 90_000,
}, async () => {
  const broker = await startMosquitto();
  const port = new URL(broker.url).port;
  const log = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
  const h = await startHarness({ agent: { schema: builtInUspSchema() } });
  const options = { endpointId: AGENT, logger: log, parameterKeyName: 'Device.ManagementServer.ParameterKey', reconnectMs: 100 };
  let usp = new ProvisionedUsp(h.agent.device, options);
  const c = await startController({
    url: broker.url,
    controllerId: CONTROLLER,
    controllerTopic: CONTROLLER_TOPIC,
    agentId: AGENT,
    agentTopic: `usp/agent/${AGENT}`,
  });
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    assert.equal(usp.active, false, 'no MTP configured: no USP');

    // The ACS configures USP over CWMP.
    await sendRpcs(
      h,
      { method: 'AddObject', objectName: 'Device.MQTT.Client.', parameterKey: 'm1' },
      { method: 'AddObject', objectName: 'Device.LocalAgent.MTP.', parameterKey: 'm2' },
      { method: 'AddObject', objectName: 'Device.LocalAgent.Controller.', parameterKey: 'm3' },
      { method: 'AddObject', objectName: 'Device.LocalAgent.Controller.1.MTP.', parameterKey: 'm4' },
      {
        method: 'SetParameterValues',
        parameterKey: 'm5',
        parameterList: [
          { name: 'Device.MQTT.Client.1.BrokerAddress', value: '127.0.0.1' },
          { name: 'Device.MQTT.Client.1.BrokerPort', value: port },
          { name: 'Device.MQTT.Client.1.Enable', value: 'true' },
          { name: 'Device.LocalAgent.MTP.1.Protocol', value: 'MQTT' },
          { name: 'Device.LocalAgent.MTP.1.MQTT.Reference', value: 'Device.MQTT.Client.1' },
          { name: 'Device.LocalAgent.MTP.1.Enable', value: 'true' },
          { name: 'Device.LocalAgent.Controller.1.EndpointID', value: CONTROLLER },
          { name: 'Device.LocalAgent.Controller.1.Enable', value: 'true' },
          { name: 'Device.LocalAgent.Controller.1.MTP.1.Protocol', value: 'MQTT' },
          { name: 'Device.LocalAgent.Controller.1.MTP.1.MQTT.Reference', value: 'Device.MQTT.Client.1' },
          { name: 'Device.LocalAgent.Controller.1.MTP.1.MQTT.Topic', value: CONTROLLER_TOPIC },
          { name: 'Device.LocalAgent.Controller.1.MTP.1.Enable', value: 'true' },
        ],
      },
    );
    assert.deepEqual(
      h.acs.responses(h.serial).filter((m) => m.method === 'Fault'),
      [],
      'every RPC accepted',
    );

    // The device connects as the model says and introduces itself.
    const connect = await until(() => c.received.find((r) => r.record['mqtt_connect']), 'the MQTTConnectRecord');
    assert.equal(connect.record['from_id'], AGENT);
    assert.deepEqual(connect.record['mqtt_connect'], { version: 'V5', subscribed_topic: `usp/agent/${AGENT}` });
    const onBoard = await until(() => c.received.find((r) => r.msg?.['body']?.['request']?.['notify']?.['on_board_req'])?.msg, 'the OnBoardRequest');
    assert.equal(onBoard['body']['request']['notify']['on_board_req']['serial_number'], h.serial);
    assert.equal(onBoard['body']['request']['notify']['send_resp'], true);
    await c.send({ response: { notify_resp: { subscription_id: '' } } }, 'NOTIFY_RESP');

    // The ACS sees it working.
    await h.acs.waitFor(() => h.agent.model.read('Device.MQTT.Client.1.Status') === 'Connected');
    const status = await getValues(h, 'Device.MQTT.Client.1.Status', 'Device.LocalAgent.MTP.1.Status', 'Device.LocalAgent.EndpointID');
    assert.deepEqual(status, { 'Device.MQTT.Client.1.Status': 'Connected', 'Device.LocalAgent.MTP.1.Status': 'Up', 'Device.LocalAgent.EndpointID': AGENT });

    // The Controller manages it over USP.
    const got = await c.request({ request: { get: { param_paths: ['Device.DeviceInfo.SerialNumber'] } } }, 'GET');
    assert.equal(got['body']['response']['get_resp']['req_path_results'][0]['resolved_path_results'][0]['result_params']['SerialNumber'], h.serial);

    // After a restart the device comes back over USP by itself (a new connect record), with no second OnBoardRequest.
    const connects = c.received.filter((r) => r.record['mqtt_connect']).length;
    await usp.stop();
    await h.restart((agent) => void (usp = new ProvisionedUsp(agent.device, options)));
    await until(() => (c.received.filter((r) => r.record['mqtt_connect']).length > connects ? true : undefined), 'the connect record after the restart');
    assert.equal(c.received.filter((r) => r.msg?.['body']?.['request']?.['notify']?.['on_board_req']).length, 1, 'onboarded once');
    const again = await c.request({ request: { get: { param_paths: ['Device.MQTT.Client.1.Status'] } } }, 'GET');
    assert.equal(again['body']['response']['get_resp']['req_path_results'][0]['resolved_path_results'][0]['result_params']['Status'], 'Connected');

    // The ACS turns USP off again: the connection goes.
    await sendRpcs(h, { method: 'SetParameterValues', parameterKey: 'off', parameterList: [{ name: 'Device.MQTT.Client.1.Enable', value: 'false' }] });
    await h.acs.waitFor(() => !usp.active && h.agent.model.read('Device.MQTT.Client.1.Status') === 'Disabled');
    assert.equal(usp.connected, false);

    // A broken configuration is said so, not crashed on.
    await sendRpcs(h, {
      method: 'SetParameterValues',
      parameterKey: 'bad',
      parameterList: [
        { name: 'Device.MQTT.Client.1.Enable', value: 'true' },
        { name: 'Device.MQTT.Client.1.BrokerAddress', value: '' },
      ],
    });
    await h.acs.waitFor(() => h.agent.model.read('Device.MQTT.Client.1.Status') === 'Error_Misconfigured');
    assert.equal(usp.active, false);
  } finally {
    await usp.stop();
    await c.close();
    await h.close();
    await broker.stop();
  }
});
