/**
 * Many simulated devices in one process: each is a full Agent (the same code as a single
 * agent) over its own state, sharing the schema, the profile's values, one HTTP listener for
 * connection requests (routed by path) and one UDP socket (routed by username). Devices boot
 * spread over a window and their periodic Informs are phased evenly, as a real population's.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { WireTrace } from '../log/wire-trace.js';
import type { AgentObserver } from '../agent/agent-observer.js';
import type { AgentMisbehaviour } from '../agent/agent-misbehaviour.js';
import { defaultSessionLimit, SessionGate } from './session-gate.js';
import { Agent, type SessionTiming } from '../agent/agent.js';
import { offsetClock, type Clock, type TimerHandle } from '../runtime/clock.js';
import type { CwmpVersion } from '../cwmp/namespaces.js';
import { HttpConnectionRequestServer } from '../connreq/http-server.js';
import { hostPort } from '../connreq/local-address.js';
import { managementServerPaths } from '../models/device-core.js';
import { connectionRequestRoute } from '../connreq/connection-request-wiring.js';
import { LiveModelStore } from '../storage/model-store.js';
import { SimulatedDevice } from '../providers/simulated-device.js';
import { LazyBulkData } from '../bulkdata/bulk-data-collector.js';
import type { TlsOptions } from '../session/acs-transport.js';
import { LiveAgentStateStore } from '../storage/agent-state.js';
import type { AgentState } from '../storage/agent-state.js';
import type { StoredModel } from '../datamodel/data-model.js';
import { FleetStats } from './fleet-stats.js';
import { identityFor, macFor, shardRange } from './identity-template.js';
import type { Profile } from './profile.js';
import { SharedUdpConnectionRequests } from './shared-udp.js';
import { udpDatagramSender, type UdpDatagramSender } from '../notifications/udp-datagram-sender.js';
import { deviceTypeHandler } from '../connreq/lan-pages.js';
import { dtPath, supportedModelDocument } from '../models/dt-export.js';
import type { SourceAddresses } from './source-addresses.js';
import type { UspMsg } from '../usp/usp-codec.js';
import type { FleetUspAgent, FleetUspAgents, FleetUspMisbehaviour, FleetUspOptions, UspConnectLimits, UspFleetSummary } from './fleet-usp.js';

/** What a fleet's devices speak: CWMP to the ACS, USP to a Controller, or both on each device. */
export type FleetProtocol = 'cwmp' | 'usp' | 'both';

export interface FleetOptions {
  /** Devices in the whole fleet; a shard runs its share of them. */
  count: number;
  shard?: { index: number; total: number };
  profile: Profile;
  acsUrl: string;
  acsUsername?: string;
  acsPassword?: string;
  tls?: TlsOptions;
  cwmpVersion: CwmpVersion;
  connectionRequest: {
    port: number;
    address: string;
    /** Host named in ConnectionRequestURL; the listen address when absent. */
    advertisedHost?: string;
    /** Every device's ConnectionRequestPassword until the ACS sets another (username: its serial). */
    password: string;
  };
  /** Seconds; the profile's (or 3600) when absent. */
  periodicInformInterval?: number;
  /** Devices start evenly within this many seconds (a boot storm when short). */
  bootWindowSeconds: number;
  clock: Clock;
  random: () => number;
  logger: Logger;
  requestTimeoutMs?: number;
  /** Devices that misbehave on purpose (see harness/misbehaviour.ts). */
  misbehaviour?: AgentMisbehaviour;
  /** Sessions in flight at most, fleet-wide (default: from the process's open-file limit; see session-gate.ts). */
  maxSessionsInFlight?: number;
  /** Counts what every device does (metrics): one observer for the whole fleet. */
  observer?: AgentObserver;
  /** The wire trace: each device's exchanges in its own file (see observability/wire-trace.ts). */
  trace?: WireTrace;
  /** Saved state to start from, by serial (see FleetSnapshot). */
  restored?: ReadonlyMap<string, { state: AgentState; model: StoredModel }>;
  /** CWMP when absent. USP needs `usp` and a schema with Device.LocalAgent (see models/local-agent.ts). */
  protocol?: FleetProtocol;
  usp?: FleetUspOptions;
  /**
   * CWMP devices that their ACS can move to USP: each takes its USP MTP from its data model (the
   * schema needs Device.LocalAgent and Device.MQTT), within these connection limits.
   */
  uspWhenProvisioned?: UspConnectLimits;
  /** USP agents that misbehave towards their Controller on purpose. */
  uspMisbehaviour?: FleetUspMisbehaviour;
  /** Told of every USP Msg of every device, with the device's serial (metrics, a scenario's log). */
  uspMessages?: (dir: 'in' | 'out', msg: UspMsg, serial: string) => void;
  /**
   * Each device's own source address (see source-addresses.ts): its sessions, transfers, reports
   * and datagrams leave from it, and its connection-request URL and UDP address name it. The
   * system's choice, and the listen address in those URLs, when absent.
   */
  sourceAddresses?: SourceAddresses;
}

