/** SetParameterValues Status: 0 when every change is in effect, 1 when the device needs a reboot for one. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { textAt } from '../../src/acs/acs-messages.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';

test('a value the device applies only at boot gives Status 1; the value is stored and read back', async () => {
  const h = await startHarness();
  try {
    const VF = 'Device.Services.STBService.1.Components.VideoOutput.1.VideoFormat';
    h.acs.queue(
      h.serial,
      { method: 'SetParameterValues', parameterList: [{ name: 'Device.Time.LocalTimeZone', value: 'CET-1CEST' }], parameterKey: 'a' },
      {
        method: 'SetParameterValues',
        parameterList: [
          { name: 'Device.Time.LocalTimeZone', value: 'UTC0' },
          { name: VF, value: 'HDMI' },
        ],
        parameterKey: 'b',
      },
    );
    h.agent.start();
    await sessionsCompleted(h, 1);
    const [first, second] = h.acs.responses(h.serial);
    assert.equal(textAt(first!.body, 'Status'), '0');
    assert.equal(textAt(second!.body, 'Status'), '1');
    assert.equal(h.agent.model.read(VF), 'HDMI');
    assert.equal(h.agent.model.read('Device.ManagementServer.ParameterKey'), 'b');
  } finally {
    await h.close();
  }
});
