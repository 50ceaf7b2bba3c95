/**
 * UDP connection requests (TR-111 Part 2, TR-069 Annex G): an HTTP GET request line in one
 * datagram, `GET http://host:port?ts=..&id=..&un=..&cn=..&sig=.. HTTP/1.1`, where sig is
 * HMAC-SHA1 keyed with ConnectionRequestPassword over ts, id, un and cn concatenated.
 * Pure: the caller supplies the clock and keeps the replay state it is given back.
 */
import { createHmac } from 'node:crypto';
import { constantTimeEqual } from './constant-time.js';

export interface UdpConnectionRequest {
  ts: number;
  id: string;
  un: string;
  cn: string;
  sig: string;
}

export function signUdpConnectionRequest(password: string, r: Omit<UdpConnectionRequest, 'sig'>): string {
  return createHmac('sha1', password).update(`${r.ts}${r.id}${r.un}${r.cn}`).digest('hex');
}

/** Reads the request line of a datagram; undefined when it is not a well-formed UDP connection request. */
export function parseUdpConnectionRequest(datagram: Buffer | string): UdpConnectionRequest | undefined {
  const text = typeof datagram === 'string' ? datagram : datagram.toString('latin1');
  if (text.length > 2048) return undefined;
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  const m = /^GET (\S+) HTTP\/1\.[01]$/.exec(line);
  if (!m) return undefined;
  const target = m[1]!;
  const q = target.indexOf('?');
  if (q < 0) return undefined;
  const params = new URLSearchParams(target.slice(q + 1));
  const ts = params.get('ts');
  const id = params.get('id');
  const un = params.get('un');
  const cn = params.get('cn');
  const sig = params.get('sig');
  if (ts === null || id === null || un === null || cn === null || sig === null) return undefined;
  if (!/^\d{1,12}$/.test(ts) || !/^[0-9a-fA-F]{40}$/.test(sig) || id.length > 64 || un.length > 256 || cn.length > 64) return undefined;
  return { ts: Number(ts), id, un, cn, sig: sig.toLowerCase() };
}

export interface ReplayState {
  /** ts of the newest accepted request. */
  lastTs: number;
  /** ids of recently accepted requests, newest last (bounded). */
  recentIds: string[];
}

export type UdpVerdict = { accept: true; state: ReplayState } | { accept: false; reason: 'signature' | 'username' | 'stale' | 'replay' };

export interface UdpCheckOptions {
  username: string;
  password: string;
  /** Seconds since the epoch, now. */
  nowSeconds: number;
  /** Largest |now - ts| accepted, seconds (the CPE's clock may be off; keep it generous). */
  maxSkewSeconds: number;
}

const RECENT_IDS = 64;

/** Decides on one request: bad signature, wrong user, stale ts and repeated id are all ignored. */
export function checkUdpConnectionRequest(r: UdpConnectionRequest, opts: UdpCheckOptions, state: ReplayState): UdpVerdict {
  if (!constantTimeEqual(signUdpConnectionRequest(opts.password, r), r.sig)) return { accept: false, reason: 'signature' };
  if (r.un !== opts.username) return { accept: false, reason: 'username' };
  if (state.recentIds.includes(r.id)) return { accept: false, reason: 'replay' };
  if (r.ts < state.lastTs || Math.abs(opts.nowSeconds - r.ts) > opts.maxSkewSeconds) return { accept: false, reason: 'stale' };
  return { accept: true, state: { lastTs: r.ts, recentIds: [...state.recentIds, r.id].slice(-RECENT_IDS) } };
}
