/** Device Type documents: what a device declares it supports, applied to a full Broadband Forum model. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DataModel } from '../../src/datamodel/data-model.js';
import { BUILT_IN_PARAMETERS, BUILT_IN_SCHEMA, BUILT_IN_TABLES, extendBuiltIn } from '../../src/models/built-in.js';
import { definitionsFromBbf, loadBbfModel } from '../../src/models/bbf-loader.js';
import { exportDeviceType } from '../../src/models/dt-export.js';
import { loadDeviceType, restrictToDeviceType } from '../../src/models/dt-loader.js';
import { LiveModelStore } from '../../src/storage/model-store.js';
import { BBF_DIR } from '../helpers/xsd.js';

const NS = 'urn:broadband-forum-org:cwmp:devicetype-1-15';
const KEY = 'Device.ManagementServer.ParameterKey';

test("the agent's own DT read back declares exactly what the agent has", () => {
  const dt = loadDeviceType(exportDeviceType(BUILT_IN_SCHEMA, { deviceType: 'urn:x', uuid: '0f0e7f4a-7d2a-4c55-9b1a-3d2f1e0c9b8a' }));
  const kept = restrictToDeviceType({ parameters: [...BUILT_IN_PARAMETERS], tables: [...BUILT_IN_TABLES] }, dt);
  assert.equal(kept.parameters.length, BUILT_IN_PARAMETERS.length);
  assert.deepEqual(
    kept.parameters.map((p) => p.writable),
    BUILT_IN_PARAMETERS.map((p) => p.writable),
  );
  assert.equal(kept.tables.length, BUILT_IN_TABLES.length);
  assert.throws(() => loadDeviceType('<document xmlns="urn:other"/>'), /not a Device Type document/);
  assert.throws(() => loadDeviceType('<!DOCTYPE x [<!ENTITY a "b">]><x/>'));
});

const tr181 = path.join(BBF_DIR, 'tr-181-2-17-0-cwmp-full.xml');
test('a DT over the full TR-181: only what it lists, with access narrowed and table sizes bounded', {
  skip: fs.existsSync(tr181) ? undefined : `Broadband Forum model not found at ${tr181}`,
}, () => {
  const dtXml = `<?xml version="1.0"?>
<dt:document xmlns:dt="${NS}" deviceType="urn:example-com:hgw-1-0" uuid="11111111-2222-3333-4444-555555555555">
  <model ref="Device:2.17">
    <object ref="Device.NAT." access="readOnly" minEntries="1" maxEntries="1">
      <parameter ref="InterfaceSettingNumberOfEntries" access="readOnly"/>
      <parameter ref="PortMappingNumberOfEntries" access="readOnly"/>
    </object>
    <object ref="Device.NAT.InterfaceSetting.{i}." access="readOnly" minEntries="0" maxEntries="2">
      <parameter ref="Enable" access="readOnly"/>
      <parameter ref="Interface" access="readWrite"/>
    </object>
    <object ref="Device.NAT.PortMapping.{i}." access="createDelete" minEntries="0" maxEntries="2">
      <parameter ref="Description" access="readWrite"/>
    </object>
  </model>
</dt:document>`;
  const full = definitionsFromBbf(loadBbfModel(fs.readFileSync(tr181, 'utf8')), { include: ['Device.NAT.'] });
  const supported = restrictToDeviceType(full, loadDeviceType(dtXml));
  assert.deepEqual(supported.parameters.map((p) => p.name).sort(), [
    'Device.NAT.InterfaceSetting.{i}.Enable',
    'Device.NAT.InterfaceSetting.{i}.Interface',
    'Device.NAT.InterfaceSettingNumberOfEntries',
    'Device.NAT.PortMapping.{i}.Description',
    'Device.NAT.PortMappingNumberOfEntries',
  ]);
  const m = new DataModel(extendBuiltIn(supported.parameters, supported.tables), new LiveModelStore());
  m.ensureInstance('Device.NAT.InterfaceSetting.', 1);
  assert.equal(m.getParameterNames('Device.NAT.InterfaceSetting.1.Enable', false)[0]!.writable, false, 'Enable narrowed to read-only');
  assert.throws(
    () => m.setParameterValues([{ name: 'Device.NAT.InterfaceSetting.1.Enable', value: 'true' }], KEY, 'k'),
    (e: Error & { parameterFaults?: { faultCode: number }[] }) => e.parameterFaults?.[0]?.faultCode === 9008,
  );
  assert.throws(() => m.getParameterValues(['Device.NAT.InterfaceSetting.1.Status']), /9005/);
  assert.equal(m.addObject('Device.NAT.PortMapping.', KEY, 'a'), 1);
  assert.equal(m.addObject('Device.NAT.PortMapping.', KEY, 'b'), 2);
  assert.throws(() => m.addObject('Device.NAT.PortMapping.', KEY, 'c'), /9004/, 'the DT allows two port mappings');
  assert.throws(() => m.addObject('Device.NAT.InterfaceSetting.', KEY, 'd'), /9001/, 'interface settings are fixed');
});
