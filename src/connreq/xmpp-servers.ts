/**
 * Which XMPP servers to try, in order (TR-181 XMPP.Connection.{i}.ServerConnectAlgorithm):
 * DNS-SRV (RFC 6120 3.2.1: the domain's _xmpp-client._tcp records, falling back to the domain on
 * 5222 when it has none), DNS (3.2.2: the domain on 5222), or ServerTable (the enabled
 * Server.{i} entries). SRV records and the table are both ordered as RFC 2782 says: lowest
 * priority first, and within a priority a random pick weighted by Weight.
 */
import type { ConnectAlgorithm } from '../models/xmpp.js';

export interface XmppServer {
  host: string;
  port: number;
}

export interface WeightedServer extends XmppServer {
  priority: number;
  /** RFC 2782 weight; -1 (TR-181: vendor specific) counts as 0. */
  weight: number;
}

export const XMPP_CLIENT_PORT = 5222;

/** RFC 2782 order: by priority, then repeatedly a weighted random choice among the rest of that priority. */
export function orderServers(list: readonly WeightedServer[], random: () => number): XmppServer[] {
  const out: XmppServer[] = [];
  const priorities = [...new Set(list.map((s) => s.priority))].sort((a, b) => a - b);
  for (const p of priorities) {
    // Zero weights first, as RFC 2782 arranges them, so they keep a small chance.
    const left = list.filter((s) => s.priority === p).sort((a, b) => Math.max(0, a.weight) - Math.max(0, b.weight));
    while (left.length > 0) {
      const total = left.reduce((sum, s) => sum + Math.max(0, s.weight), 0);
      const target = random() * (total + 1);
      let running = 0;
      let i = left.findIndex((s) => (running += Math.max(0, s.weight)) >= target);
      if (i < 0) i = left.length - 1;
      const [chosen] = left.splice(i, 1);
      out.push({ host: chosen!.host, port: chosen!.port });
    }
  }
  return out;
}

export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/** The servers to try for a connection, in order. */
export async function xmppServerCandidates(
  algorithm: ConnectAlgorithm,
  domain: string,
  table: readonly WeightedServer[],
  resolveSrv: (name: string) => Promise<SrvRecord[]>,
  random: () => number,
): Promise<XmppServer[]> {
  if (algorithm === 'ServerTable') return orderServers(table, random);
  if (algorithm === 'DNS-SRV') {
    const records = await resolveSrv(`_xmpp-client._tcp.${domain}`).catch(() => []);
    // A single "." target means the service is decidedly not offered (RFC 2782).
    const usable = records.filter((r) => r.name !== '' && r.name !== '.');
    if (records.length > 0 && usable.length === 0) return [];
    if (usable.length > 0)
      return orderServers(
        usable.map((r) => ({ host: r.name, port: r.port, priority: r.priority, weight: r.weight })),
        random,
      );
  }
  return [{ host: domain, port: XMPP_CLIENT_PORT }];
}
