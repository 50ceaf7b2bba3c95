import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retryWaitRange, retryWaitSeconds } from '../../src/cwmp/retry.js';

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
