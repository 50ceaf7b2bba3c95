/**
 * Wrappers composed around a session's two hooks, the answer to each ACS request and the body
 * posted, as interceptors are composed around a dispatcher: observation (metrics, a scenario's
 * record of requests, the wire trace) and misbehaviour on purpose. The session is assembled with
 * only those a device has, so a quiet device pays nothing.
 */
import { CwmpFault, parameterFault } from '../cwmp/faults.js';
import type { AcsRequest, CpeResponse } from '../cwmp/messages.js';
import type { DeviceTrace } from '../log/trace-record.js';
import type { BodyDelivery, ExchangeRecord } from '../session/acs-transport.js';
import type { AgentObserver } from './agent-observer.js';
import type { AnswerMisbehaviour } from './agent-misbehaviour.js';

/** Answers one ACS request; a thrown CwmpFault becomes the Fault response. */
export type Answer = (request: AcsRequest) => Promise<CpeResponse>;
/** Sees each body before it is posted: another body, or undefined to drop the connection. */
export type BeforePost = (body: string) => { body: string; delivery?: BodyDelivery } | undefined;

/** Tells the observer of each request as it arrives and of each answer's fault code (0 for success). */
export function observedAnswers(next: Answer, observer: AgentObserver, serial: string): Answer {
  return async (request) => {
    observer.request?.(serial, request);
    try {
      const response = await next(request);
      observer.rpc?.(request.method, 0);
      return response;
    } catch (err) {
      observer.rpc?.(request.method, err instanceof CwmpFault ? err.faultCode : 9002);
      throw err;
    }
  };
}

/** Records each request's method (at most `max`), for those told of the session's end. */
export function recordedAnswers(next: Answer, methods: string[], max: number): Answer {
  return (request) => {
    if (methods.length < max) methods.push(request.method);
    return next(request);
  };
}

/**
 * What a misbehaviour rule did to the answer being prepared, for the post that sends it: one per
 * session, since a session answers one request at a time.
 */
export interface PendingMisbehaviour {
  current: AnswerMisbehaviour | undefined;
}

/** Answers late, or with a fault, as the rule for this request says; marks what the posted body is to suffer. */
export function misbehavingAnswers(next: Answer, rule: (request: AcsRequest) => AnswerMisbehaviour | undefined, pending: PendingMisbehaviour): Answer {
  return async (request) => {
    const m = rule(request);
    if (m) {
      if (m.delayMs) await new Promise((r) => setTimeout(r, m.delayMs));
      // What it does to the body on the wire (dropped, cut, rewritten, stalled) happens as it is posted.
      pending.current = m;
      if (m.fault)
        throw new CwmpFault(
          m.fault.code,
          'misbehaving on purpose',
          (m.fault.parameterFaults ?? []).map((p) => parameterFault(p.name, p.code)),
        );
    }
    return next(request);
  };
}

/** Drops, cuts, stalls or rewrites the body of an answer a rule marked. */
export function misbehavingPost(pending: PendingMisbehaviour): BeforePost {
  return (body) => {
    const m = pending.current;
    pending.current = undefined;
    if (m?.drop) return undefined;
    let out = body;
    if (m?.rewrite === 'wrong-namespace') out = out.replace(/urn:dslforum-org:cwmp-1-\d/g, 'urn:dslforum-org:cwmp-9-9');
    if (m?.rewrite === 'wrong-id') out = out.replace(/(<cwmp:ID [^>]*>)([^<]*)(<\/cwmp:ID>)/, '$1not-$2$3');
    // Cut mid-element: no longer a well-formed envelope.
    if (m?.malformed) out = out.slice(0, Math.max(40, Math.floor(out.length / 2)));
    return { body: out, delivery: m?.stallMs || m?.cutMidBody ? { stallMs: m.stallMs, cutMidBody: m.cutMidBody } : undefined };
  };
}

/** One HTTP exchange of a session as two trace records: what the CPE posted, what the ACS answered. */
export function tracedExchanges(trace: DeviceTrace, session: number): (e: ExchangeRecord) => void {
  return (e) => {
    // The request when it went out, the answer when it came back.
    trace({
      kind: 'cwmp',
      session,
      dir: 'cpe→acs',
      method: 'POST',
      url: e.url,
      headers: e.requestHeaders,
      body: e.requestBody,
      t: new Date(Date.now() - e.ms).toISOString(),
    });
    trace({
      kind: 'cwmp',
      session,
      dir: 'acs→cpe',
      status: e.status,
      headers: e.responseHeaders as Record<string, string | string[]> | undefined,
      body: e.responseBody,
      ms: Math.round(e.ms),
      note: e.error,
    });
  };
}
