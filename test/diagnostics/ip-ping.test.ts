/** IPPing diagnostics end to end: requested in a session, run after it with the system's ping, reported with 8 DIAGNOSTICS COMPLETE. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parameterValues } from '../../src/acs/acs-messages.js';
import { DiagnosticsRunner } from '../../src/diagnostics/diagnostics-runner.js';
import { parsePingOutput, pingArguments } from '../../src/diagnostics/ip-ping.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';
import { commandMissing } from '../helpers/servers.js';

const P = 'Device.IP.Diagnostics.IPPing.';

test('ping output parsing and arguments', () => {
  const out =
    'PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.045 ms\n64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=1.20 ms\n\n--- 127.0.0.1 ping statistics ---\n3 packets transmitted, 2 received, 33% packet loss, time 402ms\n';
  assert.deepEqual(parsePingOutput(out), { address: '127.0.0.1', rttsUs: [45, 1200], transmitted: 3 });
  assert.deepEqual(pingArguments({ host: 'h', protocolVersion: 'IPv6', repetitions: 2, timeoutMs: 1500, dataBlockSize: 100, dscp: 46 }), [
    '-n',
    '-c',
    '2',
    '-W',
    '2',
    '-s',
    '100',
    '-i',
    '0.2',
    '-Q',
    '184',
    '-6',
    '--',
    'h',
  ]);
});

const skip = commandMissing('ping');

test('IPPing to 127.0.0.1: Complete with results, then an unknown host: Error_CannotResolveHostName', { skip, timeout: 30_000 }, async () => {
  const h = await startHarness();
  new DiagnosticsRunner(h.agent.device);
  try {
    h.acs.queue(h.serial, {
      method: 'SetParameterValues',
      parameterList: [
        { name: `${P}Host`, value: '127.0.0.1' },
        { name: `${P}NumberOfRepetitions`, value: '3' },
        { name: `${P}DiagnosticsState`, value: 'Requested' },
      ],
      parameterKey: 'ping1',
    });
    h.acs.queue(h.serial, { method: 'SetParameterValues', parameterList: [{ name: `${P}DiagnosticsState`, value: 'Complete' }], parameterKey: 'bad' });
    h.agent.start();
    await sessionsCompleted(h, 2, 20_000);
    assert.equal(h.acs.responses(h.serial)[1]!.method, 'Fault', 'the ACS may only request or cancel');
    assert.deepEqual(
      h.acs.completedSessions(h.serial)[1]!.events.map((e) => e.code),
      ['8 DIAGNOSTICS COMPLETE'],
    );
    h.acs.queue(h.serial, { method: 'GetParameterValues', parameterNames: [P] });
    h.agent.trigger('6 CONNECTION REQUEST');
    await sessionsCompleted(h, 3);
    const v = parameterValues(h.acs.responses(h.serial).at(-1)!);
    assert.equal(v[`${P}DiagnosticsState`]!.value, 'Complete');
    assert.equal(v[`${P}SuccessCount`]!.value, '3');
    assert.equal(v[`${P}FailureCount`]!.value, '0');
    assert.equal(v[`${P}IPAddressUsed`]!.value, '127.0.0.1');
    const [min, avg, max] = ['Minimum', 'Average', 'Maximum'].map((k) => Number(v[`${P}${k}ResponseTimeDetailed`]!.value));
    assert.ok(min! > 0 && min! <= avg! && avg! <= max! && max! < 1_000_000, `${min} ${avg} ${max}`);

    h.acs.queue(h.serial, {
      method: 'SetParameterValues',
      parameterList: [
        { name: `${P}Host`, value: 'no-such-host.invalid' },
        { name: `${P}DiagnosticsState`, value: 'Requested' },
      ],
      parameterKey: 'ping2',
    });
    h.agent.trigger('6 CONNECTION REQUEST');
    await sessionsCompleted(h, 5, 20_000);
    assert.equal(h.agent.model.read(`${P}DiagnosticsState`), 'Error_CannotResolveHostName');
    assert.equal(h.agent.model.read(`${P}SuccessCount`), '0');
  } finally {
    await h.close();
  }
});

test('changing an input while the test runs cancels it: None, and no DIAGNOSTICS COMPLETE', { skip, timeout: 30_000 }, async () => {
  const h = await startHarness();
  new DiagnosticsRunner(h.agent.device);
  try {
    h.acs.queue(h.serial, {
      method: 'SetParameterValues',
      parameterList: [
        { name: `${P}Host`, value: '127.0.0.1' },
        { name: `${P}NumberOfRepetitions`, value: '25' },
        { name: `${P}DiagnosticsState`, value: 'Requested' },
      ],
      parameterKey: 'long',
    });
    h.agent.start();
    await sessionsCompleted(h, 1);
    await new Promise((r) => setTimeout(r, 500));
    h.acs.queue(h.serial, { method: 'SetParameterValues', parameterList: [{ name: `${P}DataBlockSize`, value: '100' }], parameterKey: 'change' });
    h.agent.trigger('6 CONNECTION REQUEST');
    await sessionsCompleted(h, 2);
    assert.equal(h.agent.model.read(`${P}DiagnosticsState`), 'None');
    await new Promise((r) => setTimeout(r, 5500));
    assert.equal(h.acs.completedSessions(h.serial).length, 2, 'no 8 DIAGNOSTICS COMPLETE for a canceled test');
  } finally {
    await h.close();
  }
});

test('ServerSelectionDiagnostics picks the host that answers, with microsecond times', { skip, timeout: 30_000 }, async () => {
  const S = 'Device.IP.Diagnostics.ServerSelectionDiagnostics.';
  const h = await startHarness();
  new DiagnosticsRunner(h.agent.device);
  try {
    h.acs.queue(h.serial, {
      method: 'SetParameterValues',
      parameterList: [
        { name: `${S}HostList`, value: 'no-such-host.invalid,127.0.0.1' },
        { name: `${S}NumberOfRepetitions`, value: '2' },
        { name: `${S}DiagnosticsState`, value: 'Requested' },
      ],
      parameterKey: 'ss',
    });
    h.agent.start();
    await sessionsCompleted(h, 2, 20_000);
    const m = h.agent.model;
    assert.equal(m.read(`${S}DiagnosticsState`), 'Complete');
    assert.equal(m.read(`${S}FastestHost`), '127.0.0.1');
    assert.equal(m.read(`${S}IPAddressUsed`), '127.0.0.1');
    const [min, avg, max] = ['Minimum', 'Average', 'Maximum'].map((k) => Number(m.read(`${S}${k}ResponseTime`)));
    assert.ok(min! > 0 && min! <= avg! && avg! <= max!);
  } finally {
    await h.close();
  }
});
