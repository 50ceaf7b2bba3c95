/**
 * The HTTP connection-request server (TR-069 3.2.2): an ACS sends an authenticated GET to
 * ConnectionRequestURL, and the CPE opens a session with 6 CONNECTION REQUEST. Digest auth
 * (MD5 or SHA-256, expiring nonces, no replay) against ConnectionRequestUsername/Password;
 * Basic only when configured. Bounded: tiny bodies, short header and request timeouts, a
 * bounded nonce table, and a rate limit on accepted requests. One server can route many paths,
 * each its own device with its own credentials (a fleet shares one listener).
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DigestServer, verifyBasic } from '../session/http-auth.js';

export interface ConnectionRequestCredentials {
  username: string;
  password: string;
}

export interface ConnectionRequestRoute {
  credentials: () => ConnectionRequestCredentials;
  /** ManagementServer.HTTPConnectionRequestEnable: when false the path answers as if absent. */
  enabled?: () => boolean;
  /** Called for each accepted request; the agent starts (or queues) a session. */
  onConnectionRequest: () => void;
}

export interface HttpConnectionRequestOptions {
  address: string;
  port: number;
  allowBasic?: boolean;
  /** Accepted requests per minute and device, at most (TR-069 lets the CPE limit them). */
  maxAcceptedPerMinute?: number;
  /** Outstanding Digest nonces kept; a fleet needs about two per device. */
  maxNonces?: number;
  now?: () => number;
}

interface RouteState extends ConnectionRequestRoute {
  acceptedAt: number[];
}

export interface ConnectionRequestStats {
  accepted: number;
  rejected: number;
  rateLimited: number;
}

export class HttpConnectionRequestServer {
  readonly stats: ConnectionRequestStats = { accepted: 0, rejected: 0, rateLimited: 0 };
  private readonly digest: DigestServer;
  private readonly routes = new Map<string, RouteState>();
  private readonly openRoutes = new Map<string, (req: http.IncomingMessage, res: http.ServerResponse) => void>();
  private server: http.Server | undefined;

  constructor(private readonly opts: HttpConnectionRequestOptions) {
    this.digest = new DigestServer({ realm: 'cwmp-agent', algorithms: ['SHA-256', 'MD5'], nonceLifetimeMs: 60_000, maxNonces: opts.maxNonces ?? 1024 });
  }

  /** A device's URL path, e.g. "/a1b2c3" (random and hard to guess), with its credentials. */
  addRoute(path: string, route: ConnectionRequestRoute): void {
    this.routes.set(path, { ...route, acceptedAt: [] });
  }

  /**
   * A path answered without connection-request credentials, by its own handler (the KickURL a
   * LAN browser is sent to). Query string and headers are the handler's to check.
   */
  addOpenRoute(path: string, handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): void {
    this.openRoutes.set(path, handler);
  }

  removeRoute(path: string): void {
    this.routes.delete(path);
  }

  /** Starts listening; returns the bound port. */
  async listen(): Promise<number> {
    const server = http.createServer({ maxHeaderSize: 8192, requestTimeout: 10_000, headersTimeout: 5_000 }, (req, res) => this.handle(req, res));
    server.keepAliveTimeout = 5_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 1024) req.destroy();
    });
    req.on('end', () => this.respond(req, res));
    req.on('error', () => undefined);
  }

  private respond(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const open = this.openRoutes.get(path);
    if (open) {
      if (req.method !== 'GET') return void res.writeHead(405, { Allow: 'GET' }).end();
      return open(req, res);
    }
    const route = this.routes.get(path);
    if (!route || route.enabled?.() === false) return void res.writeHead(404).end();
    if (req.method !== 'GET') return void res.writeHead(405, { Allow: 'GET' }).end();
    const { username, password } = route.credentials();
    const header = req.headers.authorization;
    const now = this.now();
    let ok = false;
    let stale = false;
    if (header?.toLowerCase().startsWith('basic ')) {
      ok = this.opts.allowBasic === true && verifyBasic(header, username, password);
    } else if (header) {
      const result = this.digest.verify(header, 'GET', now, (u) => (u === username ? password : undefined));
      ok = result.ok;
      stale = !result.ok && result.stale;
    }
    if (!ok) {
      if (header && !stale) this.stats.rejected++;
      const challenges = this.digest.challenge(now, () => randomBytes(16).toString('hex'), stale);
      if (this.opts.allowBasic) challenges.push('Basic realm="cwmp-agent"');
      return void res.writeHead(401, { 'WWW-Authenticate': challenges, 'Content-Length': 0 }).end();
    }
    const accepted = route.acceptedAt;
    while (accepted.length > 0 && now - accepted[0]! > 60_000) accepted.shift();
    if (accepted.length >= (this.opts.maxAcceptedPerMinute ?? 60)) {
      this.stats.rateLimited++;
      return void res.writeHead(503, { 'Retry-After': '60', 'Content-Length': 0 }).end();
    }
    accepted.push(now);
    this.stats.accepted++;
    res.writeHead(200, { 'Content-Length': 0 }).end();
    route.onConnectionRequest();
  }
}
