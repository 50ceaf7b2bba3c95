/**
 * The CWMP session state machine (TR-069 3.7.1.x), free of I/O: it is fed HTTP responses and
 * handler results, and tells its driver what to POST next, which ACS request to dispatch, and
 * when the session is over. One machine per session.
 *
 * Order of a session: Inform → InformResponse; then the CPE's own requests (TransferComplete,
 * ...) unless the ACS holds them (HoldRequests); then an empty POST; then ACS requests, each
 * answered in the next POST, until the ACS sends an empty body with nothing left to send.
 */
import { type CwmpFault, toCwmpFault } from '../cwmp/faults.js';
import { parseAcsEnvelope } from '../cwmp/envelope-parse.js';
import { writeEnvelope, writeFaultEnvelope, type WireQuirks } from '../cwmp/envelope-write.js';
import { isCwmpVersion, namespaceForVersion, supportedVersionsUpTo, type CwmpNamespace, type CwmpVersion } from '../cwmp/namespaces.js';
import type { AcsEnvelope, AcsRequest, AcsResponse, CpeRequest, CpeResponse, InformRequest } from '../cwmp/messages.js';
import type { XmlLimits } from '../cwmp/xml-reader.js';

export interface SessionOptions {
  inform: InformRequest;
  /** The CPE's highest version: its namespace carries the Inform. */
  maxVersion: CwmpVersion;
  /** Pending CPE requests (TransferComplete, ...), sent in order after the InformResponse. */
  cpeRequests: readonly CpeRequest[];
  /** Prefix for the cwmp:ID of the CPE's own requests, unique per session. */
  idPrefix: string;
  xmlLimits?: XmlLimits;
  /** Upper bound on HTTP exchanges in one session; a runaway ACS ends it as a failure. */
  maxExchanges?: number;
  /** How this device writes values on the wire, quirks and all (a test harness). */
  quirks?: WireQuirks;
}

/** Something the driver must make durable before it carries on. */
export type Acknowledgement =
  | { kind: 'inform' }
  | { kind: 'cpeRequest'; request: CpeRequest; response: AcsResponse }
  | { kind: 'cpeRequestRejected'; request: CpeRequest; faultCode: number; faultString: string };

export type SessionStep =
  | { kind: 'send'; body: string; acks: Acknowledgement[] }
  | { kind: 'dispatch'; request: AcsRequest; acks: Acknowledgement[] }
  | { kind: 'done'; outcome: SessionOutcome; acks: Acknowledgement[] };

export interface SessionOutcome {
  /** The session completed normally: the retry counter resets. */
  ok: boolean;
  /** The InformResponse arrived, so the Inform's events were delivered. */
  informAcknowledged: boolean;
  reason?: string;
  version: CwmpVersion;
  /** The ACS was overloaded (503) and asked for this pause, seconds (set by the driver). */
  retryAfterSeconds?: number;
}

type Awaiting =
  | { what: 'informResponse'; id: string }
  | { what: 'cpeResponse'; id: string; request: CpeRequest }
  | { what: 'acsMessage' } // after an empty POST or a response to an ACS request
  | { what: 'handler'; id: string | undefined; namespace: CwmpNamespace }
  | { what: 'nothing' };

const EXPECTED_RESPONSE: Record<CpeRequest['method'], AcsResponse['method']> = {
  Inform: 'InformResponse',
  TransferComplete: 'TransferCompleteResponse',
  AutonomousTransferComplete: 'AutonomousTransferCompleteResponse',
  RequestDownload: 'RequestDownloadResponse',
  Kicked: 'KickedResponse',
  GetRPCMethods: 'GetRPCMethodsResponse',
  DUStateChangeComplete: 'DUStateChangeCompleteResponse',
  AutonomousDUStateChangeComplete: 'AutonomousDUStateChangeCompleteResponse',
};

/** CPE requests that exist only from cwmp-1-2 on: an ACS speaking an older namespace is not sent them (they wait). */
const FROM_CWMP_1_2: ReadonlySet<CpeRequest['method']> = new Set(['DUStateChangeComplete', 'AutonomousDUStateChangeComplete']);

