/** The MQTT transport's reconnect schedule: backed off, jittered, bounded (a broker that drops a fleet must not see it return at once). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mqttReconnectWaitMs } from '../../src/mtp/mqtt-mtp.js';

test('reconnect waits double from the first, are drawn within their range, and stop growing at the maximum', () => {
  assert.equal(mqttReconnectWaitMs(1, 1000, 60_000, 0), 1000);
  assert.equal(mqttReconnectWaitMs(1, 1000, 60_000, 1), 2000);
  assert.equal(mqttReconnectWaitMs(3, 1000, 60_000, 0), 4000);
  assert.equal(mqttReconnectWaitMs(3, 1000, 60_000, 0.5), 6000);
  assert.equal(mqttReconnectWaitMs(10, 1000, 60_000, 0), 60_000);
  assert.equal(mqttReconnectWaitMs(1000, 1000, 60_000, 1), 60_000, 'a long outage does not overflow');
  assert.equal(mqttReconnectWaitMs(0, 1000, 60_000, 0), 1000, 'attempt numbers below 1 count as the first');
});

test('devices dropped together spread their first reconnection over the whole range', () => {
  const waits = Array.from({ length: 2000 }, () => mqttReconnectWaitMs(1, 1000, 60_000, Math.random()));
  const buckets = [0, 0, 0, 0];
  for (const w of waits) buckets[Math.min(3, Math.floor((w - 1000) / 250))]!++;
  for (const b of buckets) assert.ok(b > 350 && b < 650, `every quarter of [1 s, 2 s] gets its share: ${buckets.join(', ')}`);
});
