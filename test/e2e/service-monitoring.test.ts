/**
 * TR-135 ServiceMonitoring sample sets on the simulated STB, driven by an injected clock: the
 * ACS enables sampling, reads the last ReportSamples samples and the totals, is told through
 * SampleState's active notification every FetchSamples intervals, and can force a partial sample.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parameterValues, readCpeMessage } from '../../src/acs/acs-messages.js';
import type { ManualClock } from '../../src/runtime/clock.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';

const SM = 'Device.Services.STBService.1.ServiceMonitoring.';
const MS1 = `${SM}MainStream.1.`;
const list = (v: string): number[] => (v === '' ? [] : v.split(',').map(Number));

test('sample sets: interval, ReportSamples, totals, FetchSamples trigger, ForceSample, Total.Reset', async () => {
  const h = await startHarness({ manualClock: true });
  const clock = h.clock as ManualClock;
  const read = (p: string): string => h.agent.model.read(p);
  try {
    h.acs.queue(
      h.serial,
      {
        method: 'SetParameterValues',
        parameterList: [
          { name: `${SM}SampleInterval`, value: '60' },
          { name: `${SM}ReportSamples`, value: '3' },
          { name: `${SM}FetchSamples`, value: '2' },
          { name: `${MS1}Enable`, value: 'true' },
          { name: `${MS1}ServiceType`, value: 'IPTV' },
          { name: `${SM}SampleEnable`, value: 'true' },
        ],
        parameterKey: 'sm',
      },
      {
        method: 'SetParameterAttributes',
        parameterList: [{ name: `${SM}SampleState`, notificationChange: true, notification: 2, accessListChange: false, accessList: [] }],
      },
    );
    h.agent.start();
    await sessionsCompleted(h, 1);
    assert.equal(read(`${SM}SampleState`), 'Enabled');
    assert.equal(read(`${SM}MainStreamNumberOfEntries`), '2');
    assert.equal(read(`${MS1}Sample.SampleSeconds`), '', 'no complete sample yet');

    clock.advance(60_000);
    assert.deepEqual(list(read(`${MS1}Sample.SampleSeconds`)), [60]);
    const expected = list(read(`${MS1}Sample.RTPStats.PacketsExpected`));
    const received = list(read(`${MS1}Sample.RTPStats.PacketsReceived`));
    const lost = list(read(`${MS1}Sample.RTPStats.PacketsLost`));
    assert.ok(expected[0]! > 60 * 300 && expected[0]! === received[0]! + lost[0]!, 'received + lost = expected');
    assert.equal(read(`${SM}MainStream.2.Sample.SampleSeconds`), '', 'a main stream not enabled collects nothing');

    // FetchSamples = 2: after the second interval SampleState passes through Trigger, an active change.
    clock.advance(60_000);
    await sessionsCompleted(h, 2);
    const triggered = h.acs.completedSessions(h.serial)[1]!;
    assert.deepEqual(
      triggered.events.map((e) => e.code),
      ['4 VALUE CHANGE'],
    );
    assert.ok(`${SM}SampleState` in parameterValues(readCpeMessage(triggered.messages[0]!.body)));

    clock.advance(5 * 60_000);
    const seconds = list(read(`${MS1}Sample.SampleSeconds`));
    assert.deepEqual(seconds, [60, 60, 60], 'only the last ReportSamples samples');
    const totalExpected = Number(read(`${MS1}Total.RTPStats.PacketsExpected`));
    assert.ok(totalExpected > list(read(`${MS1}Sample.RTPStats.PacketsExpected`)).reduce((a, b) => a + b, 0), 'totals cover all 7 samples');
    assert.equal(read(`${MS1}Total.TotalSeconds`), String(7 * 60));
    assert.equal(Date.parse(read(`${SM}ReportEndTime`)) - Date.parse(read(`${SM}ReportStartTime`)), 3 * 60_000);

    clock.advance(20_000);
    h.agent.model.setParameterValues([{ name: `${SM}ForceSample`, value: 'true' }], 'Device.ManagementServer.ParameterKey', 'force');
    assert.deepEqual(list(read(`${MS1}Sample.SampleSeconds`)), [60, 60, 60, 20], 'a partial sample of the interval in progress');

    h.agent.model.setParameterValues([{ name: `${MS1}Total.Reset`, value: 'true' }], 'Device.ManagementServer.ParameterKey', 'reset');
    assert.equal(read(`${MS1}Total.TotalSeconds`), '0');
    clock.advance(40_000);
    assert.equal(read(`${MS1}Total.TotalSeconds`), '60');

    h.agent.model.setParameterValues([{ name: `${SM}SampleEnable`, value: 'false' }], 'Device.ManagementServer.ParameterKey', 'off');
    assert.equal(read(`${SM}SampleState`), 'Disabled');
    assert.equal(read(`${MS1}Sample.SampleSeconds`), '');
  } finally {
    await h.close();
  }
});