/** Malformed messages in a row after which the CPE gives up on the session. */
const MAX_CONSECUTIVE_FAULTS = 16;

export class SessionMachine {
  private readonly opts: SessionOptions;
  private readonly pending: CpeRequest[];
  private awaiting: Awaiting = { what: 'nothing' };
  private namespace: CwmpNamespace;
  private version: CwmpVersion;
  private holdRequests = false;
  private informAcknowledged = false;
  private nextId = 1;
  private exchanges = 0;
  private consecutiveFaults = 0;
  /** A CPE request the ACS asked us to retry (8005): none more this session. */
  private stopCpeRequests = false;

  constructor(opts: SessionOptions) {
    this.opts = opts;
    this.pending = [...opts.cpeRequests];
    this.version = opts.maxVersion;
    this.namespace = namespaceForVersion(opts.maxVersion);
  }

  get negotiatedVersion(): CwmpVersion {
    return this.version;
  }

  get cwmpNamespace(): CwmpNamespace {
    return this.namespace;
  }

  start(): SessionStep {
    const id = this.newId();
    this.awaiting = { what: 'informResponse', id };
    const supported = this.opts.maxVersion === '1.4' || this.opts.maxVersion === '1.3' ? supportedVersionsUpTo(this.opts.maxVersion) : undefined;
    const body = writeEnvelope(this.opts.inform, { namespace: this.namespace, id, supportedCwmpVersions: supported, quirks: this.opts.quirks });
    return { kind: 'send', body, acks: [] };
  }

  /** Feed the ACS's HTTP answer to the last POST (status after auth and redirects). */
  receive(status: number, body: string): SessionStep {
    if (++this.exchanges > (this.opts.maxExchanges ?? 100_000)) return this.fail('too many exchanges in one session');
    const awaiting = this.awaiting;
    if (awaiting.what === 'handler' || awaiting.what === 'nothing') return this.fail('received a message while none was expected');
    if (status !== 200 && status !== 204 && !(status === 500 && body.trim() !== '')) {
      return this.fail(`ACS answered HTTP ${status}`);
    }
    const parsed = parseAcsEnvelope(status === 204 ? '' : body, this.opts.xmlLimits);
    if (!parsed.ok) {
      if (awaiting.what !== 'acsMessage') return this.fail(`unreadable answer from the ACS: ${parsed.fault.faultString}`);
      if (++this.consecutiveFaults > MAX_CONSECUTIVE_FAULTS) return this.fail('too many malformed messages from the ACS');
      const ns = parsed.namespace ?? this.namespace;
      this.awaiting = { what: 'acsMessage' };
      return { kind: 'send', body: writeFaultEnvelope(parsed.fault, { namespace: ns, id: parsed.id }), acks: [] };
    }
    const { envelope } = parsed;
    const message = envelope.message;
    // HoldRequests applies to the message it comes with; absent means false.
    this.holdRequests = envelope.header.holdRequests === true;

    if (awaiting.what === 'informResponse') {
      if (message?.kind === 'response' && message.response.method === 'InformResponse') {
        this.informAcknowledged = true;
        if (envelope.namespace) this.namespace = envelope.namespace;
        this.adoptVersion(envelope.header.useCwmpVersion);
        if (this.namespace.endsWith('1-0') || this.namespace.endsWith('1-1')) {
          for (let i = this.pending.length - 1; i >= 0; i--) if (FROM_CWMP_1_2.has(this.pending[i]!.method)) this.pending.splice(i, 1);
        }
        return this.afterOwnExchange([{ kind: 'inform' }]);
      }
      if (message?.kind === 'fault') return this.fail(`ACS faulted the Inform: ${message.fault.faultCode} ${message.fault.faultString}`);
      return this.fail(message ? `expected InformResponse, got ${describe(message)}` : 'ACS answered the Inform with an empty body');
    }

    if (awaiting.what === 'cpeResponse') {
      const request = awaiting.request;
      if (message?.kind === 'response' && message.response.method === EXPECTED_RESPONSE[request.method]) {
        this.pending.shift();
        return this.afterOwnExchange([{ kind: 'cpeRequest', request, response: message.response }]);
      }
      if (message?.kind === 'fault') {
        this.pending.shift();
        if (message.fault.faultCode === 8005) {
          // Retry request: keep it for a later session, send nothing more of ours now.
          this.pending.unshift(request);
          this.stopCpeRequests = true;
          return this.afterOwnExchange([]);
        }
        return this.afterOwnExchange([{ kind: 'cpeRequestRejected', request, faultCode: message.fault.faultCode, faultString: message.fault.faultString }]);
      }
      return this.fail(
        message ? `expected ${EXPECTED_RESPONSE[request.method]}, got ${describe(message)}` : `ACS answered ${request.method} with an empty body`,
      );
    }

    // Awaiting the ACS's next move.
    if (message === null) {
      this.holdRequests = false;
      if (this.canSendCpeRequest()) return this.sendCpeRequest([]);
      return this.finish();
    }
    if (message.kind === 'request') {
      this.consecutiveFaults = 0;
      this.awaiting = { what: 'handler', id: envelope.header.id, namespace: envelope.namespace ?? this.namespace };
      return { kind: 'dispatch', request: message.request, acks: [] };
    }
    return this.fail(`unexpected ${describe(message)} from the ACS`);
  }

