/**
 * A small scriptable ACS on node:http, for tests and the demo. It answers Informs, sends the
 * RPCs queued for a device one per exchange, records every envelope of every session, and can
 * demand Basic or Digest auth, set and check a session cookie, answer in any CWMP namespace,
 * hold the CPE's requests, and fail on purpose (HTTP 500, dropped connections, slow answers).
 *
 * Why one file of this size: one server's session bookkeeping, which every failure mode and
 * record reads; the envelopes are acs-messages.ts's, notifications lightweight-receiver.ts's.
 */
import dgram from 'node:dgram';
import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { CWMP_NS_1_2, type CwmpNamespace } from '../cwmp/namespaces.js';
import { ServedFiles } from '../runtime/served-files.js';
import { signUdpConnectionRequest } from '../cwmp/udp-connection-request.js';
import { LightweightNotificationReceiver, type ReceivedNotification } from './lightweight-receiver.js';
import type { AcsRequest, CwmpEvent } from '../cwmp/index.js';
import { DigestClient, DigestServer, parseChallenges, verifyBasic } from '../cwmp/http-auth.js';
import {
  deviceSerial,
  informEvents,
  parameterValues,
  readCpeMessage,
  textAt,
  writeAcsFault,
  writeAcsRequest,
  writeEmptyResponse,
  writeInformResponse,
  writeKickedResponse,
  type CpeMessageSummary,
} from './acs-messages.js';
import { handleAcsApi } from './acs-api.js';
import { BulkDataReceiver, decodedBody } from './bulk-data-receiver.js';

export type { BulkDataReceived } from './bulk-data-receiver.js';

export type Failure = 'http500' | 'drop' | { slowMs: number } | { informFault: number } | { redirect: 302 | 307; location: string };

/** One queued step: a typed request, or a raw body (for hostile-input tests). */
export type QueuedRpc = AcsRequest | { raw: string };

export interface AcsSessionRecord {
  serial: string;
  events: CwmpEvent[];
  /** Every body in order; `from` says who sent it. */
  messages: { from: 'cpe' | 'acs'; body: string; method: string }[];
  /** CPE messages after the Inform that came back with the session cookie. */
  cookieReturned: boolean[];
  ended: boolean;
  /** The address the session's Inform came from (an IPv4 address as such, not IPv4-mapped). */
  from?: string;
}

export interface TestAcsOptions {
  auth?: { scheme: 'basic' | 'digest'; username: string; password: string; algorithms?: ('MD5' | 'SHA-256')[] };
  /** Answer in this namespace instead of the CPE's. */
  namespace?: CwmpNamespace;
  useCwmpVersion?: string;
  holdRequests?: boolean;
  tls?: { key: string | Buffer; cert: string | Buffer };
  host?: string;
  port?: number;
  /** Largest CPE body accepted, bytes. */
  maxBodyBytes?: number;
  /** Keep only the latest this many session records (long load runs); all when absent. */
  maxSessions?: number;
  /** Answer gzip-compressed to a CPE that accepts it. */
  compressResponses?: boolean;
  /** RPCs to queue for a device when its Inform arrives (an ACS's provisioning: on 0 BOOTSTRAP, say). */
  onInform?: (serial: string, events: readonly CwmpEvent[]) => QueuedRpc[];
  /** Serve the JSON API under /api/ (see acs-api.ts) on the same port. */
  api?: boolean;
  /**
   * Give each device connection-request credentials of its own (a SetParameterValues in its
   * first session, and again after a BOOTSTRAP), as a production ACS's provisioning does, so
   * that the JSON API can send it connection requests without being told them.
   */
  provisionConnectionRequestCredentials?: boolean;
  /** Where a Kicked CPE's browser goes next (the default: the Next it gave). */
  kickedNextUrl?: (k: KickedRecord) => string;
}

export interface KickedRecord {
  serial: string;
  command: string;
  referer: string;
  arg: string;
  next: string;
}

interface LiveSession {
  record: AcsSessionRecord;
  namespace: CwmpNamespace;
  cookie: string;
  nextId: number;
  held: boolean;
}

