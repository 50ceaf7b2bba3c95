/**
 * Access control (TR-369 "Access Control", Device.LocalAgent.ControllerTrust): the configured
 * Controller has the Full Access role; a Controller added later has none and acts with the
 * Untrusted role (reads nothing, changes nothing, runs nothing); a role of its own with ordered
 * permissions gives it exactly what they say, notifications ("n") included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { builtInUspSchema } from '../../src/models/local-agent.js';
import type { UspMsg } from '../../src/usp/usp-codec.js';
import { UspEndpoint } from '../../src/usp-endpoint/usp-endpoint.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';
import { until } from '../helpers/until.js';
import { memoryTransport } from '../helpers/usp-memory-transport.js';

const AGENT = 'proto::trust-agent';
const OWNER = 'proto::owner';
const GUEST = 'proto::guest';
const CT = 'Device.LocalAgent.ControllerTrust.';

type Obj = Record<string, unknown>;

test('the configured Controller has full access; another is untrusted until given a role, and then has what its permissions say', {
  timeout: 60_000,
}, async () => {
  const h = await startHarness({ agent: { schema: builtInUspSchema() } });
  const transport = memoryTransport(OWNER, AGENT);
  const usp = new UspEndpoint(h.agent.device, {
    endpointId: AGENT,
    controllers: [{ endpointId: OWNER, topic: 'owner' }],
    transport,
    logger: pino({ level: 'silent' }),
    parameterKeyName: 'Device.ManagementServer.ParameterKey',
  });
  let n = 0;
  const send = async (from: string, msgType: UspMsg['header']['msg_type'], body: UspMsg['body']): Promise<UspMsg> => {
    const id = `m${++n}`;
    transport.deliverFrom(from, { header: { msg_id: id, msg_type: msgType }, body });
    return until(() => transport.sent.find((m) => m.header.msg_id === id), `the answer to ${id}`);
  };
  const getParams = async (from: string, path: string): Promise<Record<string, string>> => {
    const r = await send(from, 'GET', { request: { get: { param_paths: [path] } } });
    const results = (
      r.body.response!['get_resp'] as { req_path_results: { resolved_path_results: { resolved_path: string; result_params: Record<string, string> }[] }[] }
    ).req_path_results[0]!.resolved_path_results;
    return Object.assign({}, ...results.map((o) => Object.fromEntries(Object.entries(o.result_params).map(([k, v]) => [`${o.resolved_path}${k}`, v]))));
  };
  const set = (from: string, obj: string, param: string, value: string) =>
    send(from, 'SET', { request: { set: { allow_partial: false, update_objs: [{ obj_path: obj, param_settings: [{ param, value, required: true }] }] } } });
  const add = async (from: string, obj: string, settings: Record<string, string>): Promise<string> => {
    const r = await send(from, 'ADD', {
      request: {
        add: { allow_partial: false, create_objs: [{ obj_path: obj, param_settings: Object.entries(settings).map(([param, value]) => ({ param, value })) }] },
      },
    });
    const created = (r.body.response?.['add_resp'] as { created_obj_results: { oper_status: { oper_success: { instantiated_path: string } } }[] } | undefined)
      ?.created_obj_results[0]?.oper_status.oper_success.instantiated_path;
    return created ?? `error ${(r.body.error as Obj | undefined)?.['err_code']}`;
  };
  const errorOf = (m: UspMsg): number | undefined => (m.body.error as { err_code: number } | undefined)?.err_code;
  try {
    usp.start();
    h.agent.start();
    await sessionsCompleted(h, 1);
    const roles = await getParams(OWNER, `${CT}Role.*.Name`);
    assert.deepEqual(Object.values(roles).sort(), ['Full Access', 'Untrusted']);
    const full = Object.keys(roles)
      .find((k) => roles[k] === 'Full Access')!
      .replace(/\.Name$/, '');
    const owner = Object.keys(await getParams(OWNER, 'Device.LocalAgent.Controller.*.EndpointID'))[0]!.replace(/EndpointID$/, '');
    assert.equal((await getParams(OWNER, `${owner}AssignedRole`))[`${owner}AssignedRole`], full, 'the configured Controller has Full Access');

    // The owner adds a second Controller: it has no role, so it acts with the Untrusted role.
    const guest = await add(OWNER, 'Device.LocalAgent.Controller.', { EndpointID: GUEST, Enable: 'true' });
    await add(OWNER, `${guest}MTP.`, { Enable: 'true', Protocol: 'MQTT', 'MQTT.Topic': 'guest' });
    assert.deepEqual(await getParams(GUEST, 'Device.DeviceInfo.'), {}, 'untrusted: reads nothing');
    assert.equal(errorOf(await set(GUEST, 'Device.DeviceInfo.', 'ProvisioningCode', 'x')), 7006);
    const reboots = h.device.reboots;
    assert.equal(errorOf(await send(GUEST, 'OPERATE', { request: { operate: { command: 'Device.Reboot()', send_resp: true } } })), 7006);
    assert.equal(h.device.reboots, reboots, 'not rebooted');
    assert.equal(await add(GUEST, 'Device.LocalAgent.Subscription.', { ID: 'g', NotifType: 'ValueChange' }), 'error 7006');

    // A role of its own: read DeviceInfo; of higher order, write and (later) be told of ProvisioningCode; its own subscriptions.
    const reader = await add(OWNER, `${CT}Role.`, { Name: 'Reader', Enable: 'true' });
    await add(OWNER, `${reader}Permission.`, { Enable: 'true', Order: '0', Targets: 'Device.DeviceInfo.', Param: 'r---' });
    const code = await add(OWNER, `${reader}Permission.`, { Enable: 'true', Order: '1', Targets: 'Device.DeviceInfo.ProvisioningCode', Param: 'rw--' });
    await add(OWNER, `${reader}Permission.`, {
      Enable: 'true',
      Order: '0',
      Targets: 'Device.LocalAgent.Subscription.',
      Param: 'rw--',
      Obj: 'rw--',
      InstantiatedObj: 'rw--',
    });
    await set(OWNER, guest, 'AssignedRole', reader.slice(0, -1));
    const seen = await getParams(GUEST, 'Device.DeviceInfo.');
    assert.ok(seen['Device.DeviceInfo.SerialNumber'] && seen['Device.DeviceInfo.SoftwareVersion'], 'reads DeviceInfo now');
    assert.deepEqual(await getParams(GUEST, 'Device.LocalAgent.EndpointID'), {}, 'but nothing outside it');
    assert.equal(
      (await set(GUEST, 'Device.DeviceInfo.', 'ProvisioningCode', 'guest-1')).header.msg_type,
      'SET_RESP',
      'the higher-order permission lets it write that one',
    );
    assert.equal(errorOf(await set(GUEST, 'Device.DeviceInfo.', 'ModelName', 'x')), 7006, 'read-only to it, below the ordered permission');
    assert.equal(errorOf(await set(GUEST, 'Device.LocalAgent.Controller.1.', 'Enable', 'false')), 7006, 'not the Controller table');

    // Notifications need "n": none until the permission has it.
    assert.match(
      await add(GUEST, 'Device.LocalAgent.Subscription.', {
        ID: 'pc',
        Enable: 'true',
        NotifType: 'ValueChange',
        ReferenceList: 'Device.DeviceInfo.ProvisioningCode',
      }),
      /Subscription\.\d+\.$/,
    );
    const toGuest = () => transport.sentTo.filter((s) => s.to === GUEST && (s.msg.body.request?.['notify'] as Obj | undefined)?.['value_change']);
    await set(OWNER, 'Device.DeviceInfo.', 'ProvisioningCode', 'owner-1');
    assert.equal(toGuest().length, 0, 'no "n": not told');
    await set(OWNER, code, 'Param', 'rw-n');
    await set(OWNER, 'Device.DeviceInfo.', 'ProvisioningCode', 'owner-2');
    await until(() => toGuest()[0], 'the ValueChange to the guest once it has "n"');
  } finally {
    await usp.stop();
    await h.close();
  }
});
