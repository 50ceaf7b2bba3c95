/**
 * Fleet identities: device i of a fleet gets its serial number, MAC address and the rest from a
 * template, so that runs are repeatable and shards of one fleet never collide.
 */
import type { DeviceIdentity } from '../providers/device.js';

export interface IdentityTemplate {
  manufacturer: string;
  oui: string;
  productClass: string;
  modelName: string;
  hardwareVersion: string;
  softwareVersion: string;
  /** "{n}" is the device's index, "{n:8}" the same zero-padded to 8 digits. */
  serialPattern: string;
  /** First three bytes of every MAC address; the device's index fills the other three. */
  macPrefix: string;
}

export const DEFAULT_TEMPLATE: IdentityTemplate = {
  manufacturer: 'cwmp-agent',
  oui: '00D09E',
  productClass: 'SimulatedSTB',
  modelName: 'cwmp-agent simulated device',
  hardwareVersion: 'HW-1',
  softwareVersion: '1.0.0',
  serialPattern: 'SIM{n:8}',
  macPrefix: '02:C0:DE',
};

/** Largest index a MAC suffix can carry (three bytes). */
export const MAX_FLEET_INDEX = 0xffffff;

export function serialFor(pattern: string, index: number): string {
  return pattern.replace(/\{n(?::(\d{1,2}))?\}/g, (_, width: string | undefined) => String(index).padStart(width ? Number(width) : 0, '0'));
}

export function macFor(prefix: string, index: number): string {
  if (!/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){2}$/.test(prefix)) throw new Error(`macPrefix "${prefix}" is not three bytes like 02:C0:DE`);
  if (index < 0 || index > MAX_FLEET_INDEX) throw new Error(`index ${index} does not fit a MAC suffix`);
  const suffix = [16, 8, 0].map((shift) => ((index >> shift) & 0xff).toString(16).padStart(2, '0'));
  return `${prefix}:${suffix.join(':')}`.toUpperCase();
}

export function identityFor(t: IdentityTemplate, index: number): DeviceIdentity {
  return {
    manufacturer: t.manufacturer,
    oui: t.oui,
    productClass: t.productClass,
    serialNumber: serialFor(t.serialPattern, index),
    modelName: t.modelName,
    hardwareVersion: t.hardwareVersion,
    softwareVersion: t.softwareVersion,
  };
}

/** A shard as "I/N" names it (0 <= I < N), or undefined when the text is not one. */
export function parseShard(text: string): { index: number; total: number } | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) return undefined;
  return { index: Number(m[1]), total: Number(m[2]) };
}

/** The indices shard `index` of `total` runs: a contiguous block of [0, count). */
export function shardRange(count: number, index: number, total: number): { start: number; end: number } {
  if (!Number.isInteger(total) || total < 1 || !Number.isInteger(index) || index < 0 || index >= total)
    throw new Error(`shard ${index}/${total} is not one of ${total} shards`);
  return { start: Math.floor((count * index) / total), end: Math.floor((count * (index + 1)) / total) };
}
