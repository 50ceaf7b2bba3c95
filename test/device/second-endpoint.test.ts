/**
 * A second endpoint attaches to the device runtime beside the CWMP one, touching neither: it hears
 * the same domain events (boot with its cause, value changes, a transfer's end, a reboot with the
 * request's command key) that the CWMP endpoint reports to the ACS in its own words. And the
 * runtime runs with no CWMP endpoint at all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { informEvents, readCpeMessage } from '../../src/acs/acs-messages.js';
import type { DomainEvent } from '../../src/device/domain-events.js';
import { DeviceRuntime } from '../../src/device/device-runtime.js';
import { BUILT_IN_SCHEMA } from '../../src/models/built-in.js';
import { buildFirmwareImage } from '../../src/providers/firmware-image.js';
import { identityValues } from '../../src/providers/device.js';
import { SimulatedDevice } from '../../src/providers/simulated-device.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { LiveAgentStateStore, type AgentState } from '../../src/storage/agent-state.js';
import { MemoryModelStore } from '../../src/storage/model-store.js';
import { PersistedState } from '../../src/storage/state-cell.js';
import { sendRpcs, sessionsCompleted, startHarness } from '../helpers/agent-harness.js';
import { downloadRequest, FIRMWARE } from '../helpers/download-request.js';
import { FileServer } from '../helpers/file-server.js';
import { until } from '../helpers/until.js';

/** The smallest endpoint there is: it records what it hears and is never busy. */
function recordingEndpoint(): { events: DomainEvent[]; busy(): boolean; on(e: DomainEvent): void } {
  const events: DomainEvent[] = [];
  return { events, busy: () => false, on: (e) => void events.push(e) };
}

const kinds = (events: readonly DomainEvent[]): string[] => events.map((e) => (e.kind === 'booted' ? `booted:${e.cause}` : e.kind));

test('a second endpoint on the same device hears what the CWMP endpoint reports: boot, changes, a firmware download, a reboot', {
  timeout: 60_000,
}, async () => {
  const files = new FileServer();
  await files.listen();
  const image = buildFirmwareImage({ version: '2.0.0', payload: randomBytes(50_000) });
  files.files.set('fw.bin', { body: image });
  const h = await startHarness();
  const second = recordingEndpoint();
  h.agent.device.attach(second);
  try {
    h.agent.start();
    await sessionsCompleted(h, 1);
    assert.deepEqual(kinds(second.events).slice(0, 2), ['booted:power-on', 'ready']);

    // A value the ACS sets, and one the device changes by itself.
    const set = await sendRpcs(h, {
      method: 'SetParameterValues',
      parameterList: [{ name: 'Device.ManagementServer.PeriodicInformInterval', value: '7200' }],
      parameterKey: 'k1',
    });
    assert.equal(set?.method, 'SetParameterValuesResponse');
    h.agent.model.writeFromDevice({ 'Device.DeviceInfo.ProvisioningCode': 'from-the-device' });
    const changes = second.events.filter((e) => e.kind === 'values-changed');
    assert.ok(changes.some((e) => e.origin === 'acs' && e.names.includes('Device.ManagementServer.PeriodicInformInterval')));
    assert.ok(changes.some((e) => e.origin === 'device' && e.names.includes('Device.DeviceInfo.ProvisioningCode')));

    // A firmware download: queued, installed, the device reboots, the transfer's end is told once.
    await sendRpcs(h, downloadRequest(files.url('fw.bin'), 'fw-key', { fileType: FIRMWARE, fileSize: image.length }));
    await until(() => second.events.find((e) => e.kind === 'transfer-finished'), 'the transfer-finished event');
    const finished = second.events.filter((e) => e.kind === 'transfer-finished');
    assert.equal(finished.length, 1);
    const done = finished[0]!;
    assert.ok(
      done.kind === 'transfer-finished' &&
        done.report?.method === 'TransferComplete' &&
        done.report.fault.faultCode === 0 &&
        done.report.commandKey === 'fw-key',
    );
    assert.ok(second.events.some((e) => e.kind === 'transfer-queued' && e.transfer.commandKey === 'fw-key'));
    assert.ok(second.events.some((e) => e.kind === 'booted' && e.cause === 'reboot'));
    // The CWMP endpoint reported the same end in its words.
    await h.acs.waitFor(() => h.acs.acknowledged('TransferComplete', h.serial).length === 1, 15_000);

    // A Reboot with a command key: the second endpoint sees the cause and the key, the ACS gets M Reboot.
    const before = second.events.length;
    await sendRpcs(h, { method: 'Reboot', commandKey: 'rb-1' });
    await until(() => second.events.slice(before).find((e) => e.kind === 'ready'), 'the device ready after the reboot');
    assert.deepEqual(
      kinds(second.events.slice(before)).filter((k) => k !== 'values-changed'),
      ['going-down', 'booted:reboot', 'ready'],
    );
    const booted = second.events.slice(before).find((e) => e.kind === 'booted');
    assert.equal(booted?.kind === 'booted' ? booted.commandKey : undefined, 'rb-1');
    await h.acs.waitFor(() =>
      h.acs.sessions.some((s) =>
        s.messages.some(
          (m) =>
            m.from === 'cpe' &&
            readCpeMessage(m.body).method === 'Inform' &&
            informEvents(readCpeMessage(m.body)).some((e) => e.code === 'M Reboot' && e.commandKey === 'rb-1'),
        ),
      ),
    );
  } finally {
    await h.close();
    await files.close();
  }
});

