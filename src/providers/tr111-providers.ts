/**
 * TR-111 Part 1 (DHCP option 125) from both ends. A gateway lists the devices that announced
 * themselves as ManagementServer.ManageableDevice.{i}, each pointing at its Hosts entry; a device
 * behind a gateway shows that gateway in GatewayInfo. Where the announcements come from is the
 * device's: a DHCP server's records, a lease file, a simulation.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Provider } from '../datamodel/provider.js';
import { decodeVendorInfo, lastVivsoInLeases, type Tr111Identity } from '../cwmp/dhcp-vendor-info.js';

export interface ManageableDeviceEntry extends Tr111Identity {
  /** Its MAC address, to point ManageableDevice.{i}.Host at the Hosts entry with the same. */
  mac?: string;
}

/**
 * ManagementServer.ManageableDevice.{i} under `root` ("Device." or "InternetGatewayDevice."),
 * with Host naming the entry of `hostTable` ("Device.Hosts.Host.") that has the device's MAC.
 * Instance numbers stay with a device (OUI, serial, class) for the provider's lifetime.
 */
export function manageableDeviceProvider(root: string, entries: () => ManageableDeviceEntry[], hostTable: string): Provider {
  const table = `${root}ManagementServer.ManageableDevice.`;
  const numbers = new Map<string, number>();
  let next = 1;
  let read: (p: string) => string = () => '';
  const numbered = (): Map<number, ManageableDeviceEntry> => {
    const out = new Map<number, ManageableDeviceEntry>();
    for (const e of entries()) {
      const key = `${e.oui}|${e.serialNumber}|${e.productClass}`;
      if (!numbers.has(key)) numbers.set(key, next++);
      out.set(numbers.get(key)!, e);
    }
    return out;
  };
  const hostOf = (mac: string | undefined): string => {
    if (!mac) return '';
    const count = Number(read(`${hostTable.slice(0, -'Host.'.length)}HostNumberOfEntries`)) || 0;
    for (let i = 1; i <= count; i++) if (read(`${hostTable}${i}.MACAddress`).toUpperCase() === mac.toUpperCase()) return `${hostTable}${i}`;
    return '';
  };
  return {
    objects: [table],
    attach: (r) => void (read = r),
    instances: (tablePath) => (tablePath === table ? [...numbered().keys()] : undefined),
    get(p) {
      const m = /\.ManageableDevice\.(\d+)\.(\w+)$/.exec(p);
      const e = m && p.startsWith(table) ? numbered().get(Number(m[1])) : undefined;
      if (!e) return undefined;
      return ({ ManufacturerOUI: e.oui, SerialNumber: e.serialNumber, ProductClass: e.productClass, Host: hostOf(e.mac) } as Record<string, string>)[m![2]!];
    },
  };
}

/** Device.GatewayInfo from the identity the gateway gave; empty while none is known. */
export function gatewayInfoProvider(gateway: () => Tr111Identity | undefined): Provider {
  const G = 'Device.GatewayInfo.';
  return {
    objects: [G],
    get(p) {
      const g = gateway();
      const field = p.startsWith(G) ? p.slice(G.length) : '';
      return ({ ManufacturerOUI: g?.oui ?? '', ProductClass: g?.productClass ?? '', SerialNumber: g?.serialNumber ?? '' } as Record<string, string>)[field];
    },
  };
}

/** Where dhclient keeps its leases on Debian, Ubuntu and Red Hat systems. */
export const DHCLIENT_LEASE_DIRS = ['/var/lib/dhcp', '/var/lib/dhclient'];

/** The gateway identity in the newest dhclient lease that carries option 125, if any. */
export function gatewayFromDhclientLeases(dirs: readonly string[] = DHCLIENT_LEASE_DIRS): Tr111Identity | undefined {
  let newest: { mtime: number; file: string } | undefined;
  for (const dir of dirs) {
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => /\.leases?$/.test(n));
    } catch {
      continue;
    }
    for (const n of names) {
      const file = path.join(dir, n);
      try {
        const mtime = fs.statSync(file).mtimeMs;
        if (!newest || mtime > newest.mtime) newest = { mtime, file };
      } catch {
        // Gone between readdir and stat.
      }
    }
  }
  if (!newest) return undefined;
  try {
    const vivso = lastVivsoInLeases(fs.readFileSync(newest.file, 'utf8'));
    return vivso ? decodeVendorInfo(vivso).gateway : undefined;
  } catch {
    // A malformed option is no gateway identity.
    return undefined;
  }
}