export interface FleetMember {
  index: number;
  serial: string;
  device: SimulatedDevice;
  /** Its Bulk Data collection, while online (nothing until the ACS turns it on). */
  bulkData?: LazyBulkData;
  stateStore: LiveAgentStateStore;
  modelStore: LiveModelStore;
  agent: Agent | undefined;
  /** Its USP agent, while online in a USP fleet. */
  usp: FleetUspAgent | undefined;
  crPath: string;
  /** Connection requests refused for their credentials, since the fleet started (absent: none). */
  crAuthFailures?: number;
}

const EPOCH_2026 = Date.UTC(2026, 0, 1);

/** The member of device `index`. */
function memberAt(members: readonly FleetMember[], index: number): FleetMember | undefined {
  // Members are in index order from the shard's first, unless devices were removed since.
  const guess = members[index - (members[0]?.index ?? 0)];
  return guess?.index === index ? guess : members.find((x) => x.index === index);
}

/** Random hex from a pooled buffer: a randomBytes call per device was 1.5% of a 100,000 boot storm's CPU. */
let randomPool = Buffer.alloc(0);
let randomAt = 0;
function randomHex(bytes: number): string {
  if (randomAt + bytes > randomPool.length) {
    randomPool = randomBytes(4096);
    randomAt = 0;
  }
  randomAt += bytes;
  return randomPool.toString('hex', randomAt - bytes, randomAt);
}

export class Fleet {
  readonly members: FleetMember[] = [];
  readonly stats: FleetStats;
  private crServer: HttpConnectionRequestServer | undefined;
  private udp: SharedUdpConnectionRequests | undefined;
  /** One socket for every device's UDP Lightweight Notifications (one per source address, when devices have their own). */
  private readonly lightweightSender = udpDatagramSender();
  private readonly lightweightSenders = new Map<string, UdpDatagramSender>();
  private crBase = '';
  private crPort = 0;
  private udpAddress = '';
  private udpPort = 0;
  private bootTimers: TimerHandle[] = [];
  private readonly bySerial = new Map<string, FleetMember>();
  private readonly baseValues: Record<string, string>;
  /** One function for every device, not a closure each. */
  private readonly firmwareFailsToBoot: ((serial: string) => boolean) | undefined;
  private readonly sessionWatchers: ((m: FleetMember, ok: boolean, timing: SessionTiming) => void)[] = [];

  /** The fleet-wide bound on sessions in flight: excess sessions wait instead of failing for descriptors. */
  readonly gate: SessionGate;
  /** The devices' USP agents (a USP fleet), made at start. */
  private uspAgents: FleetUspAgents | undefined;
  private started = false;

  constructor(private readonly o: FleetOptions) {
    this.stats = new FleetStats(() => o.clock.now());
    this.gate = new SessionGate(o.maxSessionsInFlight ?? defaultSessionLimit());
    const misbehaviour = o.misbehaviour;
    this.firmwareFailsToBoot = misbehaviour?.firmwareFailsToBoot ? (serial) => misbehaviour.firmwareFailsToBoot?.(serial) ?? false : undefined;
    const { start, end } = o.shard ? shardRange(o.count, o.shard.index, o.shard.total) : { start: 0, end: o.count };
    // Fleet-wide values every device starts with, over the profile's: one object, shared.
    this.baseValues = Object.assign(Object.create(o.profile.values) as Record<string, string>, {
      [managementServerPaths(o.profile.schema.root).periodicInformInterval]: String(this.interval),
    });
    for (let index = start; index < end; index++) this.addMember(index);
  }

