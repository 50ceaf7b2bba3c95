/**
 * Runs TR-181 diagnostics for an agent with their state machine: the ACS sets DiagnosticsState
 * to Requested (with the inputs, in one SetParameterValues); the test starts after the session;
 * results land in the object with Complete or an Error_* state; a session with 8 DIAGNOSTICS
 * COMPLETE follows. Changing an input while a test is requested or running cancels it (None),
 * as does setting Canceled.
 *
 * Why one file of this size: one table of diagnostics (TR-181 and TR-098 names for the same
 * tools) and the one state machine they share; each tool itself lives in its own file here.
 */
import type { DataModel } from '../datamodel/data-model.js';
import type { Logger } from 'pino';
import type { Clock } from '../runtime/clock.js';
import { runPing, type PingInput } from './ip-ping.js';
import { runTraceRoute, type TraceRouteInput } from './traceroute.js';
import {
  DownloadDiagnostics,
  IpPing,
  ServerSelection,
  TraceRoute,
  UdpEchoConfig,
  udpEchoConfigPaths,
  UdpEchoDiagnostics,
  UploadDiagnostics,
} from '../models/diagnostics.js';
import { IGD_UDP_ECHO_CONFIG, IgdDownloadDiagnostics, IgdUploadDiagnostics } from '../models/igd-tr143.js';
import { IGD_DIAGNOSTICS } from '../models/igd.js';
import { summariseRtts, type EchoStats } from './echo-stats.js';
import { runUdpEcho, type UdpEchoInput } from './udp-echo-client.js';
import { formatMicroTime, runDownload, type ConnectionResult } from './http-download.js';
import { UdpEchoServer } from './udp-echo-server.js';
import { formatDateTime } from '../cwmp/xml-text.js';

/** What a finished test leaves in the data model. */
interface Outcome {
  state: string;
  values: Record<string, string>;
  /** A results table to refill (concrete path) with one row of values per instance. */
  table?: { path: string; rows: Record<string, string>[] };
  /** A second one, where an object has two (per connection and per interval). */
  table2?: { path: string; rows: Record<string, string>[] };
}

interface Diagnostic {
  name: string;
  state: string;
  inputs: readonly string[];
  run(model: DataModel, signal: AbortSignal): Promise<Outcome>;
}

const read = (m: DataModel, object: string, p: string): string => m.read(object + p);

/** Counts and response times into an object's result parameters; `milliseconds` adds the TR-181 IPPing pair (ms and Detailed µs). */
function echoValues(o: string, r: EchoStats, milliseconds: boolean): Record<string, string> {
  const values: Record<string, string> = {
    [`${o}IPAddressUsed`]: r.ipAddressUsed,
    [`${o}SuccessCount`]: String(r.successCount),
    [`${o}FailureCount`]: String(r.failureCount),
  };
  for (const [name, us] of [
    ['Minimum', r.minUs],
    ['Average', r.avgUs],
    ['Maximum', r.maxUs],
  ] as const) {
    if (milliseconds) {
      values[`${o}${name}ResponseTime`] = String(Math.round(us / 1000));
      values[`${o}${name}ResponseTimeDetailed`] = String(us);
    } else {
      values[`${o}${name}ResponseTime`] = String(us);
    }
  }
  return values;
}

/** An input TR-098's variant of an object lacks (ProtocolVersion) reads as the TR-181 default. */
const readOr = (m: DataModel, object: string, p: string, fallback: string): string => (m.definitionOf(object + p) ? m.read(object + p) : fallback);

/** The inputs ping and traceroute share, from either model's object. */
function probeInputs(m: DataModel, o: string): Pick<PingInput, 'host' | 'protocolVersion' | 'timeoutMs' | 'dataBlockSize' | 'dscp'> {
  return {
    host: read(m, o, 'Host'),
    protocolVersion: readOr(m, o, 'ProtocolVersion', 'Any') as PingInput['protocolVersion'],
    timeoutMs: Number(read(m, o, 'Timeout')),
    dataBlockSize: Number(read(m, o, 'DataBlockSize')),
    dscp: Number(read(m, o, 'DSCP')),
  };
}

/** IPPing on TR-181's Device.IP.Diagnostics.IPPing or TR-098's InternetGatewayDevice.IPPingDiagnostics. */
function ipPing(o: string): Diagnostic {
  return {
    name: 'IPPing',
    state: `${o}DiagnosticsState`,
    inputs: ['Interface', 'ProtocolVersion', 'Host', 'NumberOfRepetitions', 'Timeout', 'DataBlockSize', 'DSCP'].map((n) => `${o}${n}`),
    async run(m, signal) {
      const input: PingInput = { ...probeInputs(m, o), repetitions: Number(read(m, o, 'NumberOfRepetitions')) };
      const r = await runPing(input, signal);
      return { state: r.state, values: echoValues(o, r, true) };
    },
  };
}