const CONNECTION_REQUEST_TIMEOUT_MS = 10_000;

/** The sessions open now, found by cookie, by serial (fleets have thousands) or by connection. */
class LiveSessions {
  private readonly byCookie = new Map<string, LiveSession>();
  private readonly cookieBySerial = new Map<string, string>();
  /** The session each connection carries (a CPE keeps one connection per session). */
  private readonly bySocket = new WeakMap<object, LiveSession>();
  private lastOpened: LiveSession | undefined;

  /** A new Inform's session replaces the device's previous one. */
  open(session: LiveSession, socket: object): void {
    const serial = session.record.serial;
    const previous = this.cookieBySerial.get(serial);
    if (previous !== undefined) this.byCookie.delete(previous);
    this.byCookie.set(session.cookie, session);
    this.cookieBySerial.set(serial, session.cookie);
    this.bySocket.set(socket, session);
    this.lastOpened = session;
  }

  byCookieOf(cookie: string): LiveSession | undefined {
    return this.byCookie.get(cookie);
  }

  /**
   * A CPE that did not keep the cookie: the session of its connection, else the latest one
   * opened that is still open, found in O(1) whatever the number of devices.
   */
  withoutCookie(socket: object): LiveSession | undefined {
    const onSocket = this.bySocket.get(socket);
    if (onSocket && !onSocket.record.ended) return onSocket;
    return this.lastOpened && !this.lastOpened.record.ended ? this.lastOpened : undefined;
  }
}

export class TestAcs {
  readonly sessions: AcsSessionRecord[] = [];
  private readonly queues = new Map<string, QueuedRpc[]>();
  private readonly crCredentials = new Map<string, { username: string; password: string }>();
  private readonly failures: Failure[] = [];
  private readonly cpeRequestDrops: string[] = [];
  private readonly files = new ServedFiles();
  private readonly cpeRequestWatchers: ((serial: string, method: string, faultCode: number) => void)[] = [];
  private readonly live = new LiveSessions();
  private readonly digest: DigestServer | undefined;
  private server: http.Server | undefined;
  private readonly waiters: Waiter[] = [];
  authFailures = 0;
  /** Kicked requests received, in order. */
  readonly kicked: KickedRecord[] = [];
  /** Lightweight Notifications received, once listenLightweightNotifications has run. */
  lightweight: LightweightNotificationReceiver | undefined;
  /** CPE bodies that arrived compressed (Content-Encoding gzip or deflate). */
  compressedRequests = 0;
  /** Bulk Data reports received at /bulkdata (see bulkDataUrl). */
  readonly bulkData = new BulkDataReceiver(() => notifyWaiters(this.waiters));
  /** Bodies whose connection closed before they were complete: how many bytes had come. */
  readonly incompleteBodies: number[] = [];

  constructor(private readonly opts: TestAcsOptions = {}) {
    if (opts.auth?.scheme === 'digest') {
      this.digest = new DigestServer({
        realm: 'test-acs',
        algorithms: opts.auth.algorithms ?? ['MD5', 'SHA-256'],
        nonceLifetimeMs: 300_000,
        maxNonces: 10_000,
      });
    }
  }

