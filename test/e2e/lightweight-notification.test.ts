/**
 * UDP Lightweight Notifications (TR-069 Annex M) end to end: the ACS enables them and sets the
 * Notification attributes in a session; values the device changes reach the test ACS's UDP
 * receiver in signed datagrams (checked with the ACS password), with no session for them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ManualClock } from '../../src/runtime/clock.js';
import type { Provider } from '../../src/datamodel/provider.js';
import type { SetParameterAttributesEntry } from '../../src/cwmp/messages.js';
import { sessionsCompleted, startHarness, type Harness } from '../helpers/agent-harness.js';
import { IGD_SCHEMA } from '../../src/models/igd.js';

const TZ = 'Device.Time.LocalTimeZone';
const NTP = 'Device.Time.NTPServer1';
const MS = 'Device.ManagementServer.';
const AUTH = { username: 'cpe-7', password: 'acs-secret' };

const attribute = (name: string, notification: number): SetParameterAttributesEntry => ({
  name,
  notificationChange: true,
  notification,
  accessListChange: false,
  accessList: [],
});

/** A device whose time settings change by themselves (and say so), managed by an ACS that wants lightweight notifications. */
async function setUp(opts: {
  manualClock?: boolean;
  attributes: SetParameterAttributesEntry[];
  settings?: Record<string, string>;
}): Promise<{ h: Harness; provider: Provider; set: (values: Record<string, string>) => void }> {
  const values: Record<string, string> = { [TZ]: 'UTC0', [NTP]: 'ntp1.example' };
  let push: ((paths: string[]) => void) | undefined;
  const provider: Provider = {
    objects: ['Device.Time.'],
    get: (p) => values[p],
    subscribe: (changed) => {
      push = changed;
      return () => {
        push = undefined;
      };
    },
  };
  const h = await startHarness({
    manualClock: opts.manualClock,
    acs: { auth: { scheme: 'digest', ...AUTH } },
    agent: { acsUsername: AUTH.username, acsPassword: AUTH.password },
  });
  const port = await h.acs.listenLightweightNotifications();
  h.agent.model.addProvider(provider);
  const settings = { [`${MS}LightweightNotificationProtocolsUsed`]: 'UDP', [`${MS}UDPLightweightNotificationPort`]: String(port), ...opts.settings };
  h.acs.queue(
    h.serial,
    { method: 'SetParameterValues', parameterList: Object.entries(settings).map(([name, value]) => ({ name, value })), parameterKey: 'lw' },
    { method: 'SetParameterAttributes', parameterList: opts.attributes },
  );
  h.agent.start();
  await sessionsCompleted(h, 1);
  assert.deepEqual(
    h.acs
      .responses(h.serial)
      .map((r) => r.method)
      .slice(-2),
    ['SetParameterValuesResponse', 'SetParameterAttributesResponse'],
  );
  return {
    h,
    provider,
    set(changes) {
      Object.assign(values, changes);
      push!(Object.keys(changes));
    },
  };
}

test('active lightweight: a change goes out at once in one signed datagram, with the passive ones waiting, and no session', async () => {
  const { h, set } = await setUp({ attributes: [attribute(TZ, 5), attribute(NTP, 3)] });
  try {
    const received = h.acs.lightweight!;
    set({ [NTP]: 'ntp2.example' });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(received.accepted.length, 0, 'a passive change alone is not sent');
    set({ [TZ]: 'CET-1CEST,M3.5.0,M10.5.0/3' });
    await received.waitFor(1);
    const n = received.accepted[0]!.notification;
    const identity = h.device.identity;
    assert.deepEqual([n.username, n.oui, n.productClass, n.serialNumber], [AUTH.username, identity.oui, identity.productClass, identity.serialNumber]);
    assert.ok(Math.abs(n.ts - Date.now() / 1000) < 5);
    assert.deepEqual(
      n.params.sort((a, b) => a.name.localeCompare(b.name)),
      [
        { name: TZ, value: 'CET-1CEST,M3.5.0,M10.5.0/3', type: 'string' },
        { name: NTP, value: 'ntp2.example', type: 'string' },
      ],
    );
    assert.deepEqual(received.refused, []);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(h.acs.completedSessions(h.serial).length, 1, 'lightweight notification opens no session');
    assert.deepEqual(h.agent.pendingEvents, [], 'and queues no VALUE CHANGE for an Inform');
  } finally {
    await h.close();
  }
});

test('4 and 6 notify both ways: the Inform carries the value (passive) and 6 also sends it over UDP at once', async () => {
  const { h, set } = await setUp({ attributes: [attribute(TZ, 6), attribute(NTP, 4)] });
  try {
    set({ [TZ]: 'EST5EDT', [NTP]: 'ntp3.example' });
    await h.acs.lightweight!.waitFor(1);
    assert.deepEqual(h.acs.lightweight!.accepted[0]!.notification.params.map((p) => p.name).sort(), [NTP, TZ].sort());
    assert.deepEqual(
      h.agent.pendingEvents.map((e) => e.code),
      ['4 VALUE CHANGE'],
      'passive Inform notification too, but no session of its own',
    );
    assert.equal(h.acs.completedSessions(h.serial).length, 1);
  } finally {
    await h.close();
  }
});

