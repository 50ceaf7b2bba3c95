/**
 * TP-469 chapter 1 (messages and path names), case by case, on the procedures and metrics the
 * test plan gives, against the USP endpoint of an in-process device (Records through the codec,
 * an in-memory transport). Each subtest is named by its TP-469 case number;
 * docs/usp-conformance.md points here for each case it marks as passing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { builtInUspSchema } from '../../src/models/local-agent.js';
import type { UspMsg } from '../../src/usp/usp-codec.js';
import { UspEndpoint } from '../../src/usp-endpoint/usp-endpoint.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';
import { until } from '../helpers/until.js';
import { memoryTransport } from '../helpers/usp-memory-transport.js';

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field, as the test plan reads them
type Obj = Record<string, any>;
const AGENT = 'proto::tp469-agent';
const CONTROLLER = 'proto::tp469-controller';
const SUB = 'Device.LocalAgent.Subscription.';

test('TP-469 chapter 1: messages and path names', { timeout: 120_000 }, async (t) => {
  const h = await startHarness({ agent: { schema: builtInUspSchema() } });
  const transport = memoryTransport(CONTROLLER, AGENT);
  const usp = new UspEndpoint(h.agent.device, {
    endpointId: AGENT,
    controllers: [{ endpointId: CONTROLLER, topic: 'controller' }],
    transport,
    logger: pino({ level: 'silent' }),
    parameterKeyName: 'Device.ManagementServer.ParameterKey',
  });
  usp.start();
  h.agent.start();
  await sessionsCompleted(h, 1);
  let n = 0;
  const send = async (msgType: UspMsg['header']['msg_type'], body: UspMsg['body']): Promise<Obj> => {
    const id = `tp-${++n}`;
    transport.deliver({ header: { msg_id: id, msg_type: msgType }, body });
    return (await until(() => transport.sent.find((m) => m.header.msg_id === id), `the answer to ${id}`)) as Obj;
  };
  const addMsg = (allowPartial: boolean, objs: { path?: string; settings: [string, string, boolean?][] }[]) =>
    send('ADD', {
      request: {
        add: {
          allow_partial: allowPartial,
          create_objs: objs.map((o) => ({
            obj_path: o.path ?? SUB,
            param_settings: o.settings.map(([param, value, required]) => ({ param, value, required: required ?? true })),
          })),
        },
      },
    });
  const sub = (id: string, extra: [string, string, boolean?][] = []): { settings: [string, string, boolean?][] } => ({
    settings: [['Enable', 'true'], ['ID', id], ['NotifType', 'ValueChange'], ['ReferenceList', 'Device.LocalAgent.EndpointID'], ...extra],
  });
  const model = h.agent.model;
  const subs = (): string[] => model.instanceIds(SUB).map((i) => model.read(`${SUB}${i}.ID`));
  const pathOf = (id: string): string => `${SUB}${model.instanceIds(SUB).find((i) => model.read(`${SUB}${i}.ID`) === id)}.`;
  const set = (allowPartial: boolean, objs: { path: string; settings: [string, string, boolean?][] }[]) =>
    send('SET', {
      request: {
        set: {
          allow_partial: allowPartial,
          update_objs: objs.map((o) => ({
            obj_path: o.path,
            param_settings: o.settings.map(([param, value, required]) => ({ param, value, required: required ?? true })),
          })),
        },
      },
    });
  const del = (allowPartial: boolean, paths: string[]) => send('DELETE', { request: { delete: { allow_partial: allowPartial, obj_paths: paths } } });
  const get = (paths: string[], maxDepth = 0) => send('GET', { request: { get: { param_paths: paths, max_depth: maxDepth } } });
  // biome-ignore lint/suspicious/noExplicitAny: a list of results, read field by field
  const results = (m: Obj, kind: string, field: string): any => m['body']['response'][kind][field];
  const error = (m: Obj): Obj => {
    assert.equal(m['header']['msg_type'], 'ERROR', JSON.stringify(m['body']));
    assert.ok(m['body']['error']['err_code'] > 0);
    return m['body']['error'];
  };

  try {
    await t.test('1.1 Add, allow_partial false, single object, required parameters succeed', async () => {
      const r = results(await addMsg(false, [sub('add1')]), 'add_resp', 'created_obj_results');
      const ok = r[0]['oper_status']['oper_success'];
      assert.deepEqual(Object.keys(ok['unique_keys']).sort(), ['Alias', 'ID', 'Recipient']);
      assert.equal(model.read(`${ok['instantiated_path']}ID`), 'add1');
    });
    await t.test('1.2 Add, allow_partial true, single object, required parameters succeed', async () => {
      const ok = results(await addMsg(true, [sub('add2')]), 'add_resp', 'created_obj_results')[0]['oper_status']['oper_success'];
      assert.deepEqual(ok['param_errs'], []);
      assert.deepEqual(Object.keys(ok['unique_keys']).sort(), ['Alias', 'ID', 'Recipient']);
      assert.equal(model.read(`${ok['instantiated_path']}NotifType`), 'ValueChange');
    });
    await t.test('1.3 Add, allow_partial false, single object, required parameters fail', async () => {
      const before = subs().length;
      const e = error(await addMsg(false, [sub('add3', [['Enable', 'not-a-boolean']])]));
      assert.equal(e['param_errs'].length, 1);
      assert.match(e['param_errs'][0]['param_path'], /\.Enable$/);
      assert.equal(subs().length, before);
    });
    await t.test('1.4 Add, allow_partial false, single invalid object', async () => {
      const before = subs().length;
      const e = error(await addMsg(false, [{ path: 'Device.LocalAgent.InvalidObject.', settings: [['Enable', 'true']] }]));
      assert.equal(e['param_errs'][0]['param_path'], 'Device.LocalAgent.InvalidObject.');
      assert.equal(subs().length, before);
    });
    await t.test('1.5 Add, allow_partial false, multiple objects', async () => {
      const r = results(await addMsg(false, [sub('add51'), sub('add52')]), 'add_resp', 'created_obj_results');
      assert.equal(r.filter((x: Obj) => x['oper_status']['oper_success']).length, 2);
      assert.ok(subs().includes('add51') && subs().includes('add52'));
    });
    await t.test('1.6 Add, allow_partial false, multiple objects with an invalid object', async () => {
      const before = subs().length;
      const e = error(await addMsg(false, [sub('add61'), { path: 'Device.LocalAgent.InvalidObject.', settings: [['Enable', 'true']] }]));
      assert.equal(e['param_errs'][0]['param_path'], 'Device.LocalAgent.InvalidObject.');
      assert.equal(subs().length, before, 'the valid object was not created either');
    });
    await t.test('1.7 Add, allow_partial false, multiple objects, required parameters fail in one', async () => {
      const e = error(await addMsg(false, [sub('add71'), sub('add72', [['Enable', 'nope']])]));
      assert.match(e['param_errs'][0]['param_path'], /\.Enable$/);
      assert.ok(!subs().includes('add71') && !subs().includes('add72'));
    });
    await t.test('1.8 Add, allow_partial true, required parameter of an invalid type, single object', async () => {
      const r = results(await addMsg(true, [sub('add8', [['Persistent', 'maybe']])]), 'add_resp', 'created_obj_results');
      assert.ok(r[0]['oper_status']['oper_failure']['err_code'] > 0);
      assert.ok(!subs().includes('add8'));
    });
    await t.test('1.9 Add, allow_partial true, required parameters fail, multiple objects', async () => {
      const r = results(await addMsg(true, [sub('add91'), sub('add92', [['Enable', 'nope']])]), 'add_resp', 'created_obj_results');
      assert.ok(r[0]['oper_status']['oper_success']);
      assert.ok(r[1]['oper_status']['oper_failure']['err_code'] > 0);
      assert.ok(subs().includes('add91') && !subs().includes('add92'));
    });
    await t.test('1.13 Set, allow_partial false, multiple objects', async () => {
      const r = results(
        await set(false, [
          { path: pathOf('add51'), settings: [['NotifRetry', 'true']] },
          { path: pathOf('add52'), settings: [['NotifRetry', 'true']] },
        ]),
        'set_resp',
        'updated_obj_results',
      );
      for (const x of r) assert.deepEqual(x['oper_status']['oper_success']['updated_inst_results'][0]['updated_params'], { NotifRetry: 'true' });
      assert.equal(model.read(`${pathOf('add52')}NotifRetry`), 'true');
    });
    await t.test('1.15 Set, allow_partial false, multiple objects, required parameter fails in one', async () => {
      const e = error(
        await set(false, [
          { path: pathOf('add1'), settings: [['NotifRetry', 'true']] },
          { path: pathOf('add2'), settings: [['InvalidParameter', 'x']] },
        ]),
      );
      assert.equal(e['param_errs'].length, 1);
      assert.equal(e['param_errs'][0]['param_path'], `${pathOf('add2')}InvalidParameter`);
      assert.equal(model.read(`${pathOf('add1')}NotifRetry`), 'false', 'the first object was not updated');
    });
    await t.test('1.16 Set, allow_partial true, required parameter fails, multiple objects', async () => {
      const r = results(
        await set(true, [
          { path: pathOf('add1'), settings: [['NotifRetry', 'true']] },
          { path: pathOf('add2'), settings: [['InvalidParameter', 'x']] },
        ]),
        'set_resp',
        'updated_obj_results',
      );
      assert.deepEqual(r[0]['oper_status']['oper_success']['updated_inst_results'][0]['updated_params'], { NotifRetry: 'true' });
      const failure = r[1]['oper_status']['oper_failure'];
      assert.ok(failure['err_code'] > 0);
      assert.equal(failure['updated_inst_failures'][0]['param_errs'][0]['param'], 'InvalidParameter');
    });
    await t.test('1.17 Set, allow_partial true, non-required parameter fails', async () => {
      const x = results(
        await set(true, [
          {
            path: pathOf('add2'),
            settings: [
              ['NotifRetry', 'true', false],
              ['InvalidParameter', 'x', false],
            ],
          },
        ]),
        'set_resp',
        'updated_obj_results',
      )[0]['oper_status']['oper_success']['updated_inst_results'][0];
      assert.deepEqual(x['updated_params'], { NotifRetry: 'true' });
      assert.equal(x['param_errs'][0]['param'], 'InvalidParameter');
    });
    await t.test('1.18 Set with unique key addressing', async () => {
      const r = results(await set(false, [{ path: `${SUB}[ID=="add91"].`, settings: [['NotifRetry', 'true']] }]), 'set_resp', 'updated_obj_results');
      assert.equal(r[0]['oper_status']['oper_success']['updated_inst_results'][0]['affected_path'], pathOf('add91'));
      assert.equal(model.read(`${pathOf('add91')}NotifRetry`), 'true');
    });
    await t.test('1.19 Set with a wildcard, allow_partial false, required parameters pass', async () => {
      const r = results(await set(false, [{ path: `${SUB}*.`, settings: [['NotifExpiration', '30']] }]), 'set_resp', 'updated_obj_results');
      assert.equal(r[0]['oper_status']['oper_success']['updated_inst_results'].length, subs().length);
      for (const i of model.instanceIds(SUB)) assert.equal(model.read(`${SUB}${i}.NotifExpiration`), '30');
    });
    await t.test('1.20 Set with a wildcard, allow_partial false, required parameters fail', async () => {
      const e = error(await set(false, [{ path: `${SUB}*.`, settings: [['InvalidParameter', 'x']] }]));
      assert.match(e['param_errs'][0]['param_path'], /^Device\.LocalAgent\.Subscription\.\d+\.InvalidParameter$/);
    });
    await t.test('1.21 Set with a wildcard, allow_partial true, required parameters fail', async () => {
      const failure = results(await set(true, [{ path: `${SUB}*.`, settings: [['Enable', 'nope']] }]), 'set_resp', 'updated_obj_results')[0]['oper_status'][
        'oper_failure'
      ];
      assert.ok(failure['err_code'] > 0);
      assert.match(failure['updated_inst_failures'][0]['affected_path'], /^Device\.LocalAgent\.Subscription\.\d+\.$/);
      assert.equal(failure['updated_inst_failures'][0]['param_errs'][0]['param'], 'Enable');
    });
    await t.test('1.22 Set with a search expression', async () => {
      const r = results(
        await set(false, [{ path: `${SUB}[NotifType=="ValueChange"&&ID=="add2"].`, settings: [['NotifExpiration', '99']] }]),
        'set_resp',
        'updated_obj_results',
      );
      assert.deepEqual(
        r[0]['oper_status']['oper_success']['updated_inst_results'].map((x: Obj) => x['affected_path']),
        [pathOf('add2')],
      );
      assert.equal(model.read(`${pathOf('add2')}NotifExpiration`), '99');
    });
    await t.test('1.23 Set with a path that matches no objects', async () => {
      const r = results(await set(false, [{ path: `${SUB}[ID=="nobody"].`, settings: [['NotifRetry', 'true']] }]), 'set_resp', 'updated_obj_results');
      assert.deepEqual(r[0]['oper_status']['oper_success']['updated_inst_results'], []);
    });
    await t.test('1.24 Delete, allow_partial false, valid object instance', async () => {
      const path = pathOf('add91');
      const r = results(await del(false, [path]), 'delete_resp', 'deleted_obj_results');
      assert.deepEqual(r[0]['oper_status']['oper_success']['affected_paths'], [path]);
      assert.ok(!subs().includes('add91'));
    });
    await t.test('1.25 Delete, allow_partial false, object instance that does not exist', async () => {
      const r = results(await del(false, [`${SUB}9999.`]), 'delete_resp', 'deleted_obj_results');
      assert.deepEqual(r[0]['oper_status']['oper_success']['affected_paths'], []);
    });
    await t.test('1.26 Delete, allow_partial false, invalid object', async () => {
      const e = error(await del(false, ['Device.LocalAgent.InvalidObject.']));
      assert.equal(e['param_errs'][0]['param_path'], 'Device.LocalAgent.InvalidObject.');
    });
    await t.test('1.27 and 1.28 Delete, allow_partial false, multiple objects; and with an invalid one nothing is deleted', async () => {
      const keep = pathOf('add51');
      const e = error(await del(false, [keep, 'Device.LocalAgent.InvalidObject.']));
      assert.equal(e['param_errs'][0]['param_path'], 'Device.LocalAgent.InvalidObject.');
      assert.ok(subs().includes('add51'), 'the valid one was not deleted');
      const both = [pathOf('add51'), pathOf('add52')];
      const r = results(await del(false, both), 'delete_resp', 'deleted_obj_results');
      assert.deepEqual(
        r.map((x: Obj) => x['oper_status']['oper_success']['affected_paths'][0]),
        both,
      );
    });
    await t.test('1.29 to 1.32 Delete, allow_partial true: absent, invalid, mixed', async () => {
      await addMsg(false, [sub('del1'), sub('del2')]);
      const absent = results(await del(true, [`${SUB}9999.`]), 'delete_resp', 'deleted_obj_results');
      assert.deepEqual(absent[0]['oper_status']['oper_success']['affected_paths'], []);
      const invalid = results(await del(true, ['Device.LocalAgent.InvalidObject.']), 'delete_resp', 'deleted_obj_results');
      assert.ok(invalid[0]['oper_status']['oper_failure']['err_code'] > 0);
      const one = pathOf('del1');
      const mixed = results(await del(true, [one, 'Device.LocalAgent.InvalidObject.']), 'delete_resp', 'deleted_obj_results');
      assert.deepEqual(mixed[0]['oper_status']['oper_success']['affected_paths'], [one]);
      assert.ok(mixed[1]['oper_status']['oper_failure']);
      const two = pathOf('del2');
      const gone = results(await del(true, [two, `${SUB}9999.`]), 'delete_resp', 'deleted_obj_results');
      assert.deepEqual(gone[0]['oper_status']['oper_success']['affected_paths'], [two]);
      assert.deepEqual(gone[1]['oper_status']['oper_success']['affected_paths'], []);
    });
    await t.test('1.33, 1.34, 1.35 and 1.90 Delete by unique key, wildcard and search expression (and one that matches nothing)', async () => {
      await addMsg(false, [sub('k1'), sub('k2'), sub('k3')]);
      const byKey = pathOf('k1');
      assert.deepEqual(
        results(await del(false, [`${SUB}[ID=="k1"].`]), 'delete_resp', 'deleted_obj_results')[0]['oper_status']['oper_success']['affected_paths'],
        [byKey],
      );
      const none = results(await del(false, [`${SUB}[ID=="nobody"].`]), 'delete_resp', 'deleted_obj_results');
      assert.deepEqual(none[0]['oper_status']['oper_success']['affected_paths'], []);
      const remaining = model.instanceIds(SUB).length;
      const all = results(await del(false, [`${SUB}*.`]), 'delete_resp', 'deleted_obj_results');
      assert.equal(all[0]['oper_status']['oper_success']['affected_paths'].length, remaining);
      assert.deepEqual(subs(), []);
    });
    await t.test('1.37, 1.38, 1.40 Get of several parameters of one object, of several objects, of an object instance', async () => {
      await addMsg(false, [sub('g1'), sub('g2', [['NotifRetry', 'true']])]);
      const same = results(await get(['Device.DeviceInfo.SerialNumber', 'Device.DeviceInfo.Manufacturer']), 'get_resp', 'req_path_results');
      assert.equal(same.length, 2);
      for (const r of same) assert.equal(r['resolved_path_results'][0]['resolved_path'], 'Device.DeviceInfo.');
      const different = results(await get(['Device.DeviceInfo.SerialNumber', 'Device.LocalAgent.EndpointID']), 'get_resp', 'req_path_results');
      assert.deepEqual(
        different.map((r: Obj) => r['resolved_path_results'][0]['resolved_path']),
        ['Device.DeviceInfo.', 'Device.LocalAgent.'],
      );
      const instance = results(await get([pathOf('g2')]), 'get_resp', 'req_path_results')[0]['resolved_path_results'];
      assert.equal(instance[0]['resolved_path'], pathOf('g2'));
      assert.equal(instance[0]['result_params']['NotifRetry'], 'true');
    });
    await t.test('1.41 Get of an invalid parameter', async () => {
      const r = results(await get(['Device.LocalAgent.InvalidParameter']), 'get_resp', 'req_path_results');
      assert.equal(r[0]['requested_path'], 'Device.LocalAgent.InvalidParameter');
      assert.equal(r[0]['err_code'], 7026);
    });
    await t.test('1.43, 1.45, 1.47, 1.49, 1.50, 1.51 Get by unique key, wildcard object path, and the comparisons', async () => {
      const byKey = results(await get([`${SUB}[ID=="g2"].NotifRetry`]), 'get_resp', 'req_path_results')[0]['resolved_path_results'];
      assert.deepEqual(byKey, [{ resolved_path: pathOf('g2'), result_params: { NotifRetry: 'true' } }]);
      const wildcard = results(await get([`${SUB}*.`]), 'get_resp', 'req_path_results')[0]['resolved_path_results'];
      assert.deepEqual(
        wildcard.map((r: Obj) => r['resolved_path']),
        [pathOf('g1'), pathOf('g2')],
      );
      await set(false, [{ path: pathOf('g1'), settings: [['NotifExpiration', '10']] }]);
      await set(false, [{ path: pathOf('g2'), settings: [['NotifExpiration', '20']] }]);
      const ids = async (expression: string): Promise<string[]> =>
        results(await get([`${SUB}[${expression}].ID`]), 'get_resp', 'req_path_results')[0]['resolved_path_results'].map((r: Obj) => r['result_params']['ID']);
      assert.deepEqual(await ids('ID!="g1"'), ['g2']);
      assert.deepEqual(await ids('NotifExpiration<20'), ['g1']);
      assert.deepEqual(await ids('NotifExpiration>=20'), ['g2']);
      assert.deepEqual(await ids('NotifExpiration<=20'), ['g1', 'g2']);
    });
    await t.test('1.68, 1.70, 1.71, 1.83 GetInstances of several objects, with a wildcard, a search expression, an unmatched one', async () => {
      const gi = (paths: string[]) => send('GET_INSTANCES', { request: { get_instances: { obj_paths: paths, first_level_only: false } } });
      const several = results(await gi([SUB, 'Device.LocalAgent.Controller.']), 'get_instances_resp', 'req_path_results');
      assert.equal(several[0]['curr_insts'].length, 2);
      assert.ok(several[1]['curr_insts'].some((i: Obj) => i['instantiated_obj_path'] === 'Device.LocalAgent.Controller.1.'));
      const wildcard = results(await gi(['Device.LocalAgent.Controller.*.MTP.']), 'get_instances_resp', 'req_path_results');
      assert.equal(wildcard[0]['curr_insts'][0]['instantiated_obj_path'], 'Device.LocalAgent.Controller.1.MTP.1.');
      const search = results(await gi(['Device.LocalAgent.Controller.[EndpointID=="proto::tp469-controller"].MTP.']), 'get_instances_resp', 'req_path_results');
      assert.equal(search[0]['curr_insts'].length, 1);
      const unmatched = results(await gi(['Device.LocalAgent.Controller.[EndpointID=="nobody"].MTP.']), 'get_instances_resp', 'req_path_results');
      assert.deepEqual([unmatched[0]['err_code'] ?? 0, unmatched[0]['curr_insts'] ?? []], [0, []]);
    });
    const notifies = (kind: string): Obj[] =>
      transport.sent.map((m) => m.body.request?.['notify'] as Obj | undefined).filter((x): x is Obj => x !== undefined && x[kind] !== undefined);
    await t.test('1.57 and 1.58 ObjectCreation and ObjectDeletion notifications', async () => {
      await addMsg(false, [
        {
          settings: [
            ['Enable', 'true'],
            ['ID', 'notify57'],
            ['NotifType', 'ObjectCreation'],
            ['ReferenceList', SUB],
          ],
        },
        {
          settings: [
            ['Enable', 'true'],
            ['ID', 'notify58'],
            ['NotifType', 'ObjectDeletion'],
            ['ReferenceList', SUB],
          ],
        },
      ]);
      await addMsg(false, [sub('Notify57-2')]);
      const created = await until(() => notifies('obj_creation').find((x) => x['obj_creation']['unique_keys']['ID'] === 'Notify57-2'), 'ObjectCreation');
      assert.equal(created['subscription_id'], 'notify57');
      assert.equal(created['obj_creation']['obj_path'], pathOf('Notify57-2'));
      assert.equal(created['obj_creation']['unique_keys']['Recipient'], 'Device.LocalAgent.Controller.1');
      const gone = pathOf('Notify57-2');
      await del(false, [gone]);
      const deleted = await until(() => notifies('obj_deletion').find((x) => x['obj_deletion']['obj_path'] === gone), 'ObjectDeletion');
      assert.equal(deleted['subscription_id'], 'notify58');
    });
    await t.test('1.53 and 1.84 a ValueChange subscription on a search path notifies; once deleted it does not', async () => {
      await addMsg(false, [
        {
          settings: [
            ['Enable', 'true'],
            ['ID', 'notify84'],
            ['NotifType', 'ValueChange'],
            ['ReferenceList', `${SUB}[ID=="g1"].NotifExpiration`],
          ],
        },
      ]);
      await set(false, [{ path: pathOf('g1'), settings: [['NotifExpiration', '84']] }]);
      await until(
        () => notifies('value_change').find((x) => x['subscription_id'] === 'notify84' && x['value_change']['param_value'] === '84'),
        'the ValueChange',
      );
      await del(false, [pathOf('notify84')]);
      await set(false, [{ path: pathOf('g1'), settings: [['NotifExpiration', '53']] }]);
      // A later change that a live subscription hears proves the one after the delete had its chance.
      await addMsg(false, [
        {
          settings: [
            ['Enable', 'true'],
            ['ID', 'probe53'],
            ['NotifType', 'ValueChange'],
            ['ReferenceList', `${pathOf('g1')}NotifExpiration`],
          ],
        },
      ]);
      await set(false, [{ path: pathOf('g1'), settings: [['NotifExpiration', '54']] }]);
      await until(() => notifies('value_change').find((x) => x['subscription_id'] === 'probe53'), 'the probe');
      assert.ok(!notifies('value_change').some((x) => x['subscription_id'] === 'notify84' && x['value_change']['param_value'] === '53'));
    });
    await t.test('1.87 Get of a table with no instances: no error, nothing resolved', async () => {
      const r = results(await get(['Device.LocalAgent.Request.']), 'get_resp', 'req_path_results');
      assert.deepEqual([r[0]['err_code'] ?? 0, r[0]['resolved_path_results'] ?? []], [0, []]);
    });
    await t.test('1.88 Add fails when a unique key is invalid', async () => {
      const before = model.instanceIds(SUB).length;
      error(
        await addMsg(false, [
          {
            settings: [
              ['Enable', 'true', false],
              ['Alias', '88InvalidAlias', false],
              ['NotifType', 'ValueChange', false],
              ['ReferenceList', 'Device.LocalAgent.EndpointID', false],
            ],
          },
        ]),
      );
      assert.equal(model.instanceIds(SUB).length, before);
    });
    await t.test('1.104 Set of a WriteOnceReadOnly parameter', async () => {
      await addMsg(false, [{ settings: [['Alias', 'test-1-104']] }]);
      const at = `${SUB}${model.instanceIds(SUB).find((i) => model.read(`${SUB}${i}.Alias`) === 'test-1-104')}.`;
      error(await set(false, [{ path: at, settings: [['Alias', 'test-1-104-changed']] }]));
      assert.equal(model.read(`${at}Alias`), 'test-1-104');
    });
    await t.test('1.95 Add with a search expression in the path', async () => {
      const before = model.instanceIds('Device.LocalAgent.Controller.1.MTP.').length;
      const r = results(
        await addMsg(false, [{ path: 'Device.LocalAgent.Controller.[Enable==true].MTP.', settings: [['Protocol', 'WebSocket', false]] }]),
        'add_resp',
        'created_obj_results',
      );
      assert.match(r[0]['oper_status']['oper_success']['instantiated_path'], /^Device\.LocalAgent\.Controller\.1\.MTP\.\d+\.$/);
      assert.equal(model.instanceIds('Device.LocalAgent.Controller.1.MTP.').length, before + 1);
    });
    await t.test('1.10 Add with unique key addressing in the path (a nested table)', async () => {
      const r = results(
        await addMsg(false, [{ path: 'Device.LocalAgent.Controller.[EndpointID=="proto::tp469-controller"].MTP.', settings: [['Protocol', 'MQTT', false]] }]),
        'add_resp',
        'created_obj_results',
      );
      const ok = r[0]['oper_status']['oper_success'];
      assert.match(ok['instantiated_path'], /^Device\.LocalAgent\.Controller\.1\.MTP\.\d+\.$/);
      assert.deepEqual(Object.keys(ok['unique_keys']).sort(), ['Alias', 'Protocol']);
    });
    await t.test('1.96 a non-functional unique key cannot be changed', async () => {
      await addMsg(false, [{ settings: [['ID', 'add96']] }]);
      const at = pathOf('add96');
      error(await set(false, [{ path: at, settings: [['ID', 'add96-NEW']] }]));
      assert.equal(model.read(`${at}ID`), 'add96');
    });
    const dm = (paths: string[], firstLevelOnly: boolean, all: boolean) =>
      send('GET_SUPPORTED_DM', {
        request: {
          get_supported_dm: {
            obj_paths: paths,
            first_level_only: firstLevelOnly,
            return_commands: all,
            return_events: all,
            return_params: all,
            return_unique_key_sets: all,
          },
        },
      });
    await t.test('1.72 to 1.77, 1.97, 1.98, 1.99, 1.105, 1.106, 1.107 GetSupportedDM', async () => {
      // biome-ignore lint/suspicious/noExplicitAny: read field by field
      const objs = (m: Obj, i = 0): any[] => m['body']['response']['get_supported_dm_resp']['req_obj_results'][i]['supported_objs'];
      const full = objs(await dm(['Device.LocalAgent.'], false, true));
      const names = full.map((o) => o['supported_obj_path']);
      assert.ok(names.includes('Device.LocalAgent.') && names.includes('Device.LocalAgent.Controller.{i}.MTP.{i}.'));
      const controller = full.find((o) => o['supported_obj_path'] === 'Device.LocalAgent.Controller.{i}.')!;
      assert.equal(controller['is_multi_instance'], true);
      assert.ok(controller['supported_commands'].some((c: Obj) => c['command_name'] === 'SendOnBoardRequest()'));
      const agent = full.find((o) => o['supported_obj_path'] === 'Device.LocalAgent.');
      const param = agent['supported_params'].find((p: Obj) => p['param_name'] === 'EndpointID');
      assert.deepEqual(
        [param['access'] ?? 'PARAM_READ_ONLY', param['value_type'], param['value_change']],
        ['PARAM_READ_ONLY', 'PARAM_STRING', 'VALUE_CHANGE_ALLOWED'],
      );
      assert.ok(agent['supported_events'].some((e: Obj) => e['event_name'] === 'Periodic!'));

      const first = objs(await dm(['Device.LocalAgent.'], true, true));
      assert.deepEqual(first.map((o) => o['supported_obj_path']).sort(), [
        'Device.LocalAgent.',
        'Device.LocalAgent.Controller.{i}.',
        'Device.LocalAgent.ControllerTrust.',
        'Device.LocalAgent.MTP.{i}.',
        'Device.LocalAgent.Request.{i}.',
        'Device.LocalAgent.Subscription.{i}.',
      ]);
      for (const o of first.filter((x) => x['supported_obj_path'] !== 'Device.LocalAgent.'))
        assert.deepEqual([o['supported_params'], o['supported_commands']], [[], []], 'children: listed, not described');
      const bare = objs(await dm(['Device.LocalAgent.'], true, false));
      for (const o of bare) assert.deepEqual([o['supported_params'], o['supported_commands'], o['supported_events'], o['unique_key_sets']], [[], [], [], []]);

      const two = await dm(['Device.LocalAgent.Controller.', 'Device.LocalAgent.Subscription.'], true, true);
      assert.equal(objs(two, 0)[0]['supported_obj_path'], 'Device.LocalAgent.Controller.{i}.');
      assert.equal(objs(two, 1)[0]['supported_obj_path'], 'Device.LocalAgent.Subscription.{i}.');

      const root = objs(await dm(['Device.'], false, true));
      assert.ok(root.length > 50 && root.some((o) => o['supported_commands'].some((c: Obj) => c['command_name'] === 'Reboot()')));

      const unsupported = (await dm(['Device.LocalAgent.UnsupportedObject.'], false, true))['body']['response']['get_supported_dm_resp']['req_obj_results'];
      assert.equal(unsupported.length, 1);
      assert.equal(unsupported[0]['err_code'], 7026);

      const keys = objs(await dm(['Device.LocalAgent.Subscription'], false, false).then(() => dm(['Device.LocalAgent.Subscription'], false, true)));
      assert.deepEqual(
        keys[0]['unique_key_sets'].map((k: Obj) => k['key_names']),
        [['Alias'], ['Recipient', 'ID']],
      );

      const commandsOnly = await send('GET_SUPPORTED_DM', { request: { get_supported_dm: { obj_paths: ['Device.'], return_commands: true } } });
      const withCommands = objs(commandsOnly).filter((o) => o['supported_commands'].length > 0);
      assert.ok(withCommands.every((o) => o['supported_params'].length === 0 && o['supported_events'].length === 0));
      assert.ok(withCommands.some((o) => o['supported_commands'].some((c: Obj) => c['input_arg_names'].includes('URL') && c['command_type'] === 'CMD_ASYNC')));
      const eventsOnly = objs(await send('GET_SUPPORTED_DM', { request: { get_supported_dm: { obj_paths: ['Device.'], return_events: true } } }));
      assert.ok(eventsOnly.some((o) => o['supported_events'].some((e: Obj) => e['event_name'] === 'Boot!' && e['arg_names'].includes('Cause'))));
      assert.ok(eventsOnly.every((o) => o['supported_commands'].length === 0 && o['supported_params'].length === 0));
      const reboot = objs(await dm(['Device.Reboot()'], false, true));
      assert.deepEqual(
        [reboot.length, reboot[0]['supported_commands'].map((c: Obj) => c['command_name']), reboot[0]['supported_events'], reboot[0]['supported_params']],
        [1, ['Reboot()'], [], []],
      );
      const boot = objs(await dm(['Device.Boot!'], false, true));
      assert.deepEqual(
        [boot.length, boot[0]['supported_events'].map((e: Obj) => e['event_name']), boot[0]['supported_commands'], boot[0]['unique_key_sets'] ?? []],
        [1, ['Boot!'], [], []],
      );

      const one = objs(await dm(['Device.LocalAgent.EndpointID'], false, true));
      assert.equal(one.length, 1);
      assert.deepEqual(
        one[0]['supported_params'].map((p: Obj) => p['param_name']),
        ['EndpointID'],
      );
      assert.deepEqual([one[0]['supported_commands'], one[0]['supported_events'], one[0]['unique_key_sets']], [[], [], []]);
    });
    // The Controller row this endpoint made for the test's Controller.
    const controllerRow = `Device.LocalAgent.Controller.${model.instanceIds('Device.LocalAgent.Controller.').find((i) => model.read(`Device.LocalAgent.Controller.${i}.EndpointID`) === CONTROLLER)}.`;
    const valueChanges = (id: string): Obj[] =>
      transport.sent.filter(
        (m) =>
          (m.body.request?.['notify'] as { subscription_id?: string; value_change?: unknown } | undefined)?.value_change &&
          (m.body.request!['notify'] as { subscription_id: string }).subscription_id === id,
      );
    await t.test('1.93 Subscription using TriggerAction Config', async () => {
      const created = results(
        await addMsg(false, [
          {
            settings: [
              ['Enable', 'true'],
              ['TriggerAction', 'Config'],
              ['ID', 'notify93'],
              ['NotifType', 'ValueChange'],
              ['ReferenceList', `${controllerRow}ProvisioningCode`, true],
              ['NotifRetry', 'true'],
            ],
          },
        ]),
        'add_resp',
        'created_obj_results',
      )[0]['oper_status']['oper_success']['instantiated_path'] as string;
      assert.equal(
        results(await set(false, [{ path: created, settings: [['TriggerConfigSettings', `${created}Enable=false`]] }]), 'set_resp', 'updated_obj_results')
          .length,
        1,
      );
      await set(false, [{ path: controllerRow, settings: [['ProvisioningCode', 'TestValue93']] }]);
      await until(() => (model.read(`${created}Enable`) === 'false' ? true : undefined), 'the subscription disabled by its own trigger');
      const got = results(await get([`${created}Enable`]), 'get_resp', 'req_path_results');
      assert.equal(got[0]['resolved_path_results'][0]['result_params']['Enable'], 'false');
      assert.equal(valueChanges('notify93').length, 0, 'Config alone: no notification');
    });
    await t.test('1.94 Subscription using TriggerAction NotifyAndConfig', async () => {
      const created = results(
        await addMsg(false, [
          {
            settings: [
              ['Enable', 'true'],
              ['TriggerAction', 'NotifyAndConfig'],
              ['ID', 'notify94'],
              ['NotifType', 'ValueChange'],
              ['ReferenceList', `${controllerRow}ProvisioningCode`, true],
            ],
          },
        ]),
        'add_resp',
        'created_obj_results',
      )[0]['oper_status']['oper_success']['instantiated_path'] as string;
      await set(false, [{ path: created, settings: [['TriggerConfigSettings', `${created}Enable=false`]] }]);
      await set(false, [{ path: controllerRow, settings: [['ProvisioningCode', 'TestValue94']] }]);
      await until(() => (model.read(`${created}Enable`) === 'false' ? true : undefined), 'the subscription disabled by its own trigger');
      const told = await until(() => valueChanges('notify94')[0], 'the ValueChange');
      assert.equal(told['body']['request']['notify']['value_change']['param_value'], 'TestValue94');
      // Disabled by its own settings: the next change is not told.
      await set(false, [{ path: controllerRow, settings: [['ProvisioningCode', 'TestValue94b']] }]);
      assert.equal(valueChanges('notify94').length, 1);
    });
  } finally {
    await usp.stop();
    await h.close();
  }
});
