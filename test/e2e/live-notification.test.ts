/**
 * Values that change by themselves: a provider that pushes its changes, and one that does not
 * (polled, but only for parameters whose notification is on). Active notification opens a
 * session with 4 VALUE CHANGE; passive waits for the next Inform.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parameterValues, readCpeMessage } from '../../src/acs/acs-messages.js';
import type { ManualClock } from '../../src/runtime/clock.js';
import type { Provider } from '../../src/datamodel/provider.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';

const TZ = 'Device.Time.LocalTimeZone';
const NTP = 'Device.Time.NTPServer2';

test('a pushing provider: active notification opens a VALUE CHANGE session at once', async () => {
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
  try {
    h.agent.model.addProvider(provider);
    h.acs.queue(h.serial, {
      method: 'SetParameterAttributes',
      parameterList: [{ name: TZ, notificationChange: true, notification: 2, accessListChange: false, accessList: [] }],
    });
    h.agent.start();
    await sessionsCompleted(h, 1);
    zone = 'CET-1CEST,M3.5.0,M10.5.0/3';
    push!([TZ]);
    await sessionsCompleted(h, 2);
    const s = h.acs.completedSessions(h.serial)[1]!;
    assert.deepEqual(
      s.events.map((e) => e.code),
      ['4 VALUE CHANGE'],
    );
    assert.equal(parameterValues(readCpeMessage(s.messages[0]!.body))[TZ]?.value, zone);
  } finally {
    await h.close();
  }
});

test('a provider that does not push is polled, only for notified parameters; passive waits for the next Inform', async () => {
  let zone = 'UTC0';
  let server = 'ntp1.example';
  const reads: string[] = [];
  const provider: Provider = {
    objects: ['Device.Time.'],
    get: (p) => {
      if (p === TZ || p === NTP) reads.push(p);
      return p === TZ ? zone : p === NTP ? server : undefined;
    },
  };
  const h = await startHarness({ manualClock: true });
  const clock = h.clock as ManualClock;
  try {
    h.agent.model.addProvider(provider);
    h.acs.queue(h.serial, {
      method: 'SetParameterAttributes',
      parameterList: [{ name: NTP, notificationChange: true, notification: 1, accessListChange: false, accessList: [] }],
    });
    h.agent.start();
    await sessionsCompleted(h, 1);
    // The agent arms its poll once its session loop has wound down.
    await new Promise((r) => setTimeout(r, 100));
    reads.length = 0;
    server = 'ntp2.example';
    zone = 'EST5EDT';
    clock.advance(10_000);
    assert.ok(reads.includes(NTP), 'the notified parameter is read');
    assert.ok(!reads.includes(TZ), 'a parameter nobody asked to be notified of is not polled');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.acs.completedSessions(h.serial).length, 1, 'passive: no session of its own');
    assert.deepEqual(
      h.agent.pendingEvents.map((e) => e.code),
      ['4 VALUE CHANGE'],
    );
    h.agent.trigger('6 CONNECTION REQUEST');
    await sessionsCompleted(h, 2);
    const inform = readCpeMessage(h.acs.completedSessions(h.serial)[1]!.messages[0]!.body);
    assert.equal(parameterValues(inform)[NTP]?.value, 'ntp2.example');
    assert.equal(parameterValues(inform)[TZ], undefined);
  } finally {
    await h.close();
  }
});
