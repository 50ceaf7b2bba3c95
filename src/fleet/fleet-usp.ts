/**
 * The USP side of a fleet's devices. Each device is a whole USP agent (the single agent's
 * UspEndpoint on the device's own runtime) with its own MQTT connection, ClientId and reply-to
 * topic, or its own WebSocket: a thousand devices are a thousand connections to the broker, as a
 * real population is, never one shared connection. Connections being opened at once are bounded
 * fleet-wide (as the session gate bounds CWMP sessions); a refused or dropped connection is
 * retried on its own jittered, backed-off schedule.
 */
import type { Logger } from 'pino';
import type { DeviceRuntime } from '../device/device-runtime.js';
import { MqttMtp } from '../mtp/mqtt-mtp.js';
import { WebSocketMtp } from '../mtp/websocket-mtp.js';
import { overMqtt, overWebSocket, UspEndpoint, type UspMessageObserver } from '../usp-endpoint/usp-endpoint.js';
import { ProvisionedUsp } from '../usp-endpoint/provisioned-usp.js';
import { tracingObserver } from '../usp-endpoint/usp-trace.js';
import type { DeviceTrace } from '../log/trace-record.js';
import type { UspAnswerMisbehaviour } from '../usp-endpoint/usp-misbehaviour.js';
import { bodyPart, type UspMsg } from '../usp/usp-codec.js';
import { SessionGate } from './session-gate.js';
import { factoryDefaults, type PeriodicPhase } from './usp-factory-defaults.js';

export type { PeriodicPhase };

/** How a fleet's USP connections are opened: at most so many at once, retried from this first wait. */
export interface UspConnectLimits {
  /** Connections being opened at once, fleet-wide (default 64). */
  maxConnecting?: number;
  /** First reconnect wait, ms (default 1 s; doubled, jittered, up to 60 s). */
  reconnectMs?: number;
}

export interface FleetUspOptions extends UspConnectLimits {
  /** The broker's mqtt://, mqtts://, ws:// or wss:// URL; with transport WebSocket, the Controller's ws(s):// URL. */
  url: string;
  transport: 'MQTT' | 'WebSocket';
  /** The Controller every device trusts, and the topic it listens on (MQTT). */
  controller: { endpointId: string; topic: string };
  username?: string;
  password?: string;
  /** MQTT 5 (default) or 4 (3.1.1). */
  version?: 4 | 5;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  /**
   * Subscriptions a new device comes with for its Controller, as devices ship with factory
   * defaults: Boot! (so every boot is told); for a steady fleet also Periodic! on the fleet's
   * interval with phases spread evenly over it, and ValueChange on a value it changes itself
   * (usp-factory-defaults.ts: the steady load of a real population). None by default.
   */
  factorySubscriptions?: 'boot' | 'steady';
}

/** What a fleet's USP agents did, for the summary and the progress line. */
export class UspFleetCounters {
  /** Devices that have connected at least once, by index. */
  readonly reached = new Set<number>();
  /** Devices that have told their Controller they are up (Boot! or OnBoardRequest sent), by index. */
  readonly announced = new Set<number>();
  connections = 0;
  requests = 0;
  responses = 0;
  errors = 0;
  notifications = 0;
  notifyResponses = 0;

  summary(connectedNow: number): UspFleetSummary {
    return {
      connected: connectedNow,
      reached: this.reached.size,
      announced: this.announced.size,
      connections: this.connections,
      requests: this.requests,
      responses: this.responses,
      errors: this.errors,
      notifications: this.notifications,
      notifyResponses: this.notifyResponses,
    };
  }
}

export interface UspFleetSummary {
  /** Devices connected at the end. */
  connected: number;
  /** Devices that connected at least once. */
  reached: number;
  /** Devices that sent their Boot! or OnBoardRequest. */
  announced: number;
  /** Connections made, reconnections included. */
  connections: number;
  /** Requests from the Controller, and what the devices answered: responses, and Errors. */
  requests: number;
  responses: number;
  errors: number;
  /** Notify requests sent, and NotifyResps received. */
  notifications: number;
  notifyResponses: number;
}

/** One device's USP agent in a fleet. */
export interface FleetUspAgent {
  readonly endpointId: string;
  readonly connected: boolean;
  /** Cuts its connection as a network would (misbehaviour): it reconnects on its own schedule. */
  drop(): void;
  stop(): Promise<void>;
}

/** Which devices misbehave towards their Controller, and how (see harness/misbehaviour.ts). */
export type FleetUspMisbehaviour = (serial: string, msgType: string) => UspAnswerMisbehaviour | undefined;

export class FleetUspAgents {
  readonly counters = new UspFleetCounters();
  private readonly connecting: SessionGate;
  private readonly announcedWatchers: ((index: number) => void)[] = [];

  /** `o`: the broker or Controller every device connects to; absent, each device's data model says (see attachProvisioned). */
  constructor(
    private readonly o: FleetUspOptions | undefined,
    private readonly limits: UspConnectLimits,
    private readonly logger: Logger,
    private readonly random: () => number,
    private readonly misbehaviour?: FleetUspMisbehaviour,
    /** Told of every Msg, with the device's index (metrics, a scenario's log). */
    private readonly onMessage?: (dir: 'in' | 'out', msg: UspMsg, index: number) => void,
    /** A device's own source address, by index (see source-addresses.ts). */
    private readonly sourceAddressOf?: (index: number) => string | undefined,
  ) {
    this.connecting = new SessionGate(limits.maxConnecting ?? 64);
  }