/** TraceRoute; TR-098's hops name their fields with a "Hop" prefix (HopHost, HopRTTimes). */
function traceRoute(o: string, hopField: (name: string) => string): Diagnostic {
  return {
    name: 'TraceRoute',
    state: `${o}DiagnosticsState`,
    inputs: ['Interface', 'ProtocolVersion', 'Host', 'NumberOfTries', 'Timeout', 'DataBlockSize', 'DSCP', 'MaxHopCount'].map((n) => `${o}${n}`),
    async run(m, signal) {
      const input: TraceRouteInput = { ...probeInputs(m, o), tries: Number(read(m, o, 'NumberOfTries')), maxHops: Number(read(m, o, 'MaxHopCount')) };
      const r = await runTraceRoute(input, signal);
      return {
        state: r.state,
        values: { [`${o}IPAddressUsed`]: r.ipAddressUsed, [`${o}ResponseTime`]: String(r.responseTimeMs) },
        table: {
          path: `${o}RouteHops.`,
          rows: r.hops.map((h) => ({
            [hopField('Host')]: h.hostAddress,
            [hopField('HostAddress')]: h.hostAddress,
            [hopField('ErrorCode')]: String(h.errorCode),
            [hopField('RTTimes')]: h.rttMs.join(','),
          })),
        },
      };
    },
  };
}

const IP_PING = ipPing(IpPing.object);
const TRACE_ROUTE = traceRoute(TraceRoute.object, (n) => n);
const IGD_IP_PING = ipPing(IGD_DIAGNOSTICS.ipPing);
const IGD_TRACE_ROUTE = traceRoute(IGD_DIAGNOSTICS.traceRoute, (n) => `Hop${n}`);

function measurementValues(c: Omit<ConnectionResult, 'ipAddressUsed'>, testBytes: string): Record<string, string> {
  return {
    ROMTime: formatMicroTime(c.romUs),
    BOMTime: formatMicroTime(c.bomUs),
    EOMTime: formatMicroTime(c.eomUs),
    [testBytes]: String(c.testBytes),
    TotalBytesReceived: String(c.totalBytesReceived),
    TotalBytesSent: String(c.totalBytesSent),
    TCPOpenRequestTime: formatMicroTime(c.tcpOpenRequestUs),
    TCPOpenResponseTime: formatMicroTime(c.tcpOpenResponseUs),
  };
}

// biome-ignore lint/complexity/useMathMinMax: Math.min takes no bigints
const minOf = (xs: bigint[]): bigint => xs.reduce((a, b) => (b < a ? b : a));
// biome-ignore lint/complexity/useMathMinMax: Math.max takes no bigints
const maxOf = (xs: bigint[]): bigint => xs.reduce((a, b) => (b > a ? b : a));
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

interface TransferSpec {
  object: string;
  state: string;
  inputs: readonly string[];
  /** Result tables TR-181 has and TR-098 does not. */
  perConnection?: string;
  incremental?: string;
}