test('the device runtime runs with no CWMP endpoint: a reboot requested by another endpoint is carried out and told with its key', async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const device = new SimulatedDevice('alone', () => clock.now(), {}, { clock });
  const store = new LiveAgentStateStore();
  const runtime = new DeviceRuntime({
    device,
    schema: BUILT_IN_SCHEMA,
    modelStore: new MemoryModelStore(),
    providers: device.providers,
    initialValues: identityValues(device.identity, BUILT_IN_SCHEMA.root),
    state: new PersistedState<AgentState>(store),
    clock,
    logger: pino({ level: 'silent' }),
    transfers: { parameterKeyName: 'Device.ManagementServer.ParameterKey' },
  });
  const endpoint = recordingEndpoint();
  runtime.attach(endpoint);
  runtime.start();
  assert.deepEqual(kinds(endpoint.events), ['booted:power-on', 'ready']);
  assert.equal(runtime.model.read('Device.DeviceInfo.SerialNumber'), device.identity.serialNumber);

  runtime.requestReboot('usp-key');
  assert.equal(store.peek()?.pendingDeviceAction?.kind, 'reboot', 'saved before it is carried out');
  await runtime.carryOutPendingAction();
  assert.deepEqual(kinds(endpoint.events).slice(2), ['going-down', 'booted:reboot', 'ready']);
  const booted = endpoint.events[3];
  assert.equal(booted?.kind === 'booted' ? booted.commandKey : undefined, 'usp-key');
  assert.equal(device.reboots, 1);
  assert.equal(store.peek()?.pendingDeviceAction, null);

  runtime.diagnosticsComplete('IPPing');
  assert.deepEqual(endpoint.events.at(-1), { kind: 'diagnostics-complete', name: 'IPPing' });
  await runtime.stop();
});

test('a reboot cut by a power failure is still a reboot at the next boot, with its key', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const device = new SimulatedDevice('cut', () => clock.now(), {}, { clock });
  const store = new LiveAgentStateStore();
  const make = (): { runtime: DeviceRuntime; endpoint: ReturnType<typeof recordingEndpoint> } => {
    const runtime = new DeviceRuntime({
      device,
      schema: BUILT_IN_SCHEMA,
      modelStore: new MemoryModelStore(),
      providers: device.providers,
      initialValues: identityValues(device.identity, BUILT_IN_SCHEMA.root),
      state: new PersistedState<AgentState>(store),
      clock,
      logger: pino({ level: 'silent' }),
      transfers: { parameterKeyName: 'Device.ManagementServer.ParameterKey' },
    });
    const endpoint = recordingEndpoint();
    runtime.attach(endpoint);
    return { runtime, endpoint };
  };
  const first = make();
  first.runtime.start();
  first.runtime.requestReboot('cut-key');
  // The power goes before the reboot is carried out: a new runtime reads the state back.
  const second = make();
  second.runtime.start();
  assert.deepEqual(second.endpoint.events[0], { kind: 'booted', cause: 'reboot', commandKey: 'cut-key' });
  assert.equal(store.peek()?.pendingDeviceAction, null);
});