  async listen(): Promise<string> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      // One bad request answers 500; it never takes the ACS (and a fleet or agent using it) down.
      try {
        this.handle(req, res);
      } catch (err) {
        req.resume();
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(err as Error).message}\n`);
      }
    };
    this.server = this.opts.tls ? https.createServer({ key: this.opts.tls.key, cert: this.opts.tls.cert }, handler) : http.createServer(handler);
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `${this.opts.tls ? 'https' : 'http'}://${this.opts.host ?? '127.0.0.1'}:${port}/acs`;
  }

  /**
   * Receives UDP Lightweight Notifications on a port of this host (returned), checking each with
   * the password the ACS's own auth expects unless another lookup is given.
   */
  async listenLightweightNotifications(
    opts: { port?: number; passwordFor?: (username: string) => string | undefined; onAccepted?: (n: ReceivedNotification) => void } = {},
  ): Promise<number> {
    const auth = this.opts.auth;
    const passwordFor = opts.passwordFor ?? ((u: string) => (auth ? (u === auth.username ? auth.password : undefined) : ''));
    this.lightweight = new LightweightNotificationReceiver({ passwordFor, onAccepted: opts.onAccepted });
    return this.lightweight.listen(this.opts.host ?? '127.0.0.1', opts.port ?? 0);
  }

  async close(): Promise<void> {
    this.lightweight?.close();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Calls `watcher` for each TransferComplete, AutonomousTransferComplete, RequestDownload or (Autonomous)DUStateChangeComplete the ACS acknowledges. */
  onCpeRequest(watcher: (serial: string, method: string, faultCode: number) => void): void {
    this.cpeRequestWatchers.push(watcher);
  }

  /** Serves a file at <base>/files/<name> (firmware for a Download, say); returns its URL. */
  serveFile(name: string, body: Buffer): string {
    this.files.add(name, body);
    const { port } = this.server!.address() as AddressInfo;
    return `${this.opts.tls ? 'https' : 'http'}://${this.opts.host ?? '127.0.0.1'}:${port}/files/${name}`;
  }

  /**
   * The Bulk Data collector beside the ACS: a profile's HTTP.URL of `<base>/bulkdata/<anything>`
   * (returned) lands its reports in `bulkData.reports`, decompressed; `bulkData.status` is what it
   * answers (a 503 to see the device retry).
   */
  bulkDataUrl(name = 'collector'): string {
    const { port } = this.server!.address() as AddressInfo;
    return `${this.opts.tls ? 'https' : 'http'}://${this.opts.host ?? '127.0.0.1'}:${port}/bulkdata/${name}`;
  }

  /** The connection-request credentials this ACS set on a device (see provisionConnectionRequestCredentials). */
  connectionRequestCredentials(serial: string): { username: string; password: string } | undefined {
    return this.crCredentials.get(serial);
  }

  /** How many queued RPCs wait for a device. */
  queuedFor(serial: string): number {
    return this.queues.get(serial)?.length ?? 0;
  }

  /** Devices with RPCs waiting for their next session. */
  get queuedDeviceCount(): number {
    return this.queues.size;
  }

  /** Queues RPCs for a device (by serial number), sent in its next session(s). */
  queue(serial: string, ...rpcs: QueuedRpc[]): void {
    const q = this.queues.get(serial) ?? [];
    q.push(...rpcs);
    this.queues.set(serial, q);
  }

  /**
   * The next CPE request of this method (TransferComplete, ...) is recorded and then left
   * unanswered: the connection drops, as if the ACS went away before acknowledging it.
   */
  dropNextCpeRequest(method: string): void {
    this.cpeRequestDrops.push(method);
  }

  /** CPE requests of a method the ACS acknowledged, across sessions. */
  acknowledged(method: string, serial?: string): CpeMessageSummary[] {
    const out: CpeMessageSummary[] = [];
    for (const s of this.sessions) {
      if (serial !== undefined && s.serial !== serial) continue;
      s.messages.forEach((m, i) => {
        if (m.from === 'cpe' && m.method === method && s.messages[i + 1]?.method === `${method}Response`) out.push(readCpeMessage(m.body));
      });
    }
    return out;
  }

  /** The next N exchanges that reach the ACS fail this way, one failure each. */
  failNext(...failures: Failure[]): void {
    this.failures.push(...failures);
  }

  /** Resolves once `predicate` holds (checked after every exchange and every 25 ms), or rejects after timeoutMs. */
  waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const poll = setInterval(() => notifyWaiters(this.waiters), 25);
      const waiter = {
        predicate,
        resolve: () => {
          clearTimeout(timer);
          clearInterval(poll);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        clearInterval(poll);
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`waitFor timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Completed sessions of a device. */
  completedSessions(serial?: string): AcsSessionRecord[] {
    return this.sessions.filter((s) => s.ended && (serial === undefined || s.serial === serial));
  }

  /** The CPE's answers to queued RPCs, across sessions, in order. */
  responses(serial?: string): CpeMessageSummary[] {
    return this.sessions
      .filter((s) => serial === undefined || s.serial === serial)
      .flatMap((s) => s.messages.filter((m) => m.from === 'cpe' && m.method !== 'Inform' && m.method !== ''))
      .map((m) => readCpeMessage(m.body));
  }

  /**
   * Sends a connection request as an ACS does: GET, then the Digest (or Basic) answer to the
   * challenge. Returns the final HTTP status.
   */
  async connectionRequest(url: string, username: string, password: string): Promise<number> {
    const get = (authorization?: string): Promise<{ status: number; www: string | string[] | undefined }> =>
      new Promise((resolve, reject) => {
        const req = http.get(url, { headers: authorization ? { Authorization: authorization } : {}, agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, www: res.headers['www-authenticate'] }));
        });
        req.on('error', reject);
        // A device that accepts the connection and never answers is given up, not waited on for ever.
        req.setTimeout(CONNECTION_REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer from ${url} within ${CONNECTION_REQUEST_TIMEOUT_MS / 1000} s`)));
      });
    const first = await get();
    if (first.status !== 401) return first.status;
    const challenges = parseChallenges(first.www);
    const digest = DigestClient.choose(challenges);
    const path = new URL(url).pathname;
    if (digest) return (await get(new DigestClient(digest, username, password, () => randomBytes(8).toString('hex')).authorization('GET', path))).status;
    return (await get(`Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`)).status;
  }

  /**
   * Sends a UDP connection request (TR-111) to host:port, `copies` times as GenieACS does.
   * `socket` lets the caller send from a chosen source (e.g. the STUN server's address and port).
   */
  async udpConnectionRequest(
    target: string,
    username: string,
    password: string,
    o: { ts?: number; id?: string; copies?: number; badSignature?: boolean; socket?: dgram.Socket } = {},
  ): Promise<void> {
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
    if (!m) throw new Error(`not host:port: ${target}`);
    const ts = o.ts ?? Math.floor(Date.now() / 1000);
    const id = o.id ?? randomBytes(6).toString('hex');
    const cn = randomBytes(8).toString('hex').toUpperCase();
    let sig = signUdpConnectionRequest(password, { ts, id, un: username, cn });
    if (o.badSignature) sig = sig.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const line = `GET http://${target}?ts=${ts}&id=${id}&un=${encodeURIComponent(username)}&cn=${cn}&sig=${sig} HTTP/1.1\r\nHost: ${target}\r\n\r\n`;
    const socket = o.socket ?? dgram.createSocket(m[1]!.includes(':') ? 'udp6' : 'udp4');
    try {
      for (let i = 0; i < (o.copies ?? 3); i++) {
        await new Promise<void>((resolve, reject) => socket.send(line, Number(m[2]), m[1]!, (err) => (err ? reject(err) : resolve())));
      }
    } finally {
      if (!o.socket) socket.close();
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.opts.api && req.url?.startsWith('/api') && handleAcsApi(this, req, res)) return;
    if (this.files.handle(req, res)) return;
    if ((req.method === 'POST' || req.method === 'PUT') && req.url?.startsWith('/bulkdata')) return this.bulkData.receive(req, res);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > (this.opts.maxBodyBytes ?? 8 * 1024 * 1024)) req.destroy();
      else chunks.push(c);
    });
    req.on('close', () => {
      if (!req.complete) {
        this.incompleteBodies.push(size);
        notifyWaiters(this.waiters);
      }
    });
    req.on('end', () => {
      try {
        const { body, compressed } = decodedBody(Buffer.concat(chunks), req.headers['content-encoding'], this.opts.maxBodyBytes ?? 8 * 1024 * 1024);
        if (compressed) this.compressedRequests++;
        this.exchange(req, res, body.toString('utf8'));
      } catch (err) {
        res.writeHead(500).end(String(err));
      }
      notifyWaiters(this.waiters);
    });
  }

  private authorized(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const auth = this.opts.auth;
    if (!auth) return true;
    const header = req.headers.authorization;
    if (auth.scheme === 'basic') {
      if (verifyBasic(header, auth.username, auth.password)) return true;
      if (header) this.authFailures++;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test-acs"' }).end();
      return false;
    }
    const result = this.digest!.verify(header, req.method ?? 'POST', req.url ?? '', Date.now(), (u) => (u === auth.username ? auth.password : undefined));
    if (result.ok) return true;
    if (header && !result.stale) this.authFailures++;
    res.writeHead(401, { 'WWW-Authenticate': this.digest!.challenge(Date.now(), () => randomBytes(16).toString('hex'), result.stale) }).end();
    return false;
  }

  private exchange(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    if (!this.authorized(req, res)) return;
    const failure = this.failures.shift();
    if (failure === 'http500') return void res.writeHead(500).end();
    if (failure === 'drop') return void req.socket.destroy();
    if (failure && typeof failure === 'object' && 'redirect' in failure) return void res.writeHead(failure.redirect, { Location: failure.location }).end();
    if (failure && typeof failure === 'object' && 'slowMs' in failure) {
      setTimeout(() => this.answer(req, res, body, undefined), failure.slowMs);
      return;
    }
    this.answer(req, res, body, failure && typeof failure === 'object' && 'informFault' in failure ? failure.informFault : undefined);
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, body: string, informFault: number | undefined): void {
    let msg: CpeMessageSummary;
    try {
      msg = readCpeMessage(body);
    } catch (err) {
      return void res.writeHead(400).end(`unreadable: ${String(err)}`);
    }
    const cookies = parseCookies(req.headers.cookie);
    let session: LiveSession | undefined;
    if (msg.method === 'Inform') {
      const serial = deviceSerial(msg);
      const remote = req.socket.remoteAddress;
      const record: AcsSessionRecord = { serial, events: informEvents(msg), messages: [], cookieReturned: [], ended: false };
      if (remote) record.from = remote.replace(/^::ffff:(?=\d+\.)/, '');
      const provisioning = this.opts.onInform?.(serial, record.events);
      if (provisioning && provisioning.length > 0) this.queue(serial, ...provisioning);
      const credentials = this.opts.provisionConnectionRequestCredentials ? credentialsToProvision(this.crCredentials, serial, record.events, msg) : undefined;
      if (credentials) this.queue(serial, credentials);
      this.sessions.push(record);
      if (this.opts.maxSessions !== undefined && this.sessions.length > this.opts.maxSessions * 2)
        this.sessions.splice(0, this.sessions.length - this.opts.maxSessions);
      session = {
        record,
        namespace: this.opts.namespace ?? msg.namespace ?? CWMP_NS_1_2,
        cookie: randomBytes(8).toString('hex'),
        nextId: 1,
        held: this.opts.holdRequests === true,
      };
      this.live.open(session, req.socket);
    } else {
      session = this.live.byCookieOf(cookies['acs-session'] ?? '');
      if (!session) {
        session = this.live.withoutCookie(req.socket);
        session?.record.cookieReturned.push(false);
      } else {
        session.record.cookieReturned.push(true);
        // The CPE may still send its own requests after our empty answer (HoldRequests lifted).
        session.record.ended = false;
      }
    }
    if (!session) return void res.writeHead(400).end('no session');
    const record = session.record;
    record.messages.push({ from: 'cpe', body, method: msg.method });
    const o = { namespace: session.namespace, id: msg.id ?? `acs-${session.nextId++}`, useCwmpVersion: this.opts.useCwmpVersion };
    const headers = { 'Content-Type': 'text/xml; charset="utf-8"', 'Set-Cookie': `acs-session=${session.cookie}; Path=/; HttpOnly` };
    const send = (out: string, method?: string): void => {
      record.messages.push({ from: 'acs', body: out, method: method ?? (out === '' ? '' : readCpeMessage(out).method) });
      if (out === '') {
        res.writeHead(204, { 'Set-Cookie': headers['Set-Cookie'] }).end();
      } else if (this.opts.compressResponses && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
        res.writeHead(out.includes('<soap-env:Fault>') ? 500 : 200, { ...headers, 'Content-Encoding': 'gzip' }).end(gzipSync(out));
      } else {
        res.writeHead(out.includes('<soap-env:Fault>') ? 500 : 200, headers).end(out);
      }
    };

    if (msg.method === 'Inform') {
      if (informFault !== undefined) {
        record.ended = true;
        return send(writeAcsFault(informFault, 'injected fault', o));
      }
      return send(writeInformResponse({ ...o, holdRequests: session.held }), 'InformResponse');
    }
    if (
      msg.method === 'TransferComplete' ||
      msg.method === 'AutonomousTransferComplete' ||
      msg.method === 'RequestDownload' ||
      msg.method === 'DUStateChangeComplete' ||
      msg.method === 'AutonomousDUStateChangeComplete'
    ) {
      const drop = this.cpeRequestDrops.indexOf(msg.method);
      if (drop >= 0) {
        this.cpeRequestDrops.splice(drop, 1);
        return void req.socket.destroy();
      }
      // A DU report's first failed result stands for it.
      const duFault = msg.method.includes('DUStateChange')
        ? msg.body?.children
            .filter((c) => c.local === 'Results')
            .map((r) => Number(textAt(r, 'Fault', 'FaultCode') ?? 0))
            .find((c) => c !== 0)
        : undefined;
      const faultCode = duFault ?? Number(textAt(msg.body, 'FaultStruct', 'FaultCode') ?? 0);
      for (const w of this.cpeRequestWatchers) w(record.serial, msg.method, faultCode);
      return send(writeEmptyResponse(`${msg.method}Response`, o), `${msg.method}Response`);
    }
    if (msg.method === 'Kicked') {
      const field = (name: string): string => textAt(msg.body, name) ?? '';
      const k: KickedRecord = { serial: record.serial, command: field('Command'), referer: field('Referer'), arg: field('Arg'), next: field('Next') };
      this.kicked.push(k);
      return send(writeKickedResponse(this.opts.kickedNextUrl?.(k) ?? k.next, o), 'KickedResponse');
    }
    if (msg.method === 'GetRPCMethods') {
      return send(
        writeEmptyResponse('GetRPCMethodsResponse', o).replace(
          '</cwmp:GetRPCMethodsResponse>',
          '<MethodList soap-enc:arrayType="xsd:string[2]"><string>Inform</string><string>TransferComplete</string></MethodList></cwmp:GetRPCMethodsResponse>',
        ),
      );
    }
    // Empty POST or a response to our last request: send the next queued RPC, or end.
    const waiting = this.queues.get(record.serial);
    const next = waiting?.shift();
    if (waiting?.length === 0) this.queues.delete(record.serial);
    if (session.held && next === undefined) session.held = false;
    if (next === undefined) {
      record.ended = true;
      return send('');
    }
    const id = `acs-${session.nextId++}`;
    if ('raw' in next) return send(next.raw);
    return send(writeAcsRequest(next, { namespace: session.namespace, id, holdRequests: session.held }), next.method);
  }
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

