/**
 * The USP endpoint of one device (TR-369 Agent): attached to the same device runtime as the
 * CWMP endpoint, it answers its Controllers' messages over an MTP, and turns the runtime's
 * domain events into USP notifications for their Subscriptions (Boot!, ValueChange). Records
 * for another agent, from a Controller it does not know, or that do not parse are dropped and
 * logged, never answered with a crash.
 */
import type { Logger } from 'pino';
import type { DeviceRuntime } from '../device/device-runtime.js';
import type { AttachedEndpoint, BootCause, DomainEvent } from '../device/domain-events.js';
import { LocalAgentPaths } from '../models/local-agent.js';
import type { MqttMtp } from '../mtp/mqtt-mtp.js';
import type { WebSocketMtp } from '../mtp/websocket-mtp.js';
import { bodyPart, decodeMsg, decodeRecord, encodeRecord, msgRecord, UspDecodeError, type UspMsg, type UspRecord } from '../usp/usp-codec.js';
import { UspError, UspErrorCode } from '../usp/usp-errors.js';
import type { MsgType } from '../usp/usp-schema.js';
import { add, get, getInstances, remove, set, UspMessageFailure, type DataMessageContext } from './usp-data-messages.js';
import { getSupportedDm, operate, SUPPORTED_PROTOCOL_VERSIONS, type CommandRequest } from './usp-device-messages.js';
import { CommandRequests } from './usp-command-requests.js';
import { OnBoarding } from './usp-onboarding.js';
import { checkPermissions, readable } from './usp-access.js';
import { ControllerPermissions, forgetPermissions, touchesPermissions } from './usp-permissions.js';
import { enabledControllers, provisionLocalAgent, trustUnassignedControllers, type ConfiguredController } from './usp-local-agent.js';
import { NotificationRouter, type Controller } from './usp-notifications.js';
import { PeriodicNotifications } from './usp-periodic.js';
import { SubscriptionExpiry } from './usp-subscription-expiry.js';
import type { UspAnswerMisbehaviour, UspMisbehaviour } from './usp-misbehaviour.js';

/** Told of each Record that arrives; 'unreadable' when it is not a Record (a WebSocket then closes with 1003). */
export type RecordReceiver = (m: { payload: Uint8Array; responseTopic: string | undefined }) => 'unreadable' | undefined;

/** What the endpoint needs of its transport (the MQTT client, or a WebSocket to the Controller). */
export interface UspTransport {
  /** As Device.LocalAgent.Controller.{i}.MTP.{i}.Protocol names it. */
  readonly protocol: 'MQTT' | 'WebSocket';
  start(): void;
  stop(): Promise<void>;
  onRecord(receiver: RecordReceiver): void;
  onConnected(listener: () => void): void;
  readonly connected: boolean;
  /** Sends a Record to a Controller's address (an MQTT topic; the one session of a WebSocket). */
  publish(address: string, record: Uint8Array): Promise<void>;
  /** Cuts the connection as a network would (no clean close): the transport reconnects as after any loss. */
  drop?(): void;
  /** The connect Record that announces the agent on this transport, sent to each Controller. */
  connectRecord(): Pick<UspRecord, 'mqtt_connect' | 'websocket_connect'>;
}

/** The MQTT client as the endpoint's transport: its MQTTConnectRecord names its topic and version. */
export function overMqtt(mtp: MqttMtp): UspTransport {
  return {
    protocol: 'MQTT',
    start: () => mtp.start(),
    stop: () => mtp.stop(),
    onRecord: (r) => mtp.onRecord((m) => void r(m)),
    onConnected: (l) => mtp.onConnected(l),
    get connected() {
      return mtp.connected;
    },
    publish: (topic, record) => mtp.publish(topic, record),
    drop: () => mtp.drop(),
    connectRecord: () => ({ mqtt_connect: { version: mtp.protocolVersion === 5 ? 'V5' : 'V3_1_1', subscribed_topic: mtp.agentTopic } }),
  };
}

/** No outgoing transport: an agent that only accepts sessions from its Controllers. */
export function noOutgoingTransport(): UspTransport {
  return {
    protocol: 'WebSocket',
    start: () => {},
    stop: async () => {},
    onRecord: () => {},
    onConnected: () => {},
    connected: false,
    publish: () => Promise.reject(new Error('this agent opens no session: its Controllers connect to it')),
    connectRecord: () => ({ websocket_connect: {} }),
  };
}

