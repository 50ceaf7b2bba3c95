/** Helpers for tests of an agent's UDP echo server (UDPEchoConfig, TR-098's or TR-181's). */
import dgram from 'node:dgram';
import { sessionsCompleted, type Harness } from './agent-harness.js';

/** Starts the agent; its first session has the ACS enable the echo server on `port` for 127.0.0.1. */
export async function echoServerEnabled(h: Harness, object: string, port: number, echoPlus = false): Promise<void> {
  h.acs.queue(h.serial, {
    method: 'SetParameterValues',
    parameterList: [
      { name: `${object}UDPPort`, value: String(port) },
      { name: `${object}SourceIPAddress`, value: '127.0.0.1' },
      ...(echoPlus ? [{ name: `${object}EchoPlusEnabled`, value: 'true' }] : []),
      { name: `${object}Enable`, value: 'true' },
    ],
    parameterKey: 'echo',
  });
  h.agent.start();
  await sessionsCompleted(h, 1);
  // The server (re)starts after the change: a moment to bind.
  await new Promise((r) => setTimeout(r, 100));
}

/** Sends the packets from a fresh socket and returns what came back within `waitMs`. */
export async function exchange(port: number, packets: Buffer[], waitMs = 300): Promise<Buffer[]> {
  const socket = dgram.createSocket('udp4');
  const replies: Buffer[] = [];
  socket.on('message', (m) => replies.push(m));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  for (const p of packets) socket.send(p, port, '127.0.0.1');
  await new Promise((r) => setTimeout(r, waitMs));
  socket.close();
  return replies;
}
