/**
 * TR-098 WANDevice and LANDevice from the device's interfaces: the interface the default route
 * leaves by is WANDevice.1 with one WANIPConnection; every other non-loopback interface is a
 * LANEthernetInterfaceConfig of LANDevice.1, with its IPv4 address as a LANHostConfigManagement
 * IPInterface and the neighbours seen on it as Hosts. The same source serves the Linux host
 * (/proc/net/route, /proc/net/arp, /sys/class/net statistics) and the simulated gateway.
 * Instance numbers stay with an interface name for the provider's lifetime.
 */
import type { Provider } from '../datamodel/provider.js';
import type { InterfaceSnapshot } from './network-provider.js';
import type { HostEntry } from './network-services-provider.js';

export interface InterfaceCounters {
  bytesSent: number;
  bytesReceived: number;
  packetsSent: number;
  packetsReceived: number;
}

export interface GatewayNetworkSource {
  interfaces: () => InterfaceSnapshot[];
  /** The interface and next hop of the IPv4 default route, when there is one. */
  defaultRoute: () => { interfaceName: string; gateway: string } | undefined;
  dnsServers: () => string[];
  /** Neighbours (ARP); those on LAN interfaces are LANDevice.1's Hosts. */
  hosts: () => HostEntry[];
  /** Wi-Fi interfaces (WLANConfiguration, not Ethernet ports): their neighbours are Hosts on 802.11. */
  wirelessInterfaces?: () => string[];
  counters: (interfaceName: string) => InterfaceCounters | undefined;
  /** Seconds the WAN connection has been up (the device's uptime: it connects at boot). */
  upSeconds: () => number;
  /** Why the ACS may not change addresses (fault 9007); the device's own addresses are not stored settings. */
  refuseAddressChanges: string;
}

const R = 'InternetGatewayDevice.';
const WAN_DEVICE = `${R}WANDevice.`;
const WCD = `${R}WANDevice.1.WANConnectionDevice.`;
const WIP = `${WCD}1.WANIPConnection.`;
const LAN_DEVICE = `${R}LANDevice.`;
const LETH = `${R}LANDevice.1.LANEthernetInterfaceConfig.`;
const LIPIF = `${R}LANDevice.1.LANHostConfigManagement.IPInterface.`;
const HOST = `${R}LANDevice.1.Hosts.Host.`;
/** The objects the provider answers for, known before it is built (see lazyProvider). */
export const GATEWAY_OBJECTS: readonly string[] = [WAN_DEVICE, LAN_DEVICE];
const ADDRESS_PARAMETERS = /^(ExternalIPAddress|SubnetMask|DefaultGateway|DNSServers|MACAddress|IPInterfaceIPAddress|IPInterfaceSubnetMask)$/;

/** The bounded unsignedInt TR-098 counters are: they wrap as 32-bit hardware counters do. */
const counter = (n: number | undefined): string => String((n ?? 0) % 2 ** 32);

