/**
 * The HTTP connection-request server (TR-069 3.2.2): an ACS sends an authenticated GET to
 * ConnectionRequestURL, and the CPE opens a session with 6 CONNECTION REQUEST. Digest auth
 * (MD5 or SHA-256, expiring nonces, no replay) against ConnectionRequestUsername/Password;
 * Basic only when configured. Bounded: tiny bodies, short header and request timeouts checked
 * every second, a cap on open connections (per source too) where a new connection pushes out
 * the oldest one still idle so that a good request always gets in, a bounded nonce table, and a
 * rate limit on accepted requests. One server can route many paths, each its own device with its
 * own credentials (a fleet shares one listener).
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { DigestServer, verifyBasic, type DigestAlgorithm } from '../cwmp/http-auth.js';

/** 'ignore': accepted (200), no session; 'refuse': 503; 'error': 500 (a broken CPE web server). */
export type ConnectionRequestMisbehaviour = 'ignore' | 'refuse' | 'error';

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
  /** A misbehaving device (a test harness): 'ignore' accepts without a session, 'refuse' answers 503, 'error' 500. */
  misbehave?: () => ConnectionRequestMisbehaviour | undefined;
  /** A request to this path with credentials that did not match (for a device's counters). */
  onAuthFailure?: () => void;
  /** Every request to this path, answered: for the wire trace. */
  onAnswered?: (r: { method: string; url: string; headers: Record<string, string | string[] | undefined>; status: number; remote: string | undefined }) => void;
}

export interface HttpConnectionRequestOptions {
  address: string;
  port: number;
  allowBasic?: boolean;
  /** Accepted requests per minute and device, at most (TR-069 lets the CPE limit them). */
  maxAcceptedPerMinute?: number;
  /** Outstanding Digest nonces kept; a fleet needs about two per device. */
  maxNonces?: number;
  /** Digest algorithms offered, in this order (default MD5 then SHA-256: see DigestServer.challenge). */
  digestAlgorithms?: readonly DigestAlgorithm[];
  /** Open connections at most, and from one source address at most (defaults 128 and 32). */
  maxConnections?: number;
  maxConnectionsPerSource?: number;
  /** A request refused, and why (the wiring logs it, once per cause and minute). */
  onRefused?: (cause: ConnectionRequestRefusal, path: string) => void;
  now?: () => number;
}

export type ConnectionRequestRefusal = 'bad credentials' | 'no credentials configured' | 'rate limited' | 'disabled';

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
  /** Open connections, oldest first, and whether each has a request in hand. */
  private readonly sockets = new Map<Socket, { busy: boolean }>();

  constructor(private readonly opts: HttpConnectionRequestOptions) {
    this.digest = new DigestServer({
      realm: 'cwmp-agent',
      algorithms: [...(opts.digestAlgorithms ?? ['MD5', 'SHA-256'])],
      nonceLifetimeMs: 60_000,
      maxNonces: opts.maxNonces ?? 1024,
    });
  }

  /** Connections open now (for tests and metrics). */
  get openConnections(): number {
    return this.sockets.size;
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
    // Node checks the header and request timeouts every connectionsCheckingInterval (30 s by default): every second here.
    const server = http.createServer({ maxHeaderSize: 8192, requestTimeout: 10_000, headersTimeout: 5_000, connectionsCheckingInterval: 1_000 }, (req, res) =>
      this.handle(req, res),
    );
    server.keepAliveTimeout = 5_000;
    server.on('connection', (socket: Socket) => this.admit(socket));
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

  /**
   * A new connection within the caps; past a cap, the oldest idle connection (of that source,
   * for the per-source cap) makes room. Slow or silent connections are what fills the table, so
   * they go first, and a correct request arriving now is served.
   */
  private admit(socket: Socket): void {
    const max = this.opts.maxConnections ?? 128;
    const perSource = this.opts.maxConnectionsPerSource ?? 32;
    const source = socket.remoteAddress;
    let fromSource = 0;
    for (const s of this.sockets.keys()) if (s.remoteAddress === source) fromSource++;
    if (fromSource >= perSource) this.evictOldestIdle((s) => s.remoteAddress === source);
    if (this.sockets.size >= max) this.evictOldestIdle(() => true);
    if (this.sockets.size >= max) return void socket.destroy();
    const state = { busy: false };
    this.sockets.set(socket, state);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private evictOldestIdle(match: (s: Socket) => boolean): void {
    for (const [s, state] of this.sockets) {
      if (!state.busy && match(s)) {
        this.sockets.delete(s);
        s.destroy();
        return;
      }
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const route = this.routes.get((req.url ?? '').split('?')[0] ?? '');
    if (route?.onAnswered) {
      const traced = route.onAnswered;
      res.once('finish', () =>
        traced({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, status: res.statusCode, remote: req.socket.remoteAddress }),
      );
    }
    const state = this.sockets.get(req.socket);
    if (state) {
      state.busy = true;
      res.once('finish', () => (state.busy = false));
    }
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
    if (!route) return void res.writeHead(404).end();
    if (route.enabled?.() === false) {
      this.opts.onRefused?.('disabled', path);
      return void res.writeHead(404).end();
    }
    if (req.method !== 'GET') return void res.writeHead(405, { Allow: 'GET' }).end();
    const { username, password } = route.credentials();
    const header = req.headers.authorization;
    const now = this.now();
    let ok = false;
    let stale = false;
    // An empty ConnectionRequestUsername matches nobody: every request is refused until the ACS sets one.
    if (header?.toLowerCase().startsWith('basic ')) {
      ok = this.opts.allowBasic === true && username !== '' && verifyBasic(header, username, password);
    } else if (header) {
      const result = this.digest.verify(header, 'GET', req.url ?? '', now, (u) => (u === username && username !== '' ? password : undefined));
      ok = result.ok;
      stale = !result.ok && result.stale;
    }
    if (!ok) {
      if (header && !stale) {
        this.stats.rejected++;
        route.onAuthFailure?.();
        this.opts.onRefused?.(username === '' ? 'no credentials configured' : 'bad credentials', path);
      }
      const challenges = this.digest.challenge(now, () => randomBytes(16).toString('hex'), stale);
      if (this.opts.allowBasic) challenges.push('Basic realm="cwmp-agent"');
      return void res.writeHead(401, { 'WWW-Authenticate': challenges, 'Content-Length': 0 }).end();
    }
    const accepted = route.acceptedAt;
    while (accepted.length > 0 && now - accepted[0]! > 60_000) accepted.shift();
    if (accepted.length >= (this.opts.maxAcceptedPerMinute ?? 60)) {
      this.stats.rateLimited++;
      this.opts.onRefused?.('rate limited', path);
      // TR-069 3.2.2: the CPE SHOULD NOT put Retry-After on this 503.
      return void res.writeHead(503, { 'Content-Length': 0 }).end();
    }
    const misbehaving = route.misbehave?.();
    if (misbehaving === 'refuse') return void res.writeHead(503, { 'Content-Length': 0 }).end();
    if (misbehaving === 'error') return void res.writeHead(500, { 'Content-Length': 0 }).end();
    accepted.push(now);
    this.stats.accepted++;
    res.writeHead(200, { 'Content-Length': 0 }).end();
    if (misbehaving !== 'ignore') route.onConnectionRequest();
  }
}