  /** Feed the result of the dispatched ACS request: a response, or a fault (anything thrown). */
  respond(result: CpeResponse | CwmpFault | Error): SessionStep {
    const awaiting = this.awaiting;
    if (awaiting.what !== 'handler') return this.fail('respond() without a dispatched request');
    const opts = { namespace: awaiting.namespace, id: awaiting.id, quirks: this.opts.quirks };
    const body = result instanceof Error ? writeFaultEnvelope(toCwmpFault(result), opts) : writeEnvelope(result, opts);
    this.awaiting = { what: 'acsMessage' };
    return { kind: 'send', body, acks: [] };
  }

  /** The transport failed (connection refused, timeout, TLS, auth): the session is over. */
  transportFailed(reason: string): SessionStep {
    return this.fail(reason);
  }

  private afterOwnExchange(acks: Acknowledgement[]): SessionStep {
    if (this.canSendCpeRequest()) return this.sendCpeRequest(acks);
    this.awaiting = { what: 'acsMessage' };
    return { kind: 'send', body: '', acks };
  }

  private canSendCpeRequest(): boolean {
    return !this.holdRequests && !this.stopCpeRequests && this.pending.length > 0;
  }

  private sendCpeRequest(acks: Acknowledgement[]): SessionStep {
    const request = this.pending[0]!;
    const id = this.newId();
    this.awaiting = { what: 'cpeResponse', id, request };
    return { kind: 'send', body: writeEnvelope(request, { namespace: this.namespace, id }), acks };
  }

  private adoptVersion(v: string | undefined): void {
    if (v === undefined) return;
    const version = v.trim();
    if (isCwmpVersion(version) && namespaceForVersion(version) === this.namespace) this.version = version;
  }

  private finish(): SessionStep {
    this.awaiting = { what: 'nothing' };
    return { kind: 'done', outcome: { ok: true, informAcknowledged: true, version: this.version }, acks: [] };
  }

  private fail(reason: string): SessionStep {
    this.awaiting = { what: 'nothing' };
    return { kind: 'done', outcome: { ok: false, informAcknowledged: this.informAcknowledged, reason, version: this.version }, acks: [] };
  }

  private newId(): string {
    return `${this.opts.idPrefix}.${this.nextId++}`;
  }
}

function describe(message: NonNullable<AcsEnvelope['message']>): string {
  if (message.kind === 'request') return message.request.method;
  if (message.kind === 'response') return message.response.method;
  return `Fault ${message.fault.faultCode}`;
}
