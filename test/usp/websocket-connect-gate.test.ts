/**
 * A fleet's WebSocket agents open their sessions through the same bound as its MQTT ones: with a
 * bound of 2, a Controller whose handshakes hang sees at most 2 at a time, and every agent gets
 * its session as places come free.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { WebSocketServer } from 'ws';
import { SessionGate } from '../../src/fleet/session-gate.js';
import { WebSocketMtp } from '../../src/mtp/websocket-mtp.js';
import { until } from '../helpers/until.js';

test('WebSocket agents sharing a bound of 2 hold at most 2 handshakes open at once, and all connect', { timeout: 30_000 }, async () => {
  let pending = 0;
  let most = 0;
  const held: (() => void)[] = [];
  const server = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    handleProtocols: () => 'v1.usp',
    // Each handshake waits here until the test lets it through.
    verifyClient: (_info, done) => {
      pending++;
      most = Math.max(most, pending);
      held.push(() => {
        pending--;
        done(true);
      });
    },
  });
  await new Promise((r) => server.once('listening', r));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/usp`;
  const gate = new SessionGate(2);
  const logger = pino({ level: 'silent' });
  const agents = Array.from(
    { length: 6 },
    (_, i) => new WebSocketMtp({ url, endpointId: `proto::gate-${i}`, connectSlot: () => gate.acquire(), retryMinimumWaitMs: 100, logger }),
  );
  try {
    for (const a of agents) a.start();
    await until(() => (pending === 2 ? true : undefined), 'two handshakes waiting at the server');
    await until(() => {
      // Let the waiting handshakes through, a few at a time, as they arrive.
      for (const release of held.splice(0)) release();
      return agents.every((a) => a.connected) ? true : undefined;
    }, 'every agent connected');
    assert.equal(most, 2, 'never more than the bound at once');
  } finally {
    await Promise.all(agents.map((a) => a.stop()));
    await new Promise((r) => server.close(r));
  }
});
