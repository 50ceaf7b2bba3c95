/**
 * The UDP side of TR-111 Part 2: one socket that receives UDP connection requests and, from the
 * same port, keeps a STUN binding alive so that a NAT keeps forwarding to it. Valid requests
 * (signature, username, fresh timestamp, new id) start a session; everything else is dropped.
 */
import type dgram from 'node:dgram';
import { bindUdp } from '../net/udp-socket.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import { checkUdpConnectionRequest, parseUdpConnectionRequest, type ReplayState } from '../cwmp/udp-connection-request.js';
import { bindingRequest, isStunMessage, readBindingResponse, type MappedAddress } from '../cwmp/stun-binding.js';

export interface StunSettings {
  serverAddress: string;
  serverPort: number;
  username: string;
  password: string;
  /** Seconds; the keep-alive interval is drawn between the two. -1 maximum means none. */
  minimumKeepAlive: number;
  maximumKeepAlive: number;
}

export interface UdpListenerOptions {
  address: string;
  port: number;
  clock: Clock;
  random: () => number;
  credentials: () => { username: string; password: string };
  onConnectionRequest: () => void;
  /** Current STUN settings, or null while STUN is disabled. Read before every binding request. */
  stunSettings: () => StunSettings | null;
  /** Called with each mapping learned from the STUN server. */
  onMapping: (mapping: MappedAddress, changed: boolean) => void;
  maxSkewSeconds?: number;
  onDropped?: (reason: string) => void;
  /** Every connection-request datagram (not STUN), and what became of it: for the wire trace. */
  onDatagram?: (text: string, outcome: string) => void;
}

export interface UdpListenerStats {
  accepted: number;
  dropped: Record<string, number>;
  bindingRequests: number;
  bindingResponses: number;
}

const RETRANSMIT_MS = [500, 1000, 2000];

export class UdpConnectionRequestListener {
  readonly stats: UdpListenerStats = { accepted: 0, dropped: {}, bindingRequests: 0, bindingResponses: 0 };
  private socket: dgram.Socket | undefined;
  private replay: ReplayState = { lastTs: 0, recentIds: [] };
  private mapping: MappedAddress | undefined;
  private pending: { transactionId: Buffer; bytes: Buffer; attempt: number } | undefined;
  private timer: TimerHandle | undefined;
  private bindingChanged = false;

  constructor(private readonly opts: UdpListenerOptions) {}

  get mappedAddress(): MappedAddress | undefined {
    return this.mapping;
  }

  async listen(): Promise<number> {
    const socket = await bindUdp(this.opts.address, this.opts.port, (msg) => this.onDatagram(msg));
    this.socket = socket;
    this.scheduleBinding(0);
    return socket.address().port;
  }

  close(): void {
    this.timer?.cancel();
    this.socket?.close();
    this.socket = undefined;
  }

  /** Re-reads the STUN settings now (after the ACS changed them). */
  refreshStun(): void {
    this.pending = undefined;
    this.scheduleBinding(0);
  }

  private drop(reason: string, msg?: Buffer): void {
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1;
    this.opts.onDropped?.(reason);
    if (msg) this.opts.onDatagram?.(msg.toString('latin1').slice(0, 2048), `dropped: ${reason}`);
  }

  private onDatagram(msg: Buffer): void {
    if (isStunMessage(msg)) return this.onStun(msg);
    const request = parseUdpConnectionRequest(msg);
    if (!request) return this.drop('malformed', msg);
    const { username, password } = this.opts.credentials();
    const verdict = checkUdpConnectionRequest(
      request,
      { username, password, nowSeconds: Math.floor(this.opts.clock.now() / 1000), maxSkewSeconds: this.opts.maxSkewSeconds ?? 3600 },
      this.replay,
    );
    if (!verdict.accept) return this.drop(verdict.reason, msg);
    this.replay = verdict.state;
    this.stats.accepted++;
    this.opts.onDatagram?.(msg.toString('latin1').slice(0, 2048), 'accepted');
    this.opts.onConnectionRequest();
  }

  private onStun(msg: Buffer): void {
    if (!this.pending) return;
    const mapped = readBindingResponse(msg, this.pending.transactionId);
    if (!mapped) return;
    this.stats.bindingResponses++;
    this.pending = undefined;
    const changed = this.mapping !== undefined && (this.mapping.address !== mapped.address || this.mapping.port !== mapped.port);
    if (changed) this.bindingChanged = true;
    this.mapping = mapped;
    this.opts.onMapping(mapped, changed);
    const s = this.opts.stunSettings();
    // A changed mapping is announced to the STUN server at once with BINDING-CHANGE (TR-111 2.2.1).
    if (s) this.scheduleBinding(changed ? 0 : this.keepAliveMs(s));
  }

  private keepAliveMs(s: StunSettings): number {
    const min = Math.max(1, s.minimumKeepAlive);
    const max = s.maximumKeepAlive < 0 ? min : Math.max(min, s.maximumKeepAlive);
    return (min + (max - min) * this.opts.random()) * 1000;
  }

  private scheduleBinding(ms: number): void {
    this.timer?.cancel();
    this.timer = this.opts.clock.setTimer(ms, () => this.sendBinding());
  }

  private sendBinding(): void {
    const s = this.opts.stunSettings();
    const socket = this.socket;
    if (!s || !socket || !s.serverAddress) return;
    if (!this.pending) {
      const request = bindingRequest({ username: s.username || undefined, password: s.password || undefined, bindingChange: this.bindingChanged });
      this.pending = { transactionId: request.transactionId, bytes: request.bytes, attempt: 0 };
      this.bindingChanged = false;
    } else if (++this.pending.attempt >= RETRANSMIT_MS.length) {
      // No answer after the retransmissions: try again after a keep-alive period.
      this.pending = undefined;
      return this.scheduleBinding(this.keepAliveMs(s));
    }
    this.stats.bindingRequests++;
    socket.send(this.pending.bytes, s.serverPort, s.serverAddress);
    this.scheduleBinding(RETRANSMIT_MS[this.pending.attempt]!);
  }
}
