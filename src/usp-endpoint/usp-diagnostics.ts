/**
 * TR-181's IP diagnostics as USP commands: Device.IP.Diagnostics.IPPing() and TraceRoute() take
 * their inputs as arguments (not as parameters set beforehand, as CWMP does), run the same tools
 * as the CWMP diagnostics, and give their results as OperationComplete's output arguments: the
 * test's Status among them (Complete, Error_CannotResolveHostName...), a failed probe being a
 * result, not a failed command.
 */
import { runPing, type PingInput } from '../diagnostics/ip-ping.js';
import { runTraceRoute, type TraceRouteInput } from '../diagnostics/traceroute.js';
import { UspError, UspErrorCode } from '../usp/usp-errors.js';
import type { CommandDefinition } from './usp-command-definition.js';

type Args = Readonly<Record<string, string>>;

/** Most repetitions or tries a test may ask for: each probe takes time, and a Controller's typo should not take an hour. */
const MAX_PROBES = 1000;

function protocolVersion(args: Args): 'Any' | 'IPv4' | 'IPv6' {
  const v = args['ProtocolVersion'] ?? '';
  if (v !== 'Any' && v !== 'IPv4' && v !== 'IPv6') throw new UspError(UspErrorCode.InvalidCommandArguments, 'ProtocolVersion: Any, IPv4 or IPv6');
  return v;
}

function host(args: Args): string {
  const h = args['Host'] ?? '';
  if (h === '' || h.length > 256) throw new UspError(UspErrorCode.InvalidCommandArguments, 'Host: the host to test, at most 256 characters');
  return h;
}

/** A whole number argument within [min, max]; its default when absent (undefined: the argument is mandatory). */
function whole(args: Args, name: string, min: number, max: number, byDefault?: number): number {
  const text = args[name];
  if (text === undefined || text === '') {
    if (byDefault === undefined) throw new UspError(UspErrorCode.InvalidCommandArguments, `${name}: needed`);
    return byDefault;
  }
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new UspError(UspErrorCode.InvalidCommandArguments, `${name}: a whole number from ${min} to ${max}`);
  return n;
}

/** IPPing()'s arguments as the ping tool takes them; 7027 for one missing or out of range. */
export function pingInputs(args: Args): PingInput {
  return {
    host: host(args),
    protocolVersion: protocolVersion(args),
    repetitions: whole(args, 'NumberOfRepetitions', 1, MAX_PROBES),
    timeoutMs: whole(args, 'Timeout', 1, 3_600_000),
    dataBlockSize: whole(args, 'DataBlockSize', 1, 65_535),
    dscp: whole(args, 'DSCP', 0, 63, 0),
  };
}

/** TraceRoute()'s arguments, with TR-181's defaults for those it does not make mandatory (TP-469 1.92). */
export function traceRouteInputs(args: Args): TraceRouteInput {
  return {
    host: host(args),
    protocolVersion: protocolVersion(args),
    tries: whole(args, 'NumberOfTries', 1, 3, 3),
    timeoutMs: whole(args, 'Timeout', 1, 3_600_000, 5000),
    dataBlockSize: whole(args, 'DataBlockSize', 1, 65_535, 38),
    dscp: whole(args, 'DSCP', 0, 63, 0),
    maxHops: whole(args, 'MaxHopCount', 1, 64, 30),
  };
}

export const DIAGNOSTIC_COMMANDS: readonly CommandDefinition[] = [
  {
    object: 'Device.IP.Diagnostics.',
    name: 'IPPing()',
    input: ['Interface', 'ProtocolVersion', 'Host', 'NumberOfRepetitions', 'Timeout', 'DataBlockSize', 'DSCP'],
    output: [
      'Status',
      'IPAddressUsed',
      'SuccessCount',
      'FailureCount',
      'AverageResponseTime',
      'MinimumResponseTime',
      'MaximumResponseTime',
      'AverageResponseTimeDetailed',
      'MinimumResponseTimeDetailed',
      'MaximumResponseTimeDetailed',
    ],
    async: true,
    run: (_device, commandKey, objectPath, hooks, args) => {
      const input = pingInputs(args);
      const request = hooks.startRequest(`${objectPath}IPPing()`, commandKey);
      hooks.runInBackground(request, async (signal) => {
        const r = await runPing(input, signal);
        const ms = (us: number): string => String(Math.round(us / 1000));
        return {
          outputs: {
            Status: r.state,
            IPAddressUsed: r.ipAddressUsed,
            SuccessCount: String(r.successCount),
            FailureCount: String(r.failureCount),
            AverageResponseTime: ms(r.avgUs),
            MinimumResponseTime: ms(r.minUs),
            MaximumResponseTime: ms(r.maxUs),
            AverageResponseTimeDetailed: String(r.avgUs),
            MinimumResponseTimeDetailed: String(r.minUs),
            MaximumResponseTimeDetailed: String(r.maxUs),
          },
        };
      });
      return { outputs: {}, request };
    },
  },
  {
    object: 'Device.IP.Diagnostics.',
    name: 'TraceRoute()',
    input: ['Interface', 'ProtocolVersion', 'Host', 'NumberOfTries', 'Timeout', 'DataBlockSize', 'DSCP', 'MaxHopCount'],
    output: ['Status', 'IPAddressUsed', 'ResponseTime', 'RouteHops.{i}.Host', 'RouteHops.{i}.HostAddress', 'RouteHops.{i}.ErrorCode', 'RouteHops.{i}.RTTimes'],
    async: true,
    run: (_device, commandKey, objectPath, hooks, args) => {
      const input = traceRouteInputs(args);
      const request = hooks.startRequest(`${objectPath}TraceRoute()`, commandKey);
      hooks.runInBackground(request, async (signal) => {
        const r = await runTraceRoute(input, signal);
        const outputs: Record<string, string> = { Status: r.state, IPAddressUsed: r.ipAddressUsed, ResponseTime: String(r.responseTimeMs) };
        for (const [i, h] of r.hops.entries()) {
          const at = `RouteHops.${i + 1}.`;
          outputs[`${at}Host`] = h.hostAddress;
          outputs[`${at}HostAddress`] = h.hostAddress;
          outputs[`${at}ErrorCode`] = String(h.errorCode);
          outputs[`${at}RTTimes`] = h.rttMs.join(',');
        }
        return { outputs };
      });
      return { outputs: {}, request };
    },
  },
];
