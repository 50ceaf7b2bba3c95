/**
 * Sends datagrams to a host and port from an unbound UDP socket, one per address family, made
 * on first use: an agent that never sends one opens nothing, and a fleet can share one sender.
 */
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';

export type DatagramSender = (host: string, port: number, datagrams: readonly Buffer[]) => Promise<void>;

export interface UdpDatagramSender {
  send: DatagramSender;
  close(): void;
}

export function udpDatagramSender(): UdpDatagramSender {
  const sockets = new Map<'udp4' | 'udp6', dgram.Socket>();
  const socketFor = (type: 'udp4' | 'udp6'): dgram.Socket => {
    let s = sockets.get(type);
    if (!s) {
      s = dgram.createSocket(type);
      // A send that fails is reported through its callback; nothing here should crash the process.
      s.on('error', () => undefined);
      s.unref();
      sockets.set(type, s);
    }
    return s;
  };
  return {
    async send(host, port, datagrams) {
      const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
      const address = net.isIP(bare) ? bare : (await lookup(bare)).address;
      const socket = socketFor(net.isIPv6(address) ? 'udp6' : 'udp4');
      for (const d of datagrams) {
        await new Promise<void>((resolve, reject) => socket.send(d, port, address, (err) => (err ? reject(err) : resolve())));
      }
    },
    close() {
      for (const s of sockets.values()) s.close();
      sockets.clear();
    },
  };
}
