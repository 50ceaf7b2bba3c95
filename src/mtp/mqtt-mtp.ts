/**
 * USP's MQTT transport (TR-369 MQTT binding) as a client of a real broker: MQTT 5 by default
 * (3.1.1 when configured), subscribed to the agent's own "reply to" topic, publishing Records
 * with Content Type "usp.msg" and that topic as the Response Topic. It moves bytes only: what a
 * Record means is the USP endpoint's. Reconnects back off (never a tight loop); TLS is verified.
 */
import net from 'node:net';
import mqtt, { type IClientOptions, MqttClient } from 'mqtt';
import type { Logger } from 'pino';

export interface MqttMtpOptions {
  /** mqtt://, mqtts://, ws:// or wss:// URL of the broker. */
  url: string;
  clientId: string;
  /** The agent's own topic: Controllers publish to it, and it goes out as the Response Topic. */
  agentTopic: string;
  username?: string;
  password?: string;
  /** 5 (default) or 4 (MQTT 3.1.1, where Response Topic does not exist). */
  protocolVersion?: 4 | 5;
  /** CA and client certificate for mqtts://; the broker's certificate is always verified. */
  tls?: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer };
  /**
   * First reconnect wait, ms: attempt n waits a random time in [r·2^(n-1), r·2^n], at most
   * maxReconnectMs, so that devices a broker dropped together do not come back together.
   */
  reconnectMs?: number;
  maxReconnectMs?: number;
  /** Draws the reconnect jitter (0..1). */
  random?: () => number;
  /**
   * A place among the connections being opened at once (a fleet's bound), held from the attempt
   * until it connects or fails; none: no bound.
   */
  connectSlot?: () => Promise<() => void>;
  /** The address the connection leaves from (a fleet device's own); the system's choice when absent. */
  localAddress?: string;
  logger: Logger;
}

export interface MqttReceived {
  payload: Uint8Array;
  /** Where the sender wants its answer (MQTT 5 Response Topic), when it gave one. */
  responseTopic: string | undefined;
}

/** Largest Record accepted from the broker, bytes. */
const MAX_RECORD_BYTES = 4 * 1024 * 1024;

