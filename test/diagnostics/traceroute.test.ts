/** TraceRoute diagnostics end to end with the system's traceroute, results in RouteHops.{i}. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticsRunner } from '../../src/diagnostics/diagnostics-runner.js';
import { parseTraceRouteOutput } from '../../src/diagnostics/traceroute.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';
import { commandMissing } from '../helpers/servers.js';

const T = 'Device.IP.Diagnostics.TraceRoute.';

test('traceroute output parsing: answered hops, silent hops, ICMP annotations', () => {
  const out = [
    'traceroute to 198.51.100.7 (198.51.100.7), 30 hops max, 60 byte packets',
    ' 1  192.0.2.1  0.512 ms  0.401 ms  0.390 ms',
    ' 2  * * *',
    ' 3  198.51.100.7  9.871 ms !H  10.2 ms !H  9.9 ms !H',
  ].join('\n');
  assert.deepEqual(parseTraceRouteOutput(out), {
    target: '198.51.100.7',
    hops: [
      { hostAddress: '192.0.2.1', errorCode: 0, rttMs: [1, 0, 0] },
      { hostAddress: '', errorCode: 0, rttMs: [] },
      { hostAddress: '198.51.100.7', errorCode: 1, rttMs: [10, 10, 10] },
    ],
  });
});

const skip = commandMissing('traceroute');

test('TraceRoute to 127.0.0.1: one hop, Complete, table refilled on each run; unknown host errors', { skip, timeout: 40_000 }, async () => {
  const h = await startHarness();
  new DiagnosticsRunner(h.agent.device);
  const request = (host: string, key: string): void =>
    h.acs.queue(h.serial, {
      method: 'SetParameterValues',
      parameterList: [
        { name: `${T}Host`, value: host },
        { name: `${T}NumberOfTries`, value: '2' },
        { name: `${T}Timeout`, value: '1000' },
        { name: `${T}MaxHopCount`, value: '5' },
        { name: `${T}DiagnosticsState`, value: 'Requested' },
      ],
      parameterKey: key,
    });
  try {
    request('127.0.0.1', 't1');
    h.agent.start();
    await sessionsCompleted(h, 2, 20_000);
    assert.deepEqual(
      h.acs.completedSessions(h.serial)[1]!.events.map((e) => e.code),
      ['8 DIAGNOSTICS COMPLETE'],
    );
    const m = h.agent.model;
    assert.equal(m.read(`${T}DiagnosticsState`), 'Complete');
    assert.equal(m.read(`${T}RouteHopsNumberOfEntries`), '1');
    const [hop] = m.instanceIds(`${T}RouteHops.`);
    assert.equal(m.read(`${T}RouteHops.${hop}.HostAddress`), '127.0.0.1');
    assert.match(m.read(`${T}RouteHops.${hop}.RTTimes`), /^\d+,\d+$/);

    request('127.0.0.1', 't2');
    h.agent.trigger('6 CONNECTION REQUEST');
    await sessionsCompleted(h, 4, 20_000);
    assert.equal(m.read(`${T}RouteHopsNumberOfEntries`), '1', 'the previous hops are replaced, not appended');

    request('no-such-host.invalid', 't3');
    h.agent.trigger('6 CONNECTION REQUEST');
    await sessionsCompleted(h, 6, 20_000);
    assert.equal(m.read(`${T}DiagnosticsState`), 'Error_CannotResolveHostName');
    assert.equal(m.read(`${T}RouteHopsNumberOfEntries`), '0');
  } finally {
    await h.close();
  }
});
