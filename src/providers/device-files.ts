/**
 * The files a device keeps for its ACS: the firmware banks, and the vendor configuration files,
 * web content, tone and ringer files that Download delivers. This is the default install hook
 * of the simulated and Linux devices and the provider of the matching DeviceInfo objects.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CwmpFault } from '../cwmp/faults.js';
import { formatDateTime } from '../cwmp/xml-text.js';
import type { DownloadKind } from '../cwmp/file-types.js';
import type { Provider } from '../datamodel/provider.js';
import { AtomicJsonFile } from '../storage/atomic-json-file.js';
import { DeviceInfo } from '../models/device-core.js';
import { DeviceFilesPaths } from '../models/device-files.js';
import { FirmwareBank, type Bank, type InstallOutcome } from './firmware-bank.js';
import { verifyFirmwareImage } from './firmware-image.js';

export interface DownloadedFile {
  /** Where the agent staged the file; the hook copies what it keeps. */
  path: string;
  kind: DownloadKind;
  fileType: string;
  targetFileName: string;
  url: string;
  /** The agent's id for the transfer, to ask installOutcome after a reboot. */
  transferId: string;
}

/** What the agent asks of a device about files. A device integrator implements this for real hardware. */
export interface DeviceFileHooks {
  /**
   * Checks and applies a downloaded file. Resolves 'reboot' when it takes effect only after a
   * reboot (firmware). Throws a CwmpFault (9010, 9018, 9019) to refuse it; the running system
   * must then be unchanged.
   */
  applyDownload(file: DownloadedFile): Promise<'done' | 'reboot'>;
  /** After the reboot an install asked for: what happened, 'pending' before that boot, undefined if the install never reached the device. */
  installOutcome(transferId: string): InstallOutcome | 'pending' | undefined;
  /** A stored vendor configuration file by its VendorConfigFile instance number. */
  vendorConfigFile(instance: number): Buffer | undefined;
  /** The firmware version now running. */
  readonly softwareVersion: string;
  /** Called as the device (re)boots: completes or rolls back a pending firmware switch. */
  boot(): void;
}

interface StoredFile {
  kind: DownloadKind;
  name: string;
  /** Epoch ms. */
  date: number;
  size: number;
}

export interface DeviceFilesOptions {
  /** Where files and banks live; undefined keeps everything in memory (fleets, tests). */
  dir: string | undefined;
  factoryVersion: string;
  productClass: string;
  /** Ed25519 public key (PEM) that firmware must be signed with; unsigned images allowed when absent. */
  firmwarePublicKey?: string;
  now: () => number;
  /** A misbehaving device: whether the image being installed is to fail its boot check. */
  firmwareFailsToBoot?: () => boolean;
}

/** Number of the first downloaded VendorConfigFile: 1 is the agent's own running configuration. */
export const FIRST_DOWNLOADED_CONFIG = 2;

export class DeviceFiles implements DeviceFileHooks {
  readonly bank: FirmwareBank;
  private files: StoredFile[];
  private readonly manifest: AtomicJsonFile<StoredFile[]> | undefined;
  /** Vendor configuration files kept in memory (no dir); made with the first, as few devices get one. */
  private contents: Map<string, Buffer> | undefined;

  constructor(private readonly o: DeviceFilesOptions) {
    this.bank = new FirmwareBank(o.dir ? path.join(o.dir, 'firmware') : undefined, o.factoryVersion);
    this.manifest = o.dir ? new AtomicJsonFile(path.join(o.dir, 'files.json')) : undefined;
    this.files = this.manifest?.read() ?? [];
    this.bank.boot();
  }

  get softwareVersion(): string {
    return this.bank.activeVersion;
  }

  boot(): void {
    this.bank.boot();
  }

  async applyDownload(file: DownloadedFile): Promise<'done' | 'reboot'> {
    if (file.kind === 'firmware') {
      const header = await verifyFirmwareImage(file.path, { productClass: this.o.productClass, publicKey: this.o.firmwarePublicKey });
      this.bank.install(file.path, header, file.transferId, this.o.firmwareFailsToBoot?.() ?? false);
      return 'reboot';
    }
    const name = safeName(file.targetFileName || path.basename(new URL(file.url).pathname) || 'file');
    const size = fs.statSync(file.path).size;
    if (this.o.dir) {
      const dest = path.join(this.o.dir, 'files', file.kind, name);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.copyFileSync(file.path, `${dest}.tmp`);
      fs.renameSync(`${dest}.tmp`, dest);
    } else if (file.kind === 'vendorConfig') {
      (this.contents ??= new Map()).set(name, fs.readFileSync(file.path));
    }
    this.files = [...this.files.filter((f) => !(f.kind === file.kind && f.name === name)), { kind: file.kind, name, date: this.o.now(), size }];
    this.manifest?.write(this.files);
    return 'done';
  }

