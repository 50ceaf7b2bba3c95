/**
 * A small USP Controller for tests and the demo, as the test ACS is for CWMP: a WebSocket server
 * (subprotocol v1.usp) that agents connect to, and a client of an MQTT broker when asked, a request/answer helper that sends any Msg to an
 * agent and waits for its answer by msg_id, every notification kept (and answered with a
 * NotifyResp when the agent asks for one), a JSON API on the same port under /api/, and files
 * for the transfers it asks for under /files/.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { MqttMtp } from '../mtp/mqtt-mtp.js';
import { ServedFiles } from '../runtime/served-files.js';
import { ApiRequestRefused, apiPathSegments, guardApiRequest, requestUrl } from '../runtime/api-request-guard.js';
import { JsonBodyError, readJsonBody } from '../runtime/json-body.js';
import { decodeMsg, decodeRecord, msgRecord, type UspMsg, type UspRecord } from '../usp/usp-codec.js';
import { MSG_TYPES, type MsgType } from '../usp/usp-schema.js';

export interface UspTestControllerOptions {
  /** This Controller's EndpointID (default proto::cwmp-agent-controller). */
  endpointId?: string;
  host?: string;
  port?: number;
  /** How long request() waits for an answer, ms (default 30 s). */
  answerTimeoutMs?: number;
}

/** One agent as the Controller knows it. */
export interface KnownAgent {
  endpointId: string;
  connected: boolean;
  /** Messages from the agent (answers and notifications), newest last; the latest 1,000. */
  received: UspMsg[];
  /** The notifications among them. */
  notifications: UspMsg[];
}

/** An agent as the Controller reaches it: over its WebSocket, or on its MQTT topic. */
type Agent = KnownAgent & { send: (bytes: Uint8Array) => void; via: WebSocket | string };

function sendOn(socket: WebSocket): (bytes: Uint8Array) => void {
  return (bytes) => socket.send(bytes, { binary: true });
}

const MAX_KEPT = 1_000;
const MAX_BODY = 1024 * 1024;
const USP_PROTOCOL = 'v1.usp';

export class UspTestController {
  readonly endpointId: string;
  private readonly agents = new Map<string, Agent>();
  private readonly sockets = new Set<WebSocket>();
  private mqtt: MqttMtp | undefined;
  private readonly waiting = new Map<string, { resolve: (m: UspMsg) => void; timer: NodeJS.Timeout }>();
  private server: http.Server | undefined;
  private wss: WebSocketServer | undefined;
  private nextId = 1;
  private readonly watchers: (() => void)[] = [];
  private readonly notificationListeners: ((endpointId: string, msg: UspMsg) => void)[] = [];
  private readonly files = new ServedFiles();

  constructor(private readonly o: UspTestControllerOptions = {}) {
    this.endpointId = o.endpointId ?? 'proto::cwmp-agent-controller';
  }

  /** Listens; returns the WebSocket URL agents connect to. */
  async listen(): Promise<string> {
    const server = http.createServer((req, res) => {
      if (!this.files.handle(req, res)) void this.api(req, res);
    });
    const wss = new WebSocketServer({
      server,
      path: '/usp',
      maxPayload: 4 * 1024 * 1024,
      handleProtocols: (p) => (p.has(USP_PROTOCOL) ? USP_PROTOCOL : false),
    });
    wss.on('connection', (socket, req) => this.accept(socket, req));
    this.server = server;
    this.wss = wss;
    await new Promise<void>((resolve) => server.listen(this.o.port ?? 0, this.o.host ?? '127.0.0.1', resolve));
    return `ws://${this.o.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}/usp`;
  }

  /** Serves a file at <base>/files/<name> (a firmware image or a deployment unit for an Operate); returns its URL. */
  serveFile(name: string, body: Buffer): string {
    this.files.add(name, body);
    return `http://${this.o.host ?? '127.0.0.1'}:${(this.server!.address() as AddressInfo).port}/files/${name}`;
  }

