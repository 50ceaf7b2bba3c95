/** The local address this host uses to reach a given peer: what ConnectionRequestURL should carry. */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { lookup } from 'node:dns/promises';

export async function localAddressToward(url: string): Promise<string> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const { address, family } = await lookup(host);
  const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
  try {
    // connect() on UDP only selects a route; no datagram is sent.
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(Number(u.port) || 80, address, () => resolve());
    });
    return socket.address().address;
  } finally {
    socket.close();
  }
}

/** host:port for a URL authority, bracketing IPv6. */
export function hostPort(address: string, port: number): string {
  return isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}
