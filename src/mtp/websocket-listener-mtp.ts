/**
 * USP's WebSocket transport the other way round (R-WS.6): the agent listens, and a Controller
 * opens the session, naming itself with `?eid=`. One session a Controller (a new one replaces
 * the old, R-WS.4); a client that does not ask for v1.usp is refused at the handshake; a frame
 * that holds no Record ends the session with 1003. It moves bytes only.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { USP_WEBSOCKET_PROTOCOL } from './websocket-mtp.js';

export interface WebSocketListenerOptions {
  port: number;
  address: string;
  /** Serve wss:// with this key and certificate. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  logger: Logger;
}

const MAX_RECORD_BYTES = 4 * 1024 * 1024;
/** Sessions held at once, at most (a Controller each). */
const MAX_SESSIONS = 32;

export class WebSocketListenerMtp {
  private server: http.Server | https.Server | undefined;
  private wss: WebSocketServer | undefined;
  private readonly sessions = new Map<string, WebSocket>();
  private receiver: ((m: { payload: Uint8Array; responseTopic: string | undefined }) => 'unreadable' | undefined) | undefined;
  private connectedListener: ((endpointId: string) => void) | undefined;

  constructor(private readonly o: WebSocketListenerOptions) {}

  onRecord(receiver: (m: { payload: Uint8Array; responseTopic: string | undefined }) => 'unreadable' | undefined): void {
    this.receiver = receiver;
  }

  /** Called with the Controller's EndpointID each time one opens a session. */
  onConnected(listener: (endpointId: string) => void): void {
    this.connectedListener = listener;
  }

  get connected(): boolean {
    return this.sessions.size > 0;
  }

  /** Whether a Controller has a session open now. */
  reaches(endpointId: string): boolean {
    return this.sessions.get(endpointId)?.readyState === 1;
  }

  /** The port listened on (a free one when 0 was asked for). */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async start(): Promise<void> {
    const o = this.o;
    const server = o.tls ? https.createServer({ key: o.tls.key, cert: o.tls.cert }) : http.createServer();
    server.on(
      'request',
      (_req, res) => void res.writeHead(426, { 'Content-Type': 'text/plain' }).end('a USP agent: open a WebSocket with subprotocol v1.usp\n'),
    );
    const wss = new WebSocketServer({
      server,
      maxPayload: MAX_RECORD_BYTES,
      handleProtocols: (protocols) => (protocols.has(USP_WEBSOCKET_PROTOCOL) ? USP_WEBSOCKET_PROTOCOL : false),
      // A client that does not speak v1.usp, or names no EndpointID, gets no session.
      verifyClient: (info: { req: http.IncomingMessage }) => {
        const offered = String(info.req.headers['sec-websocket-protocol'] ?? '')
          .split(',')
          .map((p) => p.trim());
        return offered.includes(USP_WEBSOCKET_PROTOCOL) && eidOf(info.req) !== '' && this.sessions.size < MAX_SESSIONS;
      },
    });
    wss.on('connection', (socket, req) => this.accept(socket, eidOf(req)));
    this.server = server;
    this.wss = wss;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.address, () => resolve());
    });
    o.logger.info({ port: this.port, address: o.address }, 'USP WebSocket sessions accepted');
  }

  /** Sends a Record on a Controller's session (the address is its EndpointID). */
  publish(endpointId: string, record: Uint8Array): Promise<void> {
    const socket = this.sessions.get(endpointId);
    if (!socket || socket.readyState !== 1) return Promise.reject(new Error(`no WebSocket session with ${endpointId}`));
    return new Promise((resolve, reject) => socket.send(record, { binary: true }, (err) => (err ? reject(err) : resolve())));
  }

  async stop(): Promise<void> {
    for (const s of this.sessions.values()) s.close(1000, 'agent stopping');
    this.sessions.clear();
    this.wss?.close();
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }

  private accept(socket: WebSocket, endpointId: string): void {
    this.sessions.get(endpointId)?.close(1000, 'replaced by a new session');
    this.sessions.set(endpointId, socket);
    socket.on('message', (data, isBinary) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      const verdict = isBinary ? this.receiver?.({ payload: new Uint8Array(bytes), responseTopic: undefined }) : 'unreadable';
      if (verdict === 'unreadable') socket.close(1003, 'not a USP Record');
    });
    socket.on('close', () => {
      if (this.sessions.get(endpointId) === socket) this.sessions.delete(endpointId);
    });
    socket.on('error', (err) => this.o.logger.warn({ err: err.message, controller: endpointId }, 'USP WebSocket session error'));
    this.connectedListener?.(endpointId);
  }
}

function eidOf(req: http.IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://agent').searchParams.get('eid') ?? '';
  } catch {
    return '';
  }
}
