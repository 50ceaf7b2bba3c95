import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retryAfterWaitSeconds, retryWaitRange, retryWaitSeconds } from '../../src/cwmp/retry.js';
import { seededRandom } from '../helpers/seeded-random.js';

test('retry wait ranges follow TR-069 Table 3 with the default policy', () => {
  const expected: [number, number][] = [
    [5, 10],
    [10, 20],
    [20, 40],
    [40, 80],
    [80, 160],
    [160, 320],
    [320, 640],
    [640, 1280],
    [1280, 2560],
    [2560, 5120],
  ];
  for (const [i, range] of expected.entries()) assert.deepEqual(retryWaitRange(i + 1), range, `retry ${i + 1}`);
  assert.deepEqual(retryWaitRange(11), [2560, 5120]);
  assert.deepEqual(retryWaitRange(1000), [2560, 5120]);
});

test('retry wait is drawn inside the range and honours the policy', () => {
  assert.equal(retryWaitSeconds(1, 0), 5);
  assert.equal(retryWaitSeconds(1, 0.999999) < 10, true);
  assert.equal(retryWaitSeconds(3, 0.5), 30);
  assert.deepEqual(retryWaitRange(2, { minimumWaitSeconds: 10, intervalMultiplier: 3000 }), [30, 90]);
});

test("an ACS's Retry-After is never cut short, and a crowd turned away together comes back spread over [asked, asked × multiplier]", () => {
  const random = seededRandom(25);
  const waits = Array.from({ length: 5_000 }, () => retryAfterWaitSeconds(60, random()));
  assert.ok(
    waits.every((w) => w >= 60 && w <= 120),
    'within [60, 120] with the default multiplier 2000',
  );
  // Evenly spread: each 6-second slice of the window gets about a tenth of the crowd.
  const slices = Array.from({ length: 10 }, (_v, i) => waits.filter((w) => w >= 60 + 6 * i && w < 66 + 6 * i).length);
  for (const n of slices) assert.ok(n > 400 && n < 600, `slices ${slices.join(', ')}`);
  assert.equal(retryAfterWaitSeconds(60, 0.5, { minimumWaitSeconds: 5, intervalMultiplier: 1000 }), 60, 'multiplier 1000: exactly what was asked');
  assert.equal(retryAfterWaitSeconds(0, 0.5), 0);
});