  private addMember(index: number): FleetMember {
    const o = this.o;
    const identity = identityFor(o.profile.identity, index);
    const device = new SimulatedDevice(identity.serialNumber, () => o.clock.now(), identity, {
      mac: macFor(o.profile.identity.macPrefix, index),
      firmwareFailsToBoot: this.firmwareFailsToBoot,
      // Given at construction: pushed afterwards, the list would keep room for 37 providers.
      extraProviders: o.profile.provider ? [o.profile.provider] : undefined,
    });
    const restored = o.restored?.get(identity.serialNumber);
    const member: FleetMember = {
      index,
      serial: identity.serialNumber,
      device,
      stateStore: new LiveAgentStateStore(restored?.state),
      modelStore: new LiveModelStore(restored?.model),
      agent: undefined,
      usp: undefined,
      crPath: '',
      // Every field at once: one added later moves them all to a separate store (200 B a device).
      bulkData: undefined,
    };
    this.members.push(member);
    this.bySerial.set(member.serial, member);
    return member;
  }

  /** New devices in a running fleet (serials after the highest so far), powered on now. */
  addDevices(count: number): FleetMember[] {
    let next = this.members.reduce((max, m) => Math.max(max, m.index), -1) + 1;
    const added: FleetMember[] = [];
    for (let i = 0; i < count; i++) {
      while (this.bySerial.has(identityFor(this.o.profile.identity, next).serialNumber)) next++;
      added.push(this.addMember(next++));
    }
    if (this.started) for (const m of added) this.bringOnline(m);
    return added;
  }

  /** Removes a device from the fleet: powered off, forgotten. */
  async removeDevice(m: FleetMember): Promise<void> {
    await this.takeOffline(m);
    this.members.splice(this.members.indexOf(m), 1);
    this.bySerial.delete(m.serial);
    this.stats.bootstrapped.delete(m.index);
  }

  get interval(): number {
    return this.o.periodicInformInterval ?? this.o.profile.periodicInformInterval ?? 3600;
  }

  get protocol(): FleetProtocol {
    return this.o.protocol ?? 'cwmp';
  }

  /** What the USP agents did (a USP fleet), with how many are connected now. */
  uspSummary(): UspFleetSummary | undefined {
    return this.uspAgents?.counters.summary(this.members.filter((m) => m.usp?.connected).length);
  }

  /** Calls `watcher` when a device first announces itself over USP (Boot! or OnBoardRequest). */
  onUspAnnounced(watcher: (m: FleetMember) => void): void {
    this.uspAgents?.onAnnounced((index) => {
      const m = memberAt(this.members, index);
      if (m) watcher(m);
    });
  }

  /** Devices that have sent their Boot! or OnBoardRequest (a USP fleet). */
  get uspAnnounced(): number {
    return this.uspAgents?.counters.announced.size ?? 0;
  }

  get online(): number {
    return this.members.filter((m) => m.agent).length;
  }

  member(serial: string): FleetMember | undefined {
    return this.bySerial.get(serial);
  }

  /** Whether anyone watches the sessions (a control API): only then do devices record their RPCs. One function for all. */
  private readonly watched = (): boolean => this.sessionWatchers.length > 0;

  /** Calls `watcher` after every session of every device. */
  onSession(watcher: (m: FleetMember, ok: boolean, timing: SessionTiming) => void): void {
    this.sessionWatchers.push(watcher);
  }

  /** Opens the shared listeners, then boots every device within the boot window. */
  async start(): Promise<void> {
    if (this.protocol !== 'cwmp' && !this.o.usp)
      throw new Error(`a ${this.protocol} fleet needs its USP settings (a broker or Controller URL, the Controller's EndpointID)`);
    if (this.protocol !== 'cwmp' || this.o.uspWhenProvisioned) {
      const { FleetUspAgents } = await import('./fleet-usp.js');
      this.uspAgents = new FleetUspAgents(
        this.o.usp,
        this.o.usp ?? this.o.uspWhenProvisioned ?? {},
        this.o.logger,
        this.o.random,
        this.o.uspMisbehaviour,
        this.o.uspMessages ? (dir, msg, index) => this.o.uspMessages?.(dir, msg, memberAt(this.members, index)?.serial ?? '') : undefined,
        this.o.sourceAddresses ? (index) => this.o.sourceAddresses?.addressFor(index) : undefined,
      );
    }
    // A USP-only device opens no port for connection requests (they are CWMP's).
    if (this.protocol !== 'usp') await this.openConnectionRequests();
    this.started = true;
    this.scheduleBoots();
  }

