/**
 * A simulated device: a deterministic identity from a seed, an uptime counted from its start,
 * and reboot, factory reset and firmware actions that only record what happened. The same
 * seed always gives the same device, so demos, tests and fleets are repeatable.
 */
import { seedDigest } from './seed-digest.js';
import { lazyProvider, lazySettableProvider, valueProvider, type Provider } from '../datamodel/provider.js';
import { DeviceInfo } from '../models/device-core.js';
import { simulatedStatusProvider } from './simulated-status.js';
import { STATUS_OBJECTS } from './status-provider.js';
import { simulatedStbProvider, STB_OBJECTS, stbInstances } from './simulated-stb.js';
import { NETWORK_OBJECTS, networkProvider, type InterfaceSnapshot } from './network-provider.js';
import { GATEWAY_OBJECTS, gatewayNetworkProvider } from './gateway-network-provider.js';
import { gatewayWlanProvider, WLAN_OBJECTS } from './gateway-wlan-provider.js';
import { simulatedRadios, wirelessHosts } from './simulated-wlan.js';
import { manageableDeviceProvider, type ManageableDeviceEntry } from './tr111-providers.js';

const IGD = 'InternetGatewayDevice.';
const MANAGEABLE_DEVICES: readonly string[] = [`${IGD}ManagementServer.ManageableDevice.`];
import { DeviceFiles } from './device-files.js';
import type { DeviceHooks, DeviceIdentity, StandbyCapabilities } from './device.js';
import { TEMPERATURE_OBJECTS, temperatureProvider, type HostEntry } from './network-services-provider.js';
import { SERVICE_MONITORING_OBJECTS, serviceMonitoringProvider } from './service-monitoring.js';
import { systemClock, type Clock } from '../runtime/clock.js';
import { LazySoftwareModules } from './software/lazy-software-modules.js';
import { SoftwareModules } from './software/software-modules.js';
import { simulatedStorage, STORAGE_OBJECTS, storageServiceProvider } from './storage-service.js';
import { SimulatedVoiceService } from './simulated-voice.js';
import { SimulatedRuntime } from './software/execution-runtime.js';

/** One CPU sensor that warms and cools over the day around a per-device base temperature. */
function simulatedTemperature(seed: string, upSeconds: () => number, now: () => number): Provider {
  const base = 40 + (seedDigest(`temp:${seed}`)[0]! % 15);
  return temperatureProvider(() => [{ name: 'cpu', celsius: base + 6 * Math.sin((upSeconds() / 3600) * Math.PI) }], now);
}

/**
 * A loopback and one Ethernet interface, addressed from the documentation ranges (RFC 5737,
 * RFC 3849). The seed's hash is taken once; the snapshot is built when read, so a fleet's
 * devices do not each hold one.
 */