/** Sessions Controllers open to the agent (R-WS.6): answered on the session they came on. */
export interface UspListener {
  start(): Promise<void>;
  stop(): Promise<void>;
  onRecord(receiver: RecordReceiver): void;
  onConnected(listener: (endpointId: string) => void): void;
  reaches(endpointId: string): boolean;
  publish(endpointId: string, record: Uint8Array): Promise<void>;
}

/** A WebSocket session to the Controller as the endpoint's transport. */
export function overWebSocket(mtp: WebSocketMtp): UspTransport {
  return {
    protocol: 'WebSocket',
    start: () => mtp.start(),
    stop: () => mtp.stop(),
    onRecord: (r) => mtp.onRecord(r),
    onConnected: (l) => mtp.onConnected(l),
    get connected() {
      return mtp.connected;
    },
    publish: (address, record) => mtp.publish(address, record),
    drop: () => mtp.drop(),
    connectRecord: () => ({ websocket_connect: {} }),
  };
}

export type { ConfiguredController };

export interface UspEndpointOptions {
  endpointId: string;
  controllers: readonly ConfiguredController[];
  transport: UspTransport;
  /** WebSocket sessions Controllers open to the agent, besides the transport (see websocket-listener-mtp.ts). */
  listener?: UspListener;
  logger: Logger;
  /** The CWMP ParameterKey's path: USP changes leave it alone. */
  parameterKeyName: string;
  /** Told of every Msg received from a Controller and sent to one (a fleet counts them, a trace shows them). */
  observer?: UspMessageObserver;
  /**
   * Send an OnBoardRequest to each Controller the first time this agent is configured with it
   * (the "internal policy" case of R-NOT.5): a fleet's new devices announce themselves so.
   */
  onBoardNewControllers?: boolean;
  /** The owner tells it the device's events (domainEvent) instead of it attaching to the device itself. */
  detached?: boolean;
  /** Misbehaving on purpose when answering (a fleet testing a Controller). */
  misbehaviour?: UspMisbehaviour;
}

export type UspMessageObserver = (dir: 'in' | 'out', msg: UspMsg, controllerEndpointId: string) => void;

/** A request's body part name → the response's, and the types of each. */
const RESPONSES: Record<string, { part: string; type: MsgType }> = {
  get: { part: 'get_resp', type: 'GET_RESP' },
  set: { part: 'set_resp', type: 'SET_RESP' },
  add: { part: 'add_resp', type: 'ADD_RESP' },
  delete: { part: 'delete_resp', type: 'DELETE_RESP' },
  get_instances: { part: 'get_instances_resp', type: 'GET_INSTANCES_RESP' },
  get_supported_dm: { part: 'get_supported_dm_resp', type: 'GET_SUPPORTED_DM_RESP' },
  get_supported_protocol: { part: 'get_supported_protocol_resp', type: 'GET_SUPPORTED_PROTO_RESP' },
  operate: { part: 'operate_resp', type: 'OPERATE_RESP' },
};

export class UspEndpoint {
  private readonly ctx: DataMessageContext;
  private readonly notifications: NotificationRouter;
  private readonly requests: CommandRequests;
  private readonly onBoarding: OnBoarding;
  private readonly periodic: PeriodicNotifications;
  private readonly expiry: SubscriptionExpiry;
  private lastBoot: { cause: BootCause; commandKey?: string } | undefined;
  /** Controller rows added at this boot, owed an OnBoardRequest once the device is ready. */
  private newControllers: string[] = [];
  private nextMsgId = 1;
  private readonly attachment: AttachedEndpoint | undefined;

