/**
 * USP's WebSocket transport (TR-369 WebSocket binding), the agent connecting to its Controller:
 * subprotocol "v1.usp" (a server that does not agree is refused), the agent's EndpointID as the
 * `eid` query parameter, Records as binary frames, Ping keep-alives, and the binding's session
 * retry schedule (R-WS.19: waits drawn from [m·(k/1000)^(n-1), m·(k/1000)^n], n at most 10,
 * reset by a session that opens). TLS (wss://) is verified. It moves bytes only.
 */
import type { Logger } from 'pino';
import WebSocket from 'ws';

export interface WebSocketMtpOptions {
  /** ws:// or wss:// URL of the Controller's WebSocket resource. */
  url: string;
  /** The agent's EndpointID, sent as ?eid= so the server knows who connects. */
  endpointId: string;
  /** Minimum wait before a retry, ms (the binding's m: 5 s by default), and the multiplier k (2000: doubling). */
  retryMinimumWaitMs?: number;
  retryIntervalMultiplier?: number;
  /** Ping interval, ms (default 30 s). */
  keepAliveMs?: number;
  tls?: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer };
  random?: () => number;
  /** The address the connection leaves from (a fleet device's own); the system's choice when absent. */
  localAddress?: string;
  /**
   * A place among the connections being opened at once (a fleet's bound), held from the attempt
   * until its handshake ends either way; none: no bound.
   */
  connectSlot?: () => Promise<() => void>;
  logger: Logger;
}

/** Largest Record accepted, bytes. */
const MAX_RECORD_BYTES = 4 * 1024 * 1024;
export const USP_WEBSOCKET_PROTOCOL = 'v1.usp';

/** The wait before retry number `n` (1 for the first), ms, drawn from the binding's range. */
export function webSocketRetryWaitMs(n: number, minimumWaitMs: number, multiplier: number, random: number): number {
  const k = multiplier / 1000;
  const step = Math.min(Math.max(n, 1), 10);
  const low = minimumWaitMs * k ** (step - 1);
  const high = minimumWaitMs * k ** step;
  return low + (high - low) * random;
}

export class WebSocketMtp {
  private socket: WebSocket | undefined;
  private receiver: ((m: { payload: Uint8Array; responseTopic: string | undefined }) => 'unreadable' | undefined) | undefined;
  private readonly connectedListeners: (() => void)[] = [];
  private retries = 0;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: WebSocketMtpOptions) {}

  onRecord(receiver: (m: { payload: Uint8Array; responseTopic: string | undefined }) => 'unreadable' | undefined): void {
    this.receiver = receiver;
  }

  onConnected(listener: () => void): void {
    this.connectedListeners.push(listener);
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.stopped = false;
    this.attempt();
  }

  /** Opens the session, after taking a place among the connections being opened when there is a bound. */
  private attempt(): void {
    const slot = this.o.connectSlot;
    if (!slot) return this.open();
    void slot().then((release) => {
      if (this.stopped) return release();
      this.open(release);
    });
  }

  /** Sends a Record to the Controller (the destination is the one session: `to` is not used). */
  publish(_to: string, record: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.reject(new Error('no WebSocket session with the Controller'));
    return new Promise((resolve, reject) => socket.send(record, { binary: true }, (err) => (err ? reject(err) : resolve())));
  }

  /** Cuts the session as a network would (no close frame); the retry schedule follows. */
  drop(): void {
    this.socket?.terminate();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    const socket = this.socket;
    this.socket = undefined;
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      const closed = new Promise((r) => socket.once('close', r));
      socket.close(1000, 'agent stopping');
      // A peer that never answers the close is cut.
      const cut = setTimeout(() => socket.terminate(), 2000);
      await closed;
      clearTimeout(cut);
    }
  }

  private open(release?: () => void): void {
    const o = this.o;
    // The place is given back once, when the handshake ends (open, or closed or failed before it).
    let held = release;
    const handshakeEnded = (): void => {
      held?.();
      held = undefined;
    };
    const url = new URL(o.url);
    url.searchParams.set('eid', o.endpointId);
    const socket = new WebSocket(url, USP_WEBSOCKET_PROTOCOL, {
      maxPayload: MAX_RECORD_BYTES,
      handshakeTimeout: 10_000,
      rejectUnauthorized: true,
      ...(o.tls ?? {}),
      ...(o.localAddress ? { localAddress: o.localAddress, family: o.localAddress.includes(':') ? 6 : 4 } : {}),
    });
    this.socket = socket;
    socket.on('open', () => {
      handshakeEnded();
      // R-WS.12: no session with a server that did not take the USP subprotocol.
      if (socket.protocol !== USP_WEBSOCKET_PROTOCOL) {
        o.logger.warn({ url: o.url, protocol: socket.protocol }, 'USP WebSocket: the server did not agree to v1.usp; closing');
        return socket.close(1002, 'v1.usp expected');
      }
      this.retries = 0;
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => socket.ping(), o.keepAliveMs ?? 30_000).unref();
      o.logger.info({ url: o.url }, 'USP WebSocket connected');
      for (const l of this.connectedListeners) l();
    });
    socket.on('message', (data, isBinary) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      const verdict = isBinary ? this.receiver?.({ payload: new Uint8Array(bytes), responseTopic: undefined }) : 'unreadable';
      // R-WS.16: a frame that holds no Record ends the session with 1003.
      if (verdict === 'unreadable') socket.close(1003, 'not a USP Record');
    });
    socket.on('error', (err) => o.logger.warn({ err: err.message }, 'USP WebSocket error'));
    socket.on('close', () => {
      handshakeEnded();
      clearInterval(this.pingTimer);
      if (this.socket !== socket || this.stopped) return;
      this.retries++;
      const wait = webSocketRetryWaitMs(this.retries, o.retryMinimumWaitMs ?? 5000, o.retryIntervalMultiplier ?? 2000, (o.random ?? Math.random)());
      o.logger.info({ retry: this.retries, waitMs: Math.round(wait) }, 'USP WebSocket closed; retrying');
      this.retryTimer = setTimeout(() => this.attempt(), wait);
      this.retryTimer.unref();
    });
  }
}
