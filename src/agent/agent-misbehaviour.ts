/**
 * Ways a device can misbehave on purpose (an ACS test harness makes it): the agent asks before
 * answering each ACS request, before each transfer and on each connection request. Undefined
 * everywhere means a well-behaved device; see harness/misbehaviour.ts for the rules that decide.
 */
import type { WireQuirks } from '../cwmp/envelope-write.js';
import type { AcsRequest } from '../cwmp/messages.js';
import type { ConnectionRequestMisbehaviour } from '../connreq/http-server.js';
import type { TransferMisbehaviour } from '../transfers/transfer-runner.js';

export type { ConnectionRequestMisbehaviour, TransferMisbehaviour };

/** Vendor quirks a device shows in every session. */
export interface DeviceQuirks {
  wire?: WireQuirks;
  /** Speaks cwmp-1-0 only (no SupportedCWMPVersions, no later namespace). */
  cwmp10Only?: boolean;
  /** Keeps no session cookie: the ACS must find the session by other means. */
  noCookies?: boolean;
  /** Answers Basic challenges only, never Digest. */
  basicAuthOnly?: boolean;
}

export interface AnswerMisbehaviour {
  /** Answer with this CWMP fault (and SetParameterValuesFault entries) instead. */
  fault?: { code: number; parameterFaults?: { name: string; code: number }[] };
  /** Answer only after this long. */
  delayMs?: number;
  /** Close the connection instead of answering (the session ends, failed). */
  drop?: boolean;
  /** Send a truncated, malformed envelope instead of the answer. */
  malformed?: boolean;
  /** Send half the answer, pause this long, then the rest. */
  stallMs?: number;
  /** Send half the answer, then close the connection. */
  cutMidBody?: boolean;
  /** Answer in a namespace the ACS did not use, or with another cwmp:ID than its request's. */
  rewrite?: 'wrong-namespace' | 'wrong-id';
}

export interface AgentMisbehaviour {
  answer?(serial: string, request: AcsRequest, session: number): AnswerMisbehaviour | undefined;
  /** How a download goes wrong on purpose: a fault (at once or after some bytes), a slow fetch. */
  transfer?(serial: string, fileType: string): TransferMisbehaviour | undefined;
  /** Whether the firmware image installed now fails its boot check (the device rolls back). */
  firmwareFailsToBoot?(serial: string): boolean;
  /** Boots a device goes through after a firmware install before it reports it (a reboot loop): 0 or undefined, none. */
  rebootLoop?(serial: string): number | undefined;
  /** How far off the device's clock runs, in ms (its Inform's CurrentTime, its absolute schedules). */
  clockOffsetMs?(serial: string): number | undefined;
  /** Quirks for the session about to start. */
  quirks?(serial: string): DeviceQuirks | undefined;
  /** How to treat a connection request. */
  connectionRequest?(serial: string): ConnectionRequestMisbehaviour | undefined;
}
