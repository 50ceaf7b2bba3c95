/**
 * Ways a device can misbehave on purpose (an ACS test harness makes it): the agent asks before
 * answering each ACS request, before each transfer and on each connection request. Undefined
 * everywhere means a well-behaved device; see harness/misbehaviour.ts for the rules that decide.
 */
import type { AcsRequest } from '../cwmp/messages.js';

export interface AnswerMisbehaviour {
  /** Answer with this CWMP fault (and SetParameterValuesFault entries) instead. */
  fault?: { code: number; parameterFaults?: { name: string; code: number }[] };
  /** Answer only after this long. */
  delayMs?: number;
  /** Close the connection instead of answering (the session ends, failed). */
  drop?: boolean;
  /** Send a truncated, malformed envelope instead of the answer. */
  malformed?: boolean;
}

export interface AgentMisbehaviour {
  answer?(serial: string, request: AcsRequest, session: number): AnswerMisbehaviour | undefined;
  /** A fault to report for a download instead of fetching it. */
  transfer?(serial: string, fileType: string): { faultCode: number; faultString: string } | undefined;
  /** How to treat a connection request: 'ignore' (accepted, no session) or 'refuse' (503). */
  connectionRequest?(serial: string): 'ignore' | 'refuse' | undefined;
}
