/** TR-098 WLANConfiguration from a Linux host's access points: `iw` output read, settings live and not writable here. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataModel } from '../../src/datamodel/data-model.js';
import { CwmpFault } from '../../src/cwmp/faults.js';
import { IGD_SCHEMA } from '../../src/models/igd.js';
import { MemoryModelStore } from '../../src/storage/model-store.js';
import { gatewayNetworkProvider } from '../../src/providers/gateway-network-provider.js';
import { gatewayWlanProvider } from '../../src/providers/gateway-wlan-provider.js';
import { linuxWlanRadios, parseIwInfo, parseIwStationDump } from '../../src/providers/linux-wlan.js';
import { wifiAccessPointProvider } from '../../src/providers/wifi-access-points.js';
import { wifiRadioProvider } from '../../src/providers/network-services-provider.js';
import { BUILT_IN_SCHEMA } from '../../src/models/built-in.js';

const AP_INFO = `Interface wlan0
\tifindex 4
\twdev 0x1
\taddr 02:11:22:33:44:55
\tssid Kitchen & Co
\ttype AP
\twiphy 0
\tchannel 36 (5180 MHz), width: 80 MHz, center1: 5210 MHz
\ttxpower 20.00 dBm
`;
const CLIENT_INFO = `Interface wlp2s0
\taddr 02:aa:bb:cc:dd:ee
\tssid Upstream
\ttype managed
\tchannel 6 (2437 MHz), width: 20 MHz, center1: 2437 MHz
`;
const STATIONS = `Station 66:77:88:99:aa:bb (on wlan0)
\tinactive time:\t1200 ms
\trx bytes:\t123456
\ttx bytes:\t654321
\tsignal:  \t-52 [-52, -55] dBm
\ttx bitrate:\t433.3 MBit/s VHT-MCS 9 80MHz short GI VHT-NSS 1
\tauthorized:\tyes
\tauthenticated:\tyes
\tassociated:\tyes
Station 66:77:88:99:aa:cc (on wlan0)
\ttx bitrate:\t6.0 MBit/s
\tauthorized:\tno
\tauthenticated:\tyes
`;

test('iw output: interface info and the station dump', () => {
  assert.deepEqual(parseIwInfo(AP_INFO), { addr: '02:11:22:33:44:55', ssid: 'Kitchen & Co', type: 'AP', channel: 36, frequencyMhz: 5180 });
  const stations = parseIwStationDump(STATIONS);
  assert.deepEqual(
    stations.map((s) => ({ mac: s.mac, authenticated: s.authenticated, txBitrateMbps: s.txBitrateMbps })),
    [
      { mac: '66:77:88:99:AA:BB', authenticated: true, txBitrateMbps: 433.3 },
      { mac: '66:77:88:99:AA:CC', authenticated: false, txBitrateMbps: 6 },
    ],
  );
  assert.deepEqual([stations[0]!.signalDbm, stations[0]!.rxBytes, stations[0]!.txBytes], [-52, 123456, 654321]);
  assert.equal(stations[1]!.signalDbm, undefined, 'no signal line: none claimed');
  assert.deepEqual(parseIwStationDump(''), []);
});

const W = 'InternetGatewayDevice.LANDevice.1.WLANConfiguration.';

test('a Linux access point as WLANConfiguration: live SSID and channel, stations with ARP addresses, client links left out, no writes', () => {
  const iw = (args: string[]): string | undefined => {
    if (args.join(' ') === 'dev wlan0 info') return AP_INFO;
    if (args.join(' ') === 'dev wlp2s0 info') return CLIENT_INFO;
    if (args.join(' ') === 'dev wlan0 station dump') return STATIONS;
    return undefined;
  };
  const neighbours = () => [{ ip: '192.168.1.23', mac: '66:77:88:99:aa:bb', interfaceName: 'wlan0', active: true }];
  const radios = () =>
    linuxWlanRadios({
      radios: () => [
        { name: 'wlan0', up: true },
        { name: 'wlp2s0', up: true },
      ],
      counters: () => ({ bytesSent: 10, bytesReceived: 20, packetsSent: 1, packetsReceived: 2 }),
      neighbours,
      iw,
    });
  const iface = (name: string, address: string) => ({
    name,
    mac: '02:00:00:00:00:01',
    loopback: false,
    up: true,
    ipv4: [{ address, netmask: '255.255.255.0' }],
    ipv6: [],
  });
  const gateway = gatewayNetworkProvider({
    // The host reaches the Internet over its Wi-Fi client link; wlan0 serves the LAN.
    interfaces: () => [iface('wlp2s0', '198.51.100.7'), iface('wlan0', '192.168.1.1'), iface('eth0', '192.168.2.1')],
    defaultRoute: () => ({ interfaceName: 'wlp2s0', gateway: '198.51.100.1' }),
    dnsServers: () => [],
    hosts: neighbours,
    counters: () => undefined,
    upSeconds: () => 1,
    refuseAddressChanges: 'no',
    wirelessInterfaces: () => radios().map((r) => r.name),
  });
  const model = new DataModel(IGD_SCHEMA, new MemoryModelStore(), [gateway, gatewayWlanProvider(radios, 'hostapd owns these')]);
  assert.deepEqual(model.instanceIds(W), [1], 'the access point only');
  assert.equal(model.read(`${W}1.SSID`), 'Kitchen & Co');
  assert.equal(model.read(`${W}1.Channel`), '36');
  assert.equal(model.read(`${W}1.Status`), 'Up');
  assert.match(model.read(`${W}1.PossibleChannels`), /^36,40,/);
  assert.equal(model.read(`${W}1.TotalAssociations`), '2');
  assert.equal(model.read(`${W}1.AssociatedDevice.1.AssociatedDeviceIPAddress`), '192.168.1.23');
  assert.equal(model.read(`${W}1.AssociatedDevice.2.AssociatedDeviceAuthenticationState`), 'false');
  assert.equal(model.read(`${W}1.AssociatedDevice.1.LastDataTransmitRate`), '433');
  assert.equal(
    model.read('InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress'),
    '198.51.100.7',
    'the Wi-Fi client link is the WAN',
  );
  assert.equal(model.read('InternetGatewayDevice.LANDevice.1.LANEthernetInterfaceNumberOfEntries'), '1', 'eth0 only: the access point is no Ethernet port');
  assert.equal(model.read('InternetGatewayDevice.LANDevice.1.Hosts.Host.1.InterfaceType'), '802.11');
  assert.throws(
    () => model.setParameterValues([{ name: `${W}1.SSID`, value: 'Other' }], 'InternetGatewayDevice.ManagementServer.ParameterKey', 'k'),
    (err: unknown) => err instanceof CwmpFault && err.parameterFaults?.[0]?.faultCode === 9007 && /hostapd/.test(err.parameterFaults[0].faultString),
  );
});

test('TR-181: a Linux access point as WiFi.SSID and WiFi.AccessPoint with its stations, live and not writable; without one the ACS keeps the tables', () => {
  const iw = (args: string[]): string | undefined => ({ 'dev wlan0 info': AP_INFO, 'dev wlan0 station dump': STATIONS })[args.join(' ')];
  const radioList = () => [{ name: 'wlan0', up: true }];
  const aps = () =>
    linuxWlanRadios({
      radios: radioList,
      counters: () => ({ bytesSent: 10, bytesReceived: 20, packetsSent: 1, packetsReceived: 2 }),
      neighbours: () => [],
      iw,
    });
  const store = new MemoryModelStore();
  const model = new DataModel(BUILT_IN_SCHEMA, store, [wifiRadioProvider(radioList), wifiAccessPointProvider(aps, radioList, 'hostapd owns these')]);
  assert.deepEqual(model.instanceIds('Device.WiFi.SSID.'), [1]);
  assert.equal(model.read('Device.WiFi.SSID.1.SSID'), 'Kitchen & Co');
  assert.equal(model.read('Device.WiFi.SSID.1.BSSID'), '02:11:22:33:44:55');
  assert.equal(model.read('Device.WiFi.SSID.1.LowerLayers'), 'Device.WiFi.Radio.1');
  assert.equal(model.read('Device.WiFi.SSID.1.Stats.BytesReceived'), '20');
  assert.equal(model.read('Device.WiFi.AccessPoint.1.SSIDReference'), 'Device.WiFi.SSID.1');
  assert.equal(model.read('Device.WiFi.AccessPoint.1.AssociatedDeviceNumberOfEntries'), '2');
  const station = (f: string): string => model.read(`Device.WiFi.AccessPoint.1.AssociatedDevice.1.${f}`);
  assert.deepEqual(
    [station('MACAddress'), station('SignalStrength'), station('LastDataDownlinkRate'), station('Stats.BytesSent')],
    ['66:77:88:99:AA:BB', '-52', '433300', '654321'],
  );
  assert.equal(model.read('Device.WiFi.AccessPoint.1.AssociatedDevice.2.LastDataDownlinkRate'), '6000');
  // Every value is one the model's types and ranges allow.
  for (const p of model.getParameterValues(['Device.WiFi.'])) {
    const def = model.definitionOf(p.name)!;
    if (def.min !== undefined) assert.ok(Number(p.value) >= def.min, `${p.name}=${p.value}`);
    if (def.max !== undefined) assert.ok(Number(p.value) <= def.max, `${p.name}=${p.value}`);
  }
  assert.throws(
    () => model.setParameterValues([{ name: 'Device.WiFi.SSID.1.SSID', value: 'x' }], 'Device.ManagementServer.ParameterKey', 'k'),
    (e: unknown) => e instanceof CwmpFault && /hostapd/.test(e.parameterFaults[0]!.faultString),
  );
  assert.throws(
    () => model.addObject('Device.WiFi.SSID.', 'Device.ManagementServer.ParameterKey', 'k'),
    (e: unknown) => e instanceof CwmpFault && e.faultCode === 9001,
  );
  // No access point: the ACS adds and configures SSIDs itself.
  const bare = new DataModel(BUILT_IN_SCHEMA, new MemoryModelStore(), [
    wifiAccessPointProvider(
      () => [],
      () => [],
      'x',
    ),
  ]);
  assert.equal(bare.addObject('Device.WiFi.SSID.', 'Device.ManagementServer.ParameterKey', 'k'), 1);
});
