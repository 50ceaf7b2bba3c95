/// <reference path="../types/stun.d.ts" preserve="true" />
/**
 * TR-111 Part 2 STUN Binding Requests: the stun package builds and reads the messages; this adds
 * TR-111's CONNECTION-REQUEST-BINDING (0xC001, "dslforum.org/TR-111 ") and BINDING-CHANGE
 * (0xC002) attributes, and MESSAGE-INTEGRITY over them when a STUN password is set.
 */
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';

/** The stun package, loaded the first time STUN is used: most devices never turn STUNEnable on. */
type StunLib = typeof import('stun')['default'];
let stunPackage: StunLib | undefined;
function stunLib(): StunLib {
  stunPackage ??= createRequire(import.meta.url)('stun') as StunLib;
  return stunPackage;
}

export const ATTR_CONNECTION_REQUEST_BINDING = 0xc001;
export const ATTR_BINDING_CHANGE = 0xc002;
const CONNECTION_REQUEST_BINDING_VALUE = Buffer.from('dslforum.org/TR-111 ', 'latin1');
const ATTR_MESSAGE_INTEGRITY = 0x0008;

function attribute(type: number, value: Buffer): Buffer {
  const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  padded.writeUInt16BE(type, 0);
  padded.writeUInt16BE(value.length, 2);
  value.copy(padded, 4);
  return padded;
}

export interface BindingRequestOptions {
  username?: string;
  password?: string;
  bindingChange?: boolean;
}

/** A Binding Request from the connection-request port, ready to send. */
export function bindingRequest(opts: BindingRequestOptions): { transactionId: Buffer; bytes: Buffer } {
  const stun = stunLib();
  const message = stun.createMessage(stun.constants['STUN_BINDING_REQUEST']!);
  if (opts.username) message.addAttribute(stun.constants['STUN_ATTR_USERNAME']!, opts.username);
  let bytes: Buffer = message.toBuffer();
  const extra = [attribute(ATTR_CONNECTION_REQUEST_BINDING, CONNECTION_REQUEST_BINDING_VALUE)];
  if (opts.bindingChange) extra.push(attribute(ATTR_BINDING_CHANGE, Buffer.alloc(0)));
  bytes = Buffer.concat([bytes, ...extra]);
  if (opts.password) {
    // The length field must already count MESSAGE-INTEGRITY when the HMAC is computed (RFC 5389 15.4).
    bytes.writeUInt16BE(bytes.length - 20 + 24, 2);
    const hmac = createHmac('sha1', opts.password).update(bytes).digest();
    bytes = Buffer.concat([bytes, attribute(ATTR_MESSAGE_INTEGRITY, hmac)]);
  }
  bytes.writeUInt16BE(bytes.length - 20, 2);
  return { transactionId: Buffer.from(bytes.subarray(8, 20)), bytes };
}

/** Whether a datagram looks like STUN (RFC 5389 magic cookie, or a classic RFC 3489 binding response). */
export function isStunMessage(datagram: Buffer): boolean {
  return datagram.length >= 20 && (datagram[0]! & 0xc0) === 0 && (datagram.readUInt32BE(4) === 0x2112a442 || datagram.readUInt16BE(0) === 0x0101);
}

export interface MappedAddress {
  address: string;
  port: number;
}

/** The mapped address of a Binding Success Response to the given transaction, if it is one. */
export function readBindingResponse(datagram: Buffer, transactionId: Buffer): MappedAddress | undefined {
  let message;
  try {
    message = stunLib().decode(datagram);
  } catch {
    return undefined;
  }
  const stun = stunLib();
  if (message.type !== stun.constants['STUN_BINDING_RESPONSE']) return undefined;
  if (!Buffer.from(message.transactionId).equals(transactionId)) return undefined;
  const c = stun.constants;
  const attr = message.getAttribute(c['STUN_ATTR_XOR_MAPPED_ADDRESS']!) ?? message.getAttribute(c['STUN_ATTR_MAPPED_ADDRESS']!);
  const value = attr?.value as { address?: unknown; port?: unknown } | undefined;
  if (typeof value?.address !== 'string' || typeof value.port !== 'number') return undefined;
  return { address: value.address, port: value.port };
}
