/**
 * UDP Lightweight Notifications (TR-069 Annex M): changed values sent to the ACS in UDP
 * datagrams instead of a session. Each datagram is an HTTP POST request (as UDP connection
 * requests are HTTP over UDP) whose body is one lwnotif-1-0 Notification document, signed in a
 * Signature header with HMAC-SHA1 keyed by ManagementServer.Password. TS and a fresh cnonce (CN)
 * in the signed body let the ACS refuse replays; UN tells it whose password to check with.
 * Pure: the caller supplies the time and the nonces.
 */
import { createHmac } from 'node:crypto';
import { constantTimeEqual } from './constant-time.js';
import { XSD_TYPE_NAMES } from './envelope-write.js';
import type { ParameterValue } from './messages.js';
import { XSD_NS, XSI_NS } from './namespaces.js';
import { readXml, type XmlElement } from './xml-reader.js';
import { escapeXml as esc } from './xml-text.js';

export const LWNOTIF_NS = 'urn:broadband-forum-org:cwmp:lwnotif-1-0';

/** Changed parameters waiting for a notification: agent state that a crash must not lose. */
export interface LightweightBacklog {
  names: string[];
  /** An active change is among them: send as soon as the agent is up again. */
  activeDue: boolean;
}

/** Who sends: the header fields of every Notification. */
export interface LightweightSender {
  /** ManagementServer.Username. */
  username: string;
  oui: string;
  productClass: string;
  serialNumber: string;
}

export interface LightweightNotification extends LightweightSender {
  /** Seconds since the Unix epoch. */
  ts: number;
  cnonce: string;
  params: { name: string; value: string; type?: string }[];
}

