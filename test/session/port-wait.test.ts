/** A connection that finds no local port free waits and tries again, instead of failing its session. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { connectWhenPortsFree } from '../../src/session/acs-transport.js';

const portError = (code: string): Error => Object.assign(new Error(`connect ${code}`), { code });

function outcome(results: (string | 'ok' | 'refused')[], abandoned = () => false) {
  const waits: string[] = [];
  let attempts = 0;
  const socket = {} as Socket;
  return new Promise<{ err: Error | null; socket: Socket | null; waited: boolean; waits: string[]; attempts: number }>((resolve) =>
    connectWhenPortsFree(
      (cb) => {
        const r = results[Math.min(attempts++, results.length - 1)]!;
        setImmediate(() => (r === 'ok' ? cb(null, socket) : cb(r === 'refused' ? portError('ECONNREFUSED') : portError(r), null)));
      },
      (err, s, waited) => resolve({ err, socket: s, waited, waits, attempts }),
      abandoned,
      (code) => waits.push(code),
    ),
  );
}

test('EADDRNOTAVAIL and EADDRINUSE are waited out; the connection then goes ahead', async () => {
  const r = await outcome(['EADDRNOTAVAIL', 'EADDRINUSE', 'ok']);
  assert.equal(r.err, null);
  assert.ok(r.socket);
  assert.equal(r.waited, true);
  assert.deepEqual(r.waits, ['EADDRNOTAVAIL', 'EADDRINUSE']);
  assert.equal(r.attempts, 3);
});

test('other errors end the connection at once, as before', async () => {
  const r = await outcome(['refused']);
  assert.match(String(r.err), /ECONNREFUSED/);
  assert.equal(r.waited, false);
  assert.equal(r.attempts, 1);
});

test('a connection given up (its client destroyed, the agent stopping) stops waiting with the port error', async () => {
  let give = false;
  const pending = outcome(['EADDRNOTAVAIL'], () => give);
  setTimeout(() => {
    give = true;
  }, 120);
  const r = await pending;
  assert.match(String(r.err), /EADDRNOTAVAIL/);
  assert.ok(r.attempts >= 2, `tried again while waiting (${r.attempts} attempts)`);
});
