/** The README's provider example, end to end: the ACS reads and writes a value that lives in a file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { timezoneFileProvider } from '../../examples/timezone-provider.js';
import { parameterValues } from '../../src/acs/acs-messages.js';
import { sessionsCompleted, startHarness, tempDir } from '../helpers/agent-harness.js';

test('a file-backed provider: GPV reads the file, SPV writes it, a bad value is refused atomically', async () => {
  const dir = tempDir('tz-');
  const file = path.join(dir, 'TZ');
  fs.writeFileSync(file, 'UTC0\n');
  const h = await startHarness();
  h.agent.model.addProvider(timezoneFileProvider(file));
  try {
    h.acs.queue(
      h.serial,
      { method: 'GetParameterValues', parameterNames: ['Device.Time.LocalTimeZone'] },
      { method: 'SetParameterValues', parameterList: [{ name: 'Device.Time.LocalTimeZone', value: 'CET-1CEST,M3.5.0,M10.5.0/3' }], parameterKey: 'tz1' },
      {
        method: 'SetParameterValues',
        parameterList: [
          { name: 'Device.Time.NTPServer1', value: 'ntp.example.net' },
          { name: 'Device.Time.LocalTimeZone', value: 'not a timezone!' },
        ],
        parameterKey: 'tz2',
      },
      { method: 'GetParameterValues', parameterNames: ['Device.Time.'] },
    );
    h.agent.start();
    await sessionsCompleted(h, 1);
    const [get1, set1, set2, get2] = h.acs.responses(h.serial);
    assert.equal(parameterValues(get1!)['Device.Time.LocalTimeZone']!.value, 'UTC0');
    assert.equal(set1!.method, 'SetParameterValuesResponse');
    assert.equal(fs.readFileSync(file, 'utf8'), 'CET-1CEST,M3.5.0,M10.5.0/3\n');
    assert.equal(set2!.method, 'Fault');
    assert.match(set2!.body!.children[2]!.children[0]!.children.find((c) => c.local === 'SetParameterValuesFault')!.children[2]!.text, /POSIX TZ/);
    const after = parameterValues(get2!);
    assert.equal(after['Device.Time.NTPServer1']!.value, 'pool.ntp.org', 'nothing of the refused set was applied');
    assert.equal(after['Device.Time.LocalTimeZone']!.value, 'CET-1CEST,M3.5.0,M10.5.0/3');
    assert.ok(after['Device.Time.CurrentLocalTime'], 'the status provider still answers for the rest of Device.Time.');
    // A change made on the device side is what the ACS reads next.
    fs.writeFileSync(file, 'JST-9\n');
    assert.equal(h.agent.model.read('Device.Time.LocalTimeZone'), 'JST-9');
  } finally {
    await h.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
