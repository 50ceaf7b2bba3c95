/**
 * ManagementServer parameters that change what the device does on its own: ScheduleReboot and
 * DelayReboot (reboots set by value, not by the Reboot RPC), DefaultActiveNotificationThrottle
 * (spacing of active-notification sessions) and UpgradesManaged (no firmware from elsewhere).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ManualClock } from '../../src/runtime/clock.js';
import type { Provider } from '../../src/datamodel/provider.js';
import { formatDateTime } from '../../src/cwmp/xml-text.js';
import { sessionsCompleted, startHarness, type Harness } from '../helpers/agent-harness.js';
import { IGD_SCHEMA } from '../../src/models/igd.js';

const MS = 'Device.ManagementServer.';
const settle = (ms = 100): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function withSettings(h: Harness, values: Record<string, string>): Promise<void> {
  h.acs.queue(h.serial, { method: 'SetParameterValues', parameterList: Object.entries(values).map(([name, value]) => ({ name, value })), parameterKey: 'k' });
  h.agent.start();
  await sessionsCompleted(h, 1);
  assert.ok(
    h.acs.completedSessions(h.serial)[0]!.messages.some((m) => m.from === 'cpe' && m.method === 'SetParameterValuesResponse'),
    'the settings were taken',
  );
}

test('DelayReboot: the device reboots that many seconds after the session that set it ends, then reads -1', async () => {
  const h = await startHarness({ manualClock: true });
  const clock = h.clock as ManualClock;
  try {
    await withSettings(h, { [`${MS}DelayReboot`]: '30' });
    await settle();
    clock.advance(29_000);
    await settle();
    assert.equal(h.device.reboots, 0, 'not before its time');
    clock.advance(1_000);
    await sessionsCompleted(h, 2);
    assert.equal(h.device.reboots, 1);
    assert.deepEqual(
      h.acs.completedSessions(h.serial)[1]!.events.map((e) => e.code),
      ['1 BOOT'],
      'a reboot by parameter is a plain boot (no M Reboot)',
    );
    assert.equal(h.agent.model.read(`${MS}DelayReboot`), '-1');
  } finally {
    await h.close();
  }
});

test('DelayReboot -1 set later cancels the countdown', async () => {
  const h = await startHarness({ manualClock: true });
  const clock = h.clock as ManualClock;
  try {
    await withSettings(h, { [`${MS}DelayReboot`]: '60' });
    await settle();
    h.acs.queue(h.serial, { method: 'SetParameterValues', parameterList: [{ name: `${MS}DelayReboot`, value: '-1' }], parameterKey: 'k2' });
    h.agent.trigger('6 CONNECTION REQUEST');
    await sessionsCompleted(h, 2);
    clock.advance(120_000);
    await settle();
    assert.equal(h.device.reboots, 0);
  } finally {
    await h.close();
  }
});

test('ScheduleReboot: a time ahead reboots then (waiting for a session in progress); a time passed does nothing', async () => {
  const h = await startHarness({ manualClock: true, acs: {} });
  const clock = h.clock as ManualClock;
  try {
    // Within the session timeout (300 s), so that advancing the clock to it leaves the session alive.
    const at = clock.now() + 200_000;
    await withSettings(h, { [`${MS}ScheduleReboot`]: formatDateTime(new Date(at)) });
    await settle();
    // A session is running (the ACS is slow to answer) when the time comes.
    h.acs.failNext({ slowMs: 400 });
    h.agent.trigger('6 CONNECTION REQUEST');
    await settle(100);
    clock.advance(200_000);
    await settle(50);
    assert.equal(h.device.reboots, 0, 'the session in progress ends first');
    await sessionsCompleted(h, 3);
    assert.equal(h.device.reboots, 1);
    assert.deepEqual(
      h.acs.completedSessions(h.serial)[2]!.events.map((e) => e.code),
      ['1 BOOT'],
    );
    // After the reboot the time has passed: no second reboot, however long we wait.
    clock.advance(2_000_000);
    await settle();
    assert.equal(h.device.reboots, 1);
  } finally {
    await h.close();
  }
});

test('ScheduleReboot survives a restart of the agent; a time already passed when set is ignored', async () => {
  const h = await startHarness({ manualClock: true });
  const clock = h.clock as ManualClock;
  try {
    await withSettings(h, { [`${MS}ScheduleReboot`]: formatDateTime(new Date(clock.now() + 600_000)) });
    await h.restart();
    await sessionsCompleted(h, 2);
    clock.advance(600_000);
    await sessionsCompleted(h, 3);
    assert.equal(h.device.reboots, 1);
    h.acs.queue(h.serial, {
      method: 'SetParameterValues',
      parameterList: [{ name: `${MS}ScheduleReboot`, value: formatDateTime(new Date(clock.now() - 1000)) }],
      parameterKey: 'p',
    });
    h.agent.trigger('6 CONNECTION REQUEST');
    await sessionsCompleted(h, 4);
    clock.advance(3_600_000);
    await settle();
    assert.equal(h.device.reboots, 1);
  } finally {
    await h.close();
  }
});

test('DefaultActiveNotificationThrottle: an active change waits until that long after the last session; another session carries it instead', async () => {
  const TZ = 'Device.Time.LocalTimeZone';
  let zone = 'UTC0';
  let push: ((paths: string[]) => void) | undefined;
  const provider: Provider = {
    objects: ['Device.Time.'],
    get: (p) => (p === TZ ? zone : undefined),
    subscribe: (changed) => {
      push = changed;
      return () => {
        push = undefined;
      };
    },
  };
  const h = await startHarness({ manualClock: true });
  const clock = h.clock as ManualClock;
  try {
    h.agent.model.addProvider(provider);
    h.acs.queue(h.serial, {
      method: 'SetParameterAttributes',
      parameterList: [{ name: TZ, notificationChange: true, notification: 2, accessListChange: false, accessList: [] }],
    });
    await withSettings(h, { [`${MS}DefaultActiveNotificationThrottle`]: '120' });
    await settle();
    zone = 'EST5EDT';
    push!([TZ]);
    clock.advance(60_000);
    await settle();
    assert.equal(h.acs.completedSessions(h.serial).length, 1, 'held back by the throttle');
    clock.advance(60_000);
    await sessionsCompleted(h, 2);
    assert.deepEqual(
      h.acs.completedSessions(h.serial)[1]!.events.map((e) => e.code),
      ['4 VALUE CHANGE'],
    );

    // Again, but a connection request session comes first: it carries the change, and no session follows.
    zone = 'JST-9';
    push!([TZ]);
    h.agent.trigger('6 CONNECTION REQUEST');
    await sessionsCompleted(h, 3);
    assert.deepEqual(
      h.acs
        .completedSessions(h.serial)[2]!
        .events.map((e) => e.code)
        .sort(),
      ['4 VALUE CHANGE', '6 CONNECTION REQUEST'],
    );
    clock.advance(300_000);
    await settle();
    assert.equal(h.acs.completedSessions(h.serial).length, 3);
  } finally {
    await h.close();
  }
});

test('UpgradesManaged true: the device takes no firmware from elsewhere; other files it may still fetch', async () => {
  const h = await startHarness();
  try {
    await withSettings(h, { [`${MS}UpgradesManaged`]: 'true' });
    assert.throws(() => h.agent.autonomousDownload({ url: 'http://127.0.0.1:9/fw.bin', fileType: '1 Firmware Upgrade Image' }), /UpgradesManaged/);
    assert.equal(h.agent.transferQueue().length, 0);
    h.agent.autonomousDownload({ url: 'http://127.0.0.1:9/web.tgz', fileType: '2 Web Content' });
    assert.equal(h.agent.transferQueue().length, 1);
  } finally {
    await h.close();
  }
});

test('TR-098 UDPConnectionRequestAddressNotificationLimit: active notifications of the address at least that far apart', async () => {
  const R = 'InternetGatewayDevice.ManagementServer.';
  const h = await startHarness({ manualClock: true, agent: { schema: IGD_SCHEMA } });
  const clock = h.clock as ManualClock;
  try {
    h.acs.queue(h.serial, {
      method: 'SetParameterValues',
      parameterList: [{ name: `${R}UDPConnectionRequestAddressNotificationLimit`, value: '60' }],
      parameterKey: 'l',
    });
    h.agent.start();
    await sessionsCompleted(h, 1);
    await settle();
    // The binding the STUN client learns changes (active notification by default): the first is news at once.
    h.agent.model.writeFromDevice({ [`${R}UDPConnectionRequestAddress`]: '198.51.100.7:40001' });
    await sessionsCompleted(h, 2);
    await settle();
    clock.advance(10_000);
    h.agent.model.writeFromDevice({ [`${R}UDPConnectionRequestAddress`]: '198.51.100.7:40002' });
    await settle();
    assert.equal(h.acs.completedSessions(h.serial).length, 2, 'the second change waits for the limit');
    clock.advance(49_000);
    await settle();
    assert.equal(h.acs.completedSessions(h.serial).length, 2);
    clock.advance(1_000);
    await sessionsCompleted(h, 3);
    const inform = h.acs.completedSessions(h.serial)[2]!;
    assert.deepEqual(
      inform.events.map((e) => e.code),
      ['4 VALUE CHANGE'],
    );
    assert.match(inform.messages[0]!.body, /198\.51\.100\.7:40002/);
  } finally {
    await h.close();
  }
});
