/**
 * The Linux host as the device: identity from /etc/machine-id and os, live values from os and
 * /proc (uptime, memory, CPU usage, processes). Reboot and factory reset run commands the
 * integrator configures; without them they restart only the agent (nothing on the host changes).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';
import { perReadBatch, valueProvider, type Provider } from '../datamodel/provider.js';
import { DeviceInfo } from '../models/device-core.js';
import type { DeviceHooks, DeviceIdentity, StandbyCapabilities } from './device.js';
import { statusProvider, type ProcessInfo, type StatusSource } from './status-provider.js';
import { DeviceFiles } from './device-files.js';
import { SoftwareModules } from './software/software-modules.js';
import { ProcessRuntime } from './software/process-runtime.js';
import { linuxLogicalVolumes, linuxPhysicalMedia, storageServiceProvider } from './storage-service.js';
import path from 'node:path';
import {
  dnsClientProvider,
  hostsProvider,
  linuxRadios,
  linuxThermalZones,
  parseProcArp,
  parseResolvConf,
  temperatureProvider,
  wifiRadioProvider,
} from './network-services-provider.js';
import { networkProvider, type InterfaceSnapshot } from './network-provider.js';
import { gatewayNetworkProvider, parseProcRoute, type InterfaceCounters } from './gateway-network-provider.js';
import { gatewayWlanProvider } from './gateway-wlan-provider.js';
import { linuxWlanRadios, parseIwInfo, runIw } from './linux-wlan.js';
import { wifiAccessPointProvider } from './wifi-access-points.js';

const HOSTAPD_OWNS = "the host's own Wi-Fi daemon (hostapd) owns these settings";
import { DHCLIENT_LEASE_DIRS, gatewayFromDhclientLeases, gatewayInfoProvider } from './tr111-providers.js';

const run = promisify(execFile);
const MAX_PROCESSES = 1024;
const PAGE_KIB = 4;
const CLOCK_TICKS = 100;

const STATES: Record<string, string> = { R: 'Running', S: 'Sleeping', D: 'Uninterruptible', T: 'Stopped', t: 'Stopped', Z: 'Zombie', I: 'Idle' };

/** Parses /proc/<pid>/stat; undefined for anything unexpected (a process may vanish mid-read). */
export function parseProcStat(text: string): ProcessInfo | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const f = text.slice(close + 2).split(' ');
  if (!Number.isInteger(pid) || f.length < 22) return undefined;
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  const nice = Number(f[16]);
  const rssPages = Number(f[21]);
  return {
    pid,
    command: text.slice(open + 1, close),
    sizeKiB: rssPages * PAGE_KIB,
    priority: Math.max(0, Math.min(99, nice + 20)),
    cpuTimeMs: ((utime + stime) * 1000) / CLOCK_TICKS,
    state: STATES[f[0] ?? ''] ?? 'Sleeping',
  };
}

export function linuxStatusSource(procRoot = '/proc'): StatusSource {
  let last: { total: number; idle: number } | undefined;
  const readCpu = (): { total: number; idle: number } | undefined => {
    try {
      const line = fs.readFileSync(`${procRoot}/stat`, 'utf8').split('\n')[0] ?? '';
      const n = line.trim().split(/\s+/).slice(1).map(Number);
      const idle = (n[3] ?? 0) + (n[4] ?? 0);
      return { total: n.reduce((a, b) => a + b, 0), idle };
    } catch {
      return undefined;
    }
  };
  return {
    now: () => Date.now(),
    memoryKiB: () => ({ total: Math.round(os.totalmem() / 1024), free: Math.round(os.freemem() / 1024) }),
    cpuUsagePercent: () => {
      const cur = readCpu();
      const prev = last;
      last = cur;
      if (!cur || !prev || cur.total <= prev.total) return (os.loadavg()[0]! / Math.max(1, os.cpus().length)) * 100;
      return (1 - (cur.idle - prev.idle) / (cur.total - prev.total)) * 100;
    },
    processes: () => {
      let entries: string[];
      try {
        entries = fs.readdirSync(procRoot).filter((e) => /^\d+$/.test(e));
      } catch {
        return [];
      }
      const out: ProcessInfo[] = [];
      for (const e of entries.slice(0, MAX_PROCESSES)) {
        try {
          const p = parseProcStat(fs.readFileSync(`${procRoot}/${e}/stat`, 'utf8'));
          if (p) out.push(p);
        } catch {
          // The process ended between readdir and read.
        }
      }
      return out;
    },
  };
}

