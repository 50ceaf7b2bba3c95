/**
 * Sends datagrams to a host and port from an unbound UDP socket, one per address family, made
 * on first use: an agent that never sends one opens nothing, and a fleet can share one sender.
 * Given a local address (a fleet device's own), the socket is bound to it, so datagrams leave
 * from that address.
 */
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';

export type DatagramSender = (host: string, port: number, datagrams: readonly Buffer[]) => Promise<void>;

export interface UdpDatagramSender {
  send: DatagramSender;
  close(): void;
}

export function udpDatagramSender(localAddress?: string): UdpDatagramSender {
  const sockets = new Map<'udp4' | 'udp6', Promise<dgram.Socket>>();
  const socketFor = (type: 'udp4' | 'udp6'): Promise<dgram.Socket> => {
    let s = sockets.get(type);
    if (!s) {
      const socket = dgram.createSocket(type);
      // A send that fails is reported through its callback; nothing here should crash the process.
      socket.on('error', () => undefined);
      socket.unref();
      s = localAddress
        ? new Promise((resolve, reject) => {
            socket.once('error', reject);
            socket.bind(0, localAddress, () => {
              socket.off('error', reject);
              resolve(socket);
            });
          })
        : Promise.resolve(socket);
      // A bind that failed is tried again next time.
      s.catch(() => sockets.delete(type));
      sockets.set(type, s);
    }
    return s;
  };
  return {
    async send(host, port, datagrams) {
      const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
      const address = net.isIP(bare) ? bare : (await lookup(bare)).address;
      const socket = await socketFor(net.isIPv6(address) ? 'udp6' : 'udp4');
      for (const d of datagrams) {
        await new Promise<void>((resolve, reject) => socket.send(d, port, address, (err) => (err ? reject(err) : resolve())));
      }
    },
    close() {
      for (const s of sockets.values()) s.then((socket) => socket.close()).catch(() => undefined);
      sockets.clear();
    },
  };
}