  /** Calls `watcher` with a device's index when it first announces itself (Boot! or OnBoardRequest). */
  onAnnounced(watcher: (index: number) => void): void {
    this.announcedWatchers.push(watcher);
  }

  /** The USP agent of device `index` on its runtime, started with it (attach before the runtime starts, to see its boot). */
  attach(index: number, device: DeviceRuntime, parameterKeyName: string, trace?: DeviceTrace, phase?: PeriodicPhase): FleetUspAgent {
    const endpointId = endpointIdOf(device);
    const o = this.o;
    if (!o) throw new Error('this fleet has no USP broker or Controller: its devices take their MTP from their data model');
    const fresh = device.model.schema.tables.has('Device.LocalAgent.Controller.{i}.') && device.model.instanceIds('Device.LocalAgent.Controller.').length === 0;
    const c = this.counters;
    const mtp =
      o.transport === 'MQTT'
        ? new MqttMtp({
            url: o.url,
            clientId: endpointId,
            agentTopic: `usp/agent/${endpointId}`,
            ...(o.username !== undefined ? { username: o.username } : {}),
            ...(o.password !== undefined ? { password: o.password } : {}),
            protocolVersion: o.version ?? 5,
            ...(o.tls ? { tls: o.tls } : {}),
            reconnectMs: this.limits.reconnectMs ?? 1000,
            random: this.random,
            connectSlot: () => this.connecting.acquire(),
            ...this.source(index),
            logger: this.logger,
          })
        : new WebSocketMtp({
            url: o.url,
            endpointId,
            ...(o.tls ? { tls: o.tls } : {}),
            random: this.random,
            connectSlot: () => this.connecting.acquire(),
            ...this.source(index),
            logger: this.logger,
          });
    const transport = mtp instanceof MqttMtp ? overMqtt(mtp) : overWebSocket(mtp);
    const counting: UspMessageObserver = (dir, msg) => this.count(index, dir, msg);
    const observer = trace ? tracingObserver(trace, counting) : counting;
    const endpoint = new UspEndpoint(device, {
      endpointId,
      controllers: [o.controller],
      transport,
      logger: this.logger,
      parameterKeyName,
      observer,
      onBoardNewControllers: true,
      ...this.misbehaving(device),
    });
    transport.onConnected(() => {
      c.connections++;
      c.reached.add(index);
    });
    // Heard after the endpoint (attached first) has made the Controller's row at the first boot.
    if (fresh && o.factorySubscriptions) {
      const kind = o.factorySubscriptions;
      const listener = {
        busy: () => false,
        on: (e: { kind: string }) => {
          if (e.kind !== 'booted') return;
          device.detach(listener);
          factoryDefaults(device, kind, phase);
        },
      };
      device.attach(listener);
    }
    endpoint.start();
    return {
      endpointId,
      get connected() {
        return transport.connected;
      },
      drop: () => transport.drop?.(),
      stop: () => endpoint.stop(),
    };
  }

  /**
   * A device whose USP MTP its data model configures (nothing runs until its ACS writes one: the
   * CWMP-to-USP migration), with the fleet's bound on connections and its counters.
   */
  attachProvisioned(index: number, device: DeviceRuntime, parameterKeyName: string, trace?: DeviceTrace): FleetUspAgent {
    const c = this.counters;
    const counting: UspMessageObserver = (dir, msg) => this.count(index, dir, msg);
    const agent = new ProvisionedUsp(device, {
      endpointId: endpointIdOf(device),
      logger: this.logger,
      parameterKeyName,
      observer: trace ? tracingObserver(trace, counting) : counting,
      onConnected: () => {
        c.connections++;
        c.reached.add(index);
      },
      connectSlot: () => this.connecting.acquire(),
      reconnectMs: this.limits.reconnectMs ?? 1000,
      random: this.random,
      ...this.source(index),
      ...this.misbehaving(device),
    });
    return {
      endpointId: endpointIdOf(device),
      get connected() {
        return agent.connected;
      },
      drop: () => agent.drop(),
      stop: () => agent.stop(),
    };
  }

  private source(index: number): { localAddress?: string } {
    const address = this.sourceAddressOf?.(index);
    return address ? { localAddress: address } : {};
  }

  /** The endpoint's misbehaviour hook for one device, when the fleet has rules. */
  private misbehaving(device: DeviceRuntime): { misbehaviour?: (msgType: string) => UspAnswerMisbehaviour | undefined } {
    const rules = this.misbehaviour;
    const serial = device.identity.serialNumber;
    return rules ? { misbehaviour: (msgType) => rules(serial, msgType) } : {};
  }

  private count(index: number, dir: 'in' | 'out', msg: UspMsg): void {
    const c = this.counters;
    const type = msg.header.msg_type;
    this.onMessage?.(dir, msg, index);
    if (dir === 'in') {
      if (type === 'NOTIFY_RESP') c.notifyResponses++;
      else if (bodyPart(msg.body.request)) c.requests++;
      return;
    }
    if (type === 'ERROR') c.errors++;
    else if (type === 'NOTIFY') {
      c.notifications++;
      const notify = msg.body.request?.notify as { on_board_req?: unknown; event?: { event_name?: string } } | undefined;
      if ((notify?.on_board_req || notify?.event?.event_name === 'Boot!') && !c.announced.has(index)) {
        c.announced.add(index);
        for (const w of this.announcedWatchers) w(index);
      }
    } else c.responses++;
  }
}

/** A fleet device's EndpointID: os::<OUI>-<SerialNumber> (TR-369's form for an agent named by its OUI and serial). */
function endpointIdOf(device: DeviceRuntime): string {
  return `os::${device.identity.oui}-${device.identity.serialNumber}`;
}
