/**
 * The USP data messages over an in-process data model: Get's grouping and max_depth, Set's
 * required and allow_partial rules, Add's rollback when a required setting fails, Delete of what
 * is not there, GetInstances, and the error codes each gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataModel } from '../../src/datamodel/data-model.js';
import { builtInUspSchema } from '../../src/models/local-agent.js';
import { identityValues } from '../../src/providers/device.js';
import { simulatedIdentity } from '../../src/providers/simulated-device.js';
import { MemoryModelStore } from '../../src/storage/model-store.js';
import { add, get, getInstances, remove, set, type DataMessageContext } from '../../src/usp-endpoint/usp-data-messages.js';
import { UspError } from '../../src/usp/usp-errors.js';

// biome-ignore lint/suspicious/noExplicitAny: results are read field by field
type Obj = Record<string, any>;
const KEY = 'Device.ManagementServer.ParameterKey';

function context(): DataMessageContext {
  const schema = builtInUspSchema();
  return { model: new DataModel(schema, new MemoryModelStore(), [], identityValues(simulatedIdentity('usp'), schema.root)), parameterKeyName: KEY };
}

test('Get: a parameter under its object, an object per instance to max_depth, 7026 and 7008 in their own results', () => {
  const ctx = context();
  ctx.model.addInstance('Device.LocalAgent.Controller.');
  const r = get(ctx, {
    param_paths: [
      'Device.DeviceInfo.SerialNumber',
      'Device.LocalAgent.',
      'Device.LocalAgent.Controller.*.Enable',
      'Device.Nope.',
      'Device.LocalAgent.Controller.[Enable=true].',
    ],
    max_depth: 2,
  }) as Obj;
  const [serial, agent, enables, nope, search] = r['req_path_results'];
  assert.deepEqual(serial['resolved_path_results'], [
    { resolved_path: 'Device.DeviceInfo.', result_params: { SerialNumber: ctx.model.read('Device.DeviceInfo.SerialNumber') } },
  ]);
  assert.deepEqual(
    agent['resolved_path_results'].map((x: Obj) => x['resolved_path']),
    ['Device.LocalAgent.', 'Device.LocalAgent.Controller.1.', 'Device.LocalAgent.ControllerTrust.'],
    'max_depth 2: the object and one level below, not the controller’s MTP rows',
  );
  assert.deepEqual(enables['resolved_path_results'], [{ resolved_path: 'Device.LocalAgent.Controller.1.', result_params: { Enable: 'false' } }]);
  assert.equal(nope['err_code'], 7026);
  assert.equal(search['err_code'], 7008, 'one "=" is not an operator');
});

test('Get with search expressions: instances whose parameters match, && of conditions, numbers compared as numbers; no match is no error', () => {
  const ctx = context();
  for (const [id, enable, endpoint, interval] of [
    ['c1', 'true', 'proto::one', '60'],
    ['c2', 'false', 'proto::two', '300'],
    ['c3', 'true', 'proto::three', '1000'],
  ] as const) {
    const n = ctx.model.addInstance('Device.LocalAgent.Controller.');
    const at = `Device.LocalAgent.Controller.${n}.`;
    ctx.model.provision({ [`${at}Alias`]: id, [`${at}Enable`]: enable, [`${at}EndpointID`]: endpoint, [`${at}PeriodicNotifInterval`]: interval });
  }
  const r = get(ctx, {
    param_paths: [
      'Device.LocalAgent.Controller.[Enable==true].EndpointID',
      'Device.LocalAgent.Controller.[Enable==true&&PeriodicNotifInterval>100].Alias',
      'Device.LocalAgent.Controller.[EndpointID=="proto::two"].',
      'Device.LocalAgent.Controller.[Alias=="none"].Enable',
      'Device.LocalAgent.Controller.9.Enable',
    ],
  }) as Obj;
  const [enabled, both, byKey, none, missing] = r['req_path_results'];
  assert.deepEqual(
    enabled['resolved_path_results'].map((x: Obj) => x['result_params']['EndpointID']),
    ['proto::one', 'proto::three'],
  );
  assert.deepEqual(
    both['resolved_path_results'].map((x: Obj) => x['result_params']['Alias']),
    ['c3'],
    '1000 > 100 as numbers, not as text',
  );
  assert.deepEqual(
    byKey['resolved_path_results'].map((x: Obj) => x['resolved_path']),
    ['Device.LocalAgent.Controller.2.'],
  );
  assert.deepEqual([none['err_code'], none['resolved_path_results']], [0, []], 'a search that matches nothing is no error');
  assert.equal(missing['err_code'], 7026, 'an instance that does not exist is');
  const removed = remove(ctx, { obj_paths: ['Device.LocalAgent.Controller.[Enable==false].'] }) as Obj;
  assert.deepEqual(removed['deleted_obj_results'][0]['oper_status']['oper_success']['affected_paths'], ['Device.LocalAgent.Controller.2.']);
});

test('Set: a required failure fails the whole non-partial Set (Error 7000 naming it, nothing changed); a non-required one is left out', () => {
  const ctx = context();
  const before = ctx.model.read('Device.DeviceInfo.ProvisioningCode');
  assert.throws(
    () =>
      set(ctx, {
        update_objs: [
          {
            obj_path: 'Device.DeviceInfo.',
            param_settings: [
              { param: 'ProvisioningCode', value: 'changed', required: true },
              { param: 'SerialNumber', value: 'x', required: true },
            ],
          },
        ],
      }),
    (err: unknown) =>
      err instanceof UspError &&
      err.code === 7000 &&
      (err as UspError & { paramErrs: Obj[] }).paramErrs.some((p) => p['param_path'] === 'Device.DeviceInfo.SerialNumber' && p['err_code'] === 7013),
  );
  assert.equal(ctx.model.read('Device.DeviceInfo.ProvisioningCode'), before, 'atomic: nothing changed');
  const partial = set(ctx, {
    update_objs: [
      {
        obj_path: 'Device.DeviceInfo.',
        param_settings: [
          { param: 'ProvisioningCode', value: 'changed', required: true },
          { param: 'SerialNumber', value: 'x', required: false },
        ],
      },
    ],
  }) as Obj;
  const result = partial['updated_obj_results'][0]['oper_status']['oper_success']['updated_inst_results'][0];
  assert.deepEqual(result['updated_params'], { ProvisioningCode: 'changed' });
  assert.deepEqual(
    result['param_errs'].map((e: Obj) => [e['param'], e['err_code']]),
    [['SerialNumber', 7013]],
  );
  assert.equal(ctx.model.read(KEY), '', 'USP leaves the CWMP ParameterKey alone');
});

test('Set with allow_partial: each object stands alone; a path the model does not have fails its object only', () => {
  const ctx = context();
  const r = set(ctx, {
    allow_partial: true,
    update_objs: [
      { obj_path: 'Device.Nope.', param_settings: [{ param: 'X', value: '1', required: true }] },
      { obj_path: 'Device.DeviceInfo.', param_settings: [{ param: 'ProvisioningCode', value: 'partial', required: true }] },
    ],
  }) as Obj;
  assert.equal(r['updated_obj_results'][0]['oper_status']['oper_failure']['err_code'], 7026);
  assert.ok(r['updated_obj_results'][1]['oper_status']['oper_success']);
  assert.equal(ctx.model.read('Device.DeviceInfo.ProvisioningCode'), 'partial');
});

test('Add: unique keys in the answer; a required setting that fails takes the new instance back; not a table is 7018', () => {
  const ctx = context();
  const ok = add(ctx, {
    create_objs: [{ obj_path: 'Device.LocalAgent.Subscription.', param_settings: [{ param: 'ID', value: 's1', required: true }] }],
  }) as Obj;
  const success = ok['created_obj_results'][0]['oper_status']['oper_success'];
  assert.equal(success['instantiated_path'], 'Device.LocalAgent.Subscription.1.');
  assert.equal(success['unique_keys']['ID'], 's1');
  assert.match(success['unique_keys']['Alias'], /^cpe-1$/);
  const rolledBack = add(ctx, {
    allow_partial: true,
    create_objs: [{ obj_path: 'Device.LocalAgent.Subscription.', param_settings: [{ param: 'NotifType', value: 'NoSuchType', required: true }] }],
  }) as Obj;
  assert.equal(rolledBack['created_obj_results'][0]['oper_status']['oper_failure']['err_code'], 7021);
  assert.deepEqual(ctx.model.instanceIds('Device.LocalAgent.Subscription.'), [1], 'the failed instance is gone');
  assert.throws(
    () => add(ctx, { create_objs: [{ obj_path: 'Device.DeviceInfo.' }] }),
    (e: unknown) => e instanceof UspError && e.code === 7018,
  );
});

test('Delete and GetInstances: what is there is deleted and listed; an instance that is not there deletes nothing', () => {
  const ctx = context();
  ctx.model.addInstance('Device.LocalAgent.Subscription.');
  ctx.model.addInstance('Device.LocalAgent.Subscription.');
  const listed = getInstances(ctx, { obj_paths: ['Device.LocalAgent.Subscription.'] }) as Obj;
  assert.deepEqual(
    listed['req_path_results'][0]['curr_insts'].map((i: Obj) => i['instantiated_obj_path']),
    ['Device.LocalAgent.Subscription.1.', 'Device.LocalAgent.Subscription.2.'],
  );
  const deleted = remove(ctx, { obj_paths: ['Device.LocalAgent.Subscription.1.', 'Device.LocalAgent.Subscription.9.'] }) as Obj;
  assert.deepEqual(deleted['deleted_obj_results'][0]['oper_status']['oper_success']['affected_paths'], ['Device.LocalAgent.Subscription.1.']);
  assert.deepEqual(deleted['deleted_obj_results'][1]['oper_status']['oper_success']['affected_paths'], []);
  assert.deepEqual(ctx.model.instanceIds('Device.LocalAgent.Subscription.'), [2]);
});

test('bounded: a Set of 100,000 parameters and an Add of as many objects are 7005, nothing changed; Get of Device. with max_depth 0 answers the whole tree', () => {
  const ctx = context();
  const before = ctx.model.read('Device.DeviceInfo.ProvisioningCode');
  const settings = Array.from({ length: 100_000 }, (_, i) => ({ param: i === 0 ? 'ProvisioningCode' : `X${i}`, value: 'x', required: false }));
  assert.throws(
    () => set(ctx, { allow_partial: true, update_objs: [{ obj_path: 'Device.DeviceInfo.', param_settings: settings }] }),
    (e: unknown) => e instanceof UspError && e.code === 7005,
  );
  assert.equal(ctx.model.read('Device.DeviceInfo.ProvisioningCode'), before);
  assert.throws(
    () => add(ctx, { create_objs: Array.from({ length: 20_000 }, () => ({ obj_path: 'Device.LocalAgent.Subscription.' })) }),
    (e: unknown) => e instanceof UspError && e.code === 7005,
  );
  assert.deepEqual(ctx.model.instanceIds('Device.LocalAgent.Subscription.'), []);
  const all = get(ctx, { param_paths: ['Device.'], max_depth: 0 }) as Obj;
  const count = all['req_path_results'][0]['resolved_path_results'].reduce((n: number, r: Obj) => n + Object.keys(r['result_params']).length, 0);
  assert.equal(count, ctx.model.getParameterValues(['Device.']).length);
});