/** Download or Upload diagnostics: the same measurements, bytes received or sent; either model's object. */
function transferDiagnostic(kind: 'Download' | 'Upload', spec: TransferSpec): Diagnostic {
  const testBytes = kind === 'Download' ? 'TestBytesReceived' : 'TestBytesSent';
  return {
    name: `${kind}Diagnostics`,
    state: spec.state,
    inputs: spec.inputs,
    async run(m, signal) {
      const o = spec.object;
      // TR-098's objects lack the connection count and time-based inputs: one connection, a plain test.
      const r = await runDownload(
        {
          url: read(m, o, `${kind}URL`),
          connections: Number(readOr(m, o, 'NumberOfConnections', '1')),
          uploadBytes: kind === 'Upload' ? Number(read(m, o, 'TestFileLength')) : undefined,
          timeoutMs: 120_000,
          durationMs: Number(readOr(m, o, 'TimeBasedTestDuration', '0')) * 1000,
          intervalMs: Number(readOr(m, o, 'TimeBasedTestMeasurementInterval', '0')) * 1000,
          offsetMs: Number(readOr(m, o, 'TimeBasedTestMeasurementOffset', '0')) * 1000,
        },
        signal,
      );
      const incrementalPath = spec.incremental;
      const perConnection = spec.perConnection;
      if (r.state !== 'Complete')
        return {
          state: r.state,
          values: {},
          table: perConnection ? { path: perConnection, rows: [] } : undefined,
          table2: incrementalPath ? { path: incrementalPath, rows: [] } : undefined,
        };
      const c = r.connections;
      // The test as a whole: from the first connection's start to the last one's end, bytes summed.
      const whole = measurementValues(
        {
          romUs: minOf(c.map((x) => x.romUs)),
          bomUs: minOf(c.map((x) => x.bomUs)),
          eomUs: maxOf(c.map((x) => x.eomUs)),
          tcpOpenRequestUs: minOf(c.map((x) => x.tcpOpenRequestUs)),
          tcpOpenResponseUs: minOf(c.map((x) => x.tcpOpenResponseUs)),
          testBytes: sum(c.map((x) => x.testBytes)),
          totalBytesReceived: sum(c.map((x) => x.totalBytesReceived)),
          totalBytesSent: sum(c.map((x) => x.totalBytesSent)),
        },
        testBytes,
      );
      return {
        state: 'Complete',
        values: { ...Object.fromEntries(Object.entries(whole).map(([k, v]) => [o + k, v])), [`${o}IPAddressUsed`]: c[0]?.ipAddressUsed ?? '' },
        table: perConnection ? { path: perConnection, rows: c.length > 1 ? c.map((x) => measurementValues(x, testBytes)) : [] } : undefined,
        table2: incrementalPath
          ? {
              path: incrementalPath,
              rows: r.incremental.map((i) => ({
                [testBytes]: String(i.testBytes),
                TotalBytesReceived: String(i.totalBytesReceived),
                TotalBytesSent: String(i.totalBytesSent),
                StartTime: formatMicroTime(i.startUs),
                EndTime: formatMicroTime(i.endUs),
              })),
            }
          : undefined,
      };
    },
  };
}

/** A HostList entry for UDP Echo: "host", "host:port" or "[v6]:port"; port 7 (echo) when absent. */
export function echoTarget(entry: string): { host: string; port: number } {
  const v6 = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(entry);
  if (v6) return { host: v6[1]!, port: Number(v6[2] ?? 7) };
  const m = /^([^:]+):(\d{1,5})$/.exec(entry);
  return m ? { host: m[1]!, port: Number(m[2]) } : { host: entry, port: 7 };
}

const SERVER_SELECTION: Diagnostic = {
  name: 'ServerSelectionDiagnostics',
  state: ServerSelection.state,
  inputs: ServerSelection.inputs,
  async run(m, signal) {
    const o = ServerSelection.object;
    const protocol = read(m, o, 'Protocol');
    const hosts = read(m, o, 'HostList')
      .split(',')
      .map((h) => h.trim())
      .filter((h) => h !== '')
      .slice(0, 10);
    if (hosts.length === 0) return { state: 'Error_Other', values: {} };
    const protocolVersion = read(m, o, 'ProtocolVersion') as PingInput['protocolVersion'];
    const repetitions = Number(read(m, o, 'NumberOfRepetitions'));
    const timeoutMs = Number(read(m, o, 'Timeout'));
    const measure = async (host: string): Promise<{ state: string; stats: EchoStats }> => {
      if (protocol === 'ICMP') {
        const r = await runPing({ protocolVersion, repetitions, timeoutMs, dataBlockSize: 56, dscp: 0, host }, signal);
        return { state: r.state, stats: r };
      }
      // UDP Echo: one datagram at a time, each answered or timed out before the next (TR-181).
      const target = echoTarget(host);
      const rtts: number[] = [];
      let address = '';
      for (let i = 0; i < repetitions && !signal.aborted; i++) {
        const r = await runUdpEcho({ ...target, repetitions: 1, timeoutMs, dataBlockSize: 20, interTransmissionMs: 0, protocolVersion }, signal);
        if (r.state !== 'Complete') return { state: r.state, stats: r };
        address = r.ipAddressUsed;
        if (r.successCount > 0) rtts.push(r.avgUs);
      }
      return { state: 'Complete', stats: summariseRtts(rtts, repetitions, address) };
    };
    const results = await Promise.all(hosts.map(async (host) => ({ host, r: await measure(host) })));
    const answered = results.filter((x) => x.r.state === 'Complete' && x.r.stats.successCount > 0).sort((a, b) => a.r.stats.avgUs - b.r.stats.avgUs);
    const best = answered[0];
    if (!best) return { state: results.every((x) => x.r.state === 'Error_CannotResolveHostName') ? 'Error_CannotResolveHostName' : 'Error_Other', values: {} };
    // ServerSelection has no success or failure counts: only the fastest host and its times.
    const { [`${o}SuccessCount`]: _s, [`${o}FailureCount`]: _f, ...times } = echoValues(o, best.r.stats, false);
    return { state: 'Complete', values: { ...times, [`${o}FastestHost`]: best.host } };
  },
};

