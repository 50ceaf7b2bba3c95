/**
 * The UDP echo client of TR-143 (UDPEchoDiagnostics): NumberOfRepetitions datagrams of
 * DataBlockSize bytes, InterTransmissionTime apart, each answered within Timeout or counted lost.
 * Each datagram carries a sequence number (TestGenSN, as Echo Plus does) to pair the echoes.
 */
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { noEchoes, summariseRtts, type EchoStats } from './echo-stats.js';

export interface UdpEchoInput {
  host: string;
  port: number;
  repetitions: number;
  timeoutMs: number;
  dataBlockSize: number;
  interTransmissionMs: number;
  protocolVersion: 'Any' | 'IPv4' | 'IPv6';
}

export interface UdpEchoResult extends EchoStats {
  state: 'Complete' | 'Error_CannotResolveHostName' | 'Error_Other';
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

export async function runUdpEcho(input: UdpEchoInput, signal: AbortSignal): Promise<UdpEchoResult> {
  const empty = noEchoes(input.repetitions);
  let address: string;
  let family: number;
  try {
    ({ address, family } = await lookup(input.host, { family: input.protocolVersion === 'IPv4' ? 4 : input.protocolVersion === 'IPv6' ? 6 : 0 }));
  } catch {
    return { state: 'Error_CannotResolveHostName', ...empty };
  }
  const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
  const sentAt = new Map<number, bigint>();
  const rtts: number[] = [];
  socket.on('message', (msg) => {
    if (msg.length < 4) return;
    const sn = msg.readUInt32BE(0);
    const t = sentAt.get(sn);
    if (t === undefined) return;
    sentAt.delete(sn);
    const us = Number((process.hrtime.bigint() - t) / 1000n);
    if (us <= input.timeoutMs * 1000) rtts.push(us);
  });
  socket.on('error', () => undefined);
  try {
    await new Promise<void>((resolve) => socket.bind(0, resolve));
    const payload = Buffer.alloc(Math.max(4, input.dataBlockSize));
    for (let sn = 1; sn <= input.repetitions && !signal.aborted; sn++) {
      payload.writeUInt32BE(sn, 0);
      sentAt.set(sn, process.hrtime.bigint());
      socket.send(payload, input.port, address);
      if (sn < input.repetitions) await sleep(input.interTransmissionMs, signal);
    }
    await sleep(input.timeoutMs, signal);
  } finally {
    socket.close();
  }
  return { state: 'Complete', ...summariseRtts(rtts, input.repetitions, address) };
}