export interface DatagramOptions {
  /** Host header: where the datagram goes. */
  host: string;
  /** The key of the signature (ManagementServer.Password). */
  password: string;
  /**
   * Largest datagram worth sending whole; longer lists are split over several notifications.
   * 1,200 bytes fits the IPv6 minimum MTU, so nothing is fragmented on the way.
   */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 1200;

/** The Notification document (the datagram's body). */
export function writeLightweightNotification(n: LightweightNotification): string {
  return `${notificationOpen(n) + n.params.map(paramXml).join('')}</Notification>`;
}

function notificationOpen(n: Omit<LightweightNotification, 'params'>): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Notification xmlns="${LWNOTIF_NS}" xmlns:xsd="${XSD_NS}" xmlns:xsi="${XSI_NS}">` +
    `<TS>${n.ts}</TS><UN>${esc(n.username)}</UN><CN>${esc(n.cnonce)}</CN><OUI>${esc(n.oui)}</OUI>` +
    `<ProductClass>${esc(n.productClass)}</ProductClass><SerialNumber>${esc(n.serialNumber)}</SerialNumber>`
  );
}

function paramXml(p: LightweightNotification['params'][number]): string {
  const type = p.type !== undefined && p.type in XSD_TYPE_NAMES ? ` xsi:type="xsd:${XSD_TYPE_NAMES[p.type as ParameterValue['type']]}"` : '';
  return `<Param><Name>${esc(p.name)}</Name><Value${type}>${esc(p.value)}</Value></Param>`;
}

export function lightweightSignature(password: string, body: string): string {
  return createHmac('sha1', password).update(body, 'utf8').digest('hex').toUpperCase();
}

/** One datagram: the POST request line and headers, then the signed body. */
export function frameLightweightNotification(body: string, opts: Pick<DatagramOptions, 'host' | 'password'>): Buffer {
  const head =
    `POST / HTTP/1.1\r\nHost: ${opts.host}\r\nContent-Type: text/xml; charset="utf-8"\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nSignature: ${lightweightSignature(opts.password, body)}\r\n\r\n`;
  return Buffer.from(head + body, 'utf8');
}

/**
 * The datagrams that carry these values: as few as fit in maxBytes each, every one a complete,
 * signed Notification with its own cnonce. A single value too long for one datagram goes alone.
 */
export function lightweightNotificationDatagrams(
  sender: LightweightSender & { ts: number },
  params: readonly ParameterValue[],
  nextCnonce: () => string,
  opts: DatagramOptions,
): Buffer[] {
  const max = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const out: Buffer[] = [];
  let i = 0;
  while (i < params.length) {
    const cnonce = nextCnonce();
    // Sized from an empty notification up, so each value is written once; the slack covers
    // Content-Length growing by a digit or two.
    let size = frameLightweightNotification(`${notificationOpen({ ...sender, cnonce })}</Notification>`, opts).length + 4;
    const start = i;
    while (i < params.length) {
      const add = Buffer.byteLength(paramXml(params[i]!));
      if (i > start && size + add > max) break;
      size += add;
      i++;
    }
    out.push(frameLightweightNotification(writeLightweightNotification({ ...sender, cnonce, params: params.slice(start, i) }), opts));
  }
  return out;
}

export interface ReceivedLightweightNotification {
  headers: Record<string, string>;
  body: string;
  notification: LightweightNotification;
}

export class LightweightNotificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LightweightNotificationError';
  }
}

/** Reads a datagram as an ACS would; throws LightweightNotificationError when it is not a well-formed notification. */
export function parseLightweightNotificationDatagram(datagram: Buffer, maxBytes = 65_507): ReceivedLightweightNotification {
  if (datagram.length > maxBytes) throw new LightweightNotificationError('datagram too long');
  const text = datagram.toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) throw new LightweightNotificationError('no end of headers');
  const [requestLine, ...headerLines] = text.slice(0, split).split('\r\n');
  if (!/^POST \S+ HTTP\/1\.1$/.test(requestLine ?? '')) throw new LightweightNotificationError('not a POST request line');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new LightweightNotificationError(`malformed header "${line.slice(0, 40)}"`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = text.slice(split + 4);
  const length = Number(headers['content-length']);
  if (!Number.isInteger(length) || length !== Buffer.byteLength(body)) throw new LightweightNotificationError('Content-Length does not match the body');
  if (!/^[0-9A-Fa-f]{40}$/.test(headers['signature'] ?? '')) throw new LightweightNotificationError('no Signature header');
  return { headers, body, notification: readNotification(body) };
}

/** Whether the Signature header is the body's HMAC-SHA1 under this password. */
export function verifyLightweightSignature(received: ReceivedLightweightNotification, password: string): boolean {
  return constantTimeEqual((received.headers['signature'] ?? '').toUpperCase(), lightweightSignature(password, received.body));
}

function readNotification(body: string): LightweightNotification {
  let root: XmlElement;
  try {
    root = readXml(body, { maxDepth: 8, maxElements: 20_000 });
  } catch (err) {
    throw new LightweightNotificationError(`body is not XML: ${(err as Error).message}`);
  }
  if (root.local !== 'Notification' || root.uri !== LWNOTIF_NS)
    throw new LightweightNotificationError(`root is ${root.local}, not an lwnotif-1-0 Notification`);
  const field = (name: string): string => {
    const el = root.children.find((c) => c.local === name && c.uri === LWNOTIF_NS);
    if (!el) throw new LightweightNotificationError(`${name} missing`);
    return el.text;
  };
  const ts = Number(field('TS'));
  if (!Number.isInteger(ts)) throw new LightweightNotificationError('TS is not an integer');
  const params = root.children
    .filter((c) => c.local === 'Param')
    .map((p) => {
      const name = p.children.find((c) => c.local === 'Name');
      const value = p.children.find((c) => c.local === 'Value');
      if (!name || !value) throw new LightweightNotificationError('Param without Name or Value');
      const xsiType = value.attributes.find((a) => a.local === 'type' && a.uri === XSI_NS)?.value;
      return { name: name.text, value: value.text, ...(xsiType ? { type: xsiType.slice(xsiType.indexOf(':') + 1) } : {}) };
    });
  if (params.length === 0) throw new LightweightNotificationError('no Param');
  return {
    ts,
    username: field('UN'),
    cnonce: field('CN'),
    oui: field('OUI'),
    productClass: field('ProductClass'),
    serialNumber: field('SerialNumber'),
    params,
  };
}