  private async openConnectionRequests(): Promise<void> {
    const cr = this.o.connectionRequest;
    // One listener for the whole fleet, and one ACS sending to it: room for a connection-request storm from one address.
    const observer = this.o.observer;
    // Devices with their own addresses are reached on them: the listeners take every address.
    const sources = this.o.sourceAddresses;
    const address = sources ? (sources.families.has(6) ? '::' : '0.0.0.0') : cr.address;
    this.crServer = new HttpConnectionRequestServer({
      onRefused: observer?.connectionRequest ? (cause) => observer.connectionRequest?.('http', cause) : undefined,
      address,
      port: cr.port,
      maxNonces: Math.max(1024, this.members.length * 2),
      maxConnections: 2048,
      maxConnectionsPerSource: 2048,
    });
    // Every device's DeviceInfo.SupportedDataModel names the same document: the profile's model.
    const dt = supportedModelDocument(this.o.profile.schema);
    this.crServer.addOpenRoute(dtPath(dt.uuid), deviceTypeHandler(dt.xml));
    const port = await this.crServer.listen();
    this.crPort = port;
    const host = cr.advertisedHost ?? (cr.address === '0.0.0.0' || cr.address === '::' ? '127.0.0.1' : cr.address);
    this.crBase = `http://${hostPort(host, port)}`;
    this.udp = new SharedUdpConnectionRequests({ address, port, now: () => this.o.clock.now() });
    const udpPort = await this.udp.listen();
    this.udpPort = udpPort;
    this.udpAddress = hostPort(host, udpPort);
  }

  private scheduleBoots(): void {
    const n = this.members.length;
    const windowMs = Math.max(0, this.o.bootWindowSeconds * 1000);
    // A handful of timers, each booting a batch, rather than one per device.
    const batches = Math.min(n, Math.max(1, Math.ceil(windowMs / 10)));
    for (let b = 0; b < batches; b++) {
      const from = Math.floor((n * b) / batches);
      const to = Math.floor((n * (b + 1)) / batches);
      this.bootTimers.push(
        this.o.clock.setTimer((windowMs * b) / batches, () => {
          for (let i = from; i < to; i++) this.bringOnline(this.members[i]!);
        }),
      );
    }
  }

  /** The device's own source address (none: the system chooses). */
  sourceAddressOf(m: FleetMember): string | undefined {
    return this.o.sourceAddresses?.addressFor(m.index);
  }

  private lightweightSenderFor(source: string | undefined): UdpDatagramSender {
    if (!source) return this.lightweightSender;
    let sender = this.lightweightSenders.get(source);
    if (!sender) {
      sender = udpDatagramSender(source);
      this.lightweightSenders.set(source, sender);
    }
    return sender;
  }

  /** Powers a device on (again): a new Agent over the device's stored state, as after a reboot. */
  bringOnline(m: FleetMember): void {
    if (m.agent) return;
    const drift = this.o.misbehaviour?.clockOffsetMs?.(m.serial);
    const cwmp = this.protocol !== 'usp';
    const source = this.sourceAddressOf(m);
    const agent = new Agent({
      // A USP-only device has CWMP off (ManagementServer.EnableCWMP false), as a single agent without an ACS.
      acsUrl: cwmp ? this.o.acsUrl : '',
      cwmpEnabled: cwmp,
      acsUsername: this.o.acsUsername,
      acsPassword: this.o.acsPassword,
      tls: this.o.tls,
      cwmpVersion: this.o.cwmpVersion,
      device: m.device,
      stateStore: m.stateStore,
      modelStore: m.modelStore,
      clock: drift ? offsetClock(this.o.clock, drift) : this.o.clock,
      random: this.o.random,
      logger: this.o.logger,
      requestTimeoutMs: this.o.requestTimeoutMs,
      schema: this.o.profile.schema,
      baseValues: this.baseValues,
      lightweightSender: this.lightweightSenderFor(source).send,
      ...(source ? { localAddress: source } : {}),
      trace: this.o.trace?.forDevice(m.serial),
      observer: this.o.observer,
      sessionGate: this.gate,
      misbehaviour: this.o.misbehaviour,
      recordSessionRpcs: this.watched,
    });
    if (cwmp) this.provisionReachability(m, agent, source);
    agent.onSessionEnd((outcome, timing) => {
      this.stats.session(outcome.ok, timing.endedAt - timing.startedAt, outcome.reason);
      if (outcome.ok) this.stats.bootstrapped.add(m.index);
      for (const w of this.sessionWatchers) w(m, outcome.ok, timing);
    });
    m.agent = agent;
    if (cwmp)
      m.bulkData = new LazyBulkData(agent, {
        tls: this.o.tls ? { ca: this.o.tls.ca, rejectUnauthorized: this.o.tls.rejectUnauthorized } : undefined,
        ...(source ? { localAddress: source } : {}),
      });
    // Attached before the device starts, so that it sees the boot.
    if (this.uspAgents) {
      const trace = this.o.trace?.forDevice(m.serial);
      m.usp =
        this.protocol === 'cwmp'
          ? this.uspAgents.attachProvisioned(m.index, agent.device, agent.ms.parameterKey, trace)
          : this.uspAgents.attach(m.index, agent.device, agent.ms.parameterKey, trace, { index: m.index, count: this.o.count, intervalSeconds: this.interval });
    }
    agent.start();
  }

