/**
 * Misbehaviour on demand, checked from the ACS's side over real HTTP: the fault arrived, the
 * connection dropped, the connection request was refused or ignored, the download failed with
 * that code, the device came back with 1 BOOT after a power cut and had lost nothing it had
 * persisted, a moving value brought VALUE CHANGE sessions; every rule counted its firings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parameterValues, readCpeMessage, textAt } from '../../src/acs/acs-messages.js';
import { buildFirmwareImage } from '../../src/providers/firmware-image.js';
import { TestAcs } from '../../src/acs/test-acs.js';
import { testFleet } from '../helpers/fleet.js';
import { downloadRequest } from '../helpers/download-request.js';
import { startFleetMisbehaviour } from '../../src/harness/fleet-misbehaviour.js';
import { Misbehaviour, misbehaviourRuleSchema, type MisbehaviourRule } from '../../src/harness/misbehaviour.js';
import { systemClock } from '../../src/runtime/clock.js';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

async function rig(rules: MisbehaviourRule[], count = 6) {
  const acs = new TestAcs();
  const url = await acs.listen();
  const misbehaviour = new Misbehaviour(
    rules.map((r) => misbehaviourRuleSchema.parse(r)),
    'stb',
  );
  const fleet = testFleet(url, count, { bootWindowSeconds: 0.2, misbehaviour });
  return { acs, fleet, misbehaviour, serial: (i: number) => fleet.members[i]!.serial };
}

const even = '[02468]$';

test('rpcFault answers the chosen RPC with the chosen fault (per-parameter too) on the chosen devices only', { timeout: 30_000 }, async () => {
  const r = await rig([
    {
      name: 'spv-fails',
      devices: { serials: even },
      do: { rpcFault: { method: 'SetParameterValues', code: 9003, parameterFaults: [{ name: 'Device.ManagementServer.PeriodicInformInterval', code: 9007 }] } },
    },
  ]);
  for (const m of r.fleet.members)
    r.acs.queue(m.serial, {
      method: 'SetParameterValues',
      parameterList: [{ name: 'Device.ManagementServer.PeriodicInformInterval', value: '600', type: 'unsignedInt' }],
      parameterKey: 'k',
    });
  try {
    await r.fleet.start();
    await r.acs.waitFor(() => r.fleet.members.every((m) => r.acs.responses(m.serial).length === 1), 15_000);
    for (const m of r.fleet.members) {
      const answer = r.acs.responses(m.serial)[0]!;
      if (/[02468]$/.test(m.serial)) {
        assert.equal(answer.method, 'Fault');
        assert.equal(textAt(answer.body, 'detail', 'Fault', 'FaultCode'), '9003');
        assert.equal(textAt(answer.body, 'detail', 'Fault', 'SetParameterValuesFault', 'FaultCode'), '9007');
      } else assert.equal(answer.method, 'SetParameterValuesResponse');
    }
    assert.equal(r.misbehaviour.fired['spv-fails'], 3);
  } finally {
    await r.fleet.stop();
    await r.acs.close();
  }
});

test('dropConnection and malformedAnswer: the ACS gets no answer, the session fails, the device retries later', { timeout: 30_000 }, async () => {
  const r = await rig(
    [
      { name: 'drop', devices: { serials: '0$' }, do: { dropConnection: { method: 'GetParameterValues' } } },
      { name: 'garble', devices: { serials: '1$' }, do: { malformedAnswer: { method: 'GetParameterValues' } } },
    ],
    2,
  );
  for (const m of r.fleet.members) r.acs.queue(m.serial, { method: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.UpTime'] });
  try {
    await r.fleet.start();
    await r.acs.waitFor(() => r.misbehaviour.fired['drop'] === 1 && r.misbehaviour.fired['garble'] === 1, 10_000);
    // The failed session is counted once the device has seen its connection end: waited for, not timed.
    await r.acs.waitFor(() => r.fleet.members.every((m) => (m.agent?.retryCount ?? 0) >= 1), 10_000);
    for (const m of r.fleet.members) {
      assert.ok(!r.acs.responses(m.serial).some((x) => x.method === 'GetParameterValuesResponse'), `${m.serial} never answered`);
      assert.ok(m.agent!.retryCount >= 1, 'the device counts a failed session and will retry');
    }
  } finally {
    await r.fleet.stop();
    await r.acs.close();
  }
});

test('dropConnection mid-body and stallAnswer: the ACS gets half a body and a closed connection, or the whole answer after a pause', {
  timeout: 30_000,
}, async () => {
  const r = await rig(
    [
      { name: 'cut', devices: { serials: '0$' }, do: { dropConnection: { method: 'GetParameterValues', at: 'mid-body' } } },
      { name: 'stall', devices: { serials: '1$' }, do: { stallAnswer: { method: 'GetParameterValues', ms: 1500 } } },
    ],
    3,
  );
  const answeredAt = new Map<string, number>();
  for (const m of r.fleet.members) r.acs.queue(m.serial, { method: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.'] });
  try {
    await r.fleet.start();
    await r.acs.waitFor(() => {
      for (const i of [1, 2]) if (!answeredAt.has(r.serial(i)) && r.acs.responses(r.serial(i)).length > 0) answeredAt.set(r.serial(i), Date.now());
      return answeredAt.size === 2 && r.acs.incompleteBodies.length >= 1;
    }, 15_000);
    // The cut device: part of a body, then nothing; it counts a failed session.
    assert.ok(r.acs.incompleteBodies[0]! > 0, 'some bytes came before the connection closed');
    assert.equal(r.acs.responses(r.serial(0)).length, 0);
    assert.ok(r.fleet.members[0]!.agent!.retryCount >= 1);
    // The stalled device answered in full, well after the plain one.
    assert.equal(r.acs.responses(r.serial(1))[0]!.method, 'GetParameterValuesResponse');
    assert.ok(answeredAt.get(r.serial(1))! - answeredAt.get(r.serial(2))! >= 1000, 'the stalled answer came at least a second later');
    assert.deepEqual([r.misbehaviour.fired['cut'], r.misbehaviour.fired['stall']], [1, 1]);
  } finally {
    await r.fleet.stop();
    await r.acs.close();
  }
});

test('badAnswer: the answer comes in a namespace the ACS did not use, or under another cwmp:ID', { timeout: 30_000 }, async () => {
  const r = await rig(
    [
      { name: 'ns', devices: { serials: '0$' }, do: { badAnswer: { method: 'GetParameterValues', kind: 'wrong-namespace' } } },
      { name: 'id', devices: { serials: '1$' }, do: { badAnswer: { method: 'GetParameterValues', kind: 'wrong-id' } } },
    ],
    2,
  );
  for (const m of r.fleet.members) r.acs.queue(m.serial, { method: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.UpTime'] });
  const answerOf = (serial: string) =>
    r.acs.sessions.filter((s) => s.serial === serial).flatMap((s) => s.messages.filter((x) => x.from === 'cpe' && /GetParameterValuesResponse/.test(x.body)))[0]
      ?.body;
  try {
    await r.fleet.start();
    await r.acs.waitFor(() => answerOf(r.serial(0)) !== undefined && answerOf(r.serial(1)) !== undefined, 15_000);
    const ns = answerOf(r.serial(0))!;
    assert.match(ns, /urn:dslforum-org:cwmp-9-9/);
    assert.doesNotMatch(ns, /urn:dslforum-org:cwmp-1-\d/);
    const id = answerOf(r.serial(1))!;
    assert.match(id, /<cwmp:ID [^>]*>not-[^<]*<\/cwmp:ID>/);
    assert.deepEqual([r.misbehaviour.fired['ns'], r.misbehaviour.fired['id']], [1, 1]);
  } finally {
    await r.fleet.stop();
    await r.acs.close();
  }
});

test('connection requests: refused with 503, failing with 500, or accepted and ignored (no session)', { timeout: 30_000 }, async () => {
  const r = await rig(
    [
      { name: 'refuse', devices: { serials: '0$' }, do: { connectionRequests: 'refuse' } },
      { name: 'ignore', devices: { serials: '1$' }, do: { connectionRequests: 'ignore' } },
      { name: 'error', devices: { serials: '3$' }, do: { connectionRequests: 'error' } },
    ],
    4,
  );
  try {
    await r.fleet.start();
    await r.acs.waitFor(() => r.fleet.stats.bootstrapped.size === 4, 10_000);
    const url = (i: number) => r.fleet.members[i]!.agent!.model.read('Device.ManagementServer.ConnectionRequestURL');
    assert.equal(await r.acs.connectionRequest(url(0), r.serial(0), 'pw'), 503);
    assert.equal(await r.acs.connectionRequest(url(1), r.serial(1), 'pw'), 200);
    assert.equal(await r.acs.connectionRequest(url(2), r.serial(2), 'pw'), 200);
    assert.equal(await r.acs.connectionRequest(url(3), r.serial(3), 'pw'), 500);
    await r.acs.waitFor(() => r.acs.completedSessions(r.serial(2)).length === 2, 10_000);
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(r.acs.completedSessions(r.serial(1)).length, 1, 'ignored: no session');
    assert.equal(r.acs.completedSessions(r.serial(0)).length, 1, 'refused: no session');
    assert.equal(r.acs.completedSessions(r.serial(3)).length, 1, 'failed: no session');
    assert.deepEqual([r.misbehaviour.fired['refuse'], r.misbehaviour.fired['ignore'], r.misbehaviour.fired['error']], [1, 1, 1]);
  } finally {
    await r.fleet.stop();
    await r.acs.close();
  }
});

test('downloadFault: TransferComplete reports the chosen fault without fetching', { timeout: 30_000 }, async () => {
  const r = await rig([{ name: 'corrupt', devices: { percent: 100 }, do: { downloadFault: { code: 9018 } } }], 1);
  const image = r.acs.serveFile('fw.bin', Buffer.from('not even an image'));
  r.acs.queue(r.serial(0), downloadRequest(image, 'fw', { fileSize: 17 }));
  try {
    await r.fleet.start();
    await r.acs.waitFor(() => r.acs.acknowledged('TransferComplete', r.serial(0)).length === 1, 15_000);
    assert.equal(textAt(r.acs.acknowledged('TransferComplete', r.serial(0))[0]!.body, 'FaultStruct', 'FaultCode'), '9018');
    assert.equal(r.misbehaviour.fired['corrupt'], 1);
  } finally {
    await r.fleet.stop();
    await r.acs.close();
  }
});

test('downloadFault with afterBytes: a real fetch, cut after K bytes, reported with the chosen fault', { timeout: 30_000 }, async () => {
  const r = await rig([{ name: 'cut', devices: { percent: 100 }, do: { downloadFault: { code: 9017, afterBytes: 65_536 } } }], 1);
  const size = 4 * 1024 * 1024;
  const image = r.acs.serveFile('big.bin', Buffer.alloc(size, 7));
  r.acs.queue(r.serial(0), downloadRequest(image, 'fw-cut', { fileType: '3 Vendor Configuration File', fileSize: size }));
  try {
    await r.fleet.start();
    await r.acs.waitFor(() => r.acs.acknowledged('TransferComplete', r.serial(0)).length === 1, 15_000);
    const tc = r.acs.acknowledged('TransferComplete', r.serial(0))[0]!.body;
    assert.equal(textAt(tc, 'FaultStruct', 'FaultCode'), '9017');
    assert.match(textAt(tc, 'FaultStruct', 'FaultString') ?? '', /after 65536 bytes/);
    assert.equal(r.misbehaviour.fired['cut'], 1);
  } finally {
    await r.fleet.stop();
    await r.acs.close();
  }
});

test('slowDownload: the device reads no faster than the rate; TransferComplete says how long it took', { timeout: 30_000 }, async () => {
  const r = await rig([{ name: 'slow', devices: { serials: '0$' }, do: { slowDownload: { bytesPerSecond: 256 * 1024 } } }], 2);
  // (A small file, fetched within the session, drags the DownloadResponse the same way.)
  // Over the size a device fetches within the session: queued, then reported in TransferComplete.
  const size = 1536 * 1024;
  const file = r.acs.serveFile('config.bin', Buffer.alloc(size, 1));
  for (const m of r.fleet.members) r.acs.queue(m.serial, downloadRequest(file, 'cfg', { fileType: '3 Vendor Configuration File', fileSize: size }));
  const took = (i: number) => {
    const tc = r.acs.acknowledged('TransferComplete', r.serial(i))[0]!.body;
    assert.equal(textAt(tc, 'FaultStruct', 'FaultCode'), '0');
    return Date.parse(textAt(tc, 'CompleteTime') ?? '') - Date.parse(textAt(tc, 'StartTime') ?? '');
  };
  try {
    await r.fleet.start();
    await r.acs.waitFor(() => r.fleet.members.every((m) => r.acs.acknowledged('TransferComplete', m.serial).length === 1), 20_000);
    assert.ok(took(0) >= 4000, `1.5 MiB at 256 KiB/s takes over 4 s (took ${took(0)} ms)`);
    assert.ok(took(0) - took(1) >= 1500, `the plain device was faster (${took(1)} ms)`);
    assert.equal(r.misbehaviour.fired['slow'], 1);
  } finally {
    await r.fleet.stop();
    await r.acs.close();
  }
});

test('firmwareRollback: the image downloads and installs, then fails its boot; the device is back on its old version and says so', {
  timeout: 30_000,
}, async () => {
  const r = await rig([{ name: 'rollback', devices: { serials: '0$' }, do: { firmwareRollback: {} } }], 2);
  const image = r.acs.serveFile('fw-9.bin', buildFirmwareImage({ version: '9.9.9', payload: Buffer.from('firmware') }));
  const before = r.fleet.members[0]!.device.identity.softwareVersion;
  for (const m of r.fleet.members) r.acs.queue(m.serial, downloadRequest(image, 'fw-9'));
  try {
    await r.fleet.start();
    await r.acs.waitFor(() => r.fleet.members.every((m) => r.acs.acknowledged('TransferComplete', m.serial).length === 1), 20_000);
    const tc = (i: number) => r.acs.acknowledged('TransferComplete', r.serial(i))[0]!.body;
    assert.equal(textAt(tc(0), 'FaultStruct', 'FaultCode'), '9010');
    assert.match(textAt(tc(0), 'FaultStruct', 'FaultString') ?? '', /did not boot/);
    assert.equal(textAt(tc(1), 'FaultStruct', 'FaultCode'), '0');
    // The Inform after the reboot says which image runs.
    const version = (i: number) => {
      const informs = r.acs.sessions.filter((x) => x.serial === r.serial(i)).map((x) => x.messages.find((m) => m.from === 'cpe' && m.method === 'Inform')!);
      return parameterValues(readCpeMessage(informs.at(-1)!.body))['Device.DeviceInfo.SoftwareVersion']?.value;
    };
    assert.equal(version(0), before);
    assert.equal(version(1), '9.9.9');
    assert.equal(r.misbehaviour.fired['rollback'], 1);
  } finally {
    await r.fleet.stop();
    await r.acs.close();
  }
});

test('rebootLoop: after a firmware install the device boots twice more (1 BOOT each) before TransferComplete comes, late', {
  timeout: 40_000,
}, async () => {
  const r = await rig([{ name: 'loop', devices: { serials: '0$' }, do: { rebootLoop: { boots: 2 } } }], 2);
  const image = r.acs.serveFile('fw-7.bin', buildFirmwareImage({ version: '7.0.0', payload: Buffer.from('firmware') }));
  for (const m of r.fleet.members) r.acs.queue(m.serial, downloadRequest(image, 'fw-7'));
  try {
    await r.fleet.start();
    await r.acs.waitFor(() => r.fleet.members.every((m) => r.acs.acknowledged('TransferComplete', m.serial).length === 1), 30_000);
    // The sessions after the one that sent the Download, by their events.
    const after = (i: number) => {
      const all = r.acs.sessions.filter((x) => x.serial === r.serial(i));
      const from = all.findIndex((x) => x.messages.some((m) => m.method === 'Download'));
      return all.slice(from + 1).map((x) => ({ events: x.events.map((e) => e.code), tc: x.messages.some((m) => m.method === 'TransferComplete') }));
    };
    const looped = after(0);
    const reportAt = looped.findIndex((x) => x.tc);
    assert.equal(reportAt, 2, `two BOOT sessions before the report: ${JSON.stringify(looped)}`);
    assert.ok(
      looped.slice(0, 3).every((x) => x.events.includes('1 BOOT')),
      JSON.stringify(looped),
    );
    assert.ok(looped[2]!.events.includes('7 TRANSFER COMPLETE') && looped[2]!.events.includes('M Download'));
    assert.ok(!looped[0]!.events.includes('7 TRANSFER COMPLETE'), 'no sign of the transfer before it is reported');
    assert.equal(textAt(r.acs.acknowledged('TransferComplete', r.serial(0))[0]!.body, 'FaultStruct', 'FaultCode'), '0', 'late, and a success');
    // The well-behaved device reports in its first boot after the install.
    assert.equal(
      after(1).findIndex((x) => x.tc),
      0,
    );
    assert.ok((r.misbehaviour.fired['loop'] ?? 0) >= 1);
  } finally {
    await r.fleet.stop();
    await r.acs.close();
  }
});

test('a power cut: the device comes back with 1 BOOT (not BOOTSTRAP) with what it had persisted; a moving value brings VALUE CHANGE', {
  timeout: 30_000,
}, async () => {
  const r = await rig(
    [
      { name: 'cut', devices: { serials: '0$' }, do: { powerCut: { everySeconds: 1.5 } } },
      {
        name: 'counter',
        devices: { serials: '1$' },
        do: { changingValue: { name: 'Device.DeviceInfo.ProvisioningCode', everySeconds: 0.3, kind: 'counter' } },
      },
    ],
    2,
  );
  r.acs.queue(r.serial(0), {
    method: 'SetParameterValues',
    parameterList: [{ name: 'Device.DeviceInfo.ProvisioningCode', value: 'kept', type: 'string' }],
    parameterKey: 'k',
  });
  try {
    await r.fleet.start();
    const stop = startFleetMisbehaviour(r.fleet, r.misbehaviour, systemClock);
    try {
      await r.acs.waitFor(() => r.misbehaviour.fired['cut']! >= 1 && r.acs.completedSessions(r.serial(0)).length >= 2, 15_000);
      const sessions = r.acs.completedSessions(r.serial(0));
      const after = sessions.at(-1)!.events.map((e) => e.code);
      assert.ok(after.includes('1 BOOT') && !after.includes('0 BOOTSTRAP'), after.join(', '));
      // Between a cut and its power-on there is no agent to ask: wait for one (cuts keep coming).
      await r.acs.waitFor(() => r.fleet.members[0]!.agent !== undefined, 5_000);
      assert.equal(r.fleet.members[0]!.agent!.model.read('Device.DeviceInfo.ProvisioningCode'), 'kept');
      await r.acs.waitFor(() => r.acs.completedSessions(r.serial(1)).some((s) => s.events.some((e) => e.code === '4 VALUE CHANGE')), 10_000);
      assert.ok(r.misbehaviour.fired['counter']! >= 1);
    } finally {
      stop();
    }
  } finally {
    await r.fleet.stop();
    await r.acs.close();
  }
});

test('clockDrift: the device says a time off by the drift in its Inform; the others say the right time', { timeout: 30_000 }, async () => {
  const r = await rig([{ name: 'drift', devices: { serials: '0$' }, do: { clockDrift: { seconds: -3600 } } }], 2);
  const informTime = (i: number) => {
    const inform = r.acs.sessions.find((x) => x.serial === r.serial(i))!.messages.find((m) => m.from === 'cpe' && m.method === 'Inform')!;
    return Date.parse(textAt(readCpeMessage(inform.body).body, 'CurrentTime') ?? '');
  };
  try {
    await r.fleet.start();
    await r.acs.waitFor(() => r.fleet.stats.bootstrapped.size === 2, 10_000);
    const now = Date.now();
    assert.ok(Math.abs(informTime(0) - (now - 3_600_000)) < 30_000, `drifted by an hour: ${new Date(informTime(0)).toISOString()}`);
    assert.ok(Math.abs(informTime(1) - now) < 30_000, 'the other device keeps time');
    assert.equal(r.misbehaviour.fired['drift'], 1);
  } finally {
    await r.fleet.stop();
    await r.acs.close();
  }
});

test('a time window: a rule fires only between afterSeconds and beforeSeconds of the run', () => {
  let t = 1_000_000;
  const m = new Misbehaviour(
    [misbehaviourRuleSchema.parse({ name: 'window', sessions: { afterSeconds: 10, beforeSeconds: 20 }, do: { rpcFault: { method: 'Reboot', code: 9001 } } })],
    'stb',
    Math.random,
    undefined,
    () => t,
  );
  const reboot = { method: 'Reboot', commandKey: '' } as const;
  const at = (s: number) => {
    t = 1_000_000 + s * 1000;
    return m.answer('S1', reboot, 1)?.fault?.code;
  };
  assert.deepEqual([at(0), at(9.9), at(10), at(19.9), at(20), at(60)], [undefined, undefined, 9001, 9001, undefined, undefined]);
  assert.equal(m.fired['window'], 2);
  assert.throws(
    () => misbehaviourRuleSchema.parse({ name: 'w', sessions: { afterSeconds: 20, beforeSeconds: 10 }, do: { connectionRequests: 'ignore' } }),
    /afterSeconds must come before/,
  );
});

test('a rule that is not one is refused, saying why', () => {
  assert.throws(() => misbehaviourRuleSchema.parse({ name: 'x', do: { explode: true } }));
  assert.throws(() => misbehaviourRuleSchema.parse({ name: 'x', devices: { serials: '([' }, do: { connectionRequests: 'ignore' } }), /regular expression/);
  assert.throws(() => misbehaviourRuleSchema.parse({ name: 'x', devices: { percent: 150 }, do: { connectionRequests: 'ignore' } }));
});

test('vendor quirk presets, seen by the ACS: 1/0 and True/False booleans, values without xsi:type, cwmp-1-0 only, no cookies, Basic only', {
  timeout: 30_000,
}, async () => {
  const r = await rig(
    [
      { name: 'numeric', devices: { serials: '0$' }, do: { preset: 'numeric-booleans' } },
      { name: 'capitalised', devices: { serials: '1$' }, do: { preset: 'capitalised-booleans' } },
      { name: 'untyped', devices: { serials: '2$' }, do: { preset: 'no-xsi-type' } },
      { name: 'old-cwmp', devices: { serials: '3$' }, do: { preset: 'cwmp-1-0-only' } },
      { name: 'cookieless', devices: { serials: '4$' }, do: { preset: 'no-cookies' } },
    ],
    5,
  );
  for (const m of r.fleet.members) r.acs.queue(m.serial, { method: 'GetParameterValues', parameterNames: ['Device.ManagementServer.PeriodicInformEnable'] });
  try {
    await r.fleet.start();
    await r.acs.waitFor(() => r.fleet.members.every((m) => r.acs.responses(m.serial).length === 1), 15_000);
    const raw = (i: number): string =>
      r.acs.sessions.find((s) => s.serial === r.serial(i))!.messages.find((m) => m.method === 'GetParameterValuesResponse')!.body;
    assert.match(raw(0), /<Value xsi:type="xsd:boolean">1<\/Value>/);
    assert.match(raw(1), /<Value xsi:type="xsd:boolean">True<\/Value>/);
    assert.match(raw(2), /<Value>true<\/Value>/);
    const inform3 = r.acs.sessions.find((s) => s.serial === r.serial(3))!.messages[0]!.body;
    assert.match(inform3, /xmlns:cwmp="urn:dslforum-org:cwmp-1-0"/);
    assert.doesNotMatch(inform3, /SupportedCWMPVersions/);
    const cookies = r.acs.sessions.find((s) => s.serial === r.serial(4))!.cookieReturned;
    assert.ok(cookies.length > 0 && cookies.every((c) => c === false), 'never sends the session cookie back');
    assert.deepEqual(
      r.acs.sessions.find((s) => s.serial === r.serial(1))!.cookieReturned.filter((c) => !c),
      [],
      'the others do',
    );
  } finally {
    await r.fleet.stop();
    await r.acs.close();
  }
  // Basic only: an ACS that demands Digest never lets it in; one that takes Basic does.
  for (const [scheme, ok] of [
    ['digest', false],
    ['basic', true],
  ] as const) {
    const acs = new TestAcs({ auth: { scheme, username: 'cpe', password: 'pw' } });
    const url = await acs.listen();
    const misbehaviour = new Misbehaviour([misbehaviourRuleSchema.parse({ name: 'basic', do: { preset: 'basic-auth-only' } })], 'stb');
    const fleet = testFleet(url, 1, { acsUsername: 'cpe', acsPassword: 'pw', bootWindowSeconds: 0, misbehaviour });
    try {
      await fleet.start();
      // Waited for: a session that got in, or the device's session failing at the Digest challenge.
      await acs.waitFor(() => (ok ? acs.completedSessions().length > 0 : (fleet.members[0]?.agent?.retryCount ?? 0) >= 1), 10_000);
      assert.equal(acs.completedSessions().length > 0, ok, `${scheme} ACS`);
    } finally {
      await fleet.stop();
      await acs.close();
    }
  }
});

test("the README's misbehaviour rules are all rules the fleet accepts", () => {
  const readme = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../README.md'), 'utf8');
  const start = readme.indexOf('fleet:\n  misbehaviour:');
  assert.ok(start > 0, 'the README shows the rules');
  const doc = parseYaml(readme.slice(start, readme.indexOf('```', start))) as { fleet: { misbehaviour: unknown[] } };
  assert.ok(doc.fleet.misbehaviour.length >= 20);
  for (const rule of doc.fleet.misbehaviour) {
    const parsed = misbehaviourRuleSchema.safeParse(rule);
    assert.ok(parsed.success, `${JSON.stringify(rule)}: ${parsed.success ? '' : parsed.error.message}`);
  }
});
