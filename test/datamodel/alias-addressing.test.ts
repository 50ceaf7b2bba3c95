/** CWMP 1.4 alias-based addressing and instance wildcards (TR-069 3.6.1, Appendix II). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CwmpFault } from '../../src/cwmp/faults.js';
import { DataModel } from '../../src/datamodel/data-model.js';
import { Schema } from '../../src/datamodel/schema.js';
import { MemoryModelStore } from '../../src/storage/model-store.js';
import { DEVICE_CORE_PARAMETERS } from '../../src/models/device-core.js';
import { XMPP_PARAMETERS, XMPP_TABLES } from '../../src/models/xmpp.js';

const schema = new Schema([...DEVICE_CORE_PARAMETERS, ...XMPP_PARAMETERS], XMPP_TABLES);
const PK = 'Device.ManagementServer.ParameterKey';
const MODE = 'Device.ManagementServer.InstanceMode';
const AUTO = 'Device.ManagementServer.AutoCreateInstances';
const C = 'Device.XMPP.Connection.';

function model(): DataModel {
  return new DataModel(schema, new MemoryModelStore(), [], {}, { instanceModeParameter: MODE, autoCreateParameter: AUTO });
}

function fault(f: () => unknown): CwmpFault | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof CwmpFault) return e;
    throw e;
  }
  return undefined;
}

test('new instances get a cpe- alias; AddObject with [alias] names the instance', () => {
  const m = model();
  assert.equal(m.addObject(C, PK, ''), 1);
  assert.equal(m.read(`${C}1.Alias`), 'cpe-1');
  assert.equal(m.addObject(`${C}[acs-main].`, PK, ''), 2);
  assert.equal(m.read(`${C}2.Alias`), 'acs-main');
  assert.equal(fault(() => m.addObject(`${C}[acs-main].`, PK, ''))?.faultCode, 9007, 'aliases are unique in a table');
  assert.equal(fault(() => m.addObject(`${C}[9bad].`, PK, ''))?.faultCode, 9007, 'an alias starts with a letter');
});

test('paths address instances by [alias] in every RPC', () => {
  const m = model();
  m.addObject(`${C}[main].`, PK, '');
  m.addObject(`${C}[main].Server.`, PK, '');
  m.setParameterValues([{ name: `${C}[main].Server.[cpe-1].Port`, value: '5269' }], PK, 'k');
  assert.equal(m.read(`${C}1.Server.1.Port`), '5269');
  assert.deepEqual(
    m.getParameterValues([`${C}[main].Domain`]).map((v) => v.name),
    [`${C}1.Domain`],
  );
  assert.ok(m.getParameterNames(`${C}[main].`, true).some((p) => p.name === `${C}1.Enable`));
  assert.equal(fault(() => m.getParameterValues([`${C}[nope].Domain`]))?.faultCode, 9005);
  m.deleteObject(`${C}[main].`, PK, '');
  assert.equal(m.instanceIds(C).length, 0);
});

test('InstanceMode=InstanceAlias: responses name instances by alias', () => {
  const m = model();
  m.addObject(`${C}[main].`, PK, '');
  m.setParameterValues([{ name: MODE, value: 'InstanceAlias' }], PK, '');
  assert.deepEqual(
    m.getParameterValues([`${C}1.Enable`]).map((v) => v.name),
    [`${C}[main].Enable`],
  );
  assert.ok(m.getParameterNames(C, true).some((p) => p.name === `${C}[main].`));
  assert.deepEqual(
    m.getParameterAttributes([`${C}[main].Domain`]).map((a) => a.name),
    [`${C}[main].Domain`],
  );
});

test('AutoCreateInstances: a set naming a new [alias] creates it; any fault undoes the creation', () => {
  const m = model();
  assert.equal(fault(() => m.setParameterValues([{ name: `${C}[auto].Domain`, value: 'x.test' }], PK, ''))?.faultCode, 9003, 'off: unknown alias');
  m.setParameterValues([{ name: AUTO, value: 'true' }], PK, '');
  const bad = fault(() =>
    m.setParameterValues(
      [
        { name: `${C}[auto].Domain`, value: 'x.test' },
        { name: `${C}[auto].ServerRetryInitialInterval`, value: '0' },
      ],
      PK,
      'k1',
    ),
  );
  assert.equal(bad?.parameterFaults[0]?.faultCode, 9007);
  assert.deepEqual(m.instanceIds(C), [], 'the failed set created nothing');
  m.setParameterValues([{ name: `${C}[auto].Domain`, value: 'x.test' }], PK, 'k2');
  assert.equal(m.read(`${C}1.Alias`), 'auto');
  assert.equal(m.read(`${C}1.Domain`), 'x.test');
});

test('Alias is write-once over the CPE-assigned value, with the TR-181 syntax', () => {
  const m = model();
  m.addObject(C, PK, '');
  m.setParameterValues([{ name: `${C}1.Alias`, value: 'renamed' }], PK, '');
  assert.equal(fault(() => m.setParameterValues([{ name: `${C}1.Alias`, value: 'again' }], PK, ''))?.parameterFaults[0]?.faultCode, 9008);
  m.addObject(C, PK, '');
  assert.equal(fault(() => m.setParameterValues([{ name: `${C}2.Alias`, value: 'renamed' }], PK, ''))?.parameterFaults[0]?.faultCode, 9007, 'duplicate');
  assert.equal(fault(() => m.setParameterValues([{ name: `${C}2.Alias`, value: 'cpe-9' }], PK, ''))?.parameterFaults[0]?.faultCode, 9007, 'cpe- is reserved');
});

test('instance wildcards in GetParameterValues and GetParameterAttributes', () => {
  const m = model();
  for (let i = 0; i < 3; i++) m.addObject(C, PK, '');
  m.addObject(`${C}2.Server.`, PK, '');
  m.addObject(`${C}3.Server.`, PK, '');
  assert.deepEqual(
    m.getParameterValues([`${C}*.Enable`]).map((v) => v.name),
    [`${C}1.Enable`, `${C}2.Enable`, `${C}3.Enable`],
  );
  assert.deepEqual(
    m.getParameterValues([`${C}*.Server.*.Port`]).map((v) => v.name),
    [`${C}2.Server.1.Port`, `${C}3.Server.1.Port`],
  );
  assert.equal(m.getParameterAttributes([`${C}*.Server.`]).length, 2 * 6);
  assert.equal(fault(() => m.getParameterValues(['Device.DeviceInfo.*.Nope']))?.faultCode, 9005);
});
