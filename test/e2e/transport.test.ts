/** Auth, cookies, TLS and retries of the agent's HTTP transport, end to end. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ManualClock } from '../../src/runtime/clock.js';
import { retryWaitRange } from '../../src/cwmp/retry.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';
import { makeTestPki } from '../helpers/test-ca.js';

for (const scheme of ['basic', 'digest'] as const) {
  test(`${scheme} auth: good credentials complete the session`, async () => {
    const h = await startHarness({ acs: { auth: { scheme, username: 'cpe', password: 's3cret' } }, agent: { acsUsername: 'cpe', acsPassword: 's3cret' } });
    try {
      h.acs.queue(h.serial, { method: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.UpTime'] });
      h.agent.start();
      await sessionsCompleted(h, 1);
      assert.equal(h.acs.responses(h.serial)[0]!.method, 'GetParameterValuesResponse');
      assert.equal(h.acs.authFailures, 0);
    } finally {
      await h.close();
    }
  });

  test(`${scheme} auth: wrong credentials fail the session and schedule a retry`, async () => {
    const h = await startHarness({
      manualClock: true,
      acs: { auth: { scheme, username: 'cpe', password: 's3cret' } },
      agent: { acsUsername: 'cpe', acsPassword: 'wrong' },
    });
    try {
      const outcome = h.agent.nextSession();
      h.agent.start();
      const o = await outcome;
      assert.equal(o.ok, false);
      assert.match(o.reason ?? '', /authentication/);
      assert.equal(h.acs.sessions.length, 0);
      assert.equal(h.agent.retryCount, 1);
      assert.ok(h.acs.authFailures >= 1);
    } finally {
      await h.close();
    }
  });
}

test('digest auth with SHA-256 only', async () => {
  const h = await startHarness({
    acs: { auth: { scheme: 'digest', username: 'cpe', password: 'pw', algorithms: ['SHA-256'] } },
    agent: { acsUsername: 'cpe', acsPassword: 'pw' },
  });
  try {
    h.acs.queue(h.serial, { method: 'GetRPCMethods' }, { method: 'GetRPCMethods' });
    h.agent.start();
    await sessionsCompleted(h, 1);
    assert.equal(h.acs.responses(h.serial).length, 2);
  } finally {
    await h.close();
  }
});

test('HTTPS with a trusted test CA works; an untrusted certificate is refused', async () => {
  const pki = makeTestPki();
  const good = await startHarness({ acs: { tls: { key: pki.serverKey, cert: pki.serverCert } }, agent: { tls: { ca: pki.caCert, rejectUnauthorized: true } } });
  try {
    good.agent.start();
    await sessionsCompleted(good, 1);
  } finally {
    await good.close();
  }
  const bad = await startHarness({
    acs: { tls: { key: pki.serverKey, cert: pki.serverCert } },
    agent: { tls: { ca: pki.otherCaCert, rejectUnauthorized: true } },
  });
  try {
    const outcome = bad.agent.nextSession();
    bad.agent.start();
    const o = await outcome;
    assert.equal(o.ok, false);
    assert.match(o.reason ?? '', /certificate|self.signed|verify/i);
    assert.equal(bad.acs.sessions.length, 0);
  } finally {
    await bad.close();
  }
  // With no CA configured the system store is used, which does not know the test CA either.
  const none = await startHarness({ acs: { tls: { key: pki.serverKey, cert: pki.serverCert } } });
  try {
    const outcome = none.agent.nextSession();
    none.agent.start();
    assert.equal((await outcome).ok, false);
  } finally {
    await none.close();
  }
});

test('an ACS that fails N times: retry waits follow the spec table, RetryCount counts, events kept', async () => {
  const h = await startHarness({ manualClock: true, agent: { random: () => 0.5, periodicInformInterval: 1_000_000 } });
  const clock = h.clock as ManualClock;
  try {
    const failures = 5;
    h.acs.failNext('http500', 'drop', 'http500', { informFault: 8005 }, 'http500');
    let outcome = h.agent.nextSession();
    h.agent.start();
    for (let n = 1; n <= failures; n++) {
      assert.equal((await outcome).ok, false, `attempt ${n} fails`);
      const [low, high] = retryWaitRange(n);
      const wait = clock.nextTimerIn()!;
      assert.equal(wait, ((low + high) / 2) * 1000, `wait before retry ${n}`);
      outcome = h.agent.nextSession();
      clock.advance(wait - 1);
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(h.agent.retryCount, n, 'no retry before the wait is over');
      clock.advance(1);
    }
    assert.equal((await outcome).ok, true);
    const informs = h.acs.sessions.map((s) => s.messages[0]!.body).filter((b) => b.includes('<cwmp:Inform>'));
    assert.deepEqual(
      informs.map((b) => /<RetryCount>(\d+)<\/RetryCount>/.exec(b)![1]),
      ['3', '5'],
      'RetryCount of the Informs the ACS parsed',
    );
    const last = h.acs.completedSessions(h.serial).at(-1)!;
    assert.deepEqual(
      last.events.map((e) => e.code),
      ['0 BOOTSTRAP', '1 BOOT'],
    );
    assert.equal(h.agent.retryCount, 0);
  } finally {
    await h.close();
  }
});

test('a slow ACS times out the exchange and the session is retried', async () => {
  const h = await startHarness({ manualClock: true, agent: { requestTimeoutMs: 200 } });
  try {
    h.acs.failNext({ slowMs: 1000 });
    const outcome = h.agent.nextSession();
    h.agent.start();
    const o = await outcome;
    assert.equal(o.ok, false);
    assert.match(o.reason ?? '', /no answer/);
  } finally {
    await h.close();
  }
});

test('an unreachable ACS fails fast and keeps the events', async () => {
  const h = await startHarness({ manualClock: true, acsUrl: 'http://127.0.0.1:1/acs' });
  try {
    const outcome = h.agent.nextSession();
    h.agent.start();
    assert.equal((await outcome).ok, false);
    assert.deepEqual(
      h.agent.pendingEvents.map((e) => e.code),
      ['1 BOOT', '0 BOOTSTRAP'],
    );
  } finally {
    await h.close();
  }
});

test('a 307 redirect moves the session to the new URL and the Inform is sent again there', async () => {
  const h = await startHarness();
  const { TestAcs } = await import('../../src/acs/test-acs.js');
  const target = new TestAcs();
  const targetUrl = await target.listen();
  try {
    h.acs.failNext({ redirect: 307, location: targetUrl });
    target.queue(h.serial, { method: 'GetRPCMethods' });
    const outcome = h.agent.nextSession();
    h.agent.start();
    assert.equal((await outcome).ok, true);
    assert.equal(target.completedSessions(h.serial).length, 1);
    assert.equal(target.responses(h.serial)[0]!.method, 'GetRPCMethodsResponse');
    assert.equal(h.acs.sessions.length, 0);
  } finally {
    await target.close();
    await h.close();
  }
});

test('the CPE calls GetRPCMethods on the ACS when asked to', async () => {
  const h = await startHarness();
  try {
    h.agent.queueCpeRequest({ method: 'GetRPCMethods' });
    h.agent.start();
    await sessionsCompleted(h, 1);
    const cpe = h.acs
      .completedSessions(h.serial)[0]!
      .messages.filter((m) => m.from === 'cpe')
      .map((m) => m.method);
    assert.deepEqual(cpe, ['Inform', 'GetRPCMethods', '']);
  } finally {
    await h.close();
  }
});
