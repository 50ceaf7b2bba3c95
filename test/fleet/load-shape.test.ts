/**
 * How a fleet loads an ACS: periodic Informs spread to the millisecond (no bursts), a bound on
 * sessions in flight (excess waits, nothing fails), small fleets online at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestAcs } from '../../src/acs/test-acs.js';
import type { Fleet } from '../../src/fleet/fleet.js';
import { fleetShape } from '../../src/fleet/scenarios.js';
import { SessionGate, defaultSessionLimit } from '../../src/fleet/session-gate.js';
import {
  devicesPerThread,
  heapOptionsFor,
  heapProblem,
  oldSpaceMbFor,
  retainedHeapMbFor,
  semiSpaceMbFor,
  youngGenerationMbFor,
} from '../../src/cli/fleet-heap.js';
import { testFleet } from '../helpers/fleet.js';

const fleetOf = (url: string, count: number, extra: Parameters<typeof testFleet>[2] = {}): Fleet => testFleet(url, count, extra);

test('periodic Informs arrive spread over the interval to the millisecond, not in per-second bursts', { timeout: 60_000 }, async () => {
  const acs = new TestAcs();
  const url = await acs.listen();
  const fleet = fleetOf(url, 300, { periodicInformInterval: 3 });
  const starts: number[] = [];
  fleet.onSession((_m, _ok, t) => starts.push(t.startedAt));
  try {
    await fleet.start();
    await acs.waitFor(() => fleet.stats.bootstrapped.size === 300, 20_000);
    // Phased on the interval: PeriodicInformTime carries milliseconds.
    const phase = fleet.members[1]!.agent!.model.read('Device.ManagementServer.PeriodicInformTime');
    assert.match(phase, /^2026-01-01T00:00:00\.010Z$/);
    const from = Date.now() + 500;
    starts.length = 0;
    await new Promise((r) => setTimeout(r, 3_700));
    const window = starts.filter((t) => t >= from && t < from + 3_000);
    assert.ok(window.length >= 250, `${window.length} periodic sessions in one interval`);
    // Arrivals per tenth of a second: about 10 each; whole-second phases put 100 in one and 0 in nine.
    const buckets = new Array<number>(30).fill(0);
    for (const t of window) buckets[Math.floor((t - from) / 100)]!++;
    const max = Math.max(...buckets);
    const empty = buckets.filter((n) => n === 0).length;
    assert.ok(max <= 30, `at most ${max} sessions started in one tenth of a second: ${buckets.join(' ')}`);
    assert.ok(empty <= 3, `${empty} empty tenths: ${buckets.join(' ')}`);
  } finally {
    await fleet.stop();
    await acs.close();
  }
});

test('sessions in flight never exceed the fleet-wide bound; the excess waits and nothing fails', { timeout: 60_000 }, async () => {
  const acs = new TestAcs();
  const url = await acs.listen();
  const fleet = fleetOf(url, 60, { maxSessionsInFlight: 5, bootWindowSeconds: 0 });
  let open = 0;
  let peak = 0;
  const gate = fleet.gate;
  const watch = setInterval(() => {
    open = gate.inFlight;
    peak = Math.max(peak, open);
  }, 1);
  try {
    // A slow ACS keeps each session open a while: 60 devices booting at once.
    acs.failNext(...Array.from({ length: 60 }, () => ({ slowMs: 50 }) as const));
    await fleet.start();
    await acs.waitFor(() => fleet.stats.bootstrapped.size === 60, 30_000);
    assert.ok(peak <= 5, `peak ${peak} in flight`);
    assert.ok(peak >= 4, `the bound was used (peak ${peak})`);
    assert.equal(fleet.stats.failed, 0, 'no session failed: they waited');
    assert.equal(gate.queued, 0);
  } finally {
    clearInterval(watch);
    await fleet.stop();
    await acs.close();
  }
});

test('the session bound comes from the open-file limit; the gate is first come, first served', async () => {
  assert.equal(defaultSessionLimit(512), 192);
  assert.equal(defaultSessionLimit(100), 16);
  assert.equal(defaultSessionLimit(1_000_000), 256);
  const gate = new SessionGate(1);
  const order: number[] = [];
  const first = await gate.acquire();
  const waiting = [1, 2, 3].map((n) => gate.acquire().then((release) => (order.push(n), release)));
  assert.equal(gate.queued, 3);
  first();
  for (const w of waiting) (await w)();
  assert.deepEqual(order, [1, 2, 3]);
  assert.equal(gate.inFlight, 0);
});

test('the session gate keeps first-come order across thousands of waiters and frees its queue', async () => {
  const gate = new SessionGate(2);
  const held = [await gate.acquire(), await gate.acquire()];
  const order: number[] = [];
  const waiting = Array.from({ length: 5000 }, (_, n) => gate.acquire().then((release) => (order.push(n), release)));
  assert.equal(gate.queued, 5000);
  for (const r of held) r();
  for (const w of waiting) (await w)();
  assert.deepEqual(
    order,
    Array.from({ length: 5000 }, (_, n) => n),
  );
  assert.equal(gate.queued, 0);
  assert.equal(gate.inFlight, 0);
  // Still usable after its queue was compacted.
  const again = await gate.acquire();
  assert.equal(gate.inFlight, 1);
  again();
});

test('a small steady fleet comes online at once; a large one ramps', () => {
  assert.ok(fleetShape({ name: 'steady', durationSeconds: 0 }, 20).bootWindowSeconds < 0.1);
  assert.equal(fleetShape({ name: 'steady', durationSeconds: 0, rate: 100 }, 100_000).bootWindowSeconds, 200);
});

test('a thread gets semi-spaces for its part of the fleet: the default up to 24,000 devices, 64 MB at 96,000 and more', () => {
  assert.equal(devicesPerThread(100_000, undefined), 100_000);
  assert.equal(devicesPerThread(100_000, { total: 10 }), 10_000);
  assert.equal(devicesPerThread(100_000, { total: 2 }, 2), 25_000);
  assert.equal(semiSpaceMbFor(10_000), 16);
  assert.equal(semiSpaceMbFor(30_000), 20);
  assert.equal(semiSpaceMbFor(100_000), 64);
  assert.equal(youngGenerationMbFor(10_000), undefined);
  assert.equal(youngGenerationMbFor(50_000), 99);
});

test("a thread gets an old generation for its devices' retained heap with a storm's headroom, within the machine; a fleet that cannot fit is refused", () => {
  const gb = 1024;
  // 10,000 devices fit V8's own limit (4 GB here): nothing to change.
  assert.equal(oldSpaceMbFor(10_000, 4 * gb, 24 * gb), undefined);
  // 1,000,000: 12 KB each and 256 MB, with 1.6x headroom, under 85% of 24 GB.
  assert.equal(retainedHeapMbFor(1_000_000), 11_975);
  assert.equal(oldSpaceMbFor(1_000_000, 4 * gb, 24 * gb), 19_160);
  // On a smaller machine the limit stops at 85% of it.
  assert.equal(oldSpaceMbFor(1_000_000, 4 * gb, 16 * gb), Math.floor(16 * gb * 0.85));
  assert.equal(heapProblem(1_000_000, 24 * gb), undefined);
  const problem = heapProblem(4_000_000, 24 * gb) ?? '';
  assert.match(problem, /a fleet of 4,000,000 devices in one process needs about 46\.\d GB of heap \(12 KB a device\), and this machine has 24\.0 GB/);
  assert.match(problem, /--shard I\/N.*about 1,8\d\d,\d\d\d devices each/);
  // Sizes given in node's flags or NODE_OPTIONS are kept.
  assert.deepEqual(heapOptionsFor(100_000, ['--max-semi-space-size=8'], '--max-old-space-size=2048'), []);
  assert.ok(heapOptionsFor(100_000, [], '').includes('--max-semi-space-size=64'));
});
