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
import { decodeMsg, decodeRecord, msgRecord, type UspMsg } from '../../src/usp/usp-codec.js';
import { notifRetryWaitMs } from '../../src/usp-endpoint/usp-notifications.js';
import { UspEndpoint, type RecordReceiver, type UspTransport } from '../../src/usp-endpoint/usp-endpoint.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';
import { until } from '../helpers/until.js';

const AGENT = 'proto::retry-agent';
const CONTROLLER = 'proto::retry-controller';

/** A transport that hands Records to the test and takes the test's Records to the endpoint. */
function memoryTransport(): UspTransport & { sent: UspMsg[]; deliver(m: UspMsg): void } {
  let receiver: RecordReceiver | undefined;
  let connected: (() => void) | undefined;
  const sent: UspMsg[] = [];
  return {
    protocol: 'MQTT',
    sent,
    start: () => connected?.(),
    stop: async () => {},
    onRecord: (r) => void (receiver = r),
    onConnected: (l) => void (connected = l),
    connected: true,
    publish: async (_to, bytes) => {
      const r = decodeRecord(bytes);
      if (r.no_session_context) sent.push(decodeMsg(r.no_session_context.payload));
    },
    connectRecord: () => ({ mqtt_connect: { version: 'V5', subscribed_topic: 'agent' } }),
    deliver: (m) => void receiver?.({ payload: msgRecord(CONTROLLER, AGENT, m), responseTopic: undefined }),
  };
}

test('the retry waits follow TR-369: m to m·k/1000 first, growing, capped at the tenth', () => {
  assert.equal(notifRetryWaitMs(1, 5, 2000, 0), 5000);
  assert.equal(notifRetryWaitMs(2, 5, 2000, 1), 20_000);
  assert.equal(notifRetryWaitMs(12, 5, 2000, 1), notifRetryWaitMs(10, 5, 2000, 1));
});

test('NotifRetry: the same Notify again until its NotifyResp, then no more; given up at NotifExpiration', { timeout: 30_000 }, async () => {
  const h = await startHarness({ manualClock: true, agent: { schema: builtInUspSchema() } });
  const clock = h.clock as ManualClock;
  const transport = memoryTransport();
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
