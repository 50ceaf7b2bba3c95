/** Multi-instance objects: AddObject, DeleteObject, names, counts, faults and persistence. */
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
const faultCode = (f: () => unknown): number | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof CwmpFault ? e.faultCode : -1;
  }
  return undefined;
};

test('AddObject numbers instances, never reuses a number, and counts them', () => {
  const m = new DataModel(schema, new MemoryModelStore());
  assert.equal(m.addObject('Device.XMPP.Connection.', PK, 'a'), 1);
  assert.equal(m.addObject('Device.XMPP.Connection.', PK, 'b'), 2);
  assert.equal(m.read(PK), 'b');
  assert.equal(m.read('Device.XMPP.ConnectionNumberOfEntries'), '2');
  m.deleteObject('Device.XMPP.Connection.1.', PK, 'c');
  assert.equal(m.addObject('Device.XMPP.Connection.', PK, 'd'), 3);
  assert.deepEqual(m.instanceIds('Device.XMPP.Connection.'), [2, 3]);
  assert.equal(m.read('Device.XMPP.Connection.3.ServerRetryInitialInterval'), '60', 'defaults in a new instance');
});

test('faults: unknown table 9005, missing instance 9005, too many instances 9004, not an instance 9005', () => {
  const m = new DataModel(schema, new MemoryModelStore());
  assert.equal(
    faultCode(() => m.addObject('Device.Nope.', PK, '')),
    9005,
  );
  assert.equal(
    faultCode(() => m.addObject('Device.XMPP.Connection.7.Server.', PK, '')),
    9005,
  );
  assert.equal(
    faultCode(() => m.deleteObject('Device.XMPP.Connection.1.', PK, '')),
    9005,
  );
  assert.equal(
    faultCode(() => m.deleteObject('Device.XMPP.Connection.', PK, '')),
    9005,
  );
  assert.equal(
    faultCode(() => m.getParameterValues(['Device.XMPP.Connection.1.Enable'])),
    9005,
  );
  for (let i = 0; i < 4; i++) m.addObject('Device.XMPP.Connection.', PK, '');
  assert.equal(
    faultCode(() => m.addObject('Device.XMPP.Connection.', PK, '')),
    9004,
  );
  assert.equal(
    faultCode(() => m.setParameterValues([{ name: 'Device.XMPP.ConnectionNumberOfEntries', value: '9' }], PK, '')),
    9003,
  );
});

test('GetParameterNames walks tables and instances; partial paths read instance values', () => {
  const m = new DataModel(schema, new MemoryModelStore());
  m.addObject('Device.XMPP.Connection.', PK, '');
  m.addObject('Device.XMPP.Connection.1.Server.', PK, '');
  const next = m.getParameterNames('Device.XMPP.', true).map((p) => `${p.name}:${p.writable}`);
  assert.deepEqual(next, ['Device.XMPP.ConnectionNumberOfEntries:false', 'Device.XMPP.SupportedServerConnectAlgorithms:false', 'Device.XMPP.Connection.:true']);
  const instances = m.getParameterNames('Device.XMPP.Connection.', true).map((p) => p.name);
  assert.deepEqual(instances, ['Device.XMPP.Connection.1.']);
  const all = m.getParameterNames('Device.XMPP.Connection.1.Server.', false).map((p) => p.name);
  assert.deepEqual(all, [
    'Device.XMPP.Connection.1.Server.',
    'Device.XMPP.Connection.1.Server.1.',
    'Device.XMPP.Connection.1.Server.1.Enable',
    'Device.XMPP.Connection.1.Server.1.Alias',
    'Device.XMPP.Connection.1.Server.1.Priority',
    'Device.XMPP.Connection.1.Server.1.Weight',
    'Device.XMPP.Connection.1.Server.1.ServerAddress',
    'Device.XMPP.Connection.1.Server.1.Port',
  ]);
  const values = m.getParameterValues(['Device.XMPP.Connection.1.Server.']).map((v) => v.name);
  assert.equal(values.length, 6);
  m.setParameterValues([{ name: 'Device.XMPP.Connection.1.Server.1.Port', value: '5223' }], PK, 'k');
  assert.equal(m.read('Device.XMPP.Connection.1.Server.1.Port'), '5223');
});

test('DeleteObject removes values, attributes and sub-instances; all of it persists', () => {
  const store = new MemoryModelStore();
  const m = new DataModel(schema, store);
  m.addObject('Device.XMPP.Connection.', PK, '');
  m.addObject('Device.XMPP.Connection.1.Server.', PK, '');
  m.setParameterValues([{ name: 'Device.XMPP.Connection.1.Server.1.ServerAddress', value: 'x.test' }], PK, '');
  m.setParameterAttributes([{ name: 'Device.XMPP.Connection.1.Enable', notificationChange: true, notification: 1, accessListChange: false, accessList: [] }]);
  const reloaded = new DataModel(schema, store);
  assert.equal(reloaded.read('Device.XMPP.Connection.1.Server.1.ServerAddress'), 'x.test');
  assert.equal(reloaded.getParameterAttributes(['Device.XMPP.Connection.1.Enable'])[0]!.notification, 1);
  reloaded.deleteObject('Device.XMPP.Connection.1.', PK, '');
  const again = new DataModel(schema, store);
  assert.equal(again.read('Device.XMPP.ConnectionNumberOfEntries'), '0');
  assert.equal(again.addObject('Device.XMPP.Connection.', PK, ''), 2);
  assert.equal(again.read('Device.XMPP.Connection.2.Enable'), 'false');
  assert.equal(again.getParameterAttributes(['Device.XMPP.Connection.2.Enable'])[0]!.notification, 0);
  assert.equal(again.instanceIds('Device.XMPP.Connection.2.Server.').length, 0);
});

test('a provider that owns a table creates and deletes its instances on the device', () => {
  const devices = new Map<number, string>([[7, 'sda']]);
  let next = 8;
  const provider = {
    objects: ['Device.XMPP.'],
    instances: (t: string) => (t === 'Device.XMPP.Connection.' ? [...devices.keys()] : undefined),
    get: (p: string) => {
      const m = /^Device\.XMPP\.Connection\.(\d+)\.Domain$/.exec(p);
      return m ? devices.get(Number(m[1])) : undefined;
    },
    add: (t: string) => {
      if (devices.size >= 2) throw new CwmpFault(9004, `${t} is full`);
      devices.set(next, `dev${next}`);
      return next++;
    },
    delete: (o: string) => void devices.delete(Number(/\.(\d+)\.$/.exec(o)![1])),
  };
  const m = new DataModel(schema, new MemoryModelStore(), [provider]);
  assert.deepEqual(m.instanceIds('Device.XMPP.Connection.'), [7]);
  assert.equal(m.addObject('Device.XMPP.Connection.', PK, 'p1'), 8);
  assert.equal(m.read('Device.XMPP.Connection.8.Domain'), 'dev8');
  assert.equal(m.read(PK), 'p1');
  assert.equal(
    faultCode(() => m.addObject('Device.XMPP.Connection.', PK, 'p2')),
    9004,
    'the device refuses',
  );
  m.deleteObject('Device.XMPP.Connection.7.', PK, 'p3');
  assert.deepEqual([...devices.keys()], [8]);
  assert.equal(m.read('Device.XMPP.ConnectionNumberOfEntries'), '1');
});
