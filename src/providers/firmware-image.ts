/**
 * The firmware image format of the simulated and Linux devices: a magic line, a JSON header
 * (version, product class, payload size and SHA-256, optional Ed25519 signature), then the
 * payload. Real devices bring their own format through the install hook; this one lets an ACS
 * operator build images (`cwmp-agent make-firmware`) and see every failure mode for real.
 */
import fs from 'node:fs';
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { CwmpFault } from '../cwmp/faults.js';

const MAGIC = 'CWMP-AGENT-FIRMWARE 1\n';
const MAX_HEADER = 4096;

export interface FirmwareHeader {
  version: string;
  /** When set, only devices of this ProductClass accept the image. */
  productClass?: string;
  payloadSize: number;
  sha256: string;
  /** Simulation only: the image installs but fails to boot, so the device rolls back. */
  bootFails?: boolean;
  /** Base64 Ed25519 signature over "<version>\n<sha256>". */
  signature?: string;
}

export interface BuildFirmwareOptions {
  version: string;
  payload: Buffer;
  productClass?: string;
  bootFails?: boolean;
  /** Ed25519 private key (PEM or KeyObject) to sign with. */
  signingKey?: string | KeyObject;
}

export function buildFirmwareImage(o: BuildFirmwareOptions): Buffer {
  const sha256 = createHash('sha256').update(o.payload).digest('hex');
  const header: FirmwareHeader = { version: o.version, payloadSize: o.payload.length, sha256 };
  if (o.productClass) header.productClass = o.productClass;
  if (o.bootFails) header.bootFails = true;
  if (o.signingKey) header.signature = sign(null, Buffer.from(`${o.version}\n${sha256}`), o.signingKey).toString('base64');
  return Buffer.concat([Buffer.from(`${MAGIC + JSON.stringify(header)}\n`), o.payload]);
}

/** Reads and checks only the header and the size (cheap; used at boot). Throws CwmpFault 9018. */
export function readFirmwareHeader(file: string): { header: FirmwareHeader; payloadOffset: number } {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(MAX_HEADER);
    const n = fs.readSync(fd, head, 0, MAX_HEADER, 0);
    const text = head.subarray(0, n).toString('latin1');
    if (!text.startsWith(MAGIC)) throw new CwmpFault(9018, 'not a firmware image for this device (no image header)');
    const end = text.indexOf('\n', MAGIC.length);
    if (end < 0) throw new CwmpFault(9018, 'firmware image header is truncated');
    let header: FirmwareHeader;
    try {
      header = JSON.parse(text.slice(MAGIC.length, end)) as FirmwareHeader;
    } catch {
      throw new CwmpFault(9018, 'firmware image header is not readable');
    }
    if (
      typeof header.version !== 'string' ||
      !header.version ||
      header.version.length > 64 ||
      !Number.isInteger(header.payloadSize) ||
      !/^[0-9a-f]{64}$/.test(String(header.sha256))
    ) {
      throw new CwmpFault(9018, 'firmware image header lacks a version, size or checksum');
    }
    const payloadOffset = end + 1;
    const size = fs.fstatSync(fd).size;
    if (size !== payloadOffset + header.payloadSize)
      throw new CwmpFault(9018, `firmware image is ${size - payloadOffset} bytes long but its header says ${header.payloadSize}`);
    return { header, payloadOffset };
  } finally {
    fs.closeSync(fd);
  }
}

export interface VerifyOptions {
  productClass: string;
  /** Ed25519 public key (PEM): when set, unsigned or wrongly signed images are refused (9019). */
  publicKey?: string;
}

/** Full check before install: header, product, checksum, signature. */
export async function verifyFirmwareImage(file: string, o: VerifyOptions): Promise<FirmwareHeader> {
  const { header, payloadOffset } = readFirmwareHeader(file);
  if (header.productClass && header.productClass !== o.productClass)
    throw new CwmpFault(9018, `image is for ProductClass "${header.productClass}", this device is "${o.productClass}"`);
  const hash = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    fs.createReadStream(file, { start: payloadOffset })
      .on('data', (c) => hash.update(c))
      .on('end', resolve)
      .on('error', reject);
  });
  if (hash.digest('hex') !== header.sha256) throw new CwmpFault(9018, 'firmware image checksum does not match its contents');
  if (o.publicKey) {
    const key = createPublicKey(o.publicKey);
    const ok = header.signature !== undefined && verify(null, Buffer.from(`${header.version}\n${header.sha256}`), key, Buffer.from(header.signature, 'base64'));
    if (!ok)
      throw new CwmpFault(
        9019,
        header.signature
          ? "firmware image signature is not valid for this device's key"
          : 'firmware image is not signed and this device requires signed images',
      );
  }
  return header;
}
