/**
 * What the control API and dashboard steer: a fleet, or one agent. Both give their devices,
 * power them on and off, and say when a session ends; a fleet also adds and removes devices.
 */
import type { Agent } from '../agent/agent.js';
import type { AcsRequest } from '../cwmp/messages.js';
import type { Fleet } from '../fleet/fleet.js';
import type { UspFleetSummary } from '../fleet/fleet-usp.js';

/** The bundled test ACS, where it is the devices' ACS: the dashboard asks the device through it. */
export interface ControlAcs {
  queue(serial: string, ...rpcs: AcsRequest[]): void;
  /** A connection request as an ACS sends it; the final HTTP status. */
  connectionRequest(url: string, username: string, password: string): Promise<number>;
}

export interface ControlDevice {
  serial: string;
  agent: Agent | undefined;
  bootstrapped: boolean;
  /** Connection requests refused for their credentials. */
  connectionRequestAuthFailures: number;
  /** Its USP agent, when it speaks USP: its EndpointID and whether its MTP is up. */
  usp?: { endpointId: string; connected: boolean };
}

export interface SessionEnd {
  serial: string;
  ok: boolean;
  startedAt: number;
  endedAt: number;
  /** The device's session number (its wire trace's). */
  session: number;
  reason?: string;
  /** The event codes its Inform carried. */
  events: readonly string[];
  /** The ACS's requests it answered, by method. */
  rpcs: readonly string[];
}

export interface ControlTarget {
  kind: 'fleet' | 'agent';
  profile: string;
  devices(): readonly ControlDevice[];
  device(serial: string): ControlDevice | undefined;
  onSession(listener: (e: SessionEnd) => void): void;
  powerOn(serial: string): void;
  powerOff(serial: string): Promise<void>;
  /** Fleets only: new devices, powered on; their serials. */
  add?(count: number): string[];
  remove?(serial: string): Promise<void>;
  /** The device's wire-trace file, when tracing is on. */
  traceFile?(serial: string): string | undefined;
  /** The devices' ACS, when it is the bundled one (absent: their ACS is elsewhere). */
  acs?: ControlAcs;
  /** USP fleets: connected and announced devices, messages each way (absent: none speak USP). */
  usp?(): UspFleetSummary | undefined;
}

export function fleetTarget(fleet: Fleet, profile: string, traceFile?: (serial: string) => string | undefined, acs?: ControlAcs): ControlTarget {
  const view = (m: Fleet['members'][number]): ControlDevice => ({
    serial: m.serial,
    agent: m.agent,
    bootstrapped: fleet.stats.bootstrapped.has(m.index),
    connectionRequestAuthFailures: m.crAuthFailures ?? 0,
    ...(m.usp ? { usp: { endpointId: m.usp.endpointId, connected: m.usp.connected } } : {}),
  });
  const listeners: ((e: SessionEnd) => void)[] = [];
  fleet.onSession((m, ok, timing) => {
    const e: SessionEnd = {
      serial: m.serial,
      ok,
      startedAt: timing.startedAt,
      endedAt: timing.endedAt,
      session: m.agent?.sessionsRun ?? 0,
      events: timing.events,
      rpcs: timing.rpcs,
    };
    for (const l of listeners) l(e);
  });
  return {
    kind: 'fleet',
    profile,
    devices: () => fleet.members.map(view),
    device: (serial) => {
      const m = fleet.member(serial);
      return m ? view(m) : undefined;
    },
    onSession: (l) => void listeners.push(l),
    powerOn: (serial) => {
      const m = fleet.member(serial);
      if (m) fleet.bringOnline(m);
    },
    powerOff: async (serial) => {
      const m = fleet.member(serial);
      if (m) await fleet.takeOffline(m);
    },
    add: (count) => fleet.addDevices(count).map((m) => m.serial),
    remove: async (serial) => {
      const m = fleet.member(serial);
      if (m) await fleet.removeDevice(m);
    },
    traceFile,
    ...(acs ? { acs } : {}),
    usp: () => fleet.uspSummary(),
  };
}

/** One agent (cwmp-agent run): one device, always there; powered off means stopped. */
export function agentTarget(
  agent: Agent,
  serial: string,
  traceFile?: (serial: string) => string | undefined,
  authFailures?: () => number,
  acs?: ControlAcs,
): ControlTarget {
  let bootstrapped = false;
  const running = true;
  const listeners: ((e: SessionEnd) => void)[] = [];
  agent.onSessionEnd((o, t) => {
    if (o.ok) bootstrapped = true;
    for (const l of listeners)
      l({ serial, ok: o.ok, startedAt: t.startedAt, endedAt: t.endedAt, session: agent.sessionsRun, reason: o.reason, events: t.events, rpcs: t.rpcs });
  });
  const view = (): ControlDevice => ({ serial, agent: running ? agent : undefined, bootstrapped, connectionRequestAuthFailures: authFailures?.() ?? 0 });
  return {
    kind: 'agent',
    profile: 'device',
    devices: () => [view()],
    device: (s) => (s === serial ? view() : undefined),
    onSession: (l) => void listeners.push(l),
    powerOn: () => undefined,
    powerOff: () => Promise.reject(new Error('a single agent is powered off by stopping its process (SIGTERM)')),
    traceFile,
    ...(acs ? { acs } : {}),
  };
}
