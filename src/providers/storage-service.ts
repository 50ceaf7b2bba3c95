/**
 * TR-140 StorageService.1 from what the device has: its disks as PhysicalMedium and its mounted
 * filesystems as LogicalVolume. On a Linux host the disks come from /sys/block and the volumes
 * from /proc/mounts and statfs; a simulated device has one SSD whose volume fills slowly.
 * Capacities are in MB, as TR-140 counts them.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Provider } from '../datamodel/provider.js';

export interface PhysicalMediumInfo {
  /** Kernel name ("sda"), the key volumes refer to. */
  name: string;
  vendor: string;
  model: string;
  serialNumber: string;
  firmwareVersion: string;
  /** One of TR-140's ConnectionType values. */
  connectionType: string;
  type: 'HDD' | 'SSD';
  removable: boolean;
  capacityMB: number;
}

export interface LogicalVolumeInfo {
  /** The mount point. */
  name: string;
  /** The disk it lives on (PhysicalMediumInfo.name), '' when not known. */
  medium: string;
  fileSystem: string;
  capacityMB: number;
  usedMB: number;
  readOnly: boolean;
}

export interface StorageSnapshot {
  media: PhysicalMediumInfo[];
  volumes: LogicalVolumeInfo[];
}

const SS = 'Device.Services.StorageService.';
export const STORAGE_OBJECTS: readonly string[] = [SS];

const MB = 1024 * 1024;

/** TR-140's file system names for Linux's. */
const FILE_SYSTEMS: Readonly<Record<string, string>> = {
  vfat: 'FAT32',
  msdos: 'FAT16',
  ntfs: 'NTFS',
  ntfs3: 'NTFS',
  exfat: 'exFAT',
  hfs: 'HFS',
  hfsplus: 'HFS+',
  ext2: 'ext2',
  ext3: 'ext3',
  ext4: 'ext4',
  xfs: 'XFS',
  reiserfs: 'REISER',
  btrfs: 'btrfs',
  zfs: 'ZFS',
};

export function storageServiceProvider(snapshot: () => StorageSnapshot, uptimeSeconds: () => number): Provider {
  let read: ((path: string) => string) | undefined;
  const provider: Provider = {
    objects: STORAGE_OBJECTS,
    attach: (r) => {
      read = r;
    },
    instances: (table) => {
      if (table === SS) return [1];
      if (table === `${SS}1.PhysicalMedium.`) return snapshot().media.map((_, i) => i + 1);
      if (table === `${SS}1.LogicalVolume.`) return snapshot().volumes.map((_, i) => i + 1);
      return undefined;
    },
    get: (p) => {
      if (!p.startsWith(`${SS}1.`)) return undefined;
      const rest = p.slice(SS.length + 2);
      const s = snapshot();
      if (rest.startsWith('Capabilities.')) {
        const field = rest.slice('Capabilities.'.length);
        if (field === 'SupportedFileSystemTypes') return [...new Set(s.volumes.map((v) => v.fileSystem).filter((f) => f !== ''))].join(',');
        return field === 'SupportedNetworkProtocols' || field === 'SupportedRaidTypes'
          ? ''
          : field.endsWith('Capable') || field === 'HTTPWritable'
            ? 'false'
            : undefined;
      }
      let m = /^PhysicalMedium\.(\d+)\.(\w+)$/.exec(rest);
      if (m) {
        const d = s.media[Number(m[1]) - 1];
        if (!d) return undefined;
        const values: Record<string, string> = {
          Vendor: d.vendor.slice(0, 64),
          Model: d.model.slice(0, 128),
          SerialNumber: d.serialNumber.slice(0, 64),
          FirmwareVersion: d.firmwareVersion.slice(0, 64),
          ConnectionType: d.connectionType,
          Type: d.type,
          Removable: String(d.removable),
          Capacity: String(d.capacityMB),
          Status: 'Online',
          Uptime: String(uptimeSeconds()),
          SMARTCapable: 'false',
          Health: 'OK',
          HotSwappable: String(d.removable),
        };
        // Name is the ACS's to set (a stored value); until it does, the kernel's name (factoryDefault).
        return values[m[2]!];
      }
      m = /^LogicalVolume\.(\d+)\.(\w+)$/.exec(rest);
      if (m) {
        const v = s.volumes[Number(m[1]) - 1];
        if (!v) return undefined;
        const medium = s.media.findIndex((d) => d.name === v.medium);
        if (m[2] === 'ThresholdReached') {
          // ThresholdLimit is the ACS's setting (stored); this provider never answers for it.
          const limit = Number(read?.(`${SS}1.LogicalVolume.${m[1]}.ThresholdLimit`) || 0);
          return String(limit > 0 && v.capacityMB - v.usedMB < limit);
        }
        const values: Record<string, string> = {
          Name: v.name.slice(0, 64),
          Status: 'Online',
          Enable: 'true',
          PhysicalReference: medium >= 0 ? `${SS}1.PhysicalMedium.${medium + 1}` : '',
          FileSystem: v.fileSystem,
          Capacity: String(v.capacityMB),
          UsedSpace: String(v.usedMB),
          Encrypted: 'false',
        };
        return values[m[2]!];
      }
      return undefined;
    },
    factoryDefault: (p) => {
      const m = /^Device\.Services\.StorageService\.1\.PhysicalMedium\.(\d+)\.Name$/.exec(p);
      return m ? snapshot().media[Number(m[1]) - 1]?.name : undefined;
    },
    validate: (p, value) => {
      const m = /\.LogicalVolume\.\d+\.(Name|Enable|PhysicalReference|Capacity)$/.exec(p);
      if (!m) return undefined;
      // The value it has already (a configuration file restored, say) is no change.
      const current = m[1] === 'Enable' ? 'true' : provider.get(p);
      if (value === current || (m[1] === 'Enable' && value === '1')) return undefined;
      return `the device manages its own volumes: ${m[1]} cannot be changed`;
    },
  };
  return provider;
}

