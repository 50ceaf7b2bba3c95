/**
 * Device standby (TR-069 Annex L, ManagementServer.StandbyPolicy) through real sessions: contacts
 * missed in standby, connection requests unheard, the policies that keep the device aware, and
 * the 13 WAKEUP event when waking up is news.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ManualClock } from '../../src/runtime/clock.js';
import { startHttpConnectionRequests } from '../../src/connreq/connection-request-wiring.js';
import type { StandbyCapabilities } from '../../src/providers/device.js';
import fs from 'node:fs';
import path from 'node:path';
import { TestAcs } from '../../src/acs/test-acs.js';
import { simulatedIdentity } from '../../src/providers/simulated-device.js';
import { sessionsCompleted, startHarness, tempDir, type Harness } from '../helpers/agent-harness.js';
import { startAgentProcess } from '../helpers/agent-process.js';

const SP = 'Device.ManagementServer.StandbyPolicy.';
const MS = 'Device.ManagementServer.';
const settle = (ms = 100): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A device with these standby abilities whose first session sets these values. */
async function device(standby: StandbyCapabilities, values: Record<string, string>): Promise<Harness> {
  const h = await startHarness({ manualClock: true, device: { standby } });
  h.acs.queue(h.serial, { method: 'SetParameterValues', parameterList: Object.entries(values).map(([name, value]) => ({ name, value })), parameterKey: 'sp' });
  h.agent.start();
  await sessionsCompleted(h, 1);
  await settle();
  return h;
}

const codes = (h: Harness, i: number): string[] =>
  h.acs
    .completedSessions(h.serial)
    [i]!.events.map((e) => e.code)
    .sort();

test('missed periodic contacts beyond MaxMissedPeriodic: no session in standby, 13 WAKEUP on waking', async () => {
  const h = await device({ crAware: false, timerAware: false }, { [`${MS}PeriodicInformInterval`]: '60', [`${SP}MaxMissedPeriodic`]: '2' });
  const clock = h.clock as ManualClock;
  try {
    assert.equal(h.agent.model.read(`${SP}SelfTimerCapable`), 'false');
    const mode = h.agent.enterStandby({ crAware: false, timerAware: false });
    assert.ok('since' in mode && !mode.timerAware);
    clock.advance(200_000);
    await settle();
    assert.equal(h.acs.completedSessions(h.serial).length, 1, 'three periodic contacts missed, none made');
    h.agent.wake();
    await sessionsCompleted(h, 2);
    assert.deepEqual(codes(h, 1), ['13 WAKEUP']);
  } finally {
    await h.close();
  }
});

test('within the limits waking up is no news: no WAKEUP, and no session just for it', async () => {
  const h = await device(
    { crAware: false, timerAware: false },
    { [`${MS}PeriodicInformInterval`]: '60', [`${SP}MaxMissedPeriodic`]: '5', [`${SP}CRUnawarenessMaxDuration`]: '3600' },
  );
  const clock = h.clock as ManualClock;
  try {
    h.agent.enterStandby({ crAware: false, timerAware: false });
    clock.advance(130_000);
    h.agent.wake();
    await settle(200);
    assert.equal(h.acs.completedSessions(h.serial).length, 1);
    // Once awake the next periodic contact is made as usual.
    clock.advance(60_000);
    await sessionsCompleted(h, 2);
    assert.deepEqual(codes(h, 1), ['2 PERIODIC']);
  } finally {
    await h.close();
  }
});

test('deaf to connection requests longer than CRUnawarenessMaxDuration: requests unanswered, WAKEUP after', async () => {
  const h = await device(
    { crAware: true, timerAware: true },
    { [`${MS}ConnectionRequestUsername`]: 'cr', [`${MS}ConnectionRequestPassword`]: 'pw', [`${SP}CRUnawarenessMaxDuration`]: '100' },
  );
  const server = await startHttpConnectionRequests(h.agent, { port: 0, address: '127.0.0.1', advertisedHost: '127.0.0.1' });
  const clock = h.clock as ManualClock;
  try {
    const url = h.agent.model.read(`${MS}ConnectionRequestURL`);
    h.agent.enterStandby({ crAware: false, timerAware: true });
    assert.equal(await h.acs.connectionRequest(url, 'cr', 'pw'), 404, 'a device deaf to requests does not answer them');
    clock.advance(150_000);
    h.agent.wake();
    await sessionsCompleted(h, 2);
    assert.deepEqual(codes(h, 1), ['13 WAKEUP'], 'the unheard request left no CONNECTION REQUEST event');
    assert.equal(await h.acs.connectionRequest(url, 'cr', 'pw'), 200);
    await sessionsCompleted(h, 3);
  } finally {
    await server.close();
    await h.close();
  }
});