test('passive lightweight waits for LightweightNotificationTriggerInterval, and survives a restart meanwhile', async () => {
  const { h, set, provider } = await setUp({
    manualClock: true,
    attributes: [attribute(NTP, 3)],
    settings: { [`${MS}LightweightNotificationTriggerInterval`]: '300' },
  });
  const clock = h.clock as ManualClock;
  try {
    const received = h.acs.lightweight!;
    set({ [NTP]: 'ntp9.example' });
    clock.advance(120_000);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(received.accepted.length, 0, 'nothing before the trigger time');
    // The agent process goes away and comes back: the pending change is still owed.
    await h.restart();
    h.agent.model.addProvider(provider);
    await sessionsCompleted(h, 2);
    clock.advance(300_000);
    await received.waitFor(1);
    assert.deepEqual(received.accepted[0]!.notification.params, [{ name: NTP, value: 'ntp9.example', type: 'string' }]);
    // Sent once: the next trigger has nothing to send.
    clock.advance(300_000);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(received.accepted.length, 1);
  } finally {
    await h.close();
  }
});

test('with LightweightNotificationProtocolsUsed empty nothing is sent, whatever the attributes say', async () => {
  const { h, set } = await setUp({ attributes: [attribute(TZ, 5)], settings: { [`${MS}LightweightNotificationProtocolsUsed`]: '' } });
  try {
    set({ [TZ]: 'JST-9' });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(h.acs.lightweight!.accepted.length + h.acs.lightweight!.refused.length, 0);
    // The attribute itself is kept as set.
    assert.equal(h.agent.model.getParameterAttributes([TZ])[0]!.notification, 5);
  } finally {
    await h.close();
  }
});

test('a wrong ManagementServer.Password makes the ACS refuse the notification: the signature is checked', async () => {
  const { h, set } = await setUp({ attributes: [attribute(TZ, 5)] });
  try {
    // Another password on the device than the ACS knows (a session would now fail auth; UDP does not care).
    h.agent.model.provision({ [`${MS}Password`]: 'not-the-acs-one' });
    set({ [TZ]: 'MSK-3' });
    await h.acs.waitFor(() => h.acs.lightweight!.refused.length > 0, 5_000);
    assert.deepEqual(h.acs.lightweight!.refused, [{ reason: 'signature does not match' }]);
    assert.equal(h.acs.lightweight!.accepted.length, 0);
  } finally {
    await h.close();
  }
});

const FOUR = [TZ, NTP, 'Device.Time.NTPServer2', 'Device.ManagementServer.PeriodicInformInterval'];

test('SetParameterAttributes: 3 to 6 are accepted and read back; active kinds are refused (9009) where the model can deny them', async () => {
  const h = await startHarness();
  try {
    h.acs.queue(
      h.serial,
      { method: 'SetParameterAttributes', parameterList: [3, 4, 5, 6].map((n, i) => attribute(FOUR[i]!, n)) },
      { method: 'GetParameterAttributes', parameterNames: FOUR },
      { method: 'SetParameterAttributes', parameterList: [attribute('Device.DeviceInfo.UpTime', 5)] },
      { method: 'SetParameterAttributes', parameterList: [attribute('Device.DeviceInfo.UpTime', 3)] },
    );
    h.agent.start();
    await sessionsCompleted(h, 1);
    const cpe = h.acs.completedSessions(h.serial)[0]!.messages.filter((m) => m.from === 'cpe' && m.method !== '');
    assert.deepEqual(cpe.map((m) => m.method).slice(-4), [
      'SetParameterAttributesResponse',
      'GetParameterAttributesResponse',
      'Fault',
      'SetParameterAttributesResponse',
    ]);
    for (const n of [3, 4, 5, 6]) assert.match(cpe.at(-3)!.body, new RegExp(`<Notification>${n}</Notification>`));
    assert.match(cpe.at(-2)!.body, /<FaultCode>9009<\/FaultCode>/);
  } finally {
    await h.close();
  }
});

test('under the TR-098 root too: InternetGatewayDevice.ManagementServer settings, a signed datagram for an active lightweight change', async () => {
  const R = 'InternetGatewayDevice.';
  const NTP98 = `${R}Time.NTPServer1`;
  let server = 'ntp1.example';
  let push: ((paths: string[]) => void) | undefined;
  const h = await startHarness({
    agent: { schema: IGD_SCHEMA, acsUsername: AUTH.username, acsPassword: AUTH.password },
    acs: { auth: { scheme: 'digest', ...AUTH } },
  });
  try {
    const port = await h.acs.listenLightweightNotifications();
    h.agent.model.addProvider({
      objects: [`${R}Time.`],
      get: (p) => (p === NTP98 ? server : undefined),
      subscribe: (changed) => {
        push = changed;
        return () => {
          push = undefined;
        };
      },
    });
    h.acs.queue(
      h.serial,
      {
        method: 'SetParameterValues',
        parameterList: [
          { name: `${R}ManagementServer.LightweightNotificationProtocolsUsed`, value: 'UDP' },
          { name: `${R}ManagementServer.UDPLightweightNotificationPort`, value: String(port) },
        ],
        parameterKey: 'lw98',
      },
      { method: 'SetParameterAttributes', parameterList: [attribute(NTP98, 5)] },
    );
    h.agent.start();
    await sessionsCompleted(h, 1);
    server = 'ntp.gateway.example';
    push!([NTP98]);
    await h.acs.lightweight!.waitFor(1);
    const n = h.acs.lightweight!.accepted[0]!.notification;
    assert.deepEqual(n.params, [{ name: NTP98, value: 'ntp.gateway.example', type: 'string' }]);
    assert.equal(n.serialNumber, h.serial);
  } finally {
    await h.close();
  }
});