/* ---------- Linux ---------- */

const readText = (file: string): string => {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
};

/** USB speed (Mb/s, from the device's `speed` file) as TR-140 names it. */
function usbConnection(speed: string): string {
  const s = Number(speed);
  if (s >= 10000) return 'USB 3.1';
  if (s >= 5000) return 'USB 3.0';
  if (s >= 480) return 'USB 2.0';
  return 'USB 1.1';
}

function connectionOf(sysBlock: string, name: string): string {
  let real = '';
  try {
    real = fs.realpathSync(path.join(sysBlock, name));
  } catch {
    return 'SATA/600';
  }
  if (real.includes('/usb')) {
    // The USB device is the nearest ancestor folder with a `speed` file.
    for (let dir = real; dir !== '/' && dir.includes('/usb'); dir = path.dirname(dir)) {
      const speed = readText(path.join(dir, 'speed'));
      if (speed) return usbConnection(speed);
    }
    return 'USB 2.0';
  }
  if (real.includes('/host') && readText(path.join(sysBlock, name, 'device', 'sas_address'))) return 'SAS-3';
  // SATA, and the internal buses TR-140 has no name for (NVMe, virtio, MMC): the nearest it names.
  return 'SATA/600';
}

/** Disks: whole block devices, not loop, RAM, zram or device-mapper nodes. */
export function linuxPhysicalMedia(sysBlock = '/sys/block'): PhysicalMediumInfo[] {
  let names: string[];
  try {
    names = fs.readdirSync(sysBlock).sort();
  } catch {
    return [];
  }
  return names
    .filter((n) => !/^(loop|ram|zram|dm-|md|sr|fd|nbd)/.test(n))
    .map((name) => {
      const dev = path.join(sysBlock, name);
      const sectors = Number(readText(path.join(dev, 'size'))) || 0;
      return {
        name,
        vendor: readText(path.join(dev, 'device', 'vendor')),
        model: readText(path.join(dev, 'device', 'model')),
        serialNumber: readText(path.join(dev, 'device', 'serial')) || readText(path.join(dev, 'serial')),
        firmwareVersion: readText(path.join(dev, 'device', 'rev')) || readText(path.join(dev, 'device', 'firmware_rev')),
        connectionType: connectionOf(sysBlock, name),
        type: readText(path.join(dev, 'queue', 'rotational')) === '1' ? 'HDD' : 'SSD',
        removable: readText(path.join(dev, 'removable')) === '1',
        capacityMB: Math.floor((sectors * 512) / MB),
      } satisfies PhysicalMediumInfo;
    })
    .filter((d) => d.capacityMB > 0);
}

/** `/dev/sda1` → `sda`: the disk a partition belongs to, from /sys/class/block. */
function diskOf(device: string, sysClassBlock: string): string {
  const base = path.basename(device);
  try {
    const real = fs.realpathSync(path.join(sysClassBlock, base));
    return fs.existsSync(path.join(real, 'partition')) ? path.basename(path.dirname(real)) : base;
  } catch {
    return '';
  }
}

/** Filesystems on block devices, one volume per device (its first mount point), from /proc/mounts and statfs. */
export function linuxLogicalVolumes(mounts = '/proc/mounts', sysClassBlock = '/sys/class/block'): LogicalVolumeInfo[] {
  const seen = new Set<string>();
  const out: LogicalVolumeInfo[] = [];
  for (const line of readText(mounts).split('\n')) {
    const [device, mountPoint, type, options] = line.split(' ');
    if (!device?.startsWith('/dev/') || !mountPoint || !type || seen.has(device)) continue;
    const where = mountPoint.replace(/\\040/g, ' ');
    let st: fs.StatsFs;
    try {
      st = fs.statfsSync(where);
    } catch {
      continue;
    }
    seen.add(device);
    const capacityMB = Math.floor((st.blocks * st.bsize) / MB);
    out.push({
      name: where,
      medium: diskOf(device, sysClassBlock),
      fileSystem: FILE_SYSTEMS[type] ?? '',
      capacityMB,
      usedMB: Math.max(0, capacityMB - Math.floor((st.bfree * st.bsize) / MB)),
      readOnly: (options ?? '').split(',').includes('ro'),
    });
  }
  return out;
}

/* ---------- simulated ---------- */

/** One SSD with one ext4 volume, sized from the seed; the volume fills by a few MB an hour. */
export function simulatedStorage(seed: string, upSeconds: () => number): () => StorageSnapshot {
  const h = createHash('sha256').update(`storage:${seed}`).digest();
  const capacityMB = [16_384, 32_768, 65_536][h[0]! % 3]!;
  const startUsed = Math.floor(capacityMB * (0.1 + (h[1]! / 255) * 0.4));
  const medium: PhysicalMediumInfo = {
    name: 'mmcblk0',
    vendor: 'cwmp-agent',
    model: `SIM-SSD-${capacityMB / 1024}G`,
    serialNumber: h.subarray(2, 8).toString('hex').toUpperCase(),
    firmwareVersion: '1.0',
    connectionType: 'SATA/600',
    type: 'SSD',
    removable: false,
    capacityMB,
  };
  return () => ({
    media: [medium],
    volumes: [
      {
        name: '/data',
        medium: medium.name,
        fileSystem: 'ext4',
        capacityMB: capacityMB - 512,
        usedMB: Math.min(capacityMB - 512, startUsed + Math.floor(upSeconds() / 600)),
        readOnly: false,
      },
    ],
  });
}
