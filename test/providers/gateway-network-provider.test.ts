/** TR-098 WANDevice/LANDevice from interfaces: which is WAN, what LAN shows, what the ACS may not change. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayNetworkProvider, parseProcRoute, type GatewayNetworkSource } from '../../src/providers/gateway-network-provider.js';
import type { InterfaceSnapshot } from '../../src/providers/network-provider.js';

const ROUTE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth1\t00000000\t0102A8C0\t0003\t0\t0\t200\t00000000\t0\t0\t0
eth0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
`;

test('parseProcRoute: the default route with the lowest metric, gateway decoded from little-endian hex', () => {
  assert.deepEqual(parseProcRoute(ROUTE), { interfaceName: 'eth0', gateway: '192.0.2.1' });
  assert.equal(parseProcRoute('Iface\tDestination\n'), undefined);
  assert.equal(parseProcRoute(''), undefined);
});

const iface = (name: string, address: string | undefined, extra: Partial<InterfaceSnapshot> = {}): InterfaceSnapshot => ({
  name,
  mac: `02:00:00:00:00:0${name.length}`,
  loopback: false,
  up: true,
  ipv4: address ? [{ address, netmask: '255.255.255.0' }] : [],
  ipv6: [],
  ...extra,
});

function source(over: Partial<GatewayNetworkSource> = {}): GatewayNetworkSource {
  return {
    interfaces: () => [
      iface('lo', '127.0.0.1', { loopback: true }),
      iface('lan0', '192.168.1.1'),
      iface('wan', '203.0.113.5'),
      iface('lan1', undefined, { up: false }),
    ],
    defaultRoute: () => ({ interfaceName: 'wan', gateway: '203.0.113.1' }),
    dnsServers: () => ['203.0.113.53', '2001:db8::53'],
    hosts: () => [
      { ip: '192.168.1.10', mac: 'AA:BB:CC:00:00:01', interfaceName: 'lan0', active: true },
      { ip: '203.0.113.1', mac: 'AA:BB:CC:00:00:02', interfaceName: 'wan', active: true },
    ],
    counters: (n) => (n === 'wan' ? { bytesSent: 2 ** 32 + 5, bytesReceived: 7, packetsSent: 1, packetsReceived: 2 } : undefined),
    upSeconds: () => 42,
    refuseAddressChanges: 'not here',
    ...over,
  };
}

const R = 'InternetGatewayDevice.';
const WIP = `${R}WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.`;

test('the default-route interface is the WAN connection; the others are LAN ports', () => {
  const p = gatewayNetworkProvider(source());
  assert.equal(p.get(`${WIP}ExternalIPAddress`), '203.0.113.5');
  assert.equal(p.get(`${WIP}DefaultGateway`), '203.0.113.1');
  assert.equal(p.get(`${WIP}DNSServers`), '203.0.113.53', 'IPv4 servers only');
  assert.equal(p.get(`${WIP}ConnectionStatus`), 'Connected');
  assert.equal(p.get(`${WIP}Uptime`), '42');
  assert.equal(p.get(`${R}WANDevice.1.WANCommonInterfaceConfig.TotalBytesSent`), '5', 'a 32-bit counter wraps');
  assert.deepEqual(p.instances!(`${R}LANDevice.1.LANEthernetInterfaceConfig.`), [1, 2]);
  assert.equal(p.get(`${R}LANDevice.1.LANEthernetInterfaceConfig.2.Status`), 'NoLink');
  assert.deepEqual(p.instances!(`${R}LANDevice.1.LANHostConfigManagement.IPInterface.`), [1], 'only LAN ports with an address');
  assert.equal(p.get(`${R}LANDevice.1.LANHostConfigManagement.IPInterface.1.IPInterfaceIPAddress`), '192.168.1.1');
  assert.deepEqual(p.instances!(`${R}LANDevice.1.Hosts.Host.`), [1], 'neighbours on the WAN side are not LAN hosts');
  assert.equal(p.get(`${R}LANDevice.1.Hosts.Host.1.MACAddress`), 'AA:BB:CC:00:00:01');
  assert.equal(p.instances!(`${R}WANDevice.1.WANConnectionDevice.1.WANPPPConnection.`), undefined, "PPP connections are the ACS's to add");
});

test('without a default route the first interface is WAN; without any interface there is no WANDevice', () => {
  const p = gatewayNetworkProvider(source({ defaultRoute: () => undefined }));
  assert.equal(p.get(`${WIP}Name`), 'lan0');
  const none = gatewayNetworkProvider(source({ interfaces: () => [] }));
  assert.deepEqual(none.instances!(`${R}WANDevice.`), []);
  assert.deepEqual(none.instances!(`${R}LANDevice.`), [1]);
});

test("the device's own addresses are refused with its reason; settings beside them are not", () => {
  const p = gatewayNetworkProvider(source());
  assert.equal(p.validate!(`${WIP}ExternalIPAddress`, '1.2.3.4'), 'not here');
  assert.equal(p.validate!(`${R}LANDevice.1.LANHostConfigManagement.IPInterface.1.IPInterfaceSubnetMask`, '255.0.0.0'), 'not here');
  assert.equal(p.validate!(`${WIP}NATEnabled`, 'false'), undefined);
  assert.equal(p.validate!(`${R}LANDevice.1.LANHostConfigManagement.DHCPServerEnable`, 'true'), undefined);
});
