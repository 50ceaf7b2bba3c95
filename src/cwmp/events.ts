/**
 * Inform event codes and their retention rules (TR-069 3.7.1.5, Table 7).
 *
 * Events that report the outcome of a CPE request (7 TRANSFER COMPLETE with M Download,
 * M Upload or M ScheduleDownload; 9 REQUEST DOWNLOAD; 10 AUTONOMOUS TRANSFER COMPLETE; 11 DU
 * STATE CHANGE COMPLETE with M ChangeDUState; 12 AUTONOMOUS DU STATE CHANGE COMPLETE) are not
 * stored here: they are derived from the persisted queue of pending CPE requests, so they live
 * exactly as long as the request is unacknowledged, which is the rule the spec gives them.
 */
import type { CpeRequest, CwmpEvent } from './messages.js';

export const EventCode = {
  Bootstrap: '0 BOOTSTRAP',
  Boot: '1 BOOT',
  Periodic: '2 PERIODIC',
  Scheduled: '3 SCHEDULED',
  ValueChange: '4 VALUE CHANGE',
  Kicked: '5 KICKED',
  ConnectionRequest: '6 CONNECTION REQUEST',
  TransferComplete: '7 TRANSFER COMPLETE',
  DiagnosticsComplete: '8 DIAGNOSTICS COMPLETE',
  RequestDownload: '9 REQUEST DOWNLOAD',
  AutonomousTransferComplete: '10 AUTONOMOUS TRANSFER COMPLETE',
  DuStateChangeComplete: '11 DU STATE CHANGE COMPLETE',
  AutonomousDuStateChangeComplete: '12 AUTONOMOUS DU STATE CHANGE COMPLETE',
  Wakeup: '13 WAKEUP',
  Heartbeat: '14 HEARTBEAT',
  MReboot: 'M Reboot',
  MScheduleInform: 'M ScheduleInform',
  MDownload: 'M Download',
  MScheduleDownload: 'M ScheduleDownload',
  MUpload: 'M Upload',
  MChangeDUState: 'M ChangeDUState',
} as const;

export type { CwmpEvent } from './messages.js';

interface RetentionRule {
  /** Single events occur at most once in the list; multiple ones once per CommandKey. */
  single: boolean;
  /** Kept for the retry when a session fails before it completes. */
  keepAfterFailedSession: boolean;
  /** Kept across a reboot (here: across a restart of the agent). */
  keepAfterReboot: boolean;
}

const RULES: Readonly<Record<string, RetentionRule>> = {
  [EventCode.Bootstrap]: { single: true, keepAfterFailedSession: true, keepAfterReboot: true },
  [EventCode.Boot]: { single: true, keepAfterFailedSession: true, keepAfterReboot: false },
  [EventCode.Periodic]: { single: true, keepAfterFailedSession: true, keepAfterReboot: true },
  [EventCode.Scheduled]: { single: true, keepAfterFailedSession: true, keepAfterReboot: true },
  // Kept across restarts: the changed parameters are persisted with it, and an ACS that
  // never hears of a change has no other way to learn it.
  [EventCode.ValueChange]: { single: true, keepAfterFailedSession: true, keepAfterReboot: true },
  [EventCode.Kicked]: { single: true, keepAfterFailedSession: true, keepAfterReboot: true },
  [EventCode.ConnectionRequest]: { single: true, keepAfterFailedSession: false, keepAfterReboot: false },
  [EventCode.DiagnosticsComplete]: { single: true, keepAfterFailedSession: true, keepAfterReboot: false },
  [EventCode.Wakeup]: { single: true, keepAfterFailedSession: true, keepAfterReboot: false },
  [EventCode.Heartbeat]: { single: true, keepAfterFailedSession: false, keepAfterReboot: false },
  [EventCode.MReboot]: { single: false, keepAfterFailedSession: true, keepAfterReboot: true },
  [EventCode.MScheduleInform]: { single: false, keepAfterFailedSession: true, keepAfterReboot: true },
  [EventCode.MChangeDUState]: { single: false, keepAfterFailedSession: true, keepAfterReboot: true },
};

/** Vendor events ("X <OUI> <name>") and anything unknown: kept until delivered, once per key. */
const DEFAULT_RULE: RetentionRule = { single: false, keepAfterFailedSession: true, keepAfterReboot: true };

function ruleFor(code: string): RetentionRule {
  return RULES[code] ?? DEFAULT_RULE;
}