  installOutcome(transferId: string): InstallOutcome | 'pending' | undefined {
    return this.bank.outcome(transferId);
  }

  private configFiles(): StoredFile[] {
    return this.files.filter((f) => f.kind === 'vendorConfig');
  }

  vendorConfigFile(instance: number): Buffer | undefined {
    const f = this.configFiles()[instance - FIRST_DOWNLOADED_CONFIG];
    if (!f) return undefined;
    if (!this.o.dir) return this.contents?.get(f.name);
    try {
      return fs.readFileSync(path.join(this.o.dir, 'files', f.kind, f.name));
    } catch {
      return undefined;
    }
  }

  /** DeviceInfo values: SoftwareVersion, the two banks, the vendor files. */
  provider(logFile: { name: string; maximumSize: number }): Provider {
    const banks: Bank[] = ['a', 'b'];
    const DI = 'Device.DeviceInfo.';
    return {
      objects: [DI, `${DI}FirmwareImage.`, `${DI}VendorConfigFile.`, `${DI}VendorLogFile.`],
      instances: (table) => {
        if (table === DeviceFilesPaths.firmwareImage) return [1, 2];
        if (table === DeviceFilesPaths.vendorConfigFile) return [1, ...this.configFiles().map((_, i) => i + FIRST_DOWNLOADED_CONFIG)];
        if (table === DeviceFilesPaths.vendorLogFile) return [1];
        return undefined;
      },
      get: (p) => {
        if (p === DeviceInfo.softwareVersion) return this.bank.activeVersion;
        if (p === DeviceFilesPaths.activeFirmwareImage || p === DeviceFilesPaths.bootFirmwareImage)
          return `${DeviceFilesPaths.firmwareImage}${banks.indexOf(this.bank.activeBank) + 1}`;
        let m = /^Device\.DeviceInfo\.FirmwareImage\.([12])\.(\w+)$/.exec(p);
        if (m) {
          const image = this.bank.image(banks[Number(m[1]) - 1]!);
          const values: Record<string, string> = {
            Name: `bank-${banks[Number(m[1]) - 1]}`,
            Version: image?.version ?? '',
            Status: image?.status ?? 'NoImage',
            BootFailureLog: image?.bootFailureLog ?? '',
          };
          return values[m[2]!];
        }
        m = /^Device\.DeviceInfo\.VendorConfigFile\.(\d+)\.(\w+)$/.exec(p);
        if (m) {
          const n = Number(m[1]);
          if (n === 1)
            return (
              {
                Name: 'cwmp-agent-config.json',
                Description: 'The running configuration: every writable parameter the ACS has set',
                UseForBackupRestore: 'true',
              } as Record<string, string>
            )[m[2]!];
          const f = this.configFiles()[n - FIRST_DOWNLOADED_CONFIG];
          if (!f) return undefined;
          return (
            {
              Name: f.name.slice(0, 64),
              Date: formatDateTime(new Date(f.date)),
              Description: `Downloaded, ${f.size} bytes`,
              UseForBackupRestore: 'false',
            } as Record<string, string>
          )[m[2]!];
        }
        m = /^Device\.DeviceInfo\.VendorLogFile\.1\.(\w+)$/.exec(p);
        if (m) return ({ Name: logFile.name, MaximumSize: String(logFile.maximumSize), Persistent: 'false' } as Record<string, string>)[m[1]!];
        return undefined;
      },
      validate: (p, value) => {
        if (p !== DeviceFilesPaths.bootFirmwareImage) return undefined;
        return value === `${DeviceFilesPaths.firmwareImage}${banks.indexOf(this.bank.activeBank) + 1}`
          ? undefined
          : 'choosing another boot image is done with a Download of that image';
      },
    };
  }
}

/** A file name without directories or control characters, so a TargetFileName cannot escape its folder. */
function safeName(name: string): string {
  const base = path.basename(name.replace(/\\/g, '/')).replace(/[\x00-\x1f]/g, '');
  if (!base || base === '.' || base === '..') throw new CwmpFault(9003, `TargetFileName "${name.slice(0, 64)}" is not a usable file name`);
  return base.slice(0, 128);
}
