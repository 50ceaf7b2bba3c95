/**
 * Device.DNS.Client, Device.Hosts and DeviceInfo.TemperatureStatus from snapshots a device
 * supplies: the Linux host reads /etc/resolv.conf, /proc/net/arp and /sys/class/thermal; the
 * simulated device makes up a plausible sensor. Temperature sensors keep their min/max and
 * alarm times here, as TR-181 asks of the device.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CwmpFault } from '../cwmp/faults.js';
import { formatDateTime } from '../cwmp/xml-text.js';
import type { Provider } from '../datamodel/provider.js';

export const TEMPERATURE_OBJECTS: readonly string[] = ['Device.DeviceInfo.TemperatureStatus.'];

export interface HostEntry {
  ip: string;
  mac: string;
  interfaceName: string;
  active: boolean;
}

/** /proc/net/arp: "IP address  HW type  Flags  HW address  Mask  Device"; flag 0x2 is a complete entry. */
export function parseProcArp(text: string): HostEntry[] {
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 6 && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(f[3]!) && f[3] !== '00:00:00:00:00:00')
    .map((f) => ({ ip: f[0]!, mac: f[3]!.toUpperCase(), interfaceName: f[5]!, active: (parseInt(f[2]!, 16) & 0x2) !== 0 }));
}

/** The nameserver lines of a resolv.conf. */
export function parseResolvConf(text: string): string[] {
  return text
    .split('\n')
    .map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1])
    .filter((s): s is string => s !== undefined && s.length <= 45);
}

const DNS = 'Device.DNS.Client.';
const HOST = 'Device.Hosts.Host.';

export function dnsClientProvider(servers: () => string[]): Provider {
  return {
    objects: [DNS],
    instances: (t) => (t === `${DNS}Server.` ? servers().map((_, i) => i + 1) : undefined),
    get(p) {
      if (p === `${DNS}Enable`) return 'true';
      if (p === `${DNS}Status`) return 'Enabled';
      const m = /^Device\.DNS\.Client\.Server\.(\d+)\.(\w+)$/.exec(p);
      const server = m ? servers()[Number(m[1]) - 1] : undefined;
      if (!m || server === undefined) return undefined;
      return ({ Enable: 'true', Status: 'Enabled', DNSServer: server, Type: 'Static' } as Record<string, string>)[m[2]!];
    },
    validate: (p) => (p.startsWith(DNS) && !p.endsWith('.Alias') ? 'the host manages its own resolvers (/etc/resolv.conf)' : undefined),
    add: () => {
      throw new CwmpFault(9001, 'the host manages its own resolvers (/etc/resolv.conf)');
    },
    delete: () => {
      throw new CwmpFault(9001, 'the host manages its own resolvers (/etc/resolv.conf)');
    },
  };
}

export function hostsProvider(hosts: () => HostEntry[], interfaceRef: (name: string) => string): Provider {
  return {
    objects: ['Device.Hosts.'],
    instances: (t) => (t === HOST ? hosts().map((_, i) => i + 1) : undefined),
    get(p) {
      const m = /^Device\.Hosts\.Host\.(\d+)\.(\w+)$/.exec(p);
      const h = m ? hosts()[Number(m[1]) - 1] : undefined;
      if (!m || !h) return undefined;
      const values: Record<string, string> = {
        PhysAddress: h.mac,
        IPAddress: h.ip,
        AddressSource: 'None',
        Active: String(h.active),
        Layer3Interface: interfaceRef(h.interfaceName),
        InterfaceType: 'Ethernet',
      };
      return values[m[2]!];
    },
  };
}

export interface SensorReading {
  name: string;
  celsius: number;
}

const TS = 'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.';

