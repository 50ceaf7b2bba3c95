/**
 * IPPing with the system's ping (Debian iputils-ping): its output parsed into TR-181 results,
 * its failures mapped onto the Error_* states.
 */
import { runTool } from './run-tool.js';
import { noEchoes, summariseRtts, type EchoStats } from './echo-stats.js';

export interface PingInput {
  host: string;
  protocolVersion: 'Any' | 'IPv4' | 'IPv6';
  repetitions: number;
  timeoutMs: number;
  dataBlockSize: number;
  dscp: number;
}

export interface PingResult extends EchoStats {
  state: 'Complete' | 'Error_CannotResolveHostName' | 'Error_NoRouteToHost' | 'Error_Internal' | 'Error_Other';
}

/** Reads ping's output: the address it used and one RTT per reply. */
export function parsePingOutput(stdout: string): { address: string; rttsUs: number[]; transmitted: number } {
  const address = /^PING \S+ \(([^)]+)\)/m.exec(stdout)?.[1] ?? /^PING ([0-9a-fA-F:.]+)[ (]/m.exec(stdout)?.[1] ?? '';
  const rttsUs = [...stdout.matchAll(/ time[=<]([\d.]+) ms/g)].map((m) => Math.round(Number(m[1]) * 1000));
  const transmitted = Number(/(\d+) packets transmitted/.exec(stdout)?.[1] ?? 0);
  return { address, rttsUs, transmitted };
}

export function pingArguments(i: PingInput): string[] {
  const args = ['-n', '-c', String(i.repetitions), '-W', String(Math.max(1, Math.ceil(i.timeoutMs / 1000))), '-s', String(i.dataBlockSize), '-i', '0.2'];
  if (i.dscp > 0) args.push('-Q', String(i.dscp << 2));
  if (i.protocolVersion === 'IPv4') args.push('-4');
  if (i.protocolVersion === 'IPv6') args.push('-6');
  args.push('--', i.host);
  return args;
}

export async function runPing(input: PingInput, signal: AbortSignal): Promise<PingResult> {
  const empty = noEchoes(input.repetitions);
  if (!/^[A-Za-z0-9.:_-]{1,253}$/.test(input.host)) return { state: 'Error_CannotResolveHostName', ...empty };
  const run = await runTool('ping', pingArguments(input), signal);
  if (run.kind !== 'exited') return { state: run.kind === 'missing' ? 'Error_Internal' : 'Error_Other', ...empty };
  if (/unknown host|Name or service not known|Temporary failure in name resolution|No address associated/i.test(run.stderr))
    return { state: 'Error_CannotResolveHostName', ...empty };
  if (/Network is unreachable|No route to host/i.test(run.stderr)) return { state: 'Error_NoRouteToHost', ...empty };
  const parsed = parsePingOutput(run.stdout);
  if (parsed.transmitted === 0 && run.code !== 0) return { state: 'Error_Other', ...empty };
  return { state: 'Complete', ...summariseRtts(parsed.rttsUs, input.repetitions, parsed.address) };
}
