/**
 * A trigger whose event is already pending opens no other session: a periodic firing while the
 * session carrying 2 PERIODIC is in flight, a connection request while the CPE waits for the
 * InformResponse of a session carrying 6 CONNECTION REQUEST, and a firing while a session waits
 * at the fleet's session gate. Every Inform the ACS sees has events.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CwmpEvent } from '../../src/cwmp/messages.js';
import { SessionGate } from '../../src/fleet/session-gate.js';
import type { ManualClock } from '../../src/runtime/clock.js';
import { startHarness, type Harness } from '../helpers/agent-harness.js';

const HOUR = 3_600_000; // the default PeriodicInformInterval
// Short enough to pass inside a session without reaching its deadline on the manual clock.
const MINUTE = 60_000;

function eventLists(h: Harness): string[][] {
  return h.acs.completedSessions(h.serial).map((s) => s.events.map((e) => e.code));
}

/**
 * How many sessions the agent has started once the loop has settled after the next session ends:
 * a follow-up session would start in the same turn of the event loop (or the gate's microtask).
 */
function sessionsStartedAfterNextEnd(h: Harness): Promise<number> {
  return h.agent.nextSession().then(() => new Promise((resolve) => setImmediate(() => resolve(h.agent.sessionsRun))));
}

/** Starts the agent and resolves once its boot session has ended and the loop has settled. */
async function booted(h: Harness): Promise<void> {
  const started = sessionsStartedAfterNextEnd(h);
  h.agent.start();
  assert.equal(await started, 1);
}

function assertNoEmptyInform(h: Harness): void {
  const all = h.acs.sessions.filter((s) => s.serial === h.serial).map((s) => s.events.map((e) => e.code));
  assert.deepEqual(
    all.filter((codes) => codes.length === 0),
    [],
    `sessions: ${JSON.stringify(all)}`,
  );
}

test('a periodic firing while the session carrying 2 PERIODIC is in flight opens no empty session', async () => {
  let fired = false;
  let h: Harness | undefined;
  const onInform = (_serial: string, events: readonly CwmpEvent[]) => {
    // The next interval passes while this Inform waits for its answer.
    if (!fired && events.some((e) => e.code === '2 PERIODIC')) {
      fired = true;
      (h!.clock as ManualClock).advance(MINUTE);
    }
    return [];
  };
  h = await startHarness({ manualClock: true, acs: { onInform } });
  try {
    h.agent.model.provision({ 'Device.ManagementServer.PeriodicInformInterval': '60' });
    await booted(h);
    const started = sessionsStartedAfterNextEnd(h);
    (h.clock as ManualClock).advance(MINUTE);
    assert.equal(await started, 2, 'boot and periodic, nothing after');
    assert.ok(fired);
    assert.deepEqual(eventLists(h)[1], ['2 PERIODIC']);
    assertNoEmptyInform(h);
  } finally {
    await h.close();
  }
});

test('a connection request while the CPE waits for the InformResponse of a 6 CONNECTION REQUEST session opens no empty session', async () => {
  let repeated = false;
  let h: Harness | undefined;
  const onInform = (_serial: string, events: readonly CwmpEvent[]) => {
    if (!repeated && events.some((e) => e.code === '6 CONNECTION REQUEST')) {
      repeated = true;
      // What the connection-request listeners call when a request is accepted.
      h!.agent.trigger('6 CONNECTION REQUEST');
    }
    return [];
  };
  h = await startHarness({ manualClock: true, acs: { onInform } });
  try {
    await booted(h);
    const started = sessionsStartedAfterNextEnd(h);
    h.agent.trigger('6 CONNECTION REQUEST');
    assert.equal(await started, 2, 'boot and connection request, nothing after');
    assert.ok(repeated);
    assertNoEmptyInform(h);
  } finally {
    await h.close();
  }
});

test('a periodic firing while the session waits at the session gate opens no empty session', async () => {
  const gate = new SessionGate(1);
  const h = await startHarness({ manualClock: true, agent: { sessionGate: gate } });
  try {
    await booted(h);
    // Another device holds the only slot: this one's periodic session waits at the gate.
    const release = await gate.acquire();
    const started = sessionsStartedAfterNextEnd(h);
    (h.clock as ManualClock).advance(HOUR);
    (h.clock as ManualClock).advance(HOUR);
    release();
    assert.equal(await started, 2, 'boot and periodic, nothing after');
    assert.deepEqual(eventLists(h)[1], ['2 PERIODIC']);
    assertNoEmptyInform(h);
  } finally {
    await h.close();
  }
});
