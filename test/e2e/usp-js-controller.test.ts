/**
 * An independent USP Controller drives the agent: usp-js (iopsys's controller library, from npm)
 * over Debian's mosquitto gets, sets, adds and lists instances, and reads the protocol version,
 * with its own encoder and its own MQTT client.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { pino } from 'pino';
import { builtInUspSchema } from '../../src/models/local-agent.js';
import { MqttMtp } from '../../src/mtp/mqtt-mtp.js';
import { overMqtt, UspEndpoint } from '../../src/usp-endpoint/usp-endpoint.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';
import { mosquittoMissing, startMosquitto } from '../helpers/mosquitto.js';

// usp-js is CommonJS with a default export.
type UspJs = {
  get(path: string): Promise<unknown>;
  set(path: string, values: Record<string, string>): Promise<unknown>;
  add(path: string, values: Record<string, string>): Promise<unknown>;
  instances(path: string): Promise<unknown>;
  supportedProto(versions: string): Promise<unknown>;
  disconnect(): Promise<void>;
};
const connect = (createRequire(import.meta.url)('usp-js') as { default: (o: Record<string, unknown>) => Promise<UspJs> }).default;

const skip = mosquittoMissing() ?? false;

test('usp-js, an independent controller, gets, sets, adds and lists instances on the agent over mosquitto', { skip, timeout: 60_000 }, async () => {
  const broker = await startMosquitto();
  const h = await startHarness({ agent: { schema: builtInUspSchema() } });
  const log = pino({ level: 'silent' });
  const usp = new UspEndpoint(h.agent.device, {
    endpointId: 'proto::agent-under-test',
    controllers: [{ endpointId: 'proto::usp-js', topic: 'usp/controller/usp-js' }],
    transport: overMqtt(new MqttMtp({ url: broker.url, clientId: 'agent-under-test', agentTopic: 'usp/agent/under-test', logger: log })),
    logger: log,
    parameterKeyName: 'Device.ManagementServer.ParameterKey',
  });
  let controller: UspJs | undefined;
  try {
    usp.start();
    h.agent.start();
    await sessionsCompleted(h, 1);
    controller = await connect({
      host: '127.0.0.1',
      port: Number(new URL(broker.url).port),
      protocol: 'mqtt',
      username: '',
      password: '',
      fromId: 'proto::usp-js',
      toId: 'proto::agent-under-test',
      publishEndpoint: 'usp/agent/under-test',
      subscribeEndpoint: 'usp/controller/usp-js',
      connectTimeout: 10_000,
    });
    assert.equal(await controller.get('Device.DeviceInfo.SerialNumber'), h.serial);
    assert.deepEqual(await controller.set('Device.DeviceInfo.', { ProvisioningCode: 'from-usp-js' }), [
      { affectedPath: 'Device.DeviceInfo.', updatedParams: { ProvisioningCode: 'from-usp-js' } },
    ]);
    assert.equal(h.agent.model.read('Device.DeviceInfo.ProvisioningCode'), 'from-usp-js');
    const added = await controller.add('Device.LocalAgent.Subscription.', {
      ID: 'js1',
      NotifType: 'ValueChange',
      Enable: 'true',
      ReferenceList: 'Device.DeviceInfo.ProvisioningCode',
    });
    assert.equal(added, 'Device.LocalAgent.Subscription.1.');
    const listed = (await controller.instances('Device.LocalAgent.Subscription.')) as { currInsts: { uniqueKeys: Record<string, string> }[] }[];
    assert.deepEqual(listed[0]!.currInsts[0]!.uniqueKeys, { Alias: 'cpe-1', Recipient: 'Device.LocalAgent.Controller.1', ID: 'js1' });
    assert.deepEqual(await controller.supportedProto('1.4'), ['1.4']);
  } finally {
    await controller?.disconnect();
    await usp.stop();
    await h.close();
    await broker.stop();
  }
});
