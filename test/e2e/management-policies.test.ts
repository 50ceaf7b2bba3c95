/** ACS policies in ManagementServer: InformParameter (more values in chosen Informs) and HTTPConnectionRequestEnable. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parameterValues, readCpeMessage } from '../../src/acs/acs-messages.js';
import { startHttpConnectionRequests } from '../../src/connection-requests.js';
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