  constructor(
    private readonly device: DeviceRuntime,
    private readonly o: UspEndpointOptions,
  ) {
    this.ctx = { model: device.model, parameterKeyName: o.parameterKeyName };
    this.notifications = new NotificationRouter(
      device.model,
      o.logger,
      o.parameterKeyName,
      (c, m) => this.send(c, m),
      () => `notify-${this.nextMsgId++}`,
      () => this.controllers(),
      device.clock,
      Math.random,
      o.misbehaviour ? () => o.misbehaviour?.('NOTIFY')?.noNotifyRetry === true : undefined,
    );
    this.requests = new CommandRequests(device, this.notifications);
    this.onBoarding = new OnBoarding(device.model, device.clock, (at) => this.notifications.onBoard(at, this.device.identity, SUPPORTED_PROTOCOL_VERSIONS));
    this.periodic = new PeriodicNotifications(
      device.model,
      device.clock,
      (c) => this.notifications.wantsPeriodic(c),
      (c) => this.notifications.periodic(c),
    );
    this.expiry = new SubscriptionExpiry(device.model, device.clock, o.parameterKeyName);
    if (!o.detached) {
      this.attachment = { busy: () => false, on: (e) => this.domainEvent(e) };
      device.attach(this.attachment);
    }
    o.transport.onRecord((m) => this.receive(m.payload, m.responseTopic, false));
    o.transport.onConnected(() => this.announce());
    o.listener?.onRecord((m) => this.receive(m.payload, undefined, true));
    o.listener?.onConnected((endpointId) => {
      const c = this.controllers().find((x) => x.endpointId === endpointId);
      if (!c) return;
      void this.o.listener
        ?.publish(endpointId, encodeRecord({ version: '1.4', to_id: endpointId, from_id: o.endpointId, websocket_connect: {} }))
        .catch(() => {});
      this.notifications.flush();
    });
  }

  start(): void {
    this.o.transport.start();
    void this.o.listener?.start().catch((err: Error) => this.o.logger.error({ err: err.message }, 'USP: cannot accept WebSocket sessions'));
  }

  /**
   * Started on a device that is already running (its ACS or a Controller turned USP on): it sends
   * an OnBoardRequest to every enabled Controller it can reach, as an agent that first comes online.
   */
  activate(): void {
    this.provisionLocalAgent();
    for (const c of this.controllers()) if (c.topic) this.onBoarding.send(c.path);
    this.expiry.arm();
    this.periodic.arm();
  }

  async stop(): Promise<void> {
    if (this.attachment) this.device.detach(this.attachment);
    this.notifications.stop();
    this.requests.stop();
    this.onBoarding.stop();
    this.periodic.stop();
    this.expiry.stop();
    await this.o.listener?.stop();
    return this.o.transport.stop();
  }

  /* ---------- the device's events in USP's words ---------- */

  /** An event of the device, in USP's words (attached, it hears them itself; detached, its owner tells it). */
  domainEvent(e: DomainEvent): void {
    switch (e.kind) {
      case 'booted':
        this.lastBoot = e.commandKey === undefined ? { cause: e.cause } : { cause: e.cause, commandKey: e.commandKey };
        this.provisionLocalAgent();
        this.notifications.dropNonPersistent();
        return;
      case 'ready':
        if (this.lastBoot) this.notifications.booted(this.lastBoot.cause, this.lastBoot.commandKey);
        for (const at of this.newControllers.splice(0)) this.onBoarding.send(at);
        this.expiry.arm();
        return this.periodic.arm();
      case 'going-down':
        this.expiry.stop();
        return this.periodic.stop();
      case 'values-changed':
        if (touchesPermissions(e.names)) forgetPermissions(this.device.model);
        if (PeriodicNotifications.relevant(e.names)) this.periodic.arm();
        if (e.names.some((n) => n.startsWith(LocalAgentPaths.subscription))) this.expiry.arm();
        if (e.origin !== 'device') this.onBoarding.valuesChanged(e.names);
        return this.notifications.valuesChanged(e.names);
      case 'transfer-finished':
        if (e.transfer?.origin === 'USP' && e.report) this.requests.transferFinished(e.transfer.commandKey, e.report.fault);
        return;
      case 'du-change-finished':
        if (e.change?.origin === 'USP') this.requests.deploymentUnitsChanged(e.change);
        return;
      case 'timer-fired':
        return this.requests.timerFired(e.timer.request);
      default:
        return;
    }
  }

  /** The agent's EndpointID and the configured Controllers in Device.LocalAgent; new ones are onboarded when asked. */
  private provisionLocalAgent(): void {
    const made = provisionLocalAgent(this.device.model, this.o.endpointId, this.o.controllers, this.o.transport.protocol);
    if (this.o.onBoardNewControllers) this.newControllers.push(...made);
  }

  /** Full Access for the Controller rows with no role yet (see usp-local-agent.ts). */
  trustUnassignedControllers(): void {
    trustUnassignedControllers(this.device.model);
  }

  private controllers(): Controller[] {
    return enabledControllers(this.device.model, this.o.controllers, this.o.transport.protocol);
  }