export function gatewayNetworkProvider(src: GatewayNetworkSource): Provider {
  const numbers = new Map<string, number>();
  let next = 1;
  const numberOf = (name: string): number => {
    if (!numbers.has(name)) numbers.set(name, next++);
    return numbers.get(name)!;
  };
  const wireless = (): Set<string> => new Set(src.wirelessInterfaces?.() ?? []);
  const split = (): { wan: InterfaceSnapshot | undefined; lan: { n: number; i: InterfaceSnapshot }[] } => {
    const radios = wireless();
    const all = src.interfaces().filter((i) => !i.loopback);
    const routed = src.defaultRoute()?.interfaceName;
    // The WAN may be a Wi-Fi client link; access points are WLANConfiguration, not LAN Ethernet ports.
    const wan = all.find((i) => i.name === routed) ?? all.find((i) => !radios.has(i.name)) ?? all[0];
    return { wan, lan: all.filter((i) => i !== wan && !radios.has(i.name)).map((i) => ({ n: numberOf(i.name), i })) };
  };
  const lanHosts = (): HostEntry[] => {
    const lan = new Set([...split().lan.map((x) => x.i.name), ...wireless()]);
    return src.hosts().filter((h) => lan.has(h.interfaceName));
  };

  const wanValue = (wan: InterfaceSnapshot, field: string): string | undefined => {
    const v4 = wan.ipv4[0];
    const c = src.counters(wan.name);
    const connected = wan.up && v4 !== undefined;
    const values: Record<string, string> = {
      Enable: 'true',
      ConnectionStatus: connected ? 'Connected' : 'Disconnected',
      ConnectionType: 'IP_Routed',
      Name: wan.name,
      Uptime: connected ? String(Math.floor(src.upSeconds())) : '0',
      ExternalIPAddress: v4?.address ?? '',
      SubnetMask: v4?.netmask ?? '',
      DefaultGateway: src.defaultRoute()?.gateway ?? '',
      DNSServers: src
        .dnsServers()
        .filter((s) => !s.includes(':'))
        .join(','),
      MACAddress: wan.mac.toUpperCase(),
      'Stats.EthernetBytesSent': counter(c?.bytesSent),
      'Stats.EthernetBytesReceived': counter(c?.bytesReceived),
      'Stats.EthernetPacketsSent': counter(c?.packetsSent),
      'Stats.EthernetPacketsReceived': counter(c?.packetsReceived),
    };
    return values[field];
  };

  return {
    objects: GATEWAY_OBJECTS,
    instances(tablePath) {
      if (tablePath === WAN_DEVICE || tablePath === WCD || tablePath === WIP) return split().wan ? [1] : [];
      if (tablePath === LAN_DEVICE) return [1];
      if (tablePath === LETH) return split().lan.map((x) => x.n);
      if (tablePath === LIPIF)
        return split()
          .lan.filter((x) => x.i.ipv4.length > 0)
          .map((x) => x.n);
      if (tablePath === HOST) return lanHosts().map((_, k) => k + 1);
      return undefined;
    },
    get(path) {
      if (path.startsWith(`${WAN_DEVICE}1.`)) {
        const wan = split().wan;
        if (!wan) return undefined;
        const common = /^InternetGatewayDevice\.WANDevice\.1\.WANCommonInterfaceConfig\.(\w+)$/.exec(path)?.[1];
        if (common) {
          const c = src.counters(wan.name);
          return (
            {
              WANAccessType: 'Ethernet',
              PhysicalLinkStatus: wan.up ? 'Up' : 'Down',
              TotalBytesSent: counter(c?.bytesSent),
              TotalBytesReceived: counter(c?.bytesReceived),
              TotalPacketsSent: counter(c?.packetsSent),
              TotalPacketsReceived: counter(c?.packetsReceived),
            } as Record<string, string>
          )[common];
        }
        return path.startsWith(`${WIP}1.`) ? wanValue(wan, path.slice(`${WIP}1.`.length)) : undefined;
      }
      let m = /^InternetGatewayDevice\.LANDevice\.1\.LANEthernetInterfaceConfig\.(\d+)\.([\w.]+)$/.exec(path);
      if (m) {
        const i = split().lan.find((x) => x.n === Number(m![1]))?.i;
        if (!i) return undefined;
        const c = src.counters(i.name);
        return (
          {
            Status: i.up ? 'Up' : 'NoLink',
            MACAddress: i.mac.toUpperCase(),
            'Stats.BytesSent': counter(c?.bytesSent),
            'Stats.BytesReceived': counter(c?.bytesReceived),
            'Stats.PacketsSent': counter(c?.packetsSent),
            'Stats.PacketsReceived': counter(c?.packetsReceived),
          } as Record<string, string>
        )[m[2]!];
      }
      m = /^InternetGatewayDevice\.LANDevice\.1\.LANHostConfigManagement\.IPInterface\.(\d+)\.(\w+)$/.exec(path);
      if (m) {
        const v4 = split().lan.find((x) => x.n === Number(m![1]))?.i.ipv4[0];
        if (!v4) return undefined;
        return (
          { Enable: 'true', IPInterfaceIPAddress: v4.address, IPInterfaceSubnetMask: v4.netmask, IPInterfaceAddressingType: 'Static' } as Record<string, string>
        )[m[2]!];
      }
      m = /^InternetGatewayDevice\.LANDevice\.1\.Hosts\.Host\.(\d+)\.(\w+)$/.exec(path);
      if (m) {
        const h = lanHosts()[Number(m[1]) - 1];
        if (!h) return undefined;
        // Neighbours seen on the wire: how each got its address is not known here, so no lease is claimed.
        const type = wireless().has(h.interfaceName) ? '802.11' : 'Ethernet';
        return (
          { IPAddress: h.ip, MACAddress: h.mac, Active: String(h.active), AddressSource: 'Static', LeaseTimeRemaining: '0', InterfaceType: type } as Record<
            string,
            string
          >
        )[m[2]!];
      }
      return undefined;
    },
    validate(path) {
      const owned = path.startsWith(`${WIP}1.`) || path.startsWith(LIPIF) || path.startsWith(LETH);
      return owned && ADDRESS_PARAMETERS.test(path.slice(path.lastIndexOf('.') + 1)) ? src.refuseAddressChanges : undefined;
    },
  };
}

/** /proc/net/route: the IPv4 default route (destination and mask 0) with the lowest metric; hex fields are little-endian. */
export function parseProcRoute(text: string): { interfaceName: string; gateway: string } | undefined {
  const routes = text
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 8 && f[1] === '00000000' && f[7] === '00000000')
    .map((f) => ({ interfaceName: f[0]!, gateway: hexToIPv4(f[2]!), metric: Number(f[6]) }))
    .sort((a, b) => a.metric - b.metric);
  const best = routes[0];
  return best && { interfaceName: best.interfaceName, gateway: best.gateway };
}

function hexToIPv4(hex: string): string {
  const n = parseInt(hex, 16) >>> 0;
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24].join('.');
}
