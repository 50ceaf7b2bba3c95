/**
 * USP's MQTT transport (TR-369 MQTT binding) as a client of a real broker: MQTT 5 by default
 * (3.1.1 when configured), subscribed to the agent's own "reply to" topic, publishing Records
 * with Content Type "usp.msg" and that topic as the Response Topic. It moves bytes only: what a
 * Record means is the USP endpoint's. Reconnects back off (never a tight loop); TLS is verified.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
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
  /** First reconnect wait, ms; doubled up to maxReconnectMs after each failed attempt. */
  reconnectMs?: number;
  maxReconnectMs?: number;
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
  private connectedListener: (() => void) | undefined;
  private nextWait: number;

  constructor(private readonly o: MqttMtpOptions) {
    this.nextWait = o.reconnectMs ?? 1000;
  }

  /** Called for each Record that arrives on the agent's topic. */
  onRecord(receiver: (m: MqttReceived) => void): void {
    this.receiver = receiver;
  }

  /** Called after each (re)connection, once subscribed (the endpoint sends its MQTTConnectRecords then). */
  onConnected(listener: () => void): void {
    this.connectedListener = listener;
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
    const client = mqtt.connect(o.url, options);
    this.client = client;
    client.on('connect', () => {
      this.nextWait = o.reconnectMs ?? 1000;
      client.subscribe(o.agentTopic, { qos: 1 }, (err) => {
        if (err) return o.logger.warn({ err: err.message, topic: o.agentTopic }, 'USP MQTT subscribe failed');
        o.logger.info({ url: o.url, topic: o.agentTopic }, 'USP MQTT connected');
        this.connectedListener?.();
      });
    });
    client.on('message', (_topic, payload, packet) => {
      if (payload.length > MAX_RECORD_BYTES) return o.logger.warn({ bytes: payload.length }, 'USP Record too large: dropped');
      this.receiver?.({ payload: new Uint8Array(payload), responseTopic: packet.properties?.responseTopic });
    });
    client.on('error', (err) => o.logger.warn({ err: err.message }, 'USP MQTT error'));
    client.on('close', () => this.scheduleReconnect(client));
  }

  /** Publishes a Record to a topic, with the agent's topic as the Response Topic (MQTT 5). */
  publish(topic: string, record: Uint8Array): Promise<void> {
    const client = this.client;
    if (!client?.connected) return Promise.reject(new Error('not connected to the MQTT broker'));
    const properties = (this.o.protocolVersion ?? 5) === 5 ? { properties: { contentType: 'usp.msg', responseTopic: this.o.agentTopic } } : {};
    return new Promise((resolve, reject) => client.publish(topic, Buffer.from(record), { qos: 1, ...properties }, (err) => (err ? reject(err) : resolve())));
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync(true);
  }

  private scheduleReconnect(client: MqttClient): void {
    if (this.client !== client) return;
    const wait = this.nextWait;
    this.nextWait = Math.min(wait * 2, this.o.maxReconnectMs ?? 60_000);
    this.o.logger.info({ waitMs: wait }, 'USP MQTT connection closed; reconnecting');
    setTimeout(() => {
      if (this.client === client) client.reconnect();
    }, wait).unref();
  }
}
