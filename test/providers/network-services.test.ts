/** DNS.Client, Hosts, TemperatureStatus and Users: from the Linux host's files, the simulated device, and a fleet profile. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DataModel } from '../../src/datamodel/data-model.js';
import { BUILT_IN_SCHEMA } from '../../src/models/built-in.js';
import { LinuxHostDevice } from '../../src/providers/linux-host.js';
import { LiveModelStore } from '../../src/storage/model-store.js';
import { parseProcArp, parseResolvConf } from '../../src/providers/network-services-provider.js';
import { SimulatedDevice } from '../../src/providers/simulated-device.js';
import { loadProfile } from '../../src/fleet/profile.js';
import { tempDir } from '../helpers/agent-harness.js';

const KEY = 'Device.ManagementServer.ParameterKey';
const values = (m: DataModel, p: string): Record<string, string> => Object.fromEntries(m.getParameterValues([p]).map((v) => [v.name, v.value]));

test('parsers: resolv.conf nameservers and complete ARP entries', () => {
  assert.deepEqual(parseResolvConf('# comment\nsearch lan\nnameserver 192.0.2.53\n  nameserver 2001:db8::53\n'), ['192.0.2.53', '2001:db8::53']);
  const arp =
    'IP address       HW type     Flags       HW address            Mask     Device\n192.168.1.10     0x1         0x2         3c:22:fb:00:00:01     *        eth0\n192.168.1.11     0x1         0x0         00:00:00:00:00:00     *        eth0\n192.168.1.12     0x1         0x0         3c:22:fb:00:00:02     *        eth0\n';
  assert.deepEqual(parseProcArp(arp), [
    { ip: '192.168.1.10', mac: '3C:22:FB:00:00:01', interfaceName: 'eth0', active: true },
    { ip: '192.168.1.12', mac: '3C:22:FB:00:00:02', interfaceName: 'eth0', active: false },
  ]);
});

test('the Linux host: resolvers, ARP neighbours and thermal zones from its files; the ACS cannot rewrite resolv.conf', () => {
  const root = tempDir('linux-root-');
  fs.mkdirSync(path.join(root, 'etc'));
  fs.mkdirSync(path.join(root, 'proc/net'), { recursive: true });
  fs.mkdirSync(path.join(root, 'sys/class/thermal/thermal_zone0'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/resolv.conf'), 'nameserver 192.0.2.53\nnameserver 198.51.100.53\n');
  fs.writeFileSync(path.join(root, 'proc/net/arp'), 'IP address HW type Flags HW address Mask Device\n10.0.0.7 0x1 0x2 02:00:00:00:00:07 * eth9\n');
  fs.writeFileSync(path.join(root, 'proc/stat'), 'cpu  1 2 3 4 5 6 7 0 0 0\n');
  fs.writeFileSync(path.join(root, 'sys/class/thermal/thermal_zone0/temp'), '47500\n');
  fs.writeFileSync(path.join(root, 'sys/class/thermal/thermal_zone0/type'), 'x86_pkg_temp\n');
  fs.mkdirSync(path.join(root, 'sys/class/net/wlan0/wireless'), { recursive: true });
  fs.writeFileSync(path.join(root, 'sys/class/net/wlan0/operstate'), 'up\n');
  fs.mkdirSync(path.join(root, 'sys/class/net/eth0'), { recursive: true });
  fs.writeFileSync(path.join(root, 'sys/class/net/eth0/operstate'), 'up\n');
  try {
    const device = new LinuxHostDevice({ roots: { proc: path.join(root, 'proc'), etc: path.join(root, 'etc'), sys: path.join(root, 'sys') } });
    const m = new DataModel(BUILT_IN_SCHEMA, new LiveModelStore(), device.providers);
    assert.deepEqual(values(m, 'Device.DNS.Client.Server.'), {
      'Device.DNS.Client.Server.1.Enable': 'true',
      'Device.DNS.Client.Server.1.Status': 'Enabled',
      'Device.DNS.Client.Server.1.Alias': 'cpe-1',
      'Device.DNS.Client.Server.1.DNSServer': '192.0.2.53',
      'Device.DNS.Client.Server.1.Interface': '',
      'Device.DNS.Client.Server.1.Type': 'Static',
      'Device.DNS.Client.Server.2.Enable': 'true',
      'Device.DNS.Client.Server.2.Status': 'Enabled',
      'Device.DNS.Client.Server.2.Alias': 'cpe-2',
      'Device.DNS.Client.Server.2.DNSServer': '198.51.100.53',
      'Device.DNS.Client.Server.2.Interface': '',
      'Device.DNS.Client.Server.2.Type': 'Static',
    });
    assert.equal(m.read('Device.DNS.Client.ServerNumberOfEntries'), '2');
    assert.equal(m.read('Device.Hosts.HostNumberOfEntries'), '1');
    assert.equal(m.read('Device.Hosts.Host.1.PhysAddress'), '02:00:00:00:00:07');
    assert.equal(m.read('Device.Hosts.Host.1.Active'), 'true');
    assert.equal(m.read('Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.Value'), '48');
    assert.equal(m.read('Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.Name'), 'thermal_zone0 (x86_pkg_temp)');
    assert.equal(m.read('Device.WiFi.RadioNumberOfEntries'), '1', 'only the wireless interface is a radio');
    assert.equal(m.read('Device.WiFi.Radio.1.Name'), 'wlan0');
    assert.equal(m.read('Device.WiFi.Radio.1.Status'), 'Up');
    assert.throws(() => m.addObject('Device.DNS.Client.Server.', KEY, 'k'), /9001/);
    assert.throws(
      () => m.setParameterValues([{ name: 'Device.DNS.Client.Server.1.DNSServer', value: '192.0.2.1' }], KEY, 'k'),
      (err: Error & { parameterFaults?: { faultCode: number; faultString: string }[] }) =>
        err.parameterFaults?.[0]?.faultCode === 9007 && /resolv\.conf/.test(err.parameterFaults[0].faultString),
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("the simulated device: a CPU sensor with running min and max; Users are the ACS's to add, with hidden passwords", () => {
  let now = Date.UTC(2026, 0, 1);
  const device = new SimulatedDevice('sim', () => now);
  const m = new DataModel(BUILT_IN_SCHEMA, new LiveModelStore(), device.providers);
  const first = Number(m.read('Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.Value'));
  assert.ok(first >= 30 && first <= 70);
  now += 1800_000;
  const later = Number(m.read('Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.Value'));
  assert.ok(later > first, 'it warms over the first hours');
  assert.equal(m.read('Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.MaxValue'), String(later));
  assert.equal(m.read('Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.MinValue'), String(first));
  const id = m.addObject('Device.Users.User.', KEY, 'k1');
  m.setParameterValues(
    [
      { name: `Device.Users.User.${id}.Username`, value: 'support' },
      { name: `Device.Users.User.${id}.Password`, value: 'hunter2' },
    ],
    KEY,
    'k2',
  );
  assert.equal(m.getParameterValues([`Device.Users.User.${id}.Password`])[0]!.value, '', 'passwords read as empty');
  assert.equal(m.read('Device.Users.UserNumberOfEntries'), '1');
});

test("a gateway profile: its DNS server is each device's own instance (the ACS may add more); its LAN hosts are shared", () => {
  const p = loadProfile('gateway');
  assert.ok(p.perDeviceInstances.some((x) => x.tablePath === 'Device.DNS.Client.Server.' && x.id === 1));
  const device = new SimulatedDevice('gw', () => 0);
  const m = new DataModel(p.schema, new LiveModelStore(), [...device.providers, p.provider!], Object.create(p.values) as Record<string, string>);
  for (const { tablePath, id } of p.perDeviceInstances) m.ensureInstance(tablePath, id);
  assert.equal(m.read('Device.DNS.Client.Server.1.DNSServer'), '192.0.2.53');
  assert.equal(m.addObject('Device.DNS.Client.Server.', KEY, 'k'), 2);
  assert.equal(m.read('Device.Hosts.HostNumberOfEntries'), '3');
  assert.equal(m.read('Device.Hosts.Host.3.HostName'), 'tv');
  assert.equal(m.read('Device.WiFi.RadioNumberOfEntries'), '2', 'radios come from the profile');
  assert.equal(m.read('Device.WiFi.Radio.2.OperatingFrequencyBand'), '5GHz');
  assert.equal(m.read('Device.WiFi.SSID.2.SSID'), 'cwmp-home-5G', "SSIDs are each device's own instances");
  assert.equal(m.addObject('Device.WiFi.SSID.', KEY, 'guest'), 3);
});