/** The most EventStructs one Inform may carry (EventList maxOccurs in the XSD). */
export const MAX_INFORM_EVENTS = 64;

const EVENT_CODE_PATTERN = /^(?:\d{1,2} [A-Z ]+|M [A-Za-z]+|X [0-9A-F]{6} .+)$/;

export function isValidEventCode(code: string): boolean {
  return EVENT_CODE_PATTERN.test(code) && code.length <= 64;
}

/** Adds an event, merging single events and identical multiple ones. Returns a new list. */
export function addEvent(queue: readonly CwmpEvent[], event: CwmpEvent): CwmpEvent[] {
  const single = ruleFor(event.code).single;
  const exists = queue.some((e) => e.code === event.code && (single || e.commandKey === event.commandKey));
  return exists ? [...queue] : [...queue, { code: event.code, commandKey: single ? '' : event.commandKey }];
}

/** What survives a session that failed before the InformResponse arrived. */
export function eventsAfterFailedSession(queue: readonly CwmpEvent[]): CwmpEvent[] {
  return queue.filter((e) => ruleFor(e.code).keepAfterFailedSession);
}

/** What survives a reboot (an agent restart), before 1 BOOT is added. */
export function eventsAfterReboot(queue: readonly CwmpEvent[]): CwmpEvent[] {
  return queue.filter((e) => ruleFor(e.code).keepAfterReboot);
}

/** Removes the events an InformResponse acknowledged (those sent in that Inform). */
export function eventsAfterInformResponse(queue: readonly CwmpEvent[], delivered: readonly CwmpEvent[]): CwmpEvent[] {
  return queue.filter((e) => !delivered.some((d) => d.code === e.code && d.commandKey === e.commandKey));
}

/**
 * Orders events for an Inform: BOOTSTRAP first, then the numbered events, then the M and
 * vendor events; bounded to what one Inform may carry.
 */
export function eventsForInform(events: readonly CwmpEvent[]): CwmpEvent[] {
  // Usually in order already (the queue is built in this order): then no sort, no copy to sort.
  let ordered = true;
  for (let i = 1; i < events.length && ordered; i++) ordered = informRank(events[i - 1]!.code) <= informRank(events[i]!.code);
  const sorted = ordered ? events : [...events].sort((a, b) => informRank(a.code) - informRank(b.code));
  return sorted.slice(0, MAX_INFORM_EVENTS);
}

/** An event's place in an Inform: its number ("0 BOOTSTRAP" 0), then M events, then vendor ones. */
function informRank(code: string): number {
  let n = 0;
  let i = 0;
  for (; i < code.length; i++) {
    const digit = code.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    n = n * 10 + digit;
  }
  if (i > 0 && code.charCodeAt(i) === 32) return n;
  return code.startsWith('M ') ? 100 : 200;
}

/** Events that stand for unacknowledged CPE requests (TR-069 Table 7). */
export function derivedEvents(requests: readonly CpeRequest[]): CwmpEvent[] {
  const out: CwmpEvent[] = [];
  for (const r of requests) {
    if (r.method === 'TransferComplete') {
      out.push({ code: EventCode.TransferComplete, commandKey: '' });
      const m = r.causedBy === 'Upload' ? EventCode.MUpload : r.causedBy === 'ScheduleDownload' ? EventCode.MScheduleDownload : EventCode.MDownload;
      out.push({ code: m, commandKey: r.commandKey });
    } else if (r.method === 'AutonomousTransferComplete') {
      out.push({ code: EventCode.AutonomousTransferComplete, commandKey: '' });
    } else if (r.method === 'DUStateChangeComplete') {
      out.push({ code: EventCode.DuStateChangeComplete, commandKey: '' });
      out.push({ code: EventCode.MChangeDUState, commandKey: r.commandKey });
    } else if (r.method === 'AutonomousDUStateChangeComplete') {
      out.push({ code: EventCode.AutonomousDuStateChangeComplete, commandKey: '' });
    } else if (r.method === 'RequestDownload') {
      out.push({ code: EventCode.RequestDownload, commandKey: '' });
    } else if (r.method === 'Kicked') {
      out.push({ code: EventCode.Kicked, commandKey: '' });
    }
  }
  return out.filter((e, i) => out.findIndex((o) => o.code === e.code && o.commandKey === e.commandKey) === i);
}