/** This host's interfaces, from os.networkInterfaces(). */
export function hostInterfaces(): InterfaceSnapshot[] {
  return Object.entries(os.networkInterfaces()).map(([name, addrs]) => {
    const list = addrs ?? [];
    return {
      name,
      mac: list[0]?.mac ?? '00:00:00:00:00:00',
      loopback: list.some((a) => a.internal),
      up: true,
      ipv4: list.filter((a) => a.family === 'IPv4').map((a) => ({ address: a.address, netmask: a.netmask })),
      ipv6: list.filter((a) => a.family === 'IPv6').map((a) => ({ address: a.address })),
    };
  });
}

export interface LinuxHostOptions {
  identity?: Partial<DeviceIdentity>;
  /** Command run for Reboot, e.g. ["systemctl", "reboot"]. */
  rebootCommand?: string[];
  factoryResetCommand?: string[];
  /** Where firmware banks and downloaded files live; in memory when absent. */
  filesDir?: string;
  firmwarePublicKey?: string;
  logFile?: { name: string; maximumSize: number };
  /** Without a rebootCommand: what a reboot does (the CLI restarts the agent's process). */
  onReboot?: () => Promise<void>;
  /** What the host can keep doing in standby (TR-069 Annex L); none when absent. */
  standby?: StandbyCapabilities;
  /** Where /proc, /etc and /sys are, and the dhclient lease folders (tests point these at fixtures). */
  roots?: { proc?: string; etc?: string; sys?: string; dhcpLeases?: string[] };
}

