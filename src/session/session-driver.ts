/**
 * Drives one session: the pure SessionMachine decides what happens next, this carries it out
 * over an AcsTransport (HTTP(S) posts), hands ACS requests to the RPC dispatcher, reports each
 * acknowledgement as it comes, and gives up when the whole session runs past its time limit.
 */
import type { Logger } from 'pino';
import type { Clock } from '../runtime/clock.js';
import type { AcsRequest, CpeResponse } from '../cwmp/messages.js';
import { AcsTransport, TransportError, type AcsTransportOptions, type BodyDelivery } from './acs-transport.js';
import { redactCwmpBody } from '../log/redact.js';
import type { Acknowledgement, SessionMachine, SessionOutcome, SessionStep } from './session-machine.js';

export interface SessionDriverOptions {
  machine: SessionMachine;
  transport: AcsTransportOptions;
  /** Answers an ACS request; a thrown CwmpFault becomes the Fault response. */
  dispatch: (request: AcsRequest) => Promise<CpeResponse>;
  onAcknowledgement: (ack: Acknowledgement) => void;
  clock: Clock;
  /** The whole session; one that runs longer is abandoned as failed. */
  timeoutMs: number;
  log: Logger;
  sessionNo: number;
  /** Sees each body before it is posted: another body to send, or undefined to drop the connection instead (a misbehaving device). */
  beforePost?: (body: string) => { body: string; delivery?: BodyDelivery } | undefined;
}

export async function driveSession(o: SessionDriverOptions): Promise<SessionOutcome> {
  const { machine } = o;
  const startedAt = o.clock.now();
  let transport: AcsTransport | undefined;
  let step: SessionStep;
  try {
    transport = new AcsTransport(o.transport);
    step = machine.start();
  } catch (err) {
    step = machine.transportFailed(err instanceof Error ? err.message : String(err));
  }
  try {
    for (;;) {
      for (const ack of step.acks) o.onAcknowledgement(ack);
      if (step.kind === 'done') {
        const outcome = step.outcome;
        o.log.info({ session: o.sessionNo, ok: outcome.ok, reason: outcome.reason, version: outcome.version }, 'session end');
        return outcome;
      }
      if (step.kind === 'dispatch') {
        const request = step.request;
        o.log.debug({ session: o.sessionNo, method: request.method }, 'ACS request');
        try {
          step = machine.respond(await o.dispatch(request));
        } catch (err) {
          if (!(err instanceof Error) || err.name !== 'CwmpFault') o.log.error({ err, method: request.method }, 'handler failed');
          else if (err.cause !== undefined)
            // A provider failed (a helper exited, a file could not be written): its reason, without a stack.
            o.log.warn({ method: request.method, reason: err.cause instanceof Error ? err.cause.message : String(err.cause) }, err.message);
          step = machine.respond(err instanceof Error ? err : new Error(String(err)));
        }
        continue;
      }
      if (o.clock.now() - startedAt > o.timeoutMs) {
        step = machine.transportFailed('session timed out');
        continue;
      }
      // At log level trace the envelopes themselves go to the log, secrets hidden and bounded in size.
      if (o.log.isLevelEnabled('trace')) o.log.trace({ session: o.sessionNo, direction: 'cpe→acs', envelope: envelopeForLog(step.body) }, 'envelope');
      let body = step.body;
      let delivery: BodyDelivery | undefined;
      if (o.beforePost) {
        const replaced = o.beforePost(body);
        if (replaced === undefined) {
          step = machine.transportFailed('the CPE closed the connection (misbehaving on purpose)');
          continue;
        }
        ({ body, delivery } = replaced);
      }
      try {
        const reply = await transport!.post(body, o.timeoutMs - (o.clock.now() - startedAt), delivery);
        if (o.log.isLevelEnabled('trace'))
          o.log.trace({ session: o.sessionNo, direction: 'acs→cpe', status: reply.status, envelope: envelopeForLog(reply.body) }, 'envelope');
        step = machine.receive(reply.status, reply.body);
        if (step.kind === 'done' && reply.retryAfterSeconds !== undefined)
          step = { ...step, outcome: { ...step.outcome, retryAfterSeconds: reply.retryAfterSeconds } };
      } catch (err) {
        step = machine.transportFailed(err instanceof TransportError ? err.message : `transport: ${String(err)}`);
      }
    }
  } finally {
    transport?.close();
  }
}

const LOGGED_ENVELOPE_BYTES = 16 * 1024;

function envelopeForLog(body: string): string {
  const text = redactCwmpBody(body);
  return text.length > LOGGED_ENVELOPE_BYTES ? `${text.slice(0, LOGGED_ENVELOPE_BYTES)}… (${text.length} characters)` : text;
}
