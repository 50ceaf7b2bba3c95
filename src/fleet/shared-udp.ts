/**
 * UDP connection requests for a whole fleet on one socket (TR-111 Part 2): the request names
 * its device by username (`un`), and each device checks the signature, timestamp and id
 * against its own credentials and replay state, exactly as a single agent does.
 */
import type dgram from 'node:dgram';
import { bindUdp } from '../net/udp-socket.js';
import { checkUdpConnectionRequest, parseUdpConnectionRequest, type ReplayState } from '../cwmp/udp-connection-request.js';

export interface UdpRoute {
  credentials(): { username: string; password: string };
  onConnectionRequest(): void;
}

export class SharedUdpConnectionRequests {
  readonly stats = { accepted: 0, dropped: {} as Record<string, number> };
  private socket: dgram.Socket | undefined;
  private readonly routes = new Map<string, { route: UdpRoute; replay: ReplayState }>();

  constructor(private readonly opts: { address: string; port: number; now: () => number; maxSkewSeconds?: number }) {}

  async listen(): Promise<number> {
    const socket = await bindUdp(this.opts.address, this.opts.port, (msg) => this.onDatagram(msg));
    this.socket = socket;
    return socket.address().port;
  }

  /** Routes by the username a device has now; call again when the ACS changes it. */
  setRoute(username: string, route: UdpRoute): void {
    const old = this.routes.get(username);
    this.routes.set(username, { route, replay: old?.replay ?? { lastTs: 0, recentIds: [] } });
  }

  removeRoute(username: string): void {
    this.routes.delete(username);
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  private drop(reason: string): void {
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1;
  }

  private onDatagram(msg: Buffer): void {
    const request = parseUdpConnectionRequest(msg);
    if (!request) return this.drop('malformed');
    const entry = this.routes.get(request.un);
    if (!entry) return this.drop('username');
    const { username, password } = entry.route.credentials();
    const verdict = checkUdpConnectionRequest(
      request,
      { username, password, nowSeconds: Math.floor(this.opts.now() / 1000), maxSkewSeconds: this.opts.maxSkewSeconds ?? 3600 },
      entry.replay,
    );
    if (!verdict.accept) return this.drop(verdict.reason);
    entry.replay = verdict.state;
    this.stats.accepted++;
    entry.route.onConnectionRequest();
  }
}