const UDP_ECHO: Diagnostic = {
  name: 'UDPEchoDiagnostics',
  state: UdpEchoDiagnostics.state,
  inputs: UdpEchoDiagnostics.inputs,
  async run(m, signal) {
    const o = UdpEchoDiagnostics.object;
    const r = await runUdpEcho(
      {
        host: read(m, o, 'Host'),
        port: Number(read(m, o, 'Port')),
        repetitions: Number(read(m, o, 'NumberOfRepetitions')),
        timeoutMs: Number(read(m, o, 'Timeout')),
        dataBlockSize: Number(read(m, o, 'DataBlockSize')),
        interTransmissionMs: Number(read(m, o, 'InterTransmissionTime')),
        protocolVersion: read(m, o, 'ProtocolVersion') as UdpEchoInput['protocolVersion'],
      },
      signal,
    );
    return { state: r.state, values: echoValues(o, r, false) };
  },
};

/** TR-098's names for outcomes TR-181 names otherwise. */
const TR098_STATES: Record<string, string[]> = {
  Complete: ['Completed'],
  Error_CannotResolveHostName: ['Error_InitConnectionFailed'],
  Error_NoRouteToHost: ['Error_InitConnectionFailed'],
};

/** An outcome state the object's enumeration lacks (TR-098 has no Error_NoRouteToHost) becomes its nearest, or its most general error. */
function stateWithin(m: DataModel, stateParameter: string, state: string): string {
  const allowed = m.definitionOf(stateParameter)?.enumeration;
  if (!allowed || allowed.includes(state)) return state;
  const general = [
    'Error_Other',
    'Error_Internal',
    'Error_MaxHopCountExceeded',
    'Error_TransferFailed',
    'Error_NoTransferComplete',
    'Error_InitConnectionFailed',
  ];
  return [...(TR098_STATES[state] ?? []), ...general].find((s) => allowed.includes(s)) ?? state;
}

/** A result written into the parameter's type: TR-098's 32-bit counters wrap, as the hardware's do. */
function fitted(m: DataModel, name: string, value: string): string {
  return m.definitionOf(name)?.type === 'unsignedInt' && /^\d+$/.test(value) ? String(BigInt(value) % 2n ** 32n) : value;
}

/** What the runner needs of the device it tests from (the device runtime satisfies it). */
export interface DiagnosticsHost {
  readonly model: DataModel;
  readonly log: Logger;
  readonly clock: Clock;
  /** Calls `listener` after each exchange with a manager: requested tests start then. */
  afterExchange(listener: () => void): void;
  /** A test finished; its results are in the model (endpoints report it: 8 DIAGNOSTICS COMPLETE). */
  diagnosticsComplete(name: string): void;
}

export class DiagnosticsRunner {
  private readonly pending = new Set<Diagnostic>();
  private readonly running = new Map<Diagnostic, AbortController>();

  constructor(
    private readonly agent: DiagnosticsHost,
    diagnostics: readonly Diagnostic[] = [
      IP_PING,
      TRACE_ROUTE,
      transferDiagnostic('Download', DownloadDiagnostics),
      transferDiagnostic('Upload', UploadDiagnostics),
      SERVER_SELECTION,
      UDP_ECHO,
      IGD_IP_PING,
      IGD_TRACE_ROUTE,
      transferDiagnostic('Download', IgdDownloadDiagnostics),
      transferDiagnostic('Upload', IgdUploadDiagnostics),
    ],
  ) {
    // Only the tests this device's model has (a TR-098 root has none of Device.IP.Diagnostics).
    const present = diagnostics.filter((d) => agent.model.definitionOf(d.state));
    agent.model.onChange((names, origin) => {
      if (origin !== 'device') for (const d of present) this.onAcsChange(d, names);
    });
    agent.afterExchange(() => {
      for (const d of [...this.pending]) {
        this.pending.delete(d);
        void this.run(d);
      }
    });
  }

