/**
 * The TR-143 UDP echo server (TR-181 UDPEchoConfig): echoes datagrams from the allowed source,
 * filling the UDP Echo Plus fields when enabled, and counts what it saw.
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';

export interface UdpEchoOptions {
  address: string;
  port: number;
  /** Only datagrams from this address are answered; empty answers anyone. */
  sourceAddress: string;
  echoPlus: boolean;
  /** Microseconds on a free-running clock, for the Echo Plus time stamps. */
  nowUs: () => number;
  now: () => number;
}

export interface UdpEchoStats {
  packetsReceived: number;
  packetsResponded: number;
  bytesReceived: number;
  bytesResponded: number;
  timeFirstPacketReceived: number | null;
  timeLastPacketReceived: number | null;
}

/** Echo Plus header (TR-143 A.1.4): TestGenSN, TestRespSN, RecvTimeStamp, ReplyTimeStamp, ReplyFailureCount. */
const ECHO_PLUS_HEADER = 20;

export class UdpEchoServer {
  readonly stats: UdpEchoStats = {
    packetsReceived: 0,
    packetsResponded: 0,
    bytesReceived: 0,
    bytesResponded: 0,
    timeFirstPacketReceived: null,
    timeLastPacketReceived: null,
  };
  private socket: dgram.Socket | undefined;
  private responseSn = 0;
  private failures = 0;

  constructor(private readonly opts: UdpEchoOptions) {}

  async listen(): Promise<number> {
    const socket = dgram.createSocket(isIPv6(this.opts.address) ? 'udp6' : 'udp4');
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.opts.port, this.opts.address, () => resolve());
    });
    return socket.address().port;
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const receivedUs = this.opts.nowUs();
    if (this.opts.sourceAddress && rinfo.address !== this.opts.sourceAddress) return;
    const now = this.opts.now();
    this.stats.packetsReceived++;
    this.stats.bytesReceived += msg.length;
    this.stats.timeFirstPacketReceived ??= now;
    this.stats.timeLastPacketReceived = now;
    const reply = Buffer.from(msg);
    if (this.opts.echoPlus && reply.length >= ECHO_PLUS_HEADER) {
      reply.writeUInt32BE(++this.responseSn >>> 0, 4);
      reply.writeUInt32BE(receivedUs >>> 0, 8);
      reply.writeUInt32BE(this.opts.nowUs() >>> 0, 12);
      reply.writeUInt32BE(this.failures >>> 0, 16);
    }
    this.socket?.send(reply, rinfo.port, rinfo.address, (err) => {
      if (err) {
        this.failures++;
        return;
      }
      this.stats.packetsResponded++;
      this.stats.bytesResponded += reply.length;
    });
  }
}