/** /sys/class/net/<name>/statistics: what the kernel counted on an interface. */
function linuxCounters(netDir: string, name: string): InterfaceCounters | undefined {
  if (!/^[\w.:-]+$/.test(name)) return undefined;
  const read = (f: string): number => Number(readOr(`${netDir}/${name}/statistics/${f}`, '0').trim()) || 0;
  return { bytesSent: read('tx_bytes'), bytesReceived: read('rx_bytes'), packetsSent: read('tx_packets'), packetsReceived: read('rx_packets') };
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

export class LinuxHostDevice implements DeviceHooks {
  readonly identity: DeviceIdentity;
  readonly standby: StandbyCapabilities | undefined;
  readonly providers: Provider[];
  readonly files: DeviceFiles;
  /** Deployment units installed under the files folder, their execution units real processes. */
  readonly software: SoftwareModules;

  constructor(private readonly opts: LinuxHostOptions = {}) {
    let machineId = os.hostname();
    try {
      machineId = fs.readFileSync('/etc/machine-id', 'utf8').trim() || machineId;
    } catch {
      // Containers may lack a machine id; the host name identifies the device then.
    }
    const h = createHash('sha256').update(machineId).digest('hex').toUpperCase();
    this.identity = {
      manufacturer: 'Linux',
      oui: '000000',
      productClass: os.platform() === 'linux' ? 'LinuxHost' : os.platform(),
      serialNumber: h.slice(0, 16),
      modelName: os.hostname().slice(0, 64),
      hardwareVersion: os.arch(),
      softwareVersion: os.release().slice(0, 64),
      ...opts.identity,
    };
    this.standby = opts.standby;
    const proc = opts.roots?.proc ?? '/proc';
    const etc = opts.roots?.etc ?? '/etc';
    const sys = opts.roots?.sys ?? '/sys';
    // The host's own OS version is the factory firmware; upgrades go through the A/B banks.
    this.files = new DeviceFiles({
      dir: opts.filesDir,
      factoryVersion: this.identity.softwareVersion,
      productClass: this.identity.productClass,
      firmwarePublicKey: opts.firmwarePublicKey,
      now: () => Date.now(),
    });
    const runDir = opts.filesDir ? path.join(opts.filesDir, 'software', 'run') : path.join(os.tmpdir(), `cwmp-agent-run-${process.pid}`);
    this.software = new SoftwareModules({ dir: opts.filesDir, runtime: new ProcessRuntime(runDir), now: () => Date.now() });
    // Each source is read once per RPC, however many of its parameters the RPC reads.
    const interfaces = perReadBatch(hostInterfaces);
    const dnsServers = perReadBatch(() => parseResolvConf(readOr(`${etc}/resolv.conf`, '')));
    const neighbours = perReadBatch(() => parseProcArp(readOr(`${proc}/net/arp`, '')));
    const radios = perReadBatch(() => linuxRadios(`${sys}/class/net`));
    const counters = perReadBatch((name: string) => linuxCounters(`${sys}/class/net`, name));
    const accessPoints = perReadBatch(() => linuxWlanRadios({ radios, counters, neighbours, iw: runIw }));
    this.providers = [
      valueProvider({ [DeviceInfo.upTime]: () => String(Math.floor(os.uptime())) }),
      statusProvider(linuxStatusSource(proc)),
      networkProvider({ interfaces: interfaces, refuseAddressChanges: 'the host manages its own addresses' }),
      this.files.provider(opts.logFile ?? { name: 'cwmp-agent.log', maximumSize: 256 * 1024 }),
      this.software,
      storageServiceProvider(
        perReadBatch(() => ({ media: linuxPhysicalMedia(`${sys}/block`), volumes: linuxLogicalVolumes(`${proc}/mounts`, `${sys}/class/block`) })),
        () => Math.floor(os.uptime()),
      ),
      dnsClientProvider(dnsServers),
      hostsProvider(neighbours, (name) => {
        const i = interfaces().findIndex((x) => x.name === name);
        return i >= 0 ? `Device.IP.Interface.${i + 1}` : '';
      }),
      temperatureProvider(
        perReadBatch(() => linuxThermalZones(`${sys}/class/thermal`)),
        () => Date.now(),
      ),
      wifiRadioProvider(perReadBatch(() => radios().map((r) => ({ ...r, channel: parseIwInfo(runIw(['dev', r.name, 'info']) ?? '').channel })))),
      // TR-098 (InternetGatewayDevice root): the same host as WANDevice and LANDevice.
      gatewayNetworkProvider({
        interfaces,
        defaultRoute: perReadBatch(() => parseProcRoute(readOr(`${proc}/net/route`, ''))),
        dnsServers,
        hosts: neighbours,
        counters,
        upSeconds: () => os.uptime(),
        refuseAddressChanges: 'the host manages its own addresses',
        wirelessInterfaces: () => accessPoints().map((r) => r.name),
      }),
      gatewayWlanProvider(accessPoints, HOSTAPD_OWNS),
      wifiAccessPointProvider(accessPoints, radios, HOSTAPD_OWNS),
      // TR-111: the gateway's identity from the option 125 its DHCP server sent (dhclient keeps it).
      gatewayInfoProvider(perReadBatch(() => gatewayFromDhclientLeases(opts.roots?.dhcpLeases ?? DHCLIENT_LEASE_DIRS))),
    ];
  }

  async reboot(): Promise<void> {
    const cmd = this.opts.rebootCommand;
    if (cmd && cmd.length > 0) {
      await run(cmd[0]!, cmd.slice(1));
      return;
    }
    this.files.boot();
    await this.opts.onReboot?.();
  }

  async factoryReset(): Promise<void> {
    const cmd = this.opts.factoryResetCommand;
    if (cmd && cmd.length > 0) await run(cmd[0]!, cmd.slice(1));
  }
}
