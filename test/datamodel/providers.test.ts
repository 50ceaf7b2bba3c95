/** Providers: the simulated device's status values and the Linux host's, through the data model. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { DataModel } from '../../src/datamodel/data-model.js';
import { Schema } from '../../src/datamodel/schema.js';
import { perReadBatch, type Provider } from '../../src/datamodel/provider.js';
import { MemoryModelStore } from '../../src/storage/model-store.js';
import { DEVICE_CORE_PARAMETERS } from '../../src/models/device-core.js';
import { DEVICE_STATUS_PARAMETERS, DEVICE_STATUS_TABLES } from '../../src/models/device-status.js';
import { SimulatedDevice } from '../../src/providers/simulated-device.js';
import { LinuxHostDevice, parseProcStat } from '../../src/providers/linux-host.js';
import type { DeviceHooks } from '../../src/providers/device.js';

const schema = new Schema([...DEVICE_CORE_PARAMETERS, ...DEVICE_STATUS_PARAMETERS], DEVICE_STATUS_TABLES);
const modelFor = (device: DeviceHooks): DataModel => new DataModel(schema, new MemoryModelStore(), device.providers);

test('simulated device: status values are plausible, deterministic per seed, and change with time', () => {
  let t = Date.UTC(2026, 0, 1);
  const a = modelFor(new SimulatedDevice('seed-1', () => t));
  const b = modelFor(new SimulatedDevice('seed-1', () => t));
  const total = Number(a.read('Device.DeviceInfo.MemoryStatus.Total'));
  assert.ok(total >= 262_144 && total <= 1_048_576);
  assert.ok(Number(a.read('Device.DeviceInfo.MemoryStatus.Free')) < total);
  assert.equal(a.read('Device.DeviceInfo.MemoryStatus.Free'), b.read('Device.DeviceInfo.MemoryStatus.Free'));
  const cpu0 = a.read('Device.DeviceInfo.ProcessStatus.CPUUsage');
  t += 30_000;
  assert.notEqual(a.read('Device.DeviceInfo.ProcessStatus.CPUUsage'), cpu0);
  assert.equal(a.read('Device.DeviceInfo.UpTime'), '30');
  const names = a.getParameterNames('Device.DeviceInfo.ProcessStatus.Process.', true).map((p) => p.name);
  assert.equal(names.length, Number(a.read('Device.DeviceInfo.ProcessStatus.ProcessNumberOfEntries')));
  assert.ok(names.includes('Device.DeviceInfo.ProcessStatus.Process.1.'));
  assert.equal(a.read('Device.DeviceInfo.ProcessStatus.Process.1.Command'), 'init');
  assert.equal(a.read('Device.Time.CurrentLocalTime'), new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'));
});

test('/proc/<pid>/stat parsing, including a command with spaces and parentheses', () => {
  const line = '4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 500 0 0 0 250 50 0 0 20 -5 1 0 100 12345678 300 18446744073709551615';
  assert.deepEqual(parseProcStat(line), { pid: 4242, command: 'my (odd) cmd', sizeKiB: 1200, priority: 15, cpuTimeMs: 3000, state: 'Sleeping' });
  assert.equal(parseProcStat('garbage'), undefined);
});

test('Linux host: real values from os and /proc', { skip: fs.existsSync('/proc/self/stat') ? undefined : 'no /proc here' }, () => {
  const m = modelFor(new LinuxHostDevice());
  assert.ok(Number(m.read('Device.DeviceInfo.MemoryStatus.Total')) > 0);
  assert.ok(Number(m.read('Device.DeviceInfo.UpTime')) > 0);
  const own = `Device.DeviceInfo.ProcessStatus.Process.${process.pid}.`;
  assert.equal(m.read(`${own}PID`), String(process.pid));
  assert.match(m.read(`${own}Command`), /node/);
  assert.ok(Number(m.read(`${own}Size`)) > 10_000, 'this node process uses more than 10 MB');
  const cpu = Number(m.read('Device.DeviceInfo.ProcessStatus.CPUUsage'));
  assert.ok(cpu >= 0 && cpu <= 100);
  const values = m.getParameterValues(['Device.DeviceInfo.ProcessStatus.']);
  assert.ok(values.length > 6 * 2);
});

test('simulated STB: TR-135 instances from the device, values that move, ACS settings kept', async () => {
  const { STB_PARAMETERS, STB_TABLES } = await import('../../src/models/stb-service.js');
  let t = Date.UTC(2026, 0, 1);
  const device = new SimulatedDevice('stb', () => t);
  const m = new DataModel(new Schema([...DEVICE_CORE_PARAMETERS, ...STB_PARAMETERS], STB_TABLES), new MemoryModelStore(), device.providers);
  const S = 'Device.Services.STBService.1.';
  assert.equal(m.read('Device.Services.STBServiceNumberOfEntries'), '1');
  assert.equal(m.read(`${S}Components.AudioDecoderNumberOfEntries`), '2');
  assert.equal(m.read(`${S}AVStreams.AVStream.1.Alias`), 'cpe-1');
  assert.equal(m.read(`${S}AVStreams.AVStream.1.AudioDecoder`), `${S}Components.AudioDecoder.1`);
  const states = new Set<string>();
  for (let i = 0; i < 20; i++) {
    t += 30_000;
    states.add(m.read(`${S}AVStreams.AVStream.1.PVRState`));
  }
  assert.ok(states.size >= 3, `PVR states seen: ${[...states].join(', ')}`);
  m.setParameterValues(
    [
      { name: `${S}Components.HDMI.1.ResolutionMode`, value: 'Manual' },
      { name: `${S}Components.HDMI.1.ResolutionValue`, value: '1920x1080p/50Hz' },
    ],
    'Device.ManagementServer.ParameterKey',
    'hdmi',
  );
  assert.equal(m.read(`${S}Components.HDMI.1.ResolutionMode`), 'Manual');
  const all = m.getParameterValues(['Device.Services.']);
  assert.ok(all.length > 50);
  assert.ok(all.every((v) => v.name.startsWith('Device.Services.')));
});

test('network interfaces: simulated and Linux host, with host addresses protected', async () => {
  const { NETWORK_PARAMETERS, NETWORK_TABLES } = await import('../../src/models/network.js');
  const { CwmpFault } = await import('../../src/cwmp/faults.js');
  const schema = new Schema([...DEVICE_CORE_PARAMETERS, ...NETWORK_PARAMETERS], NETWORK_TABLES);
  const sim = new DataModel(schema, new MemoryModelStore(), new SimulatedDevice('net', () => 0).providers);
  assert.equal(sim.read('Device.IP.InterfaceNumberOfEntries'), '2');
  assert.equal(sim.read('Device.Ethernet.InterfaceNumberOfEntries'), '1');
  assert.equal(sim.read('Device.IP.Interface.1.Type'), 'Loopback');
  assert.equal(sim.read('Device.IP.Interface.2.LowerLayers'), 'Device.Ethernet.Interface.2');
  assert.match(sim.read('Device.IP.Interface.2.IPv4Address.1.IPAddress'), /^192\.0\.2\.\d+$/);
  assert.match(sim.read('Device.Ethernet.Interface.2.MACAddress'), /^02(:[0-9A-F]{2}){5}$/);
  // The simulated device lets the ACS set an address (kept in the store).
  sim.setParameterValues([{ name: 'Device.IP.Interface.2.IPv4Address.1.Enable', value: 'false' }], 'Device.ManagementServer.ParameterKey', '');

  const host = new DataModel(schema, new MemoryModelStore(), new LinuxHostDevice().providers);
  const names = host.getParameterNames('Device.IP.Interface.', true).map((p) => p.name);
  const lo = names.map((n) => n.slice(0, -1)).find((n) => host.read(`${n}.Name`) === 'lo');
  assert.ok(lo, 'the loopback interface is listed');
  assert.equal(host.read(`${lo}.IPv4Address.1.IPAddress`), '127.0.0.1');
  try {
    host.setParameterValues([{ name: `${lo}.IPv4Address.1.IPAddress`, value: '127.0.0.2' }], 'Device.ManagementServer.ParameterKey', '');
    assert.fail('host address change accepted');
  } catch (e) {
    assert.ok(e instanceof CwmpFault);
    assert.equal(e.parameterFaults[0]?.faultCode, 9007);
  }
});

test('read batches: a device source behind perReadBatch is read once per RPC, and afresh in the next', () => {
  let reads = 0;
  let zone = 'UTC0';
  const source = perReadBatch(() => {
    reads++;
    return { zone, servers: ['ntp1', 'ntp2'] };
  });
  const T = 'Device.Time.';
  const provider: Provider = {
    objects: [T],
    get: (p) =>
      p === `${T}LocalTimeZone` ? source().zone : p === `${T}NTPServer1` ? source().servers[0] : p === `${T}NTPServer2` ? source().servers[1] : undefined,
  };
  const model = new DataModel(new Schema([...DEVICE_CORE_PARAMETERS, ...DEVICE_STATUS_PARAMETERS], DEVICE_STATUS_TABLES), new MemoryModelStore(), [provider]);
  const values = model.getParameterValues([T]);
  assert.ok(values.length >= 3);
  assert.equal(reads, 1, 'one read for the whole GetParameterValues');
  zone = 'EST5EDT';
  assert.equal(model.getParameterValues([`${T}LocalTimeZone`])[0]!.value, 'EST5EDT', 'the next RPC sees the change');
  assert.equal(reads, 2);
  // Outside an RPC (a provider's own read) nothing is kept.
  model.read(`${T}LocalTimeZone`);
  model.read(`${T}LocalTimeZone`);
  assert.equal(reads, 4);
});

test('a lazy settable provider: built on first use, takes settings and reports changes then; startIf builds it at once from what is stored', async () => {
  const { lazySettableProvider } = await import('../../src/datamodel/provider.js');
  const schema = new Schema([
    { name: 'Device.X.Enable', type: 'boolean', writable: true, default: 'false' },
    { name: 'Device.X.Count', type: 'unsignedInt', writable: false, default: '0' },
  ]);
  let builds = 0;
  let push: ((paths: string[]) => void) | undefined;
  const make = (): Provider => {
    builds++;
    return {
      objects: ['Device.X.'],
      get: (p) => (p === 'Device.X.Count' ? '7' : undefined),
      set: () => undefined,
      subscribe: (changed) => {
        push = changed;
        return () => undefined;
      },
    };
  };
  const store = new MemoryModelStore();
  const model = new DataModel(schema, store, [lazySettableProvider(['Device.X.'], make, { startIf: (read) => read('Device.X.Enable') === 'true' })]);
  assert.equal(builds, 0, 'nothing stored to act on: not built');
  const seen: string[][] = [];
  model.onChange((names) => seen.push(names));
  model.setParameterValues([{ name: 'Device.X.Enable', value: 'true' }], 'Device.ManagementServer.ParameterKey', 'k');
  assert.equal(builds, 1, 'a setting builds it');
  assert.equal(model.read('Device.X.Count'), '7');
  push?.(['Device.X.Count']);
  assert.ok(
    seen.some((n) => n.includes('Device.X.Count')),
    'its changes reach the model once built',
  );
  model.close();
  // A new model over the same stored settings (a restart): Enable is true, so it starts at once.
  builds = 0;
  const again = new DataModel(schema, store, [lazySettableProvider(['Device.X.'], make, { startIf: (read) => read('Device.X.Enable') === 'true' })]);
  assert.equal(builds, 1);
  again.close();
});
