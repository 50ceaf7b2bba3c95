/** TraceRoute with the system's traceroute (Debian's traceroute package), parsed into TR-181 hops. */
import { runTool } from './run-tool.js';

export interface TraceRouteInput {
  host: string;
  protocolVersion: 'Any' | 'IPv4' | 'IPv6';
  tries: number;
  timeoutMs: number;
  dataBlockSize: number;
  dscp: number;
  maxHops: number;
}

export interface Hop {
  hostAddress: string;
  /** ICMP error code the hop reported (0 when none). */
  errorCode: number;
  /** Round-trip times, milliseconds, one per answered try. */
  rttMs: number[];
}

export interface TraceRouteResult {
  state: 'Complete' | 'Error_CannotResolveHostName' | 'Error_MaxHopCountExceeded' | 'Error_Internal' | 'Error_Other';
  ipAddressUsed: string;
  responseTimeMs: number;
  hops: Hop[];
}

// traceroute's annotations after an RTT: the ICMP destination-unreachable code they stand for.
const ANNOTATIONS: Record<string, number> = { '!N': 0, '!H': 1, '!P': 2, '!F': 4, '!S': 5, '!X': 13, '!V': 14, '!C': 15 };

export function parseTraceRouteOutput(stdout: string): { target: string; hops: Hop[] } {
  const target = /^traceroute to \S+ \(([^)]+)\)/m.exec(stdout)?.[1] ?? '';
  const hops: Hop[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const rest = m[2]!;
    const address = /(?:^|\s)([0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:]+)(?=\s)/.exec(` ${rest} `)?.[1] ?? '';
    const rttMs = [...rest.matchAll(/([\d.]+) ms/g)].map((x) => Math.round(Number(x[1])));
    const note = /(![A-Z]\d*)/.exec(rest)?.[1];
    hops.push({ hostAddress: address, errorCode: note ? (ANNOTATIONS[note] ?? 0) : 0, rttMs });
  }
  return { target, hops };
}

export function traceRouteArguments(i: TraceRouteInput): string[] {
  const args = ['-n', '-q', String(i.tries), '-w', String(Math.max(1, Math.ceil(i.timeoutMs / 1000))), '-m', String(i.maxHops)];
  if (i.dscp > 0) args.push('-t', String(i.dscp << 2));
  if (i.protocolVersion === 'IPv4') args.push('-4');
  if (i.protocolVersion === 'IPv6') args.push('-6');
  args.push('--', i.host, String(Math.max(28, i.dataBlockSize + 28)));
  return args;
}

export async function runTraceRoute(input: TraceRouteInput, signal: AbortSignal): Promise<TraceRouteResult> {
  const failed = (state: TraceRouteResult['state']): TraceRouteResult => ({ state, ipAddressUsed: '', responseTimeMs: 0, hops: [] });
  if (!/^[A-Za-z0-9.:_-]{1,253}$/.test(input.host)) return failed('Error_CannotResolveHostName');
  const run = await runTool('traceroute', traceRouteArguments(input), signal);
  if (run.kind !== 'exited') return failed(run.kind === 'missing' ? 'Error_Internal' : 'Error_Other');
  if (/Name or service not known|Cannot handle "host"|unknown host|Temporary failure in name resolution/i.test(run.stderr))
    return failed('Error_CannotResolveHostName');
  const { target, hops } = parseTraceRouteOutput(run.stdout);
  if (run.code !== 0 && hops.length === 0) return failed('Error_Other');
  const last = hops[hops.length - 1];
  const reached = last !== undefined && last.hostAddress === target;
  const responseTimeMs = last && last.rttMs.length > 0 ? Math.round(last.rttMs.reduce((a, b) => a + b, 0) / last.rttMs.length) : 0;
  return { state: reached ? 'Complete' : 'Error_MaxHopCountExceeded', ipAddressUsed: target, responseTimeMs, hops };
}
