/** Any Broadband Forum model can be a device's schema: TR-181 in full, TR-098, and TR-104/TR-140 services. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DataModel } from '../../src/datamodel/data-model.js';
import { Schema } from '../../src/datamodel/schema.js';
import { definitionsFromBbf, loadBbfModel } from '../../src/models/bbf-loader.js';
import { MemoryModelStore } from '../../src/storage/model-store.js';
import { BBF_DIR } from '../helpers/xsd.js';

const file = (name: string): string => path.join(BBF_DIR, name);
const skipUnless = (name: string): string | undefined => (fs.existsSync(file(name)) ? undefined : `Broadband Forum model not found at ${file(name)}`);

function modelFrom(name: string, mountAt?: string): { schema: Schema; dm: DataModel } {
  const { parameters, tables } = definitionsFromBbf(loadBbfModel(fs.readFileSync(file(name), 'utf8')), { mountAt });
  const schema = new Schema(parameters, tables);
  return { schema, dm: new DataModel(schema, new MemoryModelStore()) };
}

test('the full TR-181 2.17 as a schema: every parameter defined, RPCs work on it', { skip: skipUnless('tr-181-2-17-0-cwmp-full.xml') }, () => {
  const { schema, dm } = modelFrom('tr-181-2-17-0-cwmp-full.xml');
  assert.equal(schema.parameters.size, 6483);
  assert.equal(dm.read('Device.ManagementServer.InstanceMode'), 'InstanceNumber', 'defaults come from the file');
  const n = dm.addObject('Device.IP.Interface.', 'Device.ManagementServer.ParameterKey', 'k');
  assert.equal(dm.read('Device.IP.InterfaceNumberOfEntries'), '1');
  assert.equal(dm.read(`Device.IP.Interface.${n}.Alias`), `cpe-${n}`);
  dm.setParameterValues([{ name: `Device.IP.Interface.${n}.MaxMTUSize`, value: '1400' }], 'Device.ManagementServer.ParameterKey', 'k2');
  const bad = (() => {
    try {
      dm.setParameterValues([{ name: `Device.IP.Interface.${n}.MaxMTUSize`, value: '10' }], 'Device.ManagementServer.ParameterKey', 'k3');
    } catch (e) {
      return (e as { parameterFaults?: { faultCode: number }[] }).parameterFaults?.[0]?.faultCode;
    }
    return undefined;
  })();
  assert.equal(bad, 9007, 'ranges come from the file (MaxMTUSize 64..65535)');
  assert.ok(dm.getParameterValues(['Device.DeviceInfo.']).length > 20);
});

test('TR-098 InternetGatewayDevice:1 for legacy devices', { skip: skipUnless('tr-098-1-8-0-full.xml') }, () => {
  const { schema, dm } = modelFrom('tr-098-1-8-0-full.xml');
  assert.equal(schema.root, 'InternetGatewayDevice.');
  const top = dm.getParameterNames('InternetGatewayDevice.', true).map((p) => p.name);
  assert.ok(top.includes('InternetGatewayDevice.DeviceInfo.'));
  assert.ok(top.includes('InternetGatewayDevice.ManagementServer.'));
  assert.ok(
    dm.getParameterValues(['InternetGatewayDevice.ManagementServer.']).some((v) => v.name === 'InternetGatewayDevice.ManagementServer.PeriodicInformInterval'),
  );
});

for (const [name, service] of [
  ['tr-104-2-0-2-cwmp-full.xml', 'VoiceService'],
  ['tr-140-1-3-1-cwmp-full.xml', 'StorageService'],
] as const) {
  test(`${service} mounted under Device.Services.`, { skip: skipUnless(name) }, () => {
    const { schema, dm } = modelFrom(name, 'Device.Services.');
    assert.ok(schema.tables.has(`Device.Services.${service}.{i}.`));
    const table = schema.tables.get(`Device.Services.${service}.{i}.`)!;
    if (table.writable) {
      const n = dm.addObject(`Device.Services.${service}.`, 'x', '');
      assert.ok(dm.getParameterNames(`Device.Services.${service}.${n}.`, true).length > 3);
    } else {
      assert.equal(dm.getParameterNames(`Device.Services.${service}.`, true).length, 0, 'no instances until the device provides them');
    }
  });
}

test('extendBuiltIn: the full TR-181 beside the built-in model, built-in definitions winning', {
  skip: skipUnless('tr-181-2-17-0-cwmp-full.xml'),
}, async () => {
  const { extendBuiltIn, BUILT_IN_SCHEMA } = await import('../../src/models/built-in.js');
  const { parameters, tables } = definitionsFromBbf(loadBbfModel(fs.readFileSync(file('tr-181-2-17-0-cwmp-full.xml'), 'utf8')));
  const schema = extendBuiltIn(parameters, tables);
  assert.ok(schema.parameters.size > 6483, 'TR-181 plus the built-in TR-135 subset');
  assert.equal(schema.parameters.get('Device.DeviceInfo.UpTime'), BUILT_IN_SCHEMA.parameters.get('Device.DeviceInfo.UpTime'));
  assert.ok(schema.parameters.has('Device.WiFi.Radio.{i}.Channel'));
});

for (const [name, service] of [
  ['tr-104-2-0-2-cwmp-full.xml', 'VoiceService'],
  ['tr-140-1-3-1-cwmp-full.xml', 'StorageService'],
] as const) {
  test(`${service} mounted under Device.Services. keeps its own ${service}NumberOfEntries, counting its instances`, { skip: skipUnless(name) }, () => {
    const { dm } = modelFrom(name, 'Device.Services.');
    assert.equal(dm.read(`Device.Services.${service}NumberOfEntries`), '0');
    const values = dm.getParameterValues([`Device.Services.${service}NumberOfEntries`]);
    assert.deepEqual(
      values.map((v) => v.value),
      ['0'],
      'GetParameterValues answers it (it was 9005)',
    );
  });
}
