/**
 * The test ACS in a child process, driven by JSON lines on stdin (one reply line on stdout per
 * command). Used where the ACS must live in another network namespace than the test.
 */
import dgram from 'node:dgram';
import readline from 'node:readline';
import { TestAcs } from '../../src/acs/test-acs.js';

const acs = new TestAcs({ host: process.argv[2] ?? '127.0.0.1', port: Number(process.argv[3] ?? 0) });
const url = await acs.listen();
process.stdout.write(`${JSON.stringify({ url })}\n`);

const rl = readline.createInterface({ input: process.stdin });
for await (const line of rl) {
  const cmd = JSON.parse(line) as Record<string, any>;
  let reply: unknown = { ok: true };
  try {
    if (cmd['cmd'] === 'queue') acs.queue(cmd['serial'], ...cmd['rpcs']);
    else if (cmd['cmd'] === 'sessions') reply = acs.completedSessions().map((s) => ({ serial: s.serial, events: s.events.map((e) => e.code) }));
    else if (cmd['cmd'] === 'udp') {
      // Send from a chosen source address and port (the STUN server's), sharing it with SO_REUSEADDR.
      const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(cmd['fromPort'], cmd['fromHost'], () => resolve());
      });
      await acs.udpConnectionRequest(cmd['target'], cmd['username'], cmd['password'], { socket, copies: 3, id: cmd['id'], badSignature: cmd['badSignature'] });
      socket.close();
    } else if (cmd['cmd'] === 'close') {
      await acs.close();
      process.stdout.write(`${JSON.stringify(reply)}\n`);
      process.exit(0);
    }
  } catch (err) {
    reply = { ok: false, error: String(err) };
  }
  process.stdout.write(`${JSON.stringify(reply)}\n`);
}