export class MqttMtp {
  private client: MqttClient | undefined;
  private receiver: ((m: MqttReceived) => void) | undefined;
  private readonly connectedListeners: (() => void)[] = [];
  /** Failed attempts since the last connection. */
  private failures = 0;
  private releaseSlot: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly o: MqttMtpOptions) {}

  /** Called for each Record that arrives on the agent's topic. */
  onRecord(receiver: (m: MqttReceived) => void): void {
    this.receiver = receiver;
  }

  /** Called after each (re)connection, once subscribed (the endpoint sends its MQTTConnectRecords then). */
  onConnected(listener: () => void): void {
    this.connectedListeners.push(listener);
  }

  /** The topic the agent listens on (its Response Topic). */
  get agentTopic(): string {
    return this.o.agentTopic;
  }

  get protocolVersion(): 4 | 5 {
    return this.o.protocolVersion ?? 5;
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  start(): void {
    this.stopped = false;
    if (this.o.connectSlot) void this.withSlot(() => this.open());
    else this.open();
  }

  /** Takes a place among the connections being opened, then makes the attempt (dropped if stopped meanwhile). */
  private async withSlot(attempt: () => void): Promise<void> {
    const release = await this.o.connectSlot!();
    if (this.stopped) return release();
    this.releaseSlot = release;
    attempt();
  }

  /** The attempt ended (connected or failed): its place goes to the next device. */
  private attemptEnded(): void {
    const release = this.releaseSlot;
    this.releaseSlot = undefined;
    release?.();
  }

  private open(): void {
    const o = this.o;
    const options: IClientOptions = {
      clientId: o.clientId,
      protocolVersion: o.protocolVersion ?? 5,
      clean: true,
      // Reconnects are ours (backed off); the library's fixed period would retry every second for ever.
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      rejectUnauthorized: true,
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      ...(o.tls ?? {}),
    };
    const client = this.connect(options);
    this.client = client;
    client.on('connect', () => {
      this.failures = 0;
      this.attemptEnded();
      client.subscribe(o.agentTopic, { qos: 1 }, (err) => {
        if (err) return o.logger.warn({ err: err.message, topic: o.agentTopic }, 'USP MQTT subscribe failed');
        o.logger.info({ url: o.url, topic: o.agentTopic }, 'USP MQTT connected');
        for (const l of this.connectedListeners) l();
      });
    });
    client.on('message', (_topic, payload, packet) => {
      if (payload.length > MAX_RECORD_BYTES) return o.logger.warn({ bytes: payload.length }, 'USP Record too large: dropped');
      this.receiver?.({ payload: new Uint8Array(payload), responseTopic: packet.properties?.responseTopic });
    });
    // The first failure in a row is worth a warning; the retries after it (a broker down for an
    // hour, a fleet's thousand devices) only at debug.
    client.on('error', (err) => o.logger[this.failures === 0 ? 'warn' : 'debug']({ err: err.message }, 'USP MQTT error'));
    client.on('close', () => {
      this.attemptEnded();
      this.scheduleReconnect(client);
    });
  }

  /**
   * The client, from the given source address when there is one: MQTT.js hands TLS and WebSocket
   * connections their options (localAddress among them), but opens plain TCP with host and port
   * only, so that one is opened here.
   */
  private connect(options: IClientOptions): MqttClient {
    const local = this.o.localAddress;
    if (!local) return mqtt.connect(this.o.url, options);
    const url = new URL(this.o.url);
    const family = net.isIPv6(local) ? 6 : 4;
    if (url.protocol === 'mqtt:' || url.protocol === 'tcp:') {
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const port = Number(url.port || 1883);
      return new MqttClient(() => net.createConnection({ host, port, localAddress: local, family }), { ...options, host, port, protocol: 'mqtt' });
    }
    return mqtt.connect(this.o.url, { ...options, localAddress: local, family, wsOptions: { localAddress: local, family } } as IClientOptions);
  }

  /** Publishes a Record to a topic, with the agent's topic as the Response Topic (MQTT 5). */
  publish(topic: string, record: Uint8Array): Promise<void> {
    const client = this.client;
    if (!client?.connected) return Promise.reject(new Error('not connected to the MQTT broker'));
    const properties = (this.o.protocolVersion ?? 5) === 5 ? { properties: { contentType: 'usp.msg', responseTopic: this.o.agentTopic } } : {};
    return new Promise((resolve, reject) => client.publish(topic, Buffer.from(record), { qos: 1, ...properties }, (err) => (err ? reject(err) : resolve())));
  }

  /** Cuts the connection as a network would (no DISCONNECT): the broker and the client see it lost; reconnection follows. */
  drop(): void {
    this.client?.stream?.destroy();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    this.client = undefined;
    this.attemptEnded();
    if (client) await client.endAsync(true);
  }

  private scheduleReconnect(client: MqttClient): void {
    if (this.client !== client) return;
    const wait = mqttReconnectWaitMs(++this.failures, this.o.reconnectMs ?? 1000, this.o.maxReconnectMs ?? 60_000, (this.o.random ?? Math.random)());
    this.o.logger.info({ waitMs: Math.round(wait) }, 'USP MQTT connection closed; reconnecting');
    setTimeout(() => {
      if (this.client !== client) return;
      if (this.o.connectSlot)
        void this.withSlot(() => {
          if (this.client === client) client.reconnect();
          else this.attemptEnded();
        });
      else client.reconnect();
    }, wait).unref();
  }
}

/** The wait before reconnect attempt n (1 for the first), ms: random in [first·2^(n-1), first·2^n], at most `max`. */
export function mqttReconnectWaitMs(n: number, firstMs: number, maxMs: number, random: number): number {
  const step = Math.min(Math.max(n, 1), 30);
  const low = Math.min(firstMs * 2 ** (step - 1), maxMs);
  const high = Math.min(firstMs * 2 ** step, maxMs);
  return low + (high - low) * random;
}
