/** The RPC dispatcher without sockets: a fake agent control, a data model in memory, every method of the table. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CwmpFault } from '../../src/cwmp/faults.js';
import { CWMP_NAMESPACES } from '../../src/cwmp/namespaces.js';
import type { AcsRequest } from '../../src/cwmp/messages.js';
import type { TransferRecord } from '../../src/cwmp/transfer-record.js';
import { DataModel } from '../../src/datamodel/data-model.js';
import { BUILT_IN_SCHEMA } from '../../src/models/built-in.js';
import { dispatch, type AgentControl } from '../../src/rpc/dispatcher.js';
import { RPC_TABLE, supportedMethods } from '../../src/rpc/rpc-table.js';
import { MemoryModelStore } from '../../src/storage/model-store.js';

function fakeAgent(): AgentControl & { calls: string[]; queue: TransferRecord[] } {
  const calls: string[] = [];
  const queue: TransferRecord[] = [];
  let id = 0;
  return {
    calls,
    queue,
    scheduleInform: (d, k) => void calls.push(`scheduleInform ${d} ${k}`),
    requestReboot: (k) => void calls.push(`reboot ${k}`),
    requestFactoryReset: () => void calls.push('factoryReset'),
    now: () => Date.UTC(2026, 0, 1),
    newTransferId: () => `t${++id}`,
    transferQueue: () => queue,
    queueTransfer: (t) => void queue.push(t),
    cancelTransfers: (list) => void calls.push(`cancel ${list.map((t) => t.commandKey).join(',')}`),
    transferInSession: async () => ({ startTime: new Date(), completeTime: new Date() }),
    // A device without an execution environment: ChangeDUState is 9000 on it.
    hasSoftwareModules: false,
    duChangeQueue: () => [],
    queueDuChange: () => void calls.push('queueDuChange'),
  };
}

const [NS10, NS11, NS12] = CWMP_NAMESPACES as [(typeof CWMP_NAMESPACES)[0], (typeof CWMP_NAMESPACES)[0], (typeof CWMP_NAMESPACES)[0]];

test("GetRPCMethods lists what the table offers in the ACS's namespace", async () => {
  const ctx = { model: new DataModel(BUILT_IN_SCHEMA, new MemoryModelStore()), agent: fakeAgent() };
  const list = async (ns: typeof NS10) => {
    const r = await dispatch(ctx, { method: 'GetRPCMethods' }, ns);
    assert.equal(r.method, 'GetRPCMethodsResponse');
    return r.method === 'GetRPCMethodsResponse' ? r.methodList : [];
  };
  assert.deepEqual((await list(NS12)).sort(), Object.keys(RPC_TABLE).sort());
  assert.ok(!(await list(NS10)).includes('ScheduleDownload'));
  assert.ok(!(await list(NS10)).includes('GetAllQueuedTransfers'));
  assert.ok((await list(NS11)).includes('GetAllQueuedTransfers'));
  assert.deepEqual(supportedMethods(0).length + 4, supportedMethods(2).length);
});

test('a method the table lacks, or the namespace does not define, is 9000', async () => {
  const ctx = { model: new DataModel(BUILT_IN_SCHEMA, new MemoryModelStore()), agent: fakeAgent() };
  for (const [req, ns] of [
    [{ method: 'ChangeDUState', operations: [], commandKey: '' }, NS12],
    [{ method: 'ChangeDUState', operations: [{ op: 'Uninstall', uuid: 'x', version: '', executionEnvRef: '' }], commandKey: '' }, NS11],
    [{ method: 'SetVouchers', voucherList: [] }, NS12],
    [{ method: 'CancelTransfer', commandKey: 'x' }, NS10],
    [
      {
        method: 'ScheduleDownload',
        commandKey: 'x',
        fileType: '1 Firmware Upgrade Image',
        url: 'http://f/x',
        username: '',
        password: '',
        fileSize: 0,
        targetFileName: '',
        timeWindowList: [],
      },
      NS11,
    ],
  ] as [AcsRequest, typeof NS10][]) {
    await assert.rejects(dispatch(ctx, req, ns), (e: unknown) => e instanceof CwmpFault && e.faultCode === 9000, req.method);
  }
});

test('each handler answers its own response and asks the agent for what it must do after the session', async () => {
  const agent = fakeAgent();
  const model = new DataModel(BUILT_IN_SCHEMA, new MemoryModelStore());
  const ctx = { model, agent };
  const answer = async (req: AcsRequest) => (await dispatch(ctx, req, NS12)).method;
  assert.equal(await answer({ method: 'Reboot', commandKey: 'r1' }), 'RebootResponse');
  assert.equal(await answer({ method: 'FactoryReset' }), 'FactoryResetResponse');
  assert.equal(await answer({ method: 'ScheduleInform', delaySeconds: 5, commandKey: 's1' }), 'ScheduleInformResponse');
  assert.deepEqual(agent.calls, ['reboot r1', 'factoryReset', 'scheduleInform 5 s1']);
  assert.equal(
    await answer({
      method: 'SetParameterValues',
      parameterList: [{ name: 'Device.ManagementServer.PeriodicInformInterval', value: '77', type: 'unsignedInt' }],
      parameterKey: 'k',
    }),
    'SetParameterValuesResponse',
  );
  assert.equal(model.read('Device.ManagementServer.PeriodicInformInterval'), '77');
  assert.equal(model.read('Device.ManagementServer.ParameterKey'), 'k');
  assert.equal(
    await answer({
      method: 'Upload',
      commandKey: 'u',
      fileType: '1 Vendor Configuration File',
      url: 'http://files/u',
      username: '',
      password: '',
      delaySeconds: 0,
    }),
    'UploadResponse',
  );
  assert.equal(agent.queue.length, 1);
  assert.equal(await answer({ method: 'GetAllQueuedTransfers' }), 'GetAllQueuedTransfersResponse');
  assert.equal(await answer({ method: 'CancelTransfer', commandKey: 'u' }), 'CancelTransferResponse');
  await assert.rejects(
    dispatch(ctx, { method: 'ScheduleInform', delaySeconds: 0, commandKey: '' }, NS12),
    (e: unknown) => e instanceof CwmpFault && e.faultCode === 9003,
  );
});
