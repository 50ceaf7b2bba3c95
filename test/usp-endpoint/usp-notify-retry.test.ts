/**
 * Notifications with NotifRetry: sent with send_resp, sent again (same msg_id) on the
 * Controller's retry schedule until the NotifyResp comes back, and no more after it; given up at
 * NotifExpiration. The endpoint runs over an in-memory transport and the manual clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { builtInUspSchema } from '../../src/models/local-agent.js';
import type { ManualClock } from '../../src/runtime/clock.js';
import type { UspMsg } from '../../src/usp/usp-codec.js';
import { notifRetryWaitMs } from '../../src/usp-endpoint/usp-notifications.js';
import { UspEndpoint } from '../../src/usp-endpoint/usp-endpoint.js';
import { memoryTransport } from '../helpers/usp-memory-transport.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';
import { until } from '../helpers/until.js';

const AGENT = 'proto::retry-agent';
const CONTROLLER = 'proto::retry-controller';
const memory = (): ReturnType<typeof memoryTransport> => memoryTransport(CONTROLLER, AGENT);

test('the retry waits follow TR-369: m to m·k/1000 first, growing, capped at the tenth', () => {
  assert.equal(notifRetryWaitMs(1, 5, 2000, 0), 5000);
  assert.equal(notifRetryWaitMs(2, 5, 2000, 1), 20_000);
  assert.equal(notifRetryWaitMs(12, 5, 2000, 1), notifRetryWaitMs(10, 5, 2000, 1));
});

test('NotifRetry: the same Notify again until its NotifyResp, then no more; given up at NotifExpiration', { timeout: 30_000 }, async () => {
  const h = await startHarness({ manualClock: true, agent: { schema: builtInUspSchema() } });
  const clock = h.clock as ManualClock;
  const transport = memory();
  const usp = new UspEndpoint(h.agent.device, {
    endpointId: AGENT,
    controllers: [{ endpointId: CONTROLLER, topic: 'controller' }],
    transport,
    logger: pino({ level: 'silent' }),
    parameterKeyName: 'Device.ManagementServer.ParameterKey',
  });
  try {
    usp.start();
    h.agent.start();
    await sessionsCompleted(h, 1);
    const subscribe = (id: string, reference: string, expiration: string): void =>
      transport.deliver({
        header: { msg_id: `add-${id}`, msg_type: 'ADD' },
        body: {
          request: {
            add: {
              create_objs: [
                {
                  obj_path: 'Device.LocalAgent.Subscription.',
                  param_settings: [
                    { param: 'Enable', value: 'true' },
                    { param: 'ID', value: id },
                    { param: 'NotifType', value: 'ValueChange' },
                    { param: 'ReferenceList', value: reference },
                    { param: 'NotifRetry', value: 'true' },
                    { param: 'NotifExpiration', value: expiration },
                  ],
                },
              ],
            },
          },
        },
      });
    subscribe('kept', 'Device.DeviceInfo.ProvisioningCode', '0');
    await until(() => transport.sent.find((m) => m.header.msg_id === 'add-kept'), 'the AddResp');
    const notifies = (): UspMsg[] => transport.sent.filter((m) => m.header.msg_type === 'NOTIFY');

    h.agent.model.writeFromDevice({ 'Device.DeviceInfo.ProvisioningCode': 'retry-me' });
    const first = await until(() => notifies()[0], 'the Notify');
    const notify = first.body.request!['notify'] as { send_resp: boolean; subscription_id: string };
    assert.equal(notify.send_resp, true);
    assert.equal(notify.subscription_id, 'kept');
    // No NotifyResp: after the first wait (5-10 s) the same Notify goes again, and again after the next.
    const wait = clock.nextTimerIn()!;
    assert.ok(wait >= 5000 && wait <= 10_000, `first retry after ${wait} ms`);
    clock.advance(wait);
    await until(() => (notifies().length === 2 ? true : undefined), 'the first retry');
    assert.equal(notifies()[1]!.header.msg_id, first.header.msg_id, 'a retry is the same message');
    clock.advance(clock.nextTimerIn()!);
    await until(() => (notifies().length === 3 ? true : undefined), 'the second retry');
    // The NotifyResp: no more tries, however long the clock runs.
    transport.deliver({ header: { msg_id: first.header.msg_id, msg_type: 'NOTIFY_RESP' }, body: { response: { notify_resp: { subscription_id: 'kept' } } } });
    await until(() => (clock.nextTimerIn() === undefined || clock.nextTimerIn()! > 60_000 ? true : undefined), 'the retry timer gone');
    clock.advance(120_000);
    await new Promise((r) => setImmediate(r));
    assert.equal(notifies().length, 3);

    // NotifExpiration 12 s: tried, then given up.
    subscribe('expiring', 'Device.DeviceInfo.ProvisioningCode', '12');
    await until(() => transport.sent.find((m) => m.header.msg_id === 'add-expiring'), 'the second AddResp');
    const before = notifies().length;
    h.agent.model.writeFromDevice({ 'Device.DeviceInfo.ProvisioningCode': 'expire-me' });
    await until(() => (notifies().length >= before + 2 ? true : undefined), 'both subscriptions told');
    for (let i = 0; i < 20 && clock.nextTimerIn() !== undefined && clock.nextTimerIn()! < 3_600_000; i++) {
      clock.advance(clock.nextTimerIn()!);
      await new Promise((r) => setImmediate(r));
    }
    const expiring = notifies().filter((m) => (m.body.request!['notify'] as { subscription_id: string }).subscription_id === 'expiring');
    assert.ok(expiring.length >= 2 && expiring.length <= 3, `${expiring.length} tries within 12 s`);
  } finally {
    await usp.stop();
    await h.close();
  }
});

test('Periodic! on the Controller’s PeriodicNotifInterval, aligned with PeriodicNotifTime; SendOnBoardRequest() sends an OnBoardRequest', {
  timeout: 30_000,
}, async () => {
  const h = await startHarness({ manualClock: true, agent: { schema: builtInUspSchema() } });
  const clock = h.clock as ManualClock;
  const transport = memory();
  const usp = new UspEndpoint(h.agent.device, {
    endpointId: AGENT,
    controllers: [{ endpointId: CONTROLLER, topic: 'controller' }],
    transport,
    logger: pino({ level: 'silent' }),
    parameterKeyName: 'Device.ManagementServer.ParameterKey',
  });
  const request = async (id: string, msgType: UspMsg['header']['msg_type'], body: UspMsg['body']): Promise<UspMsg> => {
    transport.deliver({ header: { msg_id: id, msg_type: msgType }, body });
    return until(() => transport.sent.find((m) => m.header.msg_id === id), `the answer to ${id}`);
  };
  try {
    usp.start();
    h.agent.start();
    await sessionsCompleted(h, 1);
    const anchor = new Date(Math.ceil(clock.now() / 60_000) * 60_000 + 7_000).toISOString();
    await request('set-periodic', 'SET', {
      request: {
        set: {
          update_objs: [
            {
              obj_path: 'Device.LocalAgent.Controller.1.',
              param_settings: [
                { param: 'PeriodicNotifInterval', value: '60', required: true },
                { param: 'PeriodicNotifTime', value: anchor, required: true },
              ],
            },
          ],
        },
      },
    });
    await request('sub-periodic', 'ADD', {
      request: {
        add: {
          create_objs: [
            {
              obj_path: 'Device.LocalAgent.Subscription.',
              param_settings: [
                { param: 'Enable', value: 'true' },
                { param: 'ID', value: 'tick' },
                { param: 'NotifType', value: 'Event' },
                { param: 'ReferenceList', value: 'Device.LocalAgent.Periodic!' },
              ],
            },
          ],
        },
      },
    });
    const periodic = (): UspMsg[] =>
      transport.sent.filter((m) => (m.body.request?.['notify'] as { event?: { event_name?: string } } | undefined)?.event?.event_name === 'Periodic!');
    // The next tick falls on the anchor plus a whole number of minutes: at :07 of a minute.
    const wait = clock.nextTimerIn()!;
    clock.advance(wait);
    await until(() => (periodic().length === 1 ? true : undefined), 'the first Periodic!');
    assert.equal(Math.abs(clock.now() - Date.parse(anchor)) % 60_000, 0, 'aligned with PeriodicNotifTime');
    clock.advance(60_000);
    await until(() => (periodic().length === 2 ? true : undefined), 'the second Periodic!');

    const op = await request('onboard', 'OPERATE', {
      request: { operate: { command: 'Device.LocalAgent.Controller.1.SendOnBoardRequest()', send_resp: true } },
    });
    assert.equal(op.header.msg_type, 'OPERATE_RESP');
    const onboard = await until(
      () => transport.sent.find((m) => (m.body.request?.['notify'] as { on_board_req?: unknown } | undefined)?.on_board_req),
      'the OnBoardRequest',
    );
    const req = onboard.body.request!['notify'] as { on_board_req: Record<string, string>; send_resp: boolean };
    assert.equal(req.on_board_req['serial_number'], h.serial);
    assert.equal(req.on_board_req['agent_supported_protocol_versions'], '1.4');
    assert.equal(req.send_resp, true);
    const missing = await request('onboard-9', 'OPERATE', {
      request: { operate: { command: 'Device.LocalAgent.Controller.9.SendOnBoardRequest()', send_resp: true } },
    });
    assert.equal((missing.body.error as { err_code: number }).err_code, 7016);
  } finally {
    await usp.stop();
    await h.close();
  }
});

test('TP-469 1.55 Subscription.TimeToLive: notifies while it lives, is gone after, and tells nothing more', { timeout: 30_000 }, async () => {
  const h = await startHarness({ manualClock: true, agent: { schema: builtInUspSchema() } });
  const clock = h.clock as ManualClock;
  const transport = memory();
  const usp = new UspEndpoint(h.agent.device, {
    endpointId: AGENT,
    controllers: [{ endpointId: CONTROLLER, topic: 'controller' }],
    transport,
    logger: pino({ level: 'silent' }),
    parameterKeyName: 'Device.ManagementServer.ParameterKey',
  });
  try {
    usp.start();
    h.agent.start();
    await sessionsCompleted(h, 1);
    transport.deliver({
      header: { msg_id: 'add55', msg_type: 'ADD' },
      body: {
        request: {
          add: {
            create_objs: [
              {
                obj_path: 'Device.LocalAgent.Subscription.',
                param_settings: [
                  { param: 'Enable', value: 'true' },
                  { param: 'ID', value: 'notify55' },
                  { param: 'NotifType', value: 'ValueChange' },
                  { param: 'ReferenceList', value: 'Device.DeviceInfo.ProvisioningCode' },
                  { param: 'TimeToLive', value: '20' },
                ],
              },
            ],
          },
        },
      },
    });
    await until(() => transport.sent.find((m) => m.header.msg_id === 'add55'), 'the AddResp');
    const told = (): number => transport.sent.filter((m) => m.header.msg_type === 'NOTIFY').length;
    h.agent.model.writeFromDevice({ 'Device.DeviceInfo.ProvisioningCode': 'TestValue55' });
    await until(() => (told() === 1 ? true : undefined), 'the Notify while it lives');
    clock.advance(20_000);
    await until(() => (h.agent.model.instanceIds('Device.LocalAgent.Subscription.').length === 0 ? true : undefined), 'the subscription gone');
    h.agent.model.writeFromDevice({ 'Device.DeviceInfo.ProvisioningCode': 'TestValue55-2' });
    await new Promise((r) => setImmediate(r));
    assert.equal(told(), 1, 'nothing after it expired');
  } finally {
    await usp.stop();
    await h.close();
  }
});
