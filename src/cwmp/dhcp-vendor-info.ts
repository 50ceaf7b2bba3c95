/**
 * DHCP V-I Vendor-Specific Information (option 125, RFC 3925) as TR-111 Part 1 uses it: under
 * the Broadband Forum's enterprise number 3561, a device tells its gateway its ManufacturerOUI,
 * SerialNumber and ProductClass (sub-options 1-3), and the gateway answers with its own (4-6).
 * The gateway lists such devices as ManagementServer.ManageableDevice; the device shows its
 * gateway in GatewayInfo. Pure encoding and decoding.
 */
export const BBF_ENTERPRISE_NUMBER = 3561;

export interface Tr111Identity {
  oui: string;
  serialNumber: string;
  productClass: string;
}

export interface VendorInfo {
  /** What a device sent about itself (sub-options 1-3). */
  device?: Tr111Identity;
  /** What a gateway sent about itself (sub-options 4-6). */
  gateway?: Tr111Identity;
}

export class VendorInfoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VendorInfoError';
  }
}

/** Option 125's value for one side's identity, under enterprise 3561. */
export function encodeVendorInfo(role: 'device' | 'gateway', id: Tr111Identity): Buffer {
  const base = role === 'device' ? 1 : 4;
  const subs = [id.oui, id.serialNumber, id.productClass].map((value, k) => {
    const bytes = Buffer.from(value, 'utf8');
    if (bytes.length > 255) throw new VendorInfoError(`sub-option ${base + k} longer than 255 bytes`);
    return Buffer.concat([Buffer.from([base + k, bytes.length]), bytes]);
  });
  const data = Buffer.concat(subs);
  if (data.length > 255) throw new VendorInfoError('vendor data longer than 255 bytes');
  const head = Buffer.alloc(5);
  head.writeUInt32BE(BBF_ENTERPRISE_NUMBER, 0);
  head[4] = data.length;
  return Buffer.concat([head, data]);
}

/** Reads option 125's value; other enterprises' data is skipped, a truncated or overrunning one refused. */
export function decodeVendorInfo(value: Buffer): VendorInfo {
  const out: VendorInfo = {};
  let i = 0;
  while (i < value.length) {
    if (i + 5 > value.length) throw new VendorInfoError('truncated enterprise header');
    const enterprise = value.readUInt32BE(i);
    const length = value[i + 4]!;
    const data = value.subarray(i + 5, i + 5 + length);
    if (data.length !== length) throw new VendorInfoError('enterprise data runs past the option');
    i += 5 + length;
    if (enterprise !== BBF_ENTERPRISE_NUMBER) continue;
    const subs = new Map<number, string>();
    for (let j = 0; j < data.length; ) {
      if (j + 2 > data.length) throw new VendorInfoError('truncated sub-option');
      const code = data[j]!;
      const len = data[j + 1]!;
      const v = data.subarray(j + 2, j + 2 + len);
      if (v.length !== len) throw new VendorInfoError(`sub-option ${code} runs past its data`);
      subs.set(code, v.toString('utf8'));
      j += 2 + len;
    }
    const identity = (base: number): Tr111Identity | undefined =>
      subs.has(base) || subs.has(base + 1) || subs.has(base + 2)
        ? { oui: subs.get(base) ?? '', serialNumber: subs.get(base + 1) ?? '', productClass: subs.get(base + 2) ?? '' }
        : undefined;
    out.device = identity(1) ?? out.device;
    out.gateway = identity(4) ?? out.gateway;
  }
  return out;
}

/**
 * The option 125 a dhclient lease file recorded last ("option vivso 0:0:d:e9:...;", hex bytes
 * separated by colons, or a quoted string), or undefined when no lease has one.
 */
export function lastVivsoInLeases(text: string): Buffer | undefined {
  let last: Buffer | undefined;
  for (const m of text.matchAll(/option vivso ([0-9a-fA-F]{1,2}(?::[0-9a-fA-F]{1,2})*|"(?:[^"\\]|\\.)*");/g)) {
    const raw = m[1]!;
    last = raw.startsWith('"') ? Buffer.from(unquote(raw.slice(1, -1)), 'latin1') : Buffer.from(raw.split(':').map((h) => parseInt(h, 16)));
  }
  return last;
}

/** dhclient's quoting: backslash escapes and three-digit octal bytes. */
function unquote(s: string): string {
  return s.replace(/\\([0-7]{3}|.)/g, (_, e: string) => (e.length === 3 ? String.fromCharCode(parseInt(e, 8)) : e));
}
