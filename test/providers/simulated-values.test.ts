/** Every value the simulated device reports fits its definition (type, range, size, enumeration). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataModel } from '../../src/datamodel/data-model.js';
import { checkValue } from '../../src/datamodel/value-types.js';
import { BUILT_IN_SCHEMA } from '../../src/models/built-in.js';
import { LiveModelStore } from '../../src/storage/model-store.js';
import { SimulatedDevice } from '../../src/providers/simulated-device.js';
import { LinuxHostDevice } from '../../src/providers/linux-host.js';
import { IGD_SCHEMA } from '../../src/models/igd.js';
import { reRootProviders } from '../../src/datamodel/re-root.js';

test('the whole simulated tree: every value valid for its type, and the TR-135 components present', () => {
  let now = Date.UTC(2026, 5, 1);
  const device = new SimulatedDevice('values', () => now);
  const m = new DataModel(BUILT_IN_SCHEMA, new LiveModelStore(), device.providers);
  for (const at of [0, 3_600_000, 86_400_000]) {
    now += at;
    const values = m.getParameterValues(['Device.']);
    assert.ok(values.length > 400, `${values.length} parameters`);
    const bad = values
      .map((v) => ({ v, def: m.definitionOf(v.name)! }))
      .filter(({ def }) => !def.hidden && !def.countOf)
      .map(({ v, def }) => ({ name: v.name, value: v.value, check: checkValue(v.value, def) }))
      .filter((x) => !x.check.ok);
    assert.deepEqual(bad, []);
  }
  assert.equal(m.read('Device.Services.STBService.1.Components.AudioOutputNumberOfEntries'), '2');
  assert.equal(m.read('Device.Services.STBService.1.Components.VideoOutput.1.HDCP'), 'true');
  assert.equal(m.read('Device.Services.STBService.1.Components.FrontEndNumberOfEntries'), '1');
});

/** Values that do not fit their definitions, over the whole tree of a root. */
function invalidValues(m: DataModel, root: string): { name: string; value: string }[] {
  return m
    .getParameterValues([root])
    .map((v) => ({ name: v.name, value: v.value, def: m.definitionOf(v.name)! }))
    .filter(({ def }) => !def.hidden && !def.countOf)
    .map(({ name, value, def }) => ({ name, value, check: checkValue(value, def) }))
    .filter((x) => !x.check.ok);
}

test('the simulated and the Linux host gateway under the TR-098 root: every value valid, WAN and LAN present', () => {
  for (const device of [new SimulatedDevice('values', () => Date.UTC(2026, 5, 1)), new LinuxHostDevice()]) {
    const m = new DataModel(IGD_SCHEMA, new LiveModelStore(), reRootProviders(device.providers, IGD_SCHEMA.root));
    assert.deepEqual(invalidValues(m, 'InternetGatewayDevice.'), []);
    assert.equal(m.read('InternetGatewayDevice.LANDeviceNumberOfEntries'), '1');
    assert.notEqual(m.read('InternetGatewayDevice.DeviceInfo.MemoryStatus.Total'), '0', 'DeviceInfo providers serve the TR-098 root');
  }
});

test('the Linux host, read live: every value valid for its type', () => {
  const device = new LinuxHostDevice();
  assert.deepEqual(invalidValues(new DataModel(BUILT_IN_SCHEMA, new LiveModelStore(), device.providers), 'Device.'), []);
});
