/**
 * Requests an ACS (or an attacker posing as one) can send that once cost the agent its heap or
 * broke a real ACS: bounded answers, TR-069's empty-path GetParameterNames, and notification on
 * a forced parameter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childNamed } from '../../src/cwmp/xml-reader.js';
import { textAt, type CpeMessageSummary } from '../../src/acs/acs-messages.js';
import { CwmpFault } from '../../src/cwmp/faults.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';

function listLength(m: CpeMessageSummary): number {
  return childNamed(m.body!, 'ParameterList')?.children.length ?? 0;
}

function names(m: CpeMessageSummary): string[] {
  return (childNamed(m.body!, 'ParameterList')?.children ?? []).map((s) => textAt(s, 'Name')!.trim());
}

test('GetParameterValues / GetParameterAttributes naming the whole tree 100,000 times answer it once (a 2.4 MB request, no heap blow-up)', {
  timeout: 60_000,
}, async () => {
  const h = await startHarness();
  try {
    h.acs.queue(
      h.serial,
      { method: 'GetParameterValues', parameterNames: ['Device.'] },
      { method: 'GetParameterValues', parameterNames: Array<string>(100_000).fill('Device.') },
      { method: 'GetParameterValues', parameterNames: Array<string>(100_000).fill('') },
      { method: 'GetParameterAttributes', parameterNames: Array<string>(100_000).fill('Device.') },
    );
    h.agent.start();
    await sessionsCompleted(h, 1);
    const [once, many, empty, attributes] = h.acs.responses(h.serial);
    assert.equal(many!.method, 'GetParameterValuesResponse');
    assert.ok(listLength(once!) > 500, `${once!.method}: ${listLength(once!)} values`);
    assert.equal(listLength(many!), listLength(once!), 'the repeated name is answered once');
    assert.equal(listLength(empty!), listLength(once!), 'the empty name (the whole tree) too');
    assert.equal(attributes!.method, 'GetParameterAttributesResponse');
    assert.equal(listLength(attributes!), listLength(once!));
  } finally {
    await h.close();
  }
});

test('an answer past the bound is 9004 Resources exceeded, decided before any value is read', async () => {
  const h = await startHarness();
  try {
    assert.throws(
      () => h.agent.model.getParameterValues(['Device.'], 100),
      (e: unknown) => e instanceof CwmpFault && e.faultCode === 9004,
    );
    assert.throws(
      () => h.agent.model.getParameterAttributes(['Device.DeviceInfo.', 'Device.ManagementServer.'], 20),
      (e: unknown) => e instanceof CwmpFault && e.faultCode === 9004,
    );
    assert.equal(h.agent.model.getParameterValues(['Device.DeviceInfo.UpTime', 'Device.DeviceInfo.UpTime'], 1).length, 1);
  } finally {
    await h.close();
  }
});

test('GenieACS\'s whole-tree refresh: GetParameterNames("", true) names the root object alone, then ("Device.", false) the whole tree (TR-069 A.3.2.3)', async () => {
  const h = await startHarness();
  try {
    h.acs.queue(
      h.serial,
      { method: 'GetParameterNames', parameterPath: '', nextLevel: true },
      { method: 'GetParameterNames', parameterPath: 'Device.', nextLevel: false },
    );
    h.agent.start();
    await sessionsCompleted(h, 1);
    const [top, all] = h.acs.responses(h.serial);
    assert.equal(top!.method, 'GetParameterNamesResponse');
    assert.deepEqual(names(top!), ['Device.']);
    assert.equal(textAt(childNamed(top!.body!, 'ParameterList')!.children[0], 'Writable')!.trim(), 'false');
    assert.equal(all!.method, 'GetParameterNamesResponse');
    assert.ok(names(all!).includes('Device.DeviceInfo.SoftwareVersion'));
    assert.ok(names(all!).includes('Device.ManagementServer.'));
  } finally {
    await h.close();
  }
});

test('SetParameterAttributes Notification=2 on a parameter forced to 2 is accepted; any other value is 9009', async () => {
  const h = await startHarness();
  const spa = (notification: number) => ({
    method: 'SetParameterAttributes' as const,
    parameterList: [{ name: 'Device.DeviceInfo.ProvisioningCode', notificationChange: true, notification, accessListChange: false, accessList: [] }],
  });
  try {
    h.acs.queue(h.serial, spa(2), spa(1), { method: 'GetParameterAttributes', parameterNames: ['Device.DeviceInfo.ProvisioningCode'] });
    h.agent.start();
    await sessionsCompleted(h, 1);
    const [ok, refused, read] = h.acs.responses(h.serial);
    assert.equal(ok!.method, 'SetParameterAttributesResponse');
    assert.equal(refused!.method, 'Fault');
    assert.equal(textAt(refused!.body, 'detail', 'Fault', 'FaultCode'), '9009');
    assert.equal(textAt(childNamed(read!.body!, 'ParameterList')!.children[0], 'Notification')!.trim(), '2');
  } finally {
    await h.close();
  }
});
