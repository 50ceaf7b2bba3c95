/**
 * The ACS side of UDP Lightweight Notifications (TR-069 Annex M): a UDP socket that reads each
 * datagram, checks its signature with the password of the user it names, refuses replays (a
 * cnonce seen before, or a timestamp far from now) and keeps what it accepted.
 */
import type dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { bindUdp } from '../net/udp-socket.js';
import { parseLightweightNotificationDatagram, verifyLightweightSignature, type LightweightNotification } from '../cwmp/lightweight-notification.js';

export interface ReceivedNotification {
  /** OUI-ProductClass-SerialNumber of the device that sent it. */
  device: string;
  notification: LightweightNotification;
  at: number;
}

export interface LightweightReceiverOptions {
  /** The password the CPE signs with (its ManagementServer.Password), by ManagementServer.Username. */
  passwordFor: (username: string) => string | undefined;
  /** Largest |now - TS| accepted, seconds. */
  maxSkewSeconds?: number;
  now?: () => number;
  /** Called with each notification accepted. */
  onAccepted?: (n: ReceivedNotification) => void;
}

export class LightweightNotificationReceiver {
  readonly accepted: ReceivedNotification[] = [];
  /** Datagrams refused, with the reason (bad signature, replay, malformed, ...). */
  readonly refused: { reason: string }[] = [];
  private readonly seenCnonces = new Set<string>();
  private socket: dgram.Socket | undefined;
  private readonly waiters: { predicate: () => boolean; resolve: () => void }[] = [];

  constructor(private readonly opts: LightweightReceiverOptions) {}

  async listen(address = '127.0.0.1', port = 0): Promise<number> {
    this.socket = await bindUdp(address, port, (msg) => this.receive(msg));
    return (this.socket.address() as AddressInfo).port;
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  /** Resolves when `count` notifications have been accepted (or at once, if they have). */
  waitFor(count: number): Promise<void> {
    return new Promise((resolve) => {
      const predicate = (): boolean => this.accepted.length >= count;
      if (predicate()) resolve();
      else this.waiters.push({ predicate, resolve });
    });
  }

  private receive(msg: Buffer): void {
    let parsed;
    try {
      parsed = parseLightweightNotificationDatagram(msg);
    } catch (err) {
      this.refused.push({ reason: (err as Error).message });
      return;
    }
    const n = parsed.notification;
    const password = this.opts.passwordFor(n.username);
    const now = (this.opts.now ?? Date.now)();
    let reason: string | undefined;
    if (password === undefined) reason = `unknown user "${n.username}"`;
    else if (!verifyLightweightSignature(parsed, password)) reason = 'signature does not match';
    else if (Math.abs(now / 1000 - n.ts) > (this.opts.maxSkewSeconds ?? 3600)) reason = 'timestamp too far from now';
    else if (this.seenCnonces.has(n.cnonce)) reason = 'cnonce seen before (replay)';
    if (reason !== undefined) {
      this.refused.push({ reason });
      return;
    }
    this.seenCnonces.add(n.cnonce);
    // Bounded: the oldest cnonces go first; by then their timestamps are stale anyway.
    if (this.seenCnonces.size > 100_000) this.seenCnonces.delete(this.seenCnonces.values().next().value!);
    const received = { device: `${n.oui}-${n.productClass}-${n.serialNumber}`, notification: n, at: now };
    this.accepted.push(received);
    this.opts.onAccepted?.(received);
    for (const w of this.waiters.splice(0)) {
      if (w.predicate()) w.resolve();
      else this.waiters.push(w);
    }
  }
}