  /** Powers a device off: no more sessions, unreachable for connection requests. */
  async takeOffline(m: FleetMember): Promise<void> {
    const agent = m.agent;
    if (!agent) return;
    m.agent = undefined;
    m.bulkData?.stop();
    m.bulkData = undefined;
    const usp = m.usp;
    m.usp = undefined;
    this.crServer?.removeRoute(m.crPath);
    this.udp?.removeRoute(agent.model.read(agent.ms.connectionRequestUsername));
    await Promise.all([usp?.stop(), agent.stop()]);
  }

  private provisionReachability(m: FleetMember, agent: Agent, source: string | undefined): void {
    const model = agent.model;
    const MS = agent.ms;
    const stored = model.read(MS.connectionRequestUrl);
    const storedPath = /^https?:\/\/[^/]+(\/[A-Za-z0-9_-]{8,80})$/.exec(stored)?.[1];
    m.crPath = storedPath ?? `/${m.serial.replace(/[^A-Za-z0-9_-]/g, '')}-${randomHex(6)}`;
    const fresh = stored === '';
    // A device with its own address is reached on it (the shared listeners listen on every address).
    const values: Record<string, string> = source
      ? { [MS.connectionRequestUrl]: `http://${hostPort(source, this.crPort)}${m.crPath}`, [MS.udpConnectionRequestAddress]: hostPort(source, this.udpPort) }
      : { [MS.connectionRequestUrl]: `${this.crBase}${m.crPath}`, [MS.udpConnectionRequestAddress]: this.udpAddress };
    if (fresh) {
      values[MS.connectionRequestUsername] = m.serial;
      values[MS.connectionRequestPassword] = this.o.connectionRequest.password;
      // Periodic Informs phased evenly over one interval across the fleet, to the millisecond
      // (dateTime allows fractions): whole seconds would send a second's devices in one burst.
      const offset = Math.floor((m.index * this.interval * 1000) / Math.max(1, this.o.count));
      values[MS.periodicInformTime] = new Date(EPOCH_2026 + offset).toISOString();
    }
    model.provision(values);
    if (fresh) {
      for (const { tablePath, id } of this.o.profile.perDeviceInstances) {
        try {
          model.ensureInstance(tablePath, id);
        } catch {
          this.o.logger.warn({ serial: m.serial, instance: `${tablePath}${id}.` }, 'profile instance has no parent on this device; skipped');
        }
      }
    }
    // The same route as a single device's, on the fleet's shared server; UDP requests are routed by username.
    const route = connectionRequestRoute(agent, 'http', () => void (m.crAuthFailures = (m.crAuthFailures ?? 0) + 1));
    this.crServer!.addRoute(m.crPath, route);
    // A route of its own only where UDP requests are counted apart: a fleet device holds one otherwise.
    const udp = this.o.observer?.connectionRequest ? connectionRequestRoute(agent, 'udp') : route;
    let udpUser = udp.credentials().username;
    this.udp!.setRoute(udpUser, udp);
    model.onChange((names) => {
      if (!names.includes(MS.connectionRequestUsername)) return;
      this.udp?.removeRoute(udpUser);
      udpUser = udp.credentials().username;
      this.udp?.setRoute(udpUser, udp);
    });
  }

  async stop(): Promise<void> {
    for (const t of this.bootTimers) t.cancel();
    this.bootTimers = [];
    await Promise.all(this.members.map((m) => this.takeOffline(m)));
    await this.crServer?.close();
    this.udp?.close();
    this.lightweightSender.close();
    for (const s of this.lightweightSenders.values()) s.close();
    this.lightweightSenders.clear();
  }
}
