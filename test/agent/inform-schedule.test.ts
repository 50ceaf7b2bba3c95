/**
 * Timers never fire before their due time as the agent's clock sees it, and one due moment of
 * the periodic schedule gives one Inform, even on a clock whose timers run early (as Node's do
 * by Date.now(), which made fleets send extra, eventless Informs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, systemClock, type Clock } from '../../src/runtime/clock.js';
import { DataModel } from '../../src/datamodel/data-model.js';
import { InformSchedule } from '../../src/agent/inform-schedule.js';
import { BUILT_IN_SCHEMA } from '../../src/models/built-in.js';
import { managementServerPaths } from '../../src/models/device-core.js';
import { MemoryModelStore } from '../../src/storage/model-store.js';

test('systemClock: no timer callback runs before its due time by Date.now()', async () => {
  const early: number[] = [];
  // The clock's timers do not hold the process open (unref): something must, while they run.
  const hold = setInterval(() => undefined, 1000);
  await Promise.all(
    Array.from(
      { length: 3000 },
      (_, i) =>
        new Promise<void>((resolve) => {
          const ms = (i * 7) % 40;
          const due = Date.now() + ms;
          systemClock.setTimer(ms, () => {
            const now = Date.now();
            if (now < due) early.push(due - now);
            resolve();
          });
        }),
    ),
  );
  clearInterval(hold);
  assert.deepEqual(early, [], `${early.length} of 3000 fired early`);
});

/** A ManualClock whose timers fire a millisecond before they are due. */
function earlyClock(): ManualClock & Clock {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 0, 0, 0, 500));
  const setTimer = clock.setTimer.bind(clock);
  clock.setTimer = (ms, fn) => setTimer(Math.max(0, ms - 1), fn);
  return clock;
}

for (const phase of ['0001-01-01T00:00:00Z', '2026-01-01T00:00:00.250Z']) {
  test(`one periodic Inform per interval on a clock whose timers run early (PeriodicInformTime ${phase})`, () => {
    const ms = managementServerPaths('Device.');
    const model = new DataModel(BUILT_IN_SCHEMA, new MemoryModelStore(), [], {
      [ms.periodicInformEnable]: 'true',
      [ms.periodicInformInterval]: '10',
      [ms.periodicInformTime]: phase,
    });
    const clock = earlyClock();
    const fired: number[] = [];
    const schedule = new InformSchedule({ model, ms, clock, scheduled: () => [], due: (kind) => void (kind === 'periodic' && fired.push(clock.now())) });
    schedule.start();
    clock.advance(100_000);
    schedule.stop();
    assert.equal(fired.length, 10, `fired at ${fired.map((t) => t % 100_000).join(', ')}`);
    for (let i = 1; i < fired.length; i++) assert.ok(fired[i]! - fired[i - 1]! >= 9_998, 'a whole interval apart');
  });
}
