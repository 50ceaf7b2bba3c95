/**
 * A simulated device: a deterministic identity from a seed, an uptime counted from its start,
 * and reboot, factory reset and firmware actions that only record what happened. The same
 * seed always gives the same device, so demos, tests and fleets are repeatable.
 */
import { createHash } from 'node:crypto';
import { valueProvider, type Provider } from '../datamodel/provider.js';
import { DeviceInfo } from '../models/device-core.js';
import { simulatedStatusProvider } from './simulated-status.js';
import { simulatedStbProvider } from './simulated-stb.js';
import { networkProvider } from './network-provider.js';
import { DeviceFiles, type DeviceFileHooks } from './device-files.js';
import { temperatureProvider } from './network-services-provider.js';
import { serviceMonitoringProvider } from './service-monitoring.js';
import type { Clock } from '../clock.js';

/** One CPU sensor that warms and cools over the day around a per-device base temperature. */
function simulatedTemperature(seed: string, upSeconds: () => number, now: () => number): Provider {
  const base = 40 + (createHash('sha256').update(`temp:${seed}`).digest()[0]! % 15);
  return temperatureProvider(() => [{ name: 'cpu', celsius: base + 6 * Math.sin((upSeconds() / 3600) * Math.PI) }], now);
}

/** A loopback and one Ethernet interface, addressed from the documentation ranges (RFC 5737, RFC 3849). */
function simulatedNetwork(seed: string, fixedMac?: string): Provider {
  const h = createHash('sha256').update(`net:${seed}`).digest();
  const mac = fixedMac ?? ['02', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
  const host = 2 + (h[5]! % 250);
  return networkProvider({
    interfaces: () => [
      { name: 'lo', mac: '00:00:00:00:00:00', loopback: true, up: true, ipv4: [{ address: '127.0.0.1', netmask: '255.0.0.0' }], ipv6: [{ address: '::1' }] },
      { name: 'eth0', mac, loopback: false, up: true, ipv4: [{ address: `192.0.2.${host}`, netmask: '255.255.255.0' }], ipv6: [{ address: `2001:db8::${host.toString(16)}` }] },
    ],
  });
}

export interface DeviceIdentity {
  manufacturer: string;
  oui: string;
  productClass: string;
  serialNumber: string;
  modelName: string;
  hardwareVersion: string;
  softwareVersion: string;
}

/** What the agent asks of the device it manages. */
export interface DeviceHooks {
  identity: DeviceIdentity;
  /** Where the device's own values come from (uptime, memory, processes, ...). */
  providers: Provider[];
  /** Restart the device. For an in-process agent this restarts the agent itself. */
  reboot(): Promise<void>;
  /** Wipe device-side configuration; the agent resets its own state. */
  factoryReset(): Promise<void>;
  /** Installs downloaded files (firmware, configuration, ...); without it, downloads fail with 9010. */
  files?: DeviceFileHooks;
}

export function simulatedIdentity(seed: string, overrides: Partial<DeviceIdentity> = {}): DeviceIdentity {
  const h = createHash('sha256').update(seed).digest('hex').toUpperCase();
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

export function identityValues(id: DeviceIdentity): Record<string, string> {
  return {
    [DeviceInfo.manufacturer]: id.manufacturer,
    [DeviceInfo.manufacturerOui]: id.oui,
    [DeviceInfo.productClass]: id.productClass,
    [DeviceInfo.serialNumber]: id.serialNumber,
    'Device.DeviceInfo.ModelName': id.modelName,
    [DeviceInfo.hardwareVersion]: id.hardwareVersion,
    [DeviceInfo.softwareVersion]: id.softwareVersion,
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
}

export class SimulatedDevice implements DeviceHooks {
  readonly identity: DeviceIdentity;
  readonly providers: Provider[];
  readonly files: DeviceFiles;
  reboots = 0;
  factoryResets = 0;
  private startedAt: number;

  constructor(seed: string, private readonly now: () => number, overrides: Partial<DeviceIdentity> = {}, private readonly options: SimulatedDeviceOptions = {}) {
    this.identity = simulatedIdentity(seed, overrides);
    this.startedAt = now();
    this.files = new DeviceFiles({ dir: options.filesDir, factoryVersion: this.identity.softwareVersion, productClass: this.identity.productClass, firmwarePublicKey: options.firmwarePublicKey, now });
    const upSeconds = (): number => Math.floor((now() - this.startedAt) / 1000);
    this.providers = [valueProvider({ [DeviceInfo.upTime]: () => String(upSeconds()) }), simulatedStatusProvider(seed, upSeconds, now), simulatedStbProvider(seed, upSeconds), serviceMonitoringProvider(seed, now, options.clock), simulatedNetwork(seed, options.mac), simulatedTemperature(seed, upSeconds, now), this.files.provider(options.logFile ?? { name: 'cwmp-agent.log', maximumSize: 256 * 1024 })];
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