function simulatedInterfaces(seed: string, fixedMac?: string): () => InterfaceSnapshot[] {
  const h = seedDigest(`net:${seed}`);
  const mac = fixedMac ?? ['02', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
  const host = 2 + (h[5]! % 250);
  return () => [
    { name: 'lo', mac: '00:00:00:00:00:00', loopback: true, up: true, ipv4: [{ address: '127.0.0.1', netmask: '255.0.0.0' }], ipv6: [{ address: '::1' }] },
    {
      name: 'eth0',
      mac,
      loopback: false,
      up: true,
      ipv4: [{ address: `192.0.2.${host}`, netmask: '255.255.255.0' }],
      ipv6: [{ address: `2001:db8::${host.toString(16)}` }],
    },
  ];
}

/**
 * The simulated device as a TR-098 gateway: eth0 is its WAN (default route via 192.0.2.1), a LAN
 * port with a few neighbours and two Wi-Fi radios with their stations, all from the seed;
 * traffic counters grow with the uptime.
 */
/** The simulated gateway's LAN port and the wired neighbours on it, from the seed. */
function simulatedLan(seed: string): { lan: InterfaceSnapshot; hosts: HostEntry[] } {
  const h = seedDigest(`lan:${seed}`);
  const hex = (b: number): string => b.toString(16).padStart(2, '0');
  const lanMac = ['02', ...[...h.subarray(0, 5)].map(hex)].join(':');
  const lan: InterfaceSnapshot = {
    name: 'lan0',
    mac: lanMac,
    loopback: false,
    up: true,
    ipv4: [{ address: '192.168.1.1', netmask: '255.255.255.0' }],
    ipv6: [],
  };
  const hosts: HostEntry[] = Array.from({ length: 1 + (h[5]! % 4) }, (_, k) => ({
    ip: `192.168.1.${100 + k}`,
    mac: ['02', ...[...h.subarray(6 + k * 5, 11 + k * 5)].map(hex)].join(':').toUpperCase(),
    interfaceName: 'lan0',
    active: true,
  }));
  return { lan, hosts };
}

/**
 * TR-111: the first wired neighbour is a set-top box that announced itself with DHCP option 125
 * (its identity derived from its MAC), so the gateway lists it as a ManageableDevice.
 */
function simulatedManageableDevices(seed: string): ManageableDeviceEntry[] {
  const stb = simulatedLan(seed).hosts[0]!;
  return [{ oui: '00D09E', productClass: 'SimulatedSTB', serialNumber: `SIM${stb.mac.replace(/:/g, '').slice(2, 12)}`, mac: stb.mac }];
}

/**
 * Device.GatewayInfo of a simulated device: the gateway it sits behind, as that gateway's DHCP
 * server announced itself (option 125). Computed when first read, so a fleet's devices hold only
 * this object, their seed and the serial number once asked.
 */
class SimulatedGatewayInfo implements Provider {
  readonly objects = GATEWAY_INFO_OBJECTS;
  /** Hashed once: each boot reads it a few times (the forced-value check, the Inform). */
  private serialNumber: string | undefined;
  constructor(private readonly seed: string) {}
  get(path: string): string | undefined {
    switch (path) {
      case 'Device.GatewayInfo.ManufacturerOUI':
        return '00D09E';
      case 'Device.GatewayInfo.ProductClass':
        return 'SimulatedGateway';
      case 'Device.GatewayInfo.SerialNumber':
        return (this.serialNumber ??= `SIMGW${seedDigest(`gw:${this.seed}`).subarray(0, 5).toString('hex').toUpperCase()}`);
      default:
        return undefined;
    }
  }
}
const GATEWAY_INFO_OBJECTS: readonly string[] = ['Device.GatewayInfo.'];

function simulatedGateway(seed: string, interfaces: InterfaceSnapshot[], upSeconds: () => number): Provider {
  const { lan, hosts } = simulatedLan(seed);
  const h = seedDigest(`lan:${seed}`);
  const all = [...interfaces, lan];
  const radios = simulatedRadios(seed, upSeconds);
  const wireless = radios.map((r) => r.name);
  const neighbours = [...hosts, ...wirelessHosts(radios)];
  const rate = 2000 + (h[30]! << 4);
  return gatewayNetworkProvider({
    interfaces: () => all,
    defaultRoute: () => ({ interfaceName: 'eth0', gateway: '192.0.2.1' }),
    dnsServers: () => ['192.0.2.53'],
    hosts: () => neighbours,
    wirelessInterfaces: () => wireless,
    counters: (name) => {
      const up = upSeconds() * (name === 'eth0' ? 1 : 0.5);
      return {
        bytesSent: Math.floor(up * rate),
        bytesReceived: Math.floor(up * rate * 8),
        packetsSent: Math.floor((up * rate) / 600),
        packetsReceived: Math.floor((up * rate * 8) / 1200),
      };
    },
    upSeconds,
    refuseAddressChanges: "the simulated gateway's addresses come from its seed",
  });
}

function simulatedWlan(seed: string, upSeconds: () => number): Provider {
  const radios = simulatedRadios(seed, upSeconds);
  return gatewayWlanProvider(() => radios);
}

export function simulatedIdentity(seed: string, overrides: Partial<DeviceIdentity> = {}): DeviceIdentity {
  const h = seedDigest(seed).toString('hex').toUpperCase();
  return {
    manufacturer: 'cwmp-agent',
    oui: '00D09E',
    productClass: 'SimulatedSTB',
    serialNumber: `SIM${h.slice(0, 10)}`,
    modelName: 'cwmp-agent simulated device',
    hardwareVersion: `HW-${h.slice(10, 12)}`,
    softwareVersion: '1.0.0',
    ...overrides,
  };
}

export interface SimulatedDeviceOptions {
  /** Where its firmware banks and downloaded files live; in memory when absent. */
  filesDir?: string;
  /** Ed25519 public key (PEM) firmware images must be signed with. */
  firmwarePublicKey?: string;
  /** The log an Upload of a vendor log file sends, for VendorLogFile.1. */
  logFile?: { name: string; maximumSize: number };
  /** The Ethernet MAC address (default: derived from the seed). */
  mac?: string;
  /** For what the device does on its own schedule (TR-135 sample triggers); without one, nothing is timed. */
  clock?: Clock;
  /** Called by reboot() after the device state is reset: a CLI restarts the process here. */
  onReboot?: () => Promise<void>;
  /** A misbehaving device: whether an image installed now fails its boot check (it rolls back). */
  firmwareFailsToBoot?: (serial: string) => boolean;
  /** Its standby abilities (TR-069 Annex L); none when absent. */
  standby?: StandbyCapabilities;
  /** Providers added after the built-in ones (a fleet profile's values), so they answer first. */
  extraProviders?: readonly Provider[];
}

const buildStatus = (d: SimulatedDevice): Provider => simulatedStatusProvider(d.seed, d.upSeconds, d.now);
const buildStb = (d: SimulatedDevice): Provider => simulatedStbProvider(d.seed, d.upSeconds);
const buildServiceMonitoring = (d: SimulatedDevice): Provider => serviceMonitoringProvider(d.seed, d.now, d.clock);
const buildNetwork = (d: SimulatedDevice): Provider => networkProvider({ interfaces: d.interfaces });
const buildGateway = (d: SimulatedDevice): Provider => simulatedGateway(d.seed, d.interfaces(), d.upSeconds);
const buildWlan = (d: SimulatedDevice): Provider => simulatedWlan(d.seed, d.upSeconds);
const buildManageableDevices = (d: SimulatedDevice): Provider =>
  manageableDeviceProvider(IGD, () => simulatedManageableDevices(d.seed), `${IGD}LANDevice.1.Hosts.Host.`);
const buildTemperature = (d: SimulatedDevice): Provider => simulatedTemperature(d.seed, d.upSeconds, d.now);
const buildStorage = (d: SimulatedDevice): Provider => storageServiceProvider(simulatedStorage(d.seed, d.upSeconds), d.upSeconds);
const STB_LAZY = { instances: stbInstances };
// Sampling the ACS turned on before a restart resumes at once.
const SERVICE_MONITORING_LAZY = {
  startIf: (read: (path: string) => string) => read(`${SERVICE_MONITORING_OBJECTS[0]!.replace('{i}', '1')}SampleEnable`) === 'true',
};

export class SimulatedDevice implements DeviceHooks {
  readonly identity: DeviceIdentity;
  readonly providers: Provider[];
  readonly files: DeviceFiles;
  /** Deployment units fetched and checked for real; their execution units simulated. */
  readonly software: LazySoftwareModules;
  readonly standby: StandbyCapabilities | undefined;
  reboots = 0;
  factoryResets = 0;
  private startedAt: number;
  /** What the shared provider builders below read of the device. */
  readonly seed: string;
  readonly upSeconds: () => number;
  readonly interfaces: () => InterfaceSnapshot[];

  constructor(
    seed: string,
    readonly now: () => number,
    overrides: Partial<DeviceIdentity> = {},
    private readonly options: SimulatedDeviceOptions = {},
  ) {
    this.identity = simulatedIdentity(seed, overrides);
    this.standby = options.standby;
    this.startedAt = now();
    this.files = new DeviceFiles({
      dir: options.filesDir,
      factoryVersion: this.identity.softwareVersion,
      productClass: this.identity.productClass,
      firmwarePublicKey: options.firmwarePublicKey,
      now,
      firmwareFailsToBoot: options.firmwareFailsToBoot ? () => options.firmwareFailsToBoot!(this.identity.serialNumber) : undefined,
    });
    this.software = new LazySoftwareModules(
      () => new SoftwareModules({ dir: options.filesDir, runtime: new SimulatedRuntime(options.clock ?? systemClock), now }),
      options.filesDir !== undefined,
    );
    const upSeconds = (this.upSeconds = (): number => Math.floor((now() - this.startedAt) / 1000));
    this.seed = seed;
    this.interfaces = simulatedInterfaces(seed, options.mac);
    // Built when first read: a fleet device whose ACS reads only its Inform holds the wrappers
    // alone. The builders are shared and take the device, so it holds no closure per provider.
    this.providers = [
      valueProvider({ [DeviceInfo.upTime]: () => String(upSeconds()) }),
      lazyProvider(STATUS_OBJECTS, buildStatus, this),
      lazySettableProvider(STB_OBJECTS, buildStb, STB_LAZY, this),
      lazySettableProvider(SERVICE_MONITORING_OBJECTS, buildServiceMonitoring, SERVICE_MONITORING_LAZY, this),
      lazyProvider(NETWORK_OBJECTS, buildNetwork, this),
      lazyProvider(GATEWAY_OBJECTS, buildGateway, this),
      lazyProvider(WLAN_OBJECTS, buildWlan, this),
      lazyProvider(MANAGEABLE_DEVICES, buildManageableDevices, this),
      new SimulatedGatewayInfo(seed),
      lazyProvider(TEMPERATURE_OBJECTS, buildTemperature, this),
      this.files.provider(options.logFile ?? { name: 'cwmp-agent.log', maximumSize: 256 * 1024 }),
      this.software,
      lazyProvider(STORAGE_OBJECTS, buildStorage, this),
      new SimulatedVoiceService(seed, upSeconds, now),
    ].concat(options.extraProviders ?? []);
  }

  get clock(): Clock | undefined {
    return this.options.clock;
  }

  async reboot(): Promise<void> {
    this.reboots++;
    this.startedAt = this.now();
    this.files.boot();
    await this.options.onReboot?.();
  }

  async factoryReset(): Promise<void> {
    this.factoryResets++;
  }
}
