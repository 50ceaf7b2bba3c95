/** A UDP socket bound and listening, for connection requests (one agent's, or a fleet's). */
import dgram from 'node:dgram';

export async function bindUdp(address: string, port: number, onMessage: (msg: Buffer) => void): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type: address.includes(':') ? 'udp6' : 'udp4' });
  socket.on('message', onMessage);
  // Datagrams that cannot be sent or received are not worth crashing for; the sender retries.
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return socket;
}