  /**
   * Also a client of an MQTT broker: subscribed to `topic` (agents send there), it answers each
   * agent on the topic its MQTTConnectRecord names (or its Response Topic). Resolves once connected.
   */
  async connectMqtt(o: {
    url: string;
    topic: string;
    version?: 4 | 5;
    username?: string;
    password?: string;
    tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
    logger: Logger;
  }): Promise<void> {
    const mtp = new MqttMtp({
      url: o.url,
      clientId: this.endpointId.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64),
      agentTopic: o.topic,
      protocolVersion: o.version ?? 5,
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      ...(o.tls ? { tls: o.tls } : {}),
      logger: o.logger,
    });
    this.mqtt = mtp;
    mtp.onRecord((m) => this.fromBroker(mtp, m.payload, m.responseTopic));
    const connected = new Promise<void>((resolve) => mtp.onConnected(resolve));
    mtp.start();
    await connected;
  }

  async close(): Promise<void> {
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    for (const s of this.sockets) s.terminate();
    await this.mqtt?.stop();
    this.wss?.close();
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
  }

  /** The agents that have connected, in order. */
  list(): KnownAgent[] {
    return [...this.agents.values()].map(({ send: _s, via: _v, ...a }) => a);
  }

  agent(endpointId: string): KnownAgent | undefined {
    return this.agents.get(endpointId);
  }

  /** Resolves once `predicate` holds (checked on each message), or rejects after timeoutMs. */
  waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.watchers.splice(this.watchers.indexOf(check), 1);
        reject(new Error(`waitFor timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const check = (): void => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.watchers.splice(this.watchers.indexOf(check), 1);
        resolve();
      };
      this.watchers.push(check);
    });
  }

  /** Calls `listener` with every notification from every agent. */
  onNotification(listener: (endpointId: string, msg: UspMsg) => void): void {
    this.notificationListeners.push(listener);
  }

  /** Sends a request to a connected agent and resolves with its answer (a response or an Error). */
  request(endpointId: string, msgType: MsgType, body: UspMsg['body']): Promise<UspMsg> {
    const agent = this.agents.get(endpointId);
    if (!agent?.send || !agent.connected) return Promise.reject(new Error(`agent ${endpointId} is not connected`));
    const id = `ctl-${this.nextId++}`;
    const send = agent.send;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`no answer from ${endpointId} to ${msgType} ${id} within ${(this.o.answerTimeoutMs ?? 30_000) / 1000} s`));
      }, this.o.answerTimeoutMs ?? 30_000);
      this.waiting.set(id, { resolve, timer });
      send(msgRecord(this.endpointId, endpointId, { header: { msg_id: id, msg_type: msgType }, body }));
    });
  }

  /** A Record from the broker: the agent is known by its from_id, answered on its own topic. */
  private fromBroker(mtp: MqttMtp, payload: Uint8Array, responseTopic: string | undefined): void {
    let record: UspRecord;
    try {
      record = decodeRecord(payload);
    } catch {
      return;
    }
    if (!record.from_id) return;
    const known = this.agents.get(record.from_id)?.via;
    const topic = record.mqtt_connect?.subscribed_topic || responseTopic || (typeof known === 'string' ? known : undefined);
    if (!topic) return;
    this.fromAgent(
      this.know(record.from_id, (bytes) => void mtp.publish(topic, bytes).catch(() => undefined), topic),
      record,
    );
  }

  /** A Record from a known agent, over either transport: its Msg received (a connect Record only wakes the watchers). */
  private fromAgent(agent: Agent, record: UspRecord): void {
    if (!record.no_session_context) return this.notify();
    let msg: UspMsg;
    try {
      msg = decodeMsg(record.no_session_context.payload);
    } catch {
      return;
    }
    this.receive(agent, msg);
  }

  private accept(socket: WebSocket, req: http.IncomingMessage): void {
    const eid = new URL(req.url ?? '/', 'http://x').searchParams.get('eid') ?? '';
    let agent = eid ? this.agents.get(eid) : undefined;
    socket.on('message', (data, binary) => {
      let record: UspRecord;
      try {
        if (!binary) throw new Error('text frame');
        record = decodeRecord(new Uint8Array(data as Buffer));
      } catch {
        return socket.close(1003, 'not a USP Record');
      }
      agent = this.know(record.from_id || eid, sendOn(socket), socket);
      this.fromAgent(agent, record);
    });
    this.sockets.add(socket);
    socket.on('close', () => {
      this.sockets.delete(socket);
      if (agent && agent.via === socket) agent.connected = false;
      this.notify();
    });
    if (eid) agent = this.know(eid, sendOn(socket), socket);
  }

  /** The agent of this EndpointID, reached now by `send` over `via` (its WebSocket, or its MQTT topic). */
  private know(endpointId: string, send: (bytes: Uint8Array) => void, via: WebSocket | string): Agent {
    let agent = this.agents.get(endpointId);
    if (!agent) {
      agent = { endpointId, connected: true, received: [], notifications: [], send, via };
      this.agents.set(endpointId, agent);
    }
    agent.send = send;
    agent.via = via;
    agent.connected = true;
    return agent;
  }

  private receive(agent: Agent, msg: UspMsg): void {
    push(agent.received, msg);
    if (msg.header.msg_type === 'NOTIFY') {
      push(agent.notifications, msg);
      for (const l of this.notificationListeners) l(agent.endpointId, msg);
      const notify = msg.body.request?.['notify'] as { subscription_id?: string; send_resp?: boolean } | undefined;
      if (notify?.send_resp)
        agent.send(
          msgRecord(this.endpointId, agent.endpointId, {
            header: { msg_id: msg.header.msg_id, msg_type: 'NOTIFY_RESP' },
            body: { response: { notify_resp: { subscription_id: notify.subscription_id ?? '' } } },
          }),
        );
    }
    const waiter = this.waiting.get(msg.header.msg_id);
    if (waiter) {
      clearTimeout(waiter.timer);
      this.waiting.delete(msg.header.msg_id);
      waiter.resolve(msg);
    }
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.watchers]) w();
  }

  /* ---------- the JSON API ---------- */

  private async api(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, body: unknown): void => void res.writeHead(status, { 'Content-Type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
    try {
      guardApiRequest(req);
      const url = requestUrl(req);
      if (!url.pathname.startsWith('/api/')) return send(404, { error: 'the JSON API is under /api/ (agents connect to /usp)' });
      const [collection, id, sub] = apiPathSegments(url.pathname);
      if (collection !== 'agents') return send(404, { error: 'try /api/agents' });
      if (!id)
        return send(
          200,
          this.list().map((a) => ({ endpointId: a.endpointId, connected: a.connected, notifications: a.notifications.length })),
        );
      const agent = this.agents.get(id);
      if (!agent) return send(404, { error: `no agent ${id}` });
      if (!sub) return send(200, { endpointId: agent.endpointId, connected: agent.connected, received: agent.received.slice(-50) });
      if (sub === 'notifications') return send(200, agent.notifications);
      if (sub === 'messages' && req.method === 'POST') {
        const body = (await readJsonBody(req, MAX_BODY)) as { msgType?: unknown; body?: unknown };
        if (typeof body.msgType !== 'string' || !(body.msgType in MSG_TYPES) || typeof body.body !== 'object' || body.body === null)
          return send(400, { error: 'send {"msgType": "GET", "body": {"request": {"get": {"param_paths": ["Device.DeviceInfo."]}}}}' });
        return send(200, await this.request(id, body.msgType as MsgType, body.body as UspMsg['body']));
      }
      return send(404, { error: `no ${sub} for an agent (messages, notifications)` });
    } catch (err) {
      if (err instanceof ApiRequestRefused) return send(err.status, { error: err.message });
      if (err instanceof JsonBodyError) return send(err.status, { error: err.message });
      return send(502, { error: (err as Error).message });
    }
  }
}

function push<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > MAX_KEPT) list.splice(0, list.length - MAX_KEPT);
}