test('CRAwarenessRequested and PeriodicAwarenessRequested keep a capable device aware: requests and periodic contacts go on in standby', async () => {
  const h = await device(
    { crAware: true, timerAware: true },
    {
      [`${MS}PeriodicInformInterval`]: '60',
      [`${SP}CRAwarenessRequested`]: 'true',
      [`${SP}PeriodicAwarenessRequested`]: 'true',
      [`${SP}MaxMissedPeriodic`]: '0',
    },
  );
  const clock = h.clock as ManualClock;
  try {
    const mode = h.agent.enterStandby({ crAware: false, timerAware: false });
    assert.ok('since' in mode && mode.crAware && mode.timerAware, 'the policy overrides the device');
    h.agent.trigger('6 CONNECTION REQUEST');
    await sessionsCompleted(h, 2);
    clock.advance(60_000);
    await sessionsCompleted(h, 3);
    assert.deepEqual(codes(h, 2), ['2 PERIODIC']);
    // A value change in standby waits for the wake-up; nothing was missed, so no WAKEUP.
    h.agent.model.writeFromDevice({ [`${MS}ConnectionRequestURL`]: 'http://192.0.2.9:7547/x' });
    await settle();
    assert.equal(h.acs.completedSessions(h.serial).length, 3);
    h.agent.wake();
    await sessionsCompleted(h, 4);
    assert.deepEqual(codes(h, 3), ['4 VALUE CHANGE']);
  } finally {
    await h.close();
  }
});

test('a missed ScheduleInform with NotifyMissedScheduled: delivered late with WAKEUP; ScheduledAwarenessRequested refuses standby a device cannot wake from', async () => {
  const h = await device({ crAware: false, timerAware: false }, { [`${SP}NotifyMissedScheduled`]: 'true' });
  const clock = h.clock as ManualClock;
  try {
    h.acs.queue(h.serial, { method: 'ScheduleInform', delaySeconds: 30, commandKey: 'later' });
    h.agent.trigger('6 CONNECTION REQUEST');
    await sessionsCompleted(h, 2);
    h.agent.enterStandby({ crAware: false, timerAware: false });
    clock.advance(60_000);
    await settle();
    assert.equal(h.acs.completedSessions(h.serial).length, 2);
    h.agent.wake();
    await sessionsCompleted(h, 3);
    assert.deepEqual(codes(h, 2), ['13 WAKEUP', '3 SCHEDULED', 'M ScheduleInform']);

    h.acs.queue(
      h.serial,
      { method: 'SetParameterValues', parameterList: [{ name: `${SP}ScheduledAwarenessRequested`, value: 'true' }], parameterKey: 'sa' },
      { method: 'ScheduleInform', delaySeconds: 600, commandKey: 'again' },
    );
    h.agent.trigger('6 CONNECTION REQUEST');
    await sessionsCompleted(h, 4);
    const refused = h.agent.enterStandby({ crAware: false, timerAware: false });
    assert.ok('refused' in refused, 'a scheduled contact is pending and the device has no timer in standby');
    assert.equal(h.agent.standbyMode, undefined);
  } finally {
    await h.close();
  }
});

test('the CLI agent: SIGUSR1 sends it into standby, SIGUSR2 wakes it, with 13 WAKEUP where the ACS asked for it', { timeout: 30_000 }, async () => {
  const acs = new TestAcs();
  const url = await acs.listen();
  const dir = tempDir();
  const config = path.join(dir, 'agent.yaml');
  fs.writeFileSync(config, `device:\n  seed: standby-cli\n  standby:\n    crAware: false\n    timerAware: false\n`);
  const serial = simulatedIdentity('standby-cli').serialNumber;
  acs.queue(serial, { method: 'SetParameterValues', parameterList: [{ name: `${SP}CRUnawarenessMaxDuration`, value: '0' }], parameterKey: 'sp' });
  const agent = startAgentProcess(['--config', config, '--acs-url', url, '--state-dir', path.join(dir, 'state'), '--cr-port', '0']);
  try {
    await acs.waitFor(() => acs.completedSessions(serial).length === 1, 15_000);
    process.kill(agent.child.pid!, 'SIGUSR1');
    await settle(1500);
    process.kill(agent.child.pid!, 'SIGUSR2');
    await acs.waitFor(() => acs.completedSessions(serial).length === 2, 15_000);
    assert.deepEqual(
      acs.completedSessions(serial)[1]!.events.map((e) => e.code),
      ['13 WAKEUP'],
    );
  } finally {
    await agent.powerCut();
    await acs.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
