/**
 * Reference following in USP paths (TR-369 "Reference Following"): `Recipient+.EndpointID` reads
 * through a reference parameter to the object it names, `#N+` picks a list item and `#*+` follows
 * them all, a value that addresses its object by unique key is followed too (R-ARC.11), a
 * reference inside a search expression filters by what it refers to, and a reference that names
 * nothing leads nowhere without an error; what is not a reference parameter is 7026.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataModel } from '../../src/datamodel/data-model.js';
import { builtInUspSchema } from '../../src/models/local-agent.js';
import { identityValues } from '../../src/providers/device.js';
import { simulatedIdentity } from '../../src/providers/simulated-device.js';
import { MemoryModelStore } from '../../src/storage/model-store.js';
import { get } from '../../src/usp-endpoint/usp-data-messages.js';
import { resolveUspPath } from '../../src/usp-endpoint/usp-path-resolution.js';
import { parseUspPath } from '../../src/usp/usp-path.js';

type Obj = Record<string, unknown>;

function model(): DataModel {
  const schema = builtInUspSchema();
  const m = new DataModel(schema, new MemoryModelStore(), [], identityValues(simulatedIdentity('refs'), schema.root));
  for (const [alias, endpoint] of [
    ['home', 'proto::home'],
    ['work', 'proto::work'],
  ] as const) {
    const n = m.addInstance('Device.LocalAgent.Controller.');
    m.provision({ [`Device.LocalAgent.Controller.${n}.EndpointID`]: endpoint, [`Device.LocalAgent.Controller.${n}.Alias`]: alias });
  }
  for (const recipient of ['Device.LocalAgent.Controller.2', 'Device.LocalAgent.Controller.[Alias=="home"]', '']) {
    const n = m.addInstance('Device.LocalAgent.Subscription.');
    m.provision({ [`Device.LocalAgent.Subscription.${n}.Recipient`]: recipient, [`Device.LocalAgent.Subscription.${n}.ID`]: `s${n}` });
  }
  return m;
}

test('a reference followed to the object it names, by instance number or by unique key; an empty one leads nowhere', () => {
  const m = model();
  assert.deepEqual(resolveUspPath(m, 'Device.LocalAgent.Subscription.1.Recipient+.EndpointID').paths, ['Device.LocalAgent.Controller.2.EndpointID']);
  assert.deepEqual(resolveUspPath(m, 'Device.LocalAgent.Subscription.2.Recipient+.EndpointID').paths, ['Device.LocalAgent.Controller.1.EndpointID']);
  assert.deepEqual(resolveUspPath(m, 'Device.LocalAgent.Subscription.1.Recipient+').paths, ['Device.LocalAgent.Controller.2.'], 'the object itself');
  assert.deepEqual(resolveUspPath(m, 'Device.LocalAgent.Subscription.3.Recipient+.EndpointID'), { paths: [], searched: true });
  assert.deepEqual(resolveUspPath(m, 'Device.LocalAgent.Subscription.*.Recipient+.Alias').paths, [
    'Device.LocalAgent.Controller.2.Alias',
    'Device.LocalAgent.Controller.1.Alias',
  ]);
  // A Get through references answers under the objects they lead to.
  const r = get(
    { model: m, parameterKeyName: 'Device.ManagementServer.ParameterKey' },
    { param_paths: ['Device.LocalAgent.Subscription.1.Recipient+.EndpointID'] },
  ) as {
    req_path_results: Obj[];
  };
  assert.deepEqual(r.req_path_results[0]!['resolved_path_results'], [
    { resolved_path: 'Device.LocalAgent.Controller.2.', result_params: { EndpointID: 'proto::work' } },
  ]);
});

test('list references: #N+ picks the Nth item, #*+ follows all, no #: the first', () => {
  const m = model();
  // A Subscription's ReferenceList is a list of paths: here, of Controllers.
  m.provision({ 'Device.LocalAgent.Subscription.1.ReferenceList': 'Device.LocalAgent.Controller.1,Device.LocalAgent.Controller.2' });
  const at = 'Device.LocalAgent.Subscription.1.ReferenceList';
  assert.deepEqual(resolveUspPath(m, `${at}+.Alias`).paths, ['Device.LocalAgent.Controller.1.Alias']);
  assert.deepEqual(resolveUspPath(m, `${at}#2+.Alias`).paths, ['Device.LocalAgent.Controller.2.Alias']);
  assert.deepEqual(resolveUspPath(m, `${at}#*+.Alias`).paths, ['Device.LocalAgent.Controller.1.Alias', 'Device.LocalAgent.Controller.2.Alias']);
  assert.deepEqual(resolveUspPath(m, `${at}#3+.Alias`).paths, [], 'past the end of the list: nothing');
});

test('a reference in a search expression filters by what it refers to', () => {
  const m = model();
  assert.deepEqual(resolveUspPath(m, 'Device.LocalAgent.Subscription.[Recipient+.Alias=="home"].ID').paths, ['Device.LocalAgent.Subscription.2.ID']);
  assert.deepEqual(resolveUspPath(m, 'Device.LocalAgent.Subscription.[Recipient+.EndpointID!="proto::home"].ID').paths, [
    'Device.LocalAgent.Subscription.1.ID',
  ]);
});

test('what cannot be followed: not a parameter of the model (7026), bad syntax (7008), a loop of references', () => {
  const m = model();
  assert.throws(
    () => resolveUspPath(m, 'Device.LocalAgent.Subscription.1.Nope+.EndpointID'),
    (e: { code?: number }) => e.code === 7026,
  );
  assert.throws(
    () => resolveUspPath(m, 'Device.LocalAgent.Subscription.1.Recipient+.Nope'),
    (e: { code?: number }) => e.code === 7026,
  );
  assert.throws(
    () => parseUspPath('Device.LocalAgent.Subscription.1.Recipient#0+.Alias'),
    (e: { code?: number }) => e.code === 7008,
  );
  assert.throws(
    () => parseUspPath('Device.LocalAgent.Subscription.1.Recipient++.Alias'),
    (e: { code?: number }) => e.code === 7008,
  );
  // A value that refers back through itself ends at the depth bound, leading nowhere rather than looping.
  m.provision({ 'Device.LocalAgent.Subscription.3.Recipient': 'Device.LocalAgent.Subscription.3.Recipient+' });
  assert.deepEqual(resolveUspPath(m, 'Device.LocalAgent.Subscription.3.Recipient+.ID').paths, []);
});