  /** On each connection: the MQTTConnectRecord to every Controller, then what waited for the connection. */
  private announce(): void {
    const connect = this.o.transport.connectRecord();
    for (const c of this.controllers()) {
      if (!c.topic) continue;
      const record: UspRecord = { version: '1.4', to_id: c.endpointId, from_id: this.o.endpointId, ...connect };
      void this.publish(c.topic, record, c.endpointId);
    }
    this.notifications.flush();
  }

  /* ---------- messages ---------- */

  /** A Record arrived: 'unreadable' at once when it is none; otherwise handled (and answered) after. */
  private receive(payload: Uint8Array, responseTopic: string | undefined, onListener: boolean): 'unreadable' | undefined {
    let record: UspRecord;
    try {
      record = decodeRecord(payload);
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, 'USP: not a Record; dropped');
      return 'unreadable';
    }
    void this.handle(record, responseTopic, onListener);
    return undefined;
  }

  private async handle(record: UspRecord, responseTopic: string | undefined, onListener: boolean): Promise<void> {
    const log = this.o.logger;
    if (record.to_id !== this.o.endpointId) return log.warn({ to: record.to_id }, 'USP: a Record for another endpoint; dropped');
    const controller = this.controllers().find((c) => c.endpointId === record.from_id);
    if (!controller) return log.warn({ from: record.from_id }, 'USP: a Record from a Controller this agent does not know; dropped');
    if (!record.no_session_context) return; // Connect and disconnect Records need no answer; session contexts are not used.
    let msg: UspMsg;
    try {
      msg = decodeMsg(record.no_session_context.payload);
    } catch (err) {
      if (err instanceof UspDecodeError) log.warn({ err: err.message }, 'USP: a Record whose payload is not a Msg; dropped');
      return;
    }
    this.o.observer?.('in', msg, controller.endpointId);
    const answer = this.answer(msg, controller);
    // The answer goes back the way the request came: the session it came on, or the Response Topic.
    const to = onListener ? { ...controller, topic: '', session: true } : { ...controller, topic: responseTopic ?? controller.topic };
    const odd = answer && bodyPart(msg.body.request) ? this.o.misbehaviour?.(msg.header.msg_type) : undefined;
    if (odd) return this.misbehave(odd, to, answer!.msg, answer!.after);
    if (answer) await this.send(to, answer.msg);
    answer?.after?.();
  }

  /** Answers a request the way a misbehaviour rule says (what the request asked is still carried out). */
  private async misbehave(odd: UspAnswerMisbehaviour, to: Controller & { session?: boolean }, msg: UspMsg, after: (() => void) | undefined): Promise<void> {
    if (odd.delayMs) await new Promise<void>((r) => this.device.clock.setTimer(odd.delayMs!, r));
    if (odd.dropConnection) {
      this.o.transport.drop?.();
      return after?.();
    }
    if (odd.never) return after?.();
    let out = msg;
    if (odd.error) out = errorMsg(msg.header.msg_id, odd.error.code, odd.error.message);
    if (odd.wrongMsgId) out = { ...out, header: { ...out.header, msg_id: `${out.header.msg_id}-not-yours` } };
    if (odd.malformed) await this.publishBytes(to.topic, Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    else if (odd.wrongToId) await this.publishBytes(to.topic, msgRecord(this.o.endpointId, `${to.endpointId}-someone-else`, out));
    else await this.send(to, out);
    after?.();
  }

  private async publishBytes(topic: string, bytes: Uint8Array): Promise<void> {
    if (!topic) return;
    await this.o.transport.publish(topic, bytes).catch(() => {});
  }

  /** The answer to one message (none to a response or a notification), and what to do once it is sent. */
  private answer(msg: UspMsg, controller: Controller): { msg: UspMsg; after?: () => void } | undefined {
    const id = msg.header.msg_id;
    const response = bodyPart(msg.body.response);
    if (response) {
      if (response[0] === 'notify_resp') {
        this.notifications.acknowledged(id);
        this.onBoarding.acknowledged(id);
      }
      return undefined;
    }
    if (msg.body.error) return undefined;
    const request = bodyPart(msg.body.request);
    if (!request) return { msg: errorMsg(id, UspErrorCode.MessageFailed, 'a Msg without a request') };
    const [kind, body] = request;
    const shape = RESPONSES[kind];
    if (!shape) return { msg: errorMsg(id, UspErrorCode.MessageNotSupported, `${kind} is not supported by this agent`) };
    try {
      let after: (() => void) | undefined;
      let result: Record<string, unknown>;
      const permissions = ControllerPermissions.of(this.device.model, controller.path);
      checkPermissions(this.device.model, permissions, kind, body);
      switch (kind) {
        case 'get':
          result = readable(get(this.ctx, body), permissions);
          break;
        case 'set':
          result = set(this.ctx, body);
          break;
        case 'add':
          result = add(this.ctx, body, (instance) => {
            // A Controller another one adds is untrusted until given a role (TR-369 access control).
            const untrusted = `${LocalAgentPaths.controllerTrust}UntrustedRole`;
            if (
              /^Device\.LocalAgent\.Controller\.\d+\.$/.test(instance) &&
              this.device.model.read(`${instance}AssignedRole`) === '' &&
              this.device.model.definitionOf(untrusted)
            ) {
              this.device.model.provision({ [`${instance}AssignedRole`]: this.device.model.read(untrusted) });
              forgetPermissions(this.device.model);
            }
            // A Subscription belongs to the Controller that created it, and counts its TimeToLive from now.
            if (instance.startsWith(LocalAgentPaths.subscription))
              this.device.model.writeFromDevice({
                [`${instance}Recipient`]: controller.path.slice(0, -1),
                [`${instance}CreationDate`]: new Date(this.device.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
              });
          });
          break;
        case 'delete':
          result = remove(this.ctx, body);
          break;
        case 'get_instances':
          result = getInstances(this.ctx, body);
          break;
        case 'get_supported_dm':
          result = getSupportedDm(this.device.model, body);
          break;
        case 'get_supported_protocol':
          result = { agent_supported_protocol_versions: SUPPORTED_PROTOCOL_VERSIONS };
          break;
        default: {
          const op = operate(this.device, body as CommandRequest, {
            onBoard: (controllerPath) => this.onBoarding.send(controllerPath),
            startRequest: (command, commandKey) => this.requests.start(controller.endpointId, command, commandKey),
            runInBackground: (request, work) => this.requests.runInBackground(request, work),
            cancelRequest: (request) => this.requests.cancel(request),
          });
          if (!op.respond) {
            op.after?.();
            return undefined;
          }
          result = op.result;
          after = op.after;
        }
      }
      return { msg: { header: { msg_id: id, msg_type: shape.type }, body: { response: { [shape.part]: result } } }, ...(after ? { after } : {}) };
    } catch (err) {
      if (err instanceof UspMessageFailure) return { msg: errorMsg(id, err.code, err.message, err.paramErrs) };
      if (err instanceof UspError) return { msg: errorMsg(id, err.code, err.message) };
      this.o.logger.error({ err, kind }, 'USP: a message failed');
      return { msg: errorMsg(id, UspErrorCode.InternalError, 'internal error') };
    }
  }

  /** Sends a Msg to a Controller (on its session to the agent when it has one); false when it could not go. */
  private async send(to: Controller & { session?: boolean }, msg: UspMsg): Promise<boolean> {
    const listener = this.o.listener;
    if (listener && (to.session || listener.reaches(to.endpointId))) {
      try {
        await listener.publish(to.endpointId, msgRecord(this.o.endpointId, to.endpointId, msg));
        this.o.observer?.('out', msg, to.endpointId);
        return true;
      } catch (err) {
        this.o.logger.warn({ err: (err as Error).message, controller: to.endpointId }, 'USP: could not send');
        return false;
      }
    }
    return this.publish(to.topic, undefined, to.endpointId, msg);
  }

  private async publish(topic: string, record: UspRecord | undefined, toId: string, msg?: UspMsg): Promise<boolean> {
    if (!topic) return false;
    const bytes = msg ? msgRecord(this.o.endpointId, toId, msg) : encodeRecord(record!);
    try {
      await this.o.transport.publish(topic, bytes);
      if (msg) this.o.observer?.('out', msg, toId);
      return true;
    } catch (err) {
      // While the MTP is down, notifications wait for it (and the connection's loss was logged): no warning each.
      this.o.logger[this.o.transport.connected ? 'warn' : 'debug']({ err: (err as Error).message, topic }, 'USP: could not send');
      return false;
    }
  }
}

function errorMsg(msgId: string, code: number, message: string, paramErrs?: { param_path: string; err_code: number; err_msg: string }[]): UspMsg {
  return {
    header: { msg_id: msgId, msg_type: 'ERROR' },
    body: { error: { err_code: code, err_msg: message, ...(paramErrs ? { param_errs: paramErrs } : {}) } },
  };
}