interface Waiter {
  predicate: () => boolean;
  resolve: () => void;
}

/** Resolves (and forgets) the waiters whose condition now holds. */
function notifyWaiters(waiters: Waiter[]): void {
  for (const w of [...waiters]) {
    if (w.predicate()) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  }
}

/**
 * The SetParameterValues giving a device connection-request credentials of its own, in its first
 * session and again after a BOOTSTRAP (as a production ACS's provisioning does); undefined when
 * it has them. The credentials are remembered for the JSON API's connection requests.
 */
function credentialsToProvision(
  known: Map<string, { username: string; password: string }>,
  serial: string,
  events: readonly CwmpEvent[],
  inform: CpeMessageSummary,
): AcsRequest | undefined {
  if (known.has(serial) && !events.some((e) => e.code === '0 BOOTSTRAP')) return undefined;
  const root = Object.keys(parameterValues(inform))[0]?.split('.')[0] ?? 'Device';
  const credentials = { username: 'acs', password: randomBytes(12).toString('base64url') };
  known.set(serial, credentials);
  return {
    method: 'SetParameterValues',
    parameterList: [
      { name: `${root}.ManagementServer.ConnectionRequestUsername`, value: credentials.username, type: 'string' },
      { name: `${root}.ManagementServer.ConnectionRequestPassword`, value: credentials.password, type: 'string' },
    ],
    parameterKey: '',
  };
}
