/** ACS policies in ManagementServer: InformParameter (more values in chosen Informs) and HTTPConnectionRequestEnable. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parameterValues, readCpeMessage } from '../../src/acs/acs-messages.js';
import { startHttpConnectionRequests } from '../../src/connreq/connection-request-wiring.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';

const MS = 'Device.ManagementServer.';

test('InformParameter: enabled entries add their parameters (partial paths too) to Informs with the listed events only', async () => {
  const h = await startHarness();
  try {
    h.acs.queue(
      h.serial,
      { method: 'AddObject', objectName: `${MS}InformParameter.`, parameterKey: 'a' },
      { method: 'AddObject', objectName: `${MS}InformParameter.`, parameterKey: 'b' },
      {
        method: 'SetParameterValues',
        parameterList: [
          { name: `${MS}InformParameter.1.Enable`, value: 'true' },
          { name: `${MS}InformParameter.1.ParameterName`, value: 'Device.DeviceInfo.MemoryStatus.' },
          { name: `${MS}InformParameter.2.Enable`, value: 'true' },
          { name: `${MS}InformParameter.2.ParameterName`, value: 'Device.DeviceInfo.UpTime' },
          { name: `${MS}InformParameter.2.EventList`, value: '2 PERIODIC' },
        ],
        parameterKey: 'c',
      },
    );
    h.agent.start();
    await sessionsCompleted(h, 1);
    h.agent.trigger('6 CONNECTION REQUEST');
    await sessionsCompleted(h, 2);
    const cr = parameterValues(readCpeMessage(h.acs.completedSessions(h.serial)[1]!.messages[0]!.body));
    assert.ok('Device.DeviceInfo.MemoryStatus.Total' in cr && 'Device.DeviceInfo.MemoryStatus.Free' in cr, 'the partial path expanded');
    assert.ok(!('Device.DeviceInfo.UpTime' in cr), 'UpTime only with 2 PERIODIC');
    h.agent.trigger('2 PERIODIC');
    await sessionsCompleted(h, 3);
    const periodic = parameterValues(readCpeMessage(h.acs.completedSessions(h.serial)[2]!.messages[0]!.body));
    assert.ok('Device.DeviceInfo.UpTime' in periodic);
    assert.equal(h.agent.model.read(`${MS}InformParameterNumberOfEntries`), '2');
  } finally {
    await h.close();
  }
});

test('HTTPConnectionRequestEnable false: the connection request URL answers as if it did not exist', async () => {
  const h = await startHarness();
  const server = await startHttpConnectionRequests(h.agent, { port: 0, address: '127.0.0.1', advertisedHost: '127.0.0.1' });
  try {
    h.acs.queue(h.serial, {
      method: 'SetParameterValues',
      parameterList: [
        { name: `${MS}ConnectionRequestUsername`, value: 'acs' },
        { name: `${MS}ConnectionRequestPassword`, value: 'pw' },
      ],
      parameterKey: 'cr',
    });
    h.agent.start();
    await sessionsCompleted(h, 1);
    const url = h.agent.model.read(`${MS}ConnectionRequestURL`);
    assert.equal(await h.acs.connectionRequest(url, 'acs', 'pw'), 200);
    h.agent.model.setParameterValues([{ name: `${MS}HTTPConnectionRequestEnable`, value: 'false' }], `${MS}ParameterKey`, 'off');
    assert.equal(await h.acs.connectionRequest(url, 'acs', 'pw'), 404);
    assert.equal(h.agent.model.read(`${MS}InstanceWildcardsSupported`), 'true');
  } finally {
    await server.close();
    await h.close();
  }
});

test('HeartbeatPolicy: an Inform with 14 HEARTBEAT alone every ReportingInterval, phased by InitiationTime', async () => {
  const { ManualClock } = await import('../../src/runtime/clock.js');
  const h = await startHarness({ manualClock: true });
  const clock = h.clock as InstanceType<typeof ManualClock>;
  try {
    // Phase: whole minutes (InitiationTime at a minute boundary), every 30 s.
    h.acs.queue(h.serial, {
      method: 'SetParameterValues',
      parameterList: [
        { name: `${MS}HeartbeatPolicy.ReportingInterval`, value: '30' },
        { name: `${MS}HeartbeatPolicy.InitiationTime`, value: '2026-01-01T00:00:00Z' },
        { name: `${MS}HeartbeatPolicy.Enable`, value: 'true' },
      ],
      parameterKey: 'hb',
    });
    h.agent.start();
    await sessionsCompleted(h, 1);
    await new Promise((r) => setTimeout(r, 50));
    const next = clock.nextTimerIn()!;
    assert.ok(next > 0 && next <= 30_000);
    clock.advance(30_000);
    await sessionsCompleted(h, 2);
    const beat = h.acs.completedSessions(h.serial)[1]!;
    assert.deepEqual(
      beat.events.map((e) => e.code),
      ['14 HEARTBEAT'],
    );
    const at = Date.parse(readCpeMessage(beat.messages[0]!.body).body!.children.find((c) => c.local === 'CurrentTime')!.text);
    assert.equal(Math.round(at / 1000) % 30, 0, 'on the InitiationTime phase');
    // Another event pending at the next beat: its own session goes, the heartbeat is not mixed in.
    h.agent.trigger('6 CONNECTION REQUEST');
    await sessionsCompleted(h, 3);
    assert.deepEqual(
      h.acs.completedSessions(h.serial)[2]!.events.map((e) => e.code),
      ['6 CONNECTION REQUEST'],
    );
    h.agent.model.setParameterValues([{ name: `${MS}HeartbeatPolicy.Enable`, value: 'false' }], `${MS}ParameterKey`, 'off');
    clock.advance(120_000);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(
      h.acs.completedSessions(h.serial).filter((s) => s.events.some((e) => e.code === '14 HEARTBEAT')).length,
      1,
      'no more heartbeats once disabled',
    );
  } finally {
    await h.close();
  }
});

test('HTTPCompression: GZIP or Deflate bodies to the ACS, compressed answers accepted; Disabled by default', async () => {
  const h = await startHarness({ acs: { compressResponses: true } });
  try {
    h.acs.queue(h.serial, { method: 'SetParameterValues', parameterList: [{ name: `${MS}HTTPCompression`, value: 'GZIP' }], parameterKey: 'gz' });
    h.agent.start();
    await sessionsCompleted(h, 1);
    assert.equal(h.acs.compressedRequests, 0, 'nothing compressed until the ACS asks');
    h.acs.queue(h.serial, { method: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.'] });
    h.agent.trigger('6 CONNECTION REQUEST');
    await sessionsCompleted(h, 2);
    assert.ok(h.acs.compressedRequests >= 2, `the Inform and the GetParameterValuesResponse went compressed (${h.acs.compressedRequests})`);
    const gpv = h.acs.responses(h.serial).find((m) => m.method === 'GetParameterValuesResponse')!;
    assert.ok(Object.keys(parameterValues(gpv)).length > 10);
    h.agent.model.setParameterValues([{ name: `${MS}HTTPCompression`, value: 'Deflate' }], `${MS}ParameterKey`, 'df');
    const before = h.acs.compressedRequests;
    h.agent.trigger('6 CONNECTION REQUEST');
    await sessionsCompleted(h, 3);
    assert.ok(h.acs.compressedRequests > before);
    assert.throws(() => h.agent.model.setParameterValues([{ name: `${MS}HTTPCompression`, value: 'Brotli' }], `${MS}ParameterKey`, 'x'), /9003/);
    assert.equal(h.agent.model.read(`${MS}ManageableDeviceNumberOfEntries`), '0');
  } finally {
    await h.close();
  }
});