/** Temperature sensors, with the running minimum and maximum TR-181 asks for. */
export function temperatureProvider(read: () => SensorReading[], now: () => number): Provider {
  const seen = new Map<string, { min: number; minAt: number; max: number; maxAt: number; since: number }>();
  const current = (): (SensorReading & { stats: NonNullable<ReturnType<typeof seen.get>> })[] =>
    read().map((r) => {
      const t = now();
      const s = seen.get(r.name) ?? { min: r.celsius, minAt: t, max: r.celsius, maxAt: t, since: t };
      if (r.celsius < s.min) Object.assign(s, { min: r.celsius, minAt: t });
      if (r.celsius > s.max) Object.assign(s, { max: r.celsius, maxAt: t });
      seen.set(r.name, s);
      return { ...r, stats: s };
    });
  return {
    objects: TEMPERATURE_OBJECTS,
    instances: (t) => (t === TS ? read().map((_, i) => i + 1) : undefined),
    get(p) {
      const m = /^Device\.DeviceInfo\.TemperatureStatus\.TemperatureSensor\.(\d+)\.(\w+)$/.exec(p);
      if (!m) return undefined;
      const r = current()[Number(m[1]) - 1];
      if (!r) return undefined;
      const at = (ms: number): string => formatDateTime(new Date(ms));
      const values: Record<string, string> = {
        Enable: 'true',
        Status: 'Enabled',
        Name: r.name.slice(0, 256),
        Value: String(Math.round(r.celsius)),
        LastUpdate: at(now()),
        ResetTime: at(r.stats.since),
        MinValue: String(Math.round(r.stats.min)),
        MinTime: at(r.stats.minAt),
        MaxValue: String(Math.round(r.stats.max)),
        MaxTime: at(r.stats.maxAt),
      };
      return values[m[2]!];
    },
  };
}

/** /sys/class/thermal/thermal_zone*: type and temp (millidegrees Celsius). */
export function linuxThermalZones(root = '/sys/class/thermal'): SensorReading[] {
  let zones: string[];
  try {
    zones = fs
      .readdirSync(root)
      .filter((z) => z.startsWith('thermal_zone'))
      .sort((a, b) => Number(a.slice(12)) - Number(b.slice(12)));
  } catch {
    return [];
  }
  const out: SensorReading[] = [];
  for (const z of zones) {
    try {
      const milli = Number(fs.readFileSync(path.join(root, z, 'temp'), 'utf8').trim());
      const type = fs.readFileSync(path.join(root, z, 'type'), 'utf8').trim();
      if (Number.isFinite(milli)) out.push({ name: `${z} (${type})`, celsius: milli / 1000 });
    } catch {
      // A zone that cannot be read right now is left out.
    }
  }
  return out;
}

export interface RadioEntry {
  name: string;
  up: boolean;
  /** The channel in use, where the device says (iw). */
  channel?: number;
}

/** Wireless interfaces: those with a /sys/class/net/<name>/wireless (or phy80211) entry. */
export function linuxRadios(sysNet = '/sys/class/net'): RadioEntry[] {
  let names: string[];
  try {
    names = fs.readdirSync(sysNet).sort();
  } catch {
    return [];
  }
  return names
    .filter((n) => fs.existsSync(path.join(sysNet, n, 'wireless')) || fs.existsSync(path.join(sysNet, n, 'phy80211')))
    .map((n) => ({ name: n, up: /^up$/.test(fs.readFileSync(path.join(sysNet, n, 'operstate'), 'utf8').trim()) }));
}

/** Device.WiFi.Radio from the host's wireless interfaces; what the kernel does not say is left to the store. */
export function wifiRadioProvider(radios: () => RadioEntry[]): Provider {
  return {
    objects: ['Device.WiFi.Radio.'],
    instances: (t) => (t === 'Device.WiFi.Radio.' ? radios().map((_, i) => i + 1) : undefined),
    get(p) {
      const m = /^Device\.WiFi\.Radio\.(\d+)\.(\w+)$/.exec(p);
      const r = m ? radios()[Number(m[1]) - 1] : undefined;
      if (!m || !r) return undefined;
      return (
        { Name: r.name, Status: r.up ? 'Up' : 'Down', Upstream: 'false', ...(r.channel ? { Channel: String(r.channel) } : {}) } as Record<string, string>
      )[m[2]!];
    },
  };
}