  private onAcsChange(d: Diagnostic, names: string[]): void {
    const state = names.includes(d.state) ? this.agent.model.read(d.state) : undefined;
    if (state === 'Requested') {
      this.cancel(d);
      this.pending.add(d);
    } else if (state === 'Canceled' || (names.some((n) => d.inputs.includes(n)) && (this.pending.has(d) || this.running.has(d)))) {
      this.pending.delete(d);
      this.cancel(d);
      this.agent.model.writeFromDevice({ [d.state]: 'None' });
    }
  }

  private cancel(d: Diagnostic): void {
    this.running.get(d)?.abort();
    this.running.delete(d);
  }

  private async run(d: Diagnostic): Promise<void> {
    const controller = new AbortController();
    this.running.set(d, controller);
    this.agent.log.info({ diagnostic: d.name }, 'diagnostics start');
    let outcome: Outcome;
    try {
      outcome = await d.run(this.agent.model, controller.signal);
    } catch (err) {
      this.agent.log.error({ err, diagnostic: d.name }, 'diagnostics failed');
      outcome = { state: 'Error_Internal', values: {} };
    }
    if (controller.signal.aborted || this.running.get(d) !== controller) return;
    this.running.delete(d);
    const m = this.agent.model;
    for (const table of [outcome.table, outcome.table2]) {
      if (!table) continue;
      m.clearInstances(table.path);
      for (const row of table.rows) {
        const id = m.addInstance(table.path);
        outcome.values = { ...outcome.values, ...Object.fromEntries(Object.entries(row).map(([k, v]) => [`${table.path}${id}.${k}`, v])) };
      }
    }
    // Only what this object defines (TR-098's have fewer results), and a state its enumeration has.
    const defined = Object.fromEntries(
      Object.entries(outcome.values)
        .filter(([name]) => m.definitionOf(name))
        .map(([name, v]) => [name, fitted(m, name, v)]),
    );
    m.writeFromDevice({ ...defined, [d.state]: stateWithin(m, d.state, outcome.state) });
    this.agent.log.info({ diagnostic: d.name, state: outcome.state }, 'diagnostics done');
    this.agent.diagnosticsComplete(d.name);
  }
}

/**
 * Keeps the UDP echo server in step with UDPEchoConfig: (re)started when the ACS enables it or
 * changes its port, source or Echo Plus setting; its counters read live through a provider.
 */
export function startUdpEchoConfig(agent: Pick<DiagnosticsHost, 'model' | 'log' | 'clock'>, listenAddress = '0.0.0.0'): { stop(): void } {
  const m = agent.model;
  // TR-181's object, or TR-098's under that root.
  const U = m.definitionOf(UdpEchoConfig.enable) ? UdpEchoConfig : udpEchoConfigPaths(IGD_UDP_ECHO_CONFIG);
  let server: UdpEchoServer | undefined;
  const t0 = process.hrtime.bigint();
  const apply = async (): Promise<void> => {
    server?.close();
    server = undefined;
    if (!m.definitionOf(U.enable) || m.read(U.enable) !== 'true') return;
    const next = new UdpEchoServer({
      address: listenAddress,
      port: Number(m.read(U.udpPort)),
      sourceAddress: m.read(U.sourceIpAddress),
      echoPlus: m.read(U.echoPlusEnabled) === 'true',
      nowUs: () => Number((process.hrtime.bigint() - t0) / 1000n),
      now: () => agent.clock.now(),
    });
    try {
      const port = await next.listen();
      server = next;
      agent.log.info({ port }, 'UDP echo server listening');
    } catch (err) {
      agent.log.warn({ err: (err as Error).message }, 'UDP echo server could not start');
    }
  };
  const time = (t: number | null | undefined): string | undefined => (t == null ? undefined : formatDateTime(new Date(t)));
  m.addProvider({
    objects: [U.object],
    get(path) {
      const s = server?.stats;
      if (!s) return undefined;
      const fields: Record<string, string | undefined> = {
        PacketsReceived: String(s.packetsReceived),
        PacketsResponded: String(s.packetsResponded),
        BytesReceived: String(s.bytesReceived % 2 ** 32),
        BytesResponded: String(s.bytesResponded % 2 ** 32),
        TimeFirstPacketReceived: time(s.timeFirstPacketReceived),
        TimeLastPacketReceived: time(s.timeLastPacketReceived),
      };
      return fields[path.slice(U.object.length)];
    },
  });
  m.onChange((names, origin) => {
    if (origin !== 'device' && names.some((n) => n.startsWith(U.object))) void apply();
  });
  void apply();
  return { stop: () => server?.close() };
}
