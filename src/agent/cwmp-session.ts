/**
 * One CWMP session, composed: the Inform from the endpoint's state, the session machine, the
 * transport to the ACS, and the answer to each request through the RPC table, with only the
 * wrappers (observation, misbehaviour, trace) this device has.
 */
import { dispatch } from '../rpc/dispatcher.js';
import type { DeviceRuntime } from '../device/device-runtime.js';
import type { ManagementServerPaths } from '../models/device-core.js';
import { driveSession } from '../session/session-driver.js';
import { SessionMachine, type Acknowledgement, type SessionOutcome } from '../session/session-machine.js';
import type { AgentState } from '../storage/agent-state.js';
import type { AgentOptions } from './agent-options.js';
import {
  misbehavingAnswers,
  misbehavingPost,
  observedAnswers,
  recordedAnswers,
  tracedExchanges,
  type Answer,
  type PendingMisbehaviour,
} from './exchange-wrappers.js';
import { rpcControl, type EndpointControl } from './rpc-control.js';
import { composeInform, type ComposedInform } from './session-inform.js';

export interface CwmpSessionContext {
  opts: AgentOptions;
  device: DeviceRuntime;
  ms: ManagementServerPaths;
  url: string;
  state: AgentState;
  heartbeat: boolean;
  sessionNo: number;
  /** Whether to record the methods the ACS asked for (someone listens for the session's end). */
  recordRpcs: boolean;
  rpcControl: EndpointControl;
  onAcknowledgement(ack: Acknowledgement, sent: ComposedInform): void;
  /** Whether the endpoint is stopping: a connection still waiting for a local port gives up. */
  stopping?: () => boolean;
}

export interface CwmpSessionResult {
  outcome: SessionOutcome;
  /** The event codes its Inform carried. */
  events: readonly string[];
  /** The ACS's requests it answered, by method, in order (when recorded). */
  rpcs: readonly string[];
}

export async function runCwmpSession(c: CwmpSessionContext): Promise<CwmpSessionResult> {
  const { opts, device, ms, sessionNo } = c;
  const model = device.model;
  const serial = device.identity.serialNumber;
  const sent = composeInform(c.state, c.heartbeat, model, ms, device.identity, opts.clock.now());
  const events = sent.sentEvents.map((e) => e.code);
  opts.logger.info({ session: sessionNo, url: c.url, events, retry: c.state.retryCount }, 'session start');
  const quirks = opts.misbehaviour?.quirks?.(serial);
  const machine = new SessionMachine({
    inform: sent.inform,
    quirks: quirks?.wire,
    maxVersion: quirks?.cwmp10Only ? '1.0' : opts.cwmpVersion,
    cpeRequests: c.state.pendingCpeRequests,
    // Unique per session without a trip to the system's random source (thousands per second in a fleet).
    idPrefix: `${Math.floor(opts.random() * 0xffffffff).toString(16)}.${sessionNo.toString(36)}`,
  });
  const ctx = { model, agent: rpcControl(device, c.rpcControl) };
  let answer: Answer = (request) => dispatch(ctx, request, machine.cwmpNamespace);
  const misbehaviour = opts.misbehaviour?.answer ? opts.misbehaviour : undefined;
  const pending: PendingMisbehaviour | undefined = misbehaviour ? { current: undefined } : undefined;
  if (misbehaviour && pending) answer = misbehavingAnswers(answer, (request) => misbehaviour.answer?.(serial, request, sessionNo), pending);
  if (opts.observer?.rpc || opts.observer?.request) answer = observedAnswers(answer, opts.observer, serial);
  const rpcs: string[] | undefined = c.recordRpcs ? [] : undefined;
  if (rpcs) answer = recordedAnswers(answer, rpcs, MAX_RPCS_RECORDED);
  const outcome = await driveSession({
    machine,
    transport: {
      url: c.url,
      username: model.read(ms.username) || undefined,
      password: model.read(ms.password) || undefined,
      tls: opts.tls,
      localAddress: opts.localAddress,
      requestTimeoutMs: opts.requestTimeoutMs ?? 30_000,
      maxBodyBytes: opts.maxBodyBytes ?? 4 * 1024 * 1024,
      userAgent: 'cwmp-agent/0.1',
      compression: compressionOf(model.read(ms.httpCompression)),
      redirectHosts: opts.acsRedirectHosts,
      ignoreCookies: quirks?.noCookies,
      basicAuthOnly: quirks?.basicAuthOnly,
      onExchange: opts.trace ? tracedExchanges(opts.trace, sessionNo) : undefined,
      onPortWait: opts.observer?.portWait ? (code) => opts.observer?.portWait?.(code) : undefined,
      stopping: c.stopping,
    },
    dispatch: answer,
    beforePost: pending ? misbehavingPost(pending) : undefined,
    onAcknowledgement: (ack) => c.onAcknowledgement(ack, sent),
    clock: opts.clock,
    timeoutMs: opts.sessionTimeoutMs ?? 300_000,
    log: opts.logger,
    sessionNo,
  });
  return { outcome, events, rpcs: rpcs ?? NO_RPCS };
}

const NO_RPCS: readonly string[] = [];
/** RPC methods recorded for one session at most (a session may run thousands). */
const MAX_RPCS_RECORDED = 100;

function compressionOf(value: string): 'GZIP' | 'Deflate' | undefined {
  return value === 'GZIP' || value === 'Deflate' ? value : undefined;
}
