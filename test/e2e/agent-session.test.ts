/** End to end: the real agent against the real test ACS over loopback HTTP. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ManualClock } from '../../src/runtime/clock.js';
import { textAt, parameterValues, readCpeMessage } from '../../src/acs/acs-messages.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';
import { downloadRequest } from '../helpers/download-request.js';

const codes = (events: { code: string; commandKey: string }[]): string[] => events.map((e) => (e.commandKey ? `${e.code}:${e.commandKey}` : e.code));

test('bootstrap session: BOOTSTRAP+BOOT, DeviceId and the forced Inform parameters', async () => {
  const h = await startHarness();
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    const s = h.acs.completedSessions(h.serial)[0]!;
    assert.deepEqual(codes(s.events), ['0 BOOTSTRAP', '1 BOOT']);
    const inform = readCpeMessage(s.messages[0]!.body);
    assert.equal(inform.header['SupportedCWMPVersions'], '1.0,1.1,1.2,1.3,1.4');
    const values = parameterValues(inform);
    for (const name of [
      'Device.RootDataModelVersion',
      'Device.DeviceInfo.HardwareVersion',
      'Device.DeviceInfo.SoftwareVersion',
      'Device.DeviceInfo.ProvisioningCode',
      'Device.ManagementServer.ParameterKey',
      'Device.ManagementServer.ConnectionRequestURL',
      'Device.ManagementServer.AliasBasedAddressing',
    ]) {
      assert.ok(name in values, `${name} in Inform`);
    }
    assert.equal(values['Device.DeviceInfo.SoftwareVersion']!.value, h.device.identity.softwareVersion);
    // Inform, empty POST; InformResponse, empty answer.
    assert.deepEqual(
      s.messages.map((m) => `${m.from}:${m.method}`),
      ['cpe:Inform', 'acs:InformResponse', 'cpe:', 'acs:'],
    );
    assert.deepEqual(s.cookieReturned, [true]);

    // A restart is a BOOT, not a BOOTSTRAP: the ACS URL is unchanged.
    await h.restart();
    await sessionsCompleted(h, 2);
    assert.deepEqual(codes(h.acs.completedSessions(h.serial)[1]!.events), ['1 BOOT']);
  } finally {
    await h.close();
  }
});

test('parameter RPCs in a session; PeriodicInformInterval set by the ACS applies at once', async () => {
  const h = await startHarness({ manualClock: true });
  const clock = h.clock as ManualClock;
  try {
    h.acs.queue(
      h.serial,
      { method: 'GetParameterValues', parameterNames: ['Device.ManagementServer.'] },
      {
        method: 'SetParameterValues',
        parameterList: [{ name: 'Device.ManagementServer.PeriodicInformInterval', value: '120', type: 'unsignedInt' }],
        parameterKey: 'key-1',
      },
      {
        method: 'SetParameterValues',
        parameterList: [
          { name: 'Device.ManagementServer.PeriodicInformInterval', value: '0' },
          { name: 'Device.DeviceInfo.UpTime', value: '1' },
          { name: 'Device.Nope', value: '1' },
        ],
        parameterKey: 'key-2',
      },
      { method: 'GetParameterNames', parameterPath: 'Device.ManagementServer.', nextLevel: true },
      { method: 'GetRPCMethods' },
      downloadRequest('tftp://127.0.0.1/f', 'x'),
    );
    h.agent.start();
    await sessionsCompleted(h, 1);
    const [gpv, spv1, spv2, gpn, rpc] = h.acs.responses(h.serial);
    assert.equal(gpv!.method, 'GetParameterValuesResponse');
    assert.equal(parameterValues(gpv!)['Device.ManagementServer.Password']!.value, '', 'passwords read as empty');
    assert.equal(spv1!.method, 'SetParameterValuesResponse');
    assert.equal(spv2!.method, 'Fault');
    const faults = spv2!
      .body!.children[2]!.children[0]!.children.filter((c) => c.local === 'SetParameterValuesFault')
      .map((f) => `${f.children[0]!.text}=${f.children[1]!.text}`);
    assert.deepEqual(faults, ['Device.ManagementServer.PeriodicInformInterval=9007', 'Device.DeviceInfo.UpTime=9008', 'Device.Nope=9005']);
    assert.equal(gpn!.method, 'GetParameterNamesResponse');
    assert.equal(rpc!.method, 'GetRPCMethodsResponse');
    assert.equal(textAt(h.acs.responses(h.serial)[5]!.body, 'detail', 'Fault', 'FaultCode'), '9013', 'TFTP is not a protocol this agent transfers with');
    assert.equal(h.agent.model.read('Device.ManagementServer.ParameterKey'), 'key-1', 'ParameterKey only from the successful set');
    // The new interval is armed at once: the periodic Inform comes 120 s later.
    assert.equal(clock.nextTimerIn(), 120_000);
    clock.advance(120_000);
    await sessionsCompleted(h, 2);
    assert.deepEqual(codes(h.acs.completedSessions(h.serial)[1]!.events), ['2 PERIODIC']);
  } finally {
    await h.close();
  }
});

test('PeriodicInformTime aligns periodic Informs to its phase', async () => {
  const h = await startHarness({ manualClock: true });
  const clock = h.clock as ManualClock;
  try {
    const phase = new Date(clock.now() + 45_000).toISOString();
    h.acs.queue(h.serial, {
      method: 'SetParameterValues',
      parameterList: [
        { name: 'Device.ManagementServer.PeriodicInformInterval', value: '600' },
        { name: 'Device.ManagementServer.PeriodicInformTime', value: phase, type: 'dateTime' },
      ],
      parameterKey: '',
    });
    h.agent.start();
    await sessionsCompleted(h, 1);
    assert.equal(clock.nextTimerIn(), 45_000 - (clock.now() - (Date.parse(phase) - 45_000)));
  } finally {
    await h.close();
  }
});

test('ScheduleInform: 3 SCHEDULED and M ScheduleInform with the CommandKey after the delay', async () => {
  const h = await startHarness({ manualClock: true });
  const clock = h.clock as ManualClock;
  try {
    h.acs.queue(h.serial, { method: 'ScheduleInform', delaySeconds: 30, commandKey: 'sched-1' });
    h.acs.queue(h.serial, { method: 'ScheduleInform', delaySeconds: 0, commandKey: 'bad' });
    h.agent.start();
    await sessionsCompleted(h, 1);
    assert.equal(h.acs.responses(h.serial)[1]!.method, 'Fault');
    clock.advance(29_000);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(h.acs.completedSessions(h.serial).length, 1);
    clock.advance(1_000);
    await sessionsCompleted(h, 2);
    assert.deepEqual(codes(h.acs.completedSessions(h.serial)[1]!.events), ['3 SCHEDULED', 'M ScheduleInform:sched-1']);
  } finally {
    await h.close();
  }
});

test('Reboot: carried out after the session, then 1 BOOT + M Reboot', async () => {
  const h = await startHarness();
  try {
    h.acs.queue(h.serial, { method: 'Reboot', commandKey: 'reboot-7' });
    h.agent.start();
    await sessionsCompleted(h, 2);
    assert.equal(h.device.reboots, 1);
    const second = h.acs.completedSessions(h.serial)[1]!;
    assert.deepEqual(codes(second.events), ['1 BOOT', 'M Reboot:reboot-7']);
  } finally {
    await h.close();
  }
});

test('FactoryReset: values back to defaults, then BOOTSTRAP', async () => {
  const h = await startHarness();
  try {
    h.acs.queue(
      h.serial,
      { method: 'SetParameterValues', parameterList: [{ name: 'Device.DeviceInfo.ProvisioningCode', value: 'PROV1' }], parameterKey: 'k' },
      { method: 'FactoryReset' },
    );
    h.agent.start();
    await sessionsCompleted(h, 2);
    assert.equal(h.device.factoryResets, 1);
    const second = h.acs.completedSessions(h.serial)[1]!;
    assert.deepEqual(codes(second.events), ['0 BOOTSTRAP', '1 BOOT']);
    assert.equal(parameterValues(readCpeMessage(second.messages[0]!.body))['Device.DeviceInfo.ProvisioningCode']!.value, '');
  } finally {
    await h.close();
  }
});

test('active notification: a device-side change starts a session with 4 VALUE CHANGE', async () => {
  const h = await startHarness();
  try {
    h.acs.queue(h.serial, {
      method: 'SetParameterAttributes',
      parameterList: [
        { name: 'Device.ManagementServer.ConnectionRequestUsername', notificationChange: true, notification: 2, accessListChange: false, accessList: [] },
      ],
    });
    h.acs.queue(h.serial, {
      method: 'SetParameterAttributes',
      parameterList: [{ name: 'Device.DeviceInfo.SoftwareVersion', notificationChange: true, notification: 0, accessListChange: false, accessList: [] }],
    });
    h.agent.start();
    await sessionsCompleted(h, 1);
    assert.equal(h.acs.responses(h.serial)[1]!.method, 'Fault', 'SoftwareVersion notification is forced active: 9009');
    h.agent.model.writeFromDevice({ 'Device.ManagementServer.ConnectionRequestUsername': 'local-change' });
    await sessionsCompleted(h, 2);
    const s = h.acs.completedSessions(h.serial)[1]!;
    assert.deepEqual(codes(s.events), ['4 VALUE CHANGE']);
    assert.equal(parameterValues(readCpeMessage(s.messages[0]!.body))['Device.ManagementServer.ConnectionRequestUsername']!.value, 'local-change');
  } finally {
    await h.close();
  }
});

test('a changed ManagementServer.URL means BOOTSTRAP to the new ACS', async () => {
  const h = await startHarness();
  const { TestAcs } = await import('../../src/acs/test-acs.js');
  const other = new TestAcs();
  const otherUrl = await other.listen();
  try {
    h.acs.queue(h.serial, { method: 'SetParameterValues', parameterList: [{ name: 'Device.ManagementServer.URL', value: otherUrl }], parameterKey: '' });
    h.agent.start();
    await sessionsCompleted(h, 1);
    h.agent.trigger('6 CONNECTION REQUEST');
    await other.waitFor(() => other.completedSessions().length === 1);
    assert.deepEqual(codes(other.completedSessions()[0]!.events), ['0 BOOTSTRAP', '6 CONNECTION REQUEST']);
  } finally {
    await other.close();
    await h.close();
  }
});

test('HoldRequests: the CPE sends nothing of its own until the ACS releases it', async () => {
  const h = await startHarness({ acs: { holdRequests: true } });
  try {
    h.agent.queueCpeRequest({ method: 'TransferComplete', commandKey: 'tc', fault: { faultCode: 0, faultString: '' }, startTime: null, completeTime: null });
    h.acs.queue(h.serial, { method: 'GetRPCMethods' });
    const first = h.agent.nextSession();
    h.agent.start();
    assert.equal((await first).ok, true);
    const order = h.acs
      .completedSessions(h.serial)[0]!
      .messages.filter((m) => m.from === 'cpe')
      .map((m) => m.method);
    assert.deepEqual(order, ['Inform', '', 'GetRPCMethodsResponse', 'TransferComplete', '']);
    assert.deepEqual(codes(h.acs.completedSessions(h.serial)[0]!.events), ['0 BOOTSTRAP', '1 BOOT', '7 TRANSFER COMPLETE', 'M Download:tc']);
  } finally {
    await h.close();
  }
});

test('the CPE answers in the namespace the ACS uses', async () => {
  const h = await startHarness({ acs: { namespace: 'urn:dslforum-org:cwmp-1-0' } });
  try {
    h.acs.queue(h.serial, { method: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.UpTime'] });
    h.agent.start();
    await sessionsCompleted(h, 1);
    assert.equal(h.acs.responses(h.serial)[0]!.namespace, 'urn:dslforum-org:cwmp-1-0');
  } finally {
    await h.close();
  }
});

test('AddObject and DeleteObject through a session, with their faults; instances survive a restart', async () => {
  const h = await startHarness();
  try {
    h.acs.queue(
      h.serial,
      { method: 'AddObject', objectName: 'Device.XMPP.Connection.', parameterKey: 'a1' },
      { method: 'AddObject', objectName: 'Device.XMPP.Connection.', parameterKey: 'a2' },
      { method: 'DeleteObject', objectName: 'Device.XMPP.Connection.1.', parameterKey: 'd1' },
      { method: 'DeleteObject', objectName: 'Device.XMPP.Connection.1.', parameterKey: 'd2' },
      { method: 'AddObject', objectName: 'Device.DeviceInfo.', parameterKey: 'bad' },
      { method: 'AddObject', objectName: 'Device.DeviceInfo.ProcessStatus.Process.', parameterKey: 'ro' },
      { method: 'GetParameterNames', parameterPath: 'Device.XMPP.Connection.', nextLevel: true },
    );
    h.agent.start();
    await sessionsCompleted(h, 1);
    const r = h.acs.responses(h.serial);
    const code = (i: number): string | undefined => r[i]!.body!.children.find((c) => c.local === 'detail')?.children[0]?.children[0]?.text;
    assert.deepEqual(
      r.slice(0, 2).map((m) => m.body!.children[0]!.text),
      ['1', '2'],
      'instance numbers',
    );
    assert.equal(r[2]!.method, 'DeleteObjectResponse');
    assert.equal(r[3]!.method, 'Fault');
    assert.equal(code(3), '9005', 'deleting a deleted instance');
    assert.equal(code(4), '9005', 'AddObject on a single-instance object');
    assert.equal(code(5), '9001', 'AddObject on a read-only table');
    assert.deepEqual(
      r[6]!.body!.children[0]!.children.map((s) => s.children[0]!.text),
      ['Device.XMPP.Connection.2.'],
    );
    assert.equal(h.agent.model.read('Device.ManagementServer.ParameterKey'), 'd1', 'ParameterKey from the last successful RPC');
    await h.restart();
    assert.deepEqual(h.agent.model.instanceIds('Device.XMPP.Connection.'), [2]);
  } finally {
    await h.close();
  }
});
