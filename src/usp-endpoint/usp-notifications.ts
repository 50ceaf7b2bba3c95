/**
 * USP notifications from the device's Subscriptions (Device.LocalAgent.Subscription.{i}): each
 * enabled one names its recipient Controller, a NotifType and a ReferenceList; a change or an
 * event that matches goes to that Controller as a Notify. Notifications made while the MTP is
 * down wait (bounded) for the connection.
 */
import type { Logger } from 'pino';
import type { DataModel } from '../datamodel/data-model.js';
import type { BootCause } from '../device/domain-events.js';
import { LocalAgentPaths } from '../models/local-agent.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import type { UspMsg } from '../usp/usp-codec.js';
import { instancePattern } from '../usp/usp-path.js';
import { uniqueKeys } from './usp-data-messages.js';
import { resolveUspPath } from './usp-path-resolution.js';
import { ControllerPermissions, type PermissionKind } from './usp-permissions.js';

export interface Controller {
  /** Its row, "Device.LocalAgent.Controller.1." (a Subscription's Recipient names it without the dot). */
  path: string;
  endpointId: string;
  topic: string;
}

interface Subscription {
  path: string;
  id: string;
  notifType: string;
  references: string[];
  recipient: string;
  sendResp: boolean;
  /** NotifExpiration, seconds: how long a notification with NotifRetry is retried (0: without end). */
  expirationSeconds: number;
  /** TriggerAction: whether it notifies, and the settings it applies when it triggers (Config). */
  notifies: boolean;
  config: readonly { name: string; value: string }[];
}

/** A notification sent with send_resp that waits for its NotifyResp, and is sent again until then. */
interface Unanswered {
  recipient: string;
  msg: UspMsg;
  attempts: number;
  /** Epoch ms after which it is given up (Infinity: never). */
  expiresAt: number;
  timer: TimerHandle | undefined;
}

/** Notifications waiting for their NotifyResp, at most (the oldest is given up). */
const MAX_UNANSWERED = 1000;

/** The wait before retry `n` (1 for the first), ms: drawn from [m·(k/1000)^(n-1), m·(k/1000)^n], n at most 10. */
export function notifRetryWaitMs(n: number, minimumWaitSeconds: number, multiplier: number, random: number): number {
  const k = multiplier / 1000;
  const step = Math.min(Math.max(n, 1), 10);
  const low = minimumWaitSeconds * 1000 * k ** (step - 1);
  return low + (minimumWaitSeconds * 1000 * k ** step - low) * random;
}

/** Notifications kept while the MTP is down, at most. */
const MAX_WAITING = 1000;

export class NotificationRouter {
  private waiting: { to: string; msg: UspMsg }[] = [];
  /** A subscription's TriggerConfigSettings are being applied: what they change triggers no Config. */
  private configuring = false;
  /** By msg_id: a NotifyResp names the Notify it answers by its msg_id. */
  private readonly unanswered = new Map<string, Unanswered>();

  constructor(
    private readonly model: DataModel,
    private readonly log: Logger,
    private readonly parameterKeyName: string,
    private readonly sendTo: (to: Controller, msg: UspMsg) => Promise<boolean>,
    private readonly newMsgId: () => string,
    private readonly controllers: () => Controller[],
    private readonly clock: Clock,
    private readonly random: () => number = Math.random,
    /** A misbehaving agent (on purpose): whether this notification goes once, without waiting for its NotifyResp. */
    private readonly sendsOnce?: () => boolean,
  ) {}

  /** Subscriptions that do not persist are gone after a boot (TR-181 Subscription.Persistent). */
  dropNonPersistent(): void {
    const m = this.model;
    const table = LocalAgentPaths.subscription;
    if (!m.schema.tables.has(`${table}{i}.`)) return;
    for (const n of m.instanceIds(table)) {
      const at = `${table}${n}.`;
      if (m.read(`${at}Persistent`) === 'true') continue;
      // The ParameterKey stays as it is: it is CWMP's.
      const key = m.definitionOf(this.parameterKeyName) ? m.read(this.parameterKeyName) : '';
      m.deleteObject(at, this.parameterKeyName, key);
    }
  }

  /** Periodic! to the subscriptions of one Controller (Event on Device.LocalAgent.Periodic!), on its PeriodicNotifInterval. */
  periodic(controllerPath: string): void {
    for (const s of this.subscriptions('Event')) {
      if (`${s.recipient}.` !== controllerPath || !s.references.includes('Device.LocalAgent.Periodic!')) continue;
      this.notify(s, { event: { obj_path: 'Device.LocalAgent.', event_name: 'Periodic!', params: {} } });
    }
  }

  /** Whether a Controller has any Periodic! subscription (no timer is armed for one that has none). */
  wantsPeriodic(controllerPath: string): boolean {
    return this.subscriptions('Event').some((s) => `${s.recipient}.` === controllerPath && s.references.includes('Device.LocalAgent.Periodic!'));
  }

  /** An OnBoardRequest to a Controller (SendOnBoardRequest()), answered with a NotifyResp and retried until then. */
  onBoard(controllerPath: string, identity: { oui: string; productClass: string; serialNumber: string }, versions: string): string {
    const s: Subscription = {
      path: '',
      id: '',
      notifType: 'OnBoardRequest',
      references: [],
      recipient: controllerPath.slice(0, -1),
      sendResp: true,
      expirationSeconds: 0,
      notifies: true,
      config: [],
    };
    return this.notify(s, {
      on_board_req: {
        oui: identity.oui,
        product_class: identity.productClass,
        serial_number: identity.serialNumber,
        agent_supported_protocol_versions: versions,
      },
    });
  }

  /** OperationComplete of an asynchronous command to its subscribers (the command's path, its object's, or an object above). */
  operationComplete(command: string, commandKey: string, failure: { code: number; message: string } | undefined, outputs: Record<string, string> = {}): void {
    const object = command.slice(0, command.lastIndexOf('.') + 1);
    const name = command.slice(object.length);
    for (const s of this.subscriptions('OperationComplete')) {
      if (!s.references.some((r) => r === command || (r.endsWith('.') && object.startsWith(r)) || matches(r, command))) continue;
      this.notify(s, {
        oper_complete: {
          obj_path: object,
          command_name: name,
          command_key: commandKey,
          ...(failure ? { cmd_failure: { err_code: failure.code, err_msg: failure.message } } : { req_output_args: { output_args: outputs } }),
        },
      });
    }
  }

  /** Boot! to each Controller subscribed to it (Event on Device.Boot!). */
  booted(cause: BootCause, commandKey: string | undefined): void {
    const usp =
      cause === 'factory-reset'
        ? commandKey !== undefined
          ? 'RemoteFactoryReset'
          : 'LocalFactoryReset'
        : commandKey !== undefined
          ? 'RemoteReboot'
          : 'LocalReboot';
    this.event('Device.', 'Boot!', { CommandKey: commandKey ?? '', Cause: usp, FirmwareUpdated: 'false', ParameterMap: '{}' });
  }

  /** An event (obj_path being the instance it happened on) to each Controller subscribed to it, or to its object or one above. */
  event(objPath: string, name: string, params: Record<string, string>): void {
    const full = `${objPath}${name}`;
    for (const s of this.subscriptions('Event')) {
      if (!s.references.some((r) => r === full || (r.endsWith('.') && objPath.startsWith(r)) || matches(r, full))) continue;
      this.notify(s, { event: { obj_path: objPath, event_name: name, params } });
    }
  }

  /** ValueChange to each Controller subscribed to a changed parameter (a full path, or an object path above it). */
  valuesChanged(names: readonly string[]): void {
    // Object paths are instances that came or went: told after the message that made them has set their keys.
    const objects = names.filter((n) => n.endsWith('.'));
    if (objects.length > 0) queueMicrotask(() => this.objectsChanged(objects));
    const subs = this.subscriptions('ValueChange');
    if (subs.length === 0) return;
    for (const name of names) {
      if (name.endsWith('.')) continue;
      for (const s of subs) {
        if (!s.references.some((r) => (r.includes('[') ? this.searchCovers(r, name) : matches(r, name)))) continue;
        this.notify(s, { value_change: { param_path: name, param_value: this.model.definitionOf(name)?.hidden ? '' : this.model.read(name) } });
      }
    }
  }

  /** Whether a reference with a search expression covers a parameter, as the instances are now. */
  private searchCovers(reference: string, name: string): boolean {
    let paths: string[];
    try {
      paths = resolveUspPath(this.model, reference).paths;
    } catch {
      return false;
    }
    return paths.some((p) => (p.endsWith('.') ? name.startsWith(p) : p === name));
  }

  /** ObjectCreation (with the unique keys) or ObjectDeletion to the subscriptions on the instance's table. */
  private objectsChanged(paths: readonly string[]): void {
    for (const path of paths) {
      const m = /^(.*\.)(\d+)\.$/.exec(path);
      if (!m) continue;
      const table = m[1]!;
      const exists = this.model.schema.tables.has(`${table.replace(/\.\d+\./g, '.{i}.')}{i}.`) && this.model.instanceIds(table).includes(Number(m[2]));
      const type = exists ? 'ObjectCreation' : 'ObjectDeletion';
      for (const s of this.subscriptions(type)) {
        if (!s.references.some((r) => r === table || (r.includes('*') && matches(r, table)))) continue;
        this.notify(s, exists ? { obj_creation: { obj_path: path, unique_keys: uniqueKeys(this.model, path) } } : { obj_deletion: { obj_path: path } });
      }
    }
  }

  /** A NotifyResp came back: the Notify it answers (by msg_id) is not sent again. */
  acknowledged(msgId: string): void {
    const u = this.unanswered.get(msgId);
    if (!u) return;
    u.timer?.cancel();
    this.unanswered.delete(msgId);
  }

  /** How many notifications wait for their NotifyResp. */
  get awaitingResponse(): number {
    return this.unanswered.size;
  }

  stop(): void {
    for (const u of this.unanswered.values()) u.timer?.cancel();
  }

  /** The MTP is (back) up: what waited goes now. */
  flush(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) this.deliver(w.to, w.msg);
  }

  private subscriptions(type: string): Subscription[] {
    const m = this.model;
    const table = LocalAgentPaths.subscription;
    if (!m.schema.tables.has(`${table}{i}.`)) return [];
    const out: Subscription[] = [];
    for (const n of m.instanceIds(table)) {
      const at = `${table}${n}.`;
      if (m.read(`${at}Enable`) !== 'true' || m.read(`${at}NotifType`) !== type) continue;
      out.push({
        path: at,
        id: m.read(`${at}ID`),
        notifType: type,
        references: m
          .read(`${at}ReferenceList`)
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean),
        recipient: m.read(`${at}Recipient`),
        sendResp: m.read(`${at}NotifRetry`) === 'true',
        expirationSeconds: Number(m.read(`${at}NotifExpiration`)) || 0,
        ...triggerAction(m, at),
      });
    }
    return out;
  }

  /** Sends a Notify for a subscription (retried until its NotifyResp when it asks for one); its msg_id. */
  private notify(s: Subscription, notification: Record<string, unknown>): string {
    if (s.config.length > 0) this.configure(s);
    if (!s.notifies || !this.mayBeTold(s.recipient, notification)) return '';
    const msg: UspMsg = {
      header: { msg_id: this.newMsgId(), msg_type: 'NOTIFY' },
      body: { request: { notify: { subscription_id: s.id, send_resp: s.sendResp, ...notification } } },
    };
    if (s.sendResp && !this.sendsOnce?.()) {
      // NotifRetry: sent again on the Controller's retry schedule until its NotifyResp comes back.
      if (this.unanswered.size >= MAX_UNANSWERED) {
        const [oldest, u] = this.unanswered.entries().next().value as [string, Unanswered];
        u.timer?.cancel();
        this.unanswered.delete(oldest);
        this.log.warn({ msgId: oldest }, 'USP: too many notifications without a NotifyResp; the oldest is given up');
      }
      const expiresAt = s.expirationSeconds > 0 ? this.clock.now() + s.expirationSeconds * 1000 : Number.POSITIVE_INFINITY;
      const u: Unanswered = { recipient: s.recipient, msg, attempts: 0, expiresAt, timer: undefined };
      this.unanswered.set(msg.header.msg_id, u);
      this.retry(u);
    }
    this.deliver(s.recipient, msg);
    return msg.header.msg_id;
  }

  /**
   * A subscription with TriggerAction Config or NotifyAndConfig triggered: its settings applied, as
   * a Set would (checked; nothing applied when one fails, which is logged). After the notification
   * that triggered it, and never from the changes a configuration itself makes: a setting that
   * triggers its own subscription cannot loop.
   */
  private configure(s: Subscription): void {
    if (this.configuring) return;
    queueMicrotask(() => {
      this.configuring = true;
      try {
        const key = this.model.definitionOf(this.parameterKeyName) ? this.model.read(this.parameterKeyName) : '';
        this.model.setParameterValues(s.config, this.parameterKeyName, key, 'usp');
      } catch (err) {
        this.log.warn({ subscription: s.id, err: (err as Error).message }, "USP: a subscription's TriggerConfigSettings could not be applied");
      } finally {
        this.configuring = false;
      }
    });
  }

  /** Whether the recipient's roles let it be told of what the notification is about ("n"); an OnBoardRequest always goes. */
  private mayBeTold(recipient: string, n: Record<string, unknown>): boolean {
    const what = notificationTarget(n);
    return what === undefined || ControllerPermissions.of(this.model, `${recipient}.`).allows(what.path, what.kind, 'n');
  }

  /** Arms the next try of a notification that waits for its NotifyResp. */
  private retry(u: Unanswered): void {
    u.attempts++;
    const m = this.model;
    const read = (name: string, fallback: number): number => {
      const path = `${u.recipient}.${name}`;
      return m.definitionOf(path) ? Number(m.read(path)) || fallback : fallback;
    };
    const wait = notifRetryWaitMs(u.attempts, read('USPNotifRetryMinimumWaitInterval', 5), read('USPNotifRetryIntervalMultiplier', 2000), this.random());
    if (this.clock.now() + wait > u.expiresAt) {
      u.timer = this.clock.setTimer(Math.max(0, u.expiresAt - this.clock.now()), () => this.unanswered.delete(u.msg.header.msg_id));
      return;
    }
    u.timer = this.clock.setTimer(wait, () => {
      if (!this.unanswered.has(u.msg.header.msg_id)) return;
      this.deliver(u.recipient, u.msg);
      this.retry(u);
    });
  }

  private deliver(recipient: string, msg: UspMsg): void {
    const controller = this.controllers().find((c) => c.path === `${recipient}.` || c.path === recipient);
    if (!controller) return this.log.warn({ recipient }, 'USP: a subscription whose recipient is not an enabled Controller');
    void this.sendTo(controller, msg).then((sent) => {
      if (sent) return;
      if (this.waiting.length >= MAX_WAITING) this.waiting.shift();
      this.waiting.push({ to: recipient, msg });
    });
  }
}

/** The path a notification is about, and what kind of thing it is (for the recipient's "n" permission). */
function notificationTarget(n: Record<string, unknown>): { path: string; kind: PermissionKind } | undefined {
  const value = n['value_change'] as { param_path?: string } | undefined;
  if (value) return { path: value.param_path ?? '', kind: 'Param' };
  const event = n['event'] as { obj_path?: string; event_name?: string } | undefined;
  if (event) return { path: `${event.obj_path ?? ''}${event.event_name ?? ''}`, kind: 'CommandEvent' };
  const done = n['oper_complete'] as { obj_path?: string; command_name?: string } | undefined;
  if (done) return { path: `${done.obj_path ?? ''}${done.command_name ?? ''}`, kind: 'CommandEvent' };
  const object = (n['obj_creation'] ?? n['obj_deletion']) as { obj_path?: string } | undefined;
  if (object) return { path: object.obj_path ?? '', kind: 'InstantiatedObj' };
  return undefined;
}

/** TriggerAction and TriggerConfigSettings ("Name=Value", a string value maybe quoted) of the subscription at `at`. */
function triggerAction(m: DataModel, at: string): Pick<Subscription, 'notifies' | 'config'> {
  const action = m.definitionOf(`${at}TriggerAction`) ? m.read(`${at}TriggerAction`) : 'Notify';
  if (action === 'Notify') return { notifies: true, config: [] };
  const config = m
    .read(`${at}TriggerConfigSettings`)
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.includes('='))
    .map((entry) => {
      const name = entry.slice(0, entry.indexOf('=')).trim();
      const raw = entry.slice(entry.indexOf('=') + 1).trim();
      return { name, value: raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw };
    });
  return { notifies: action === 'NotifyAndConfig', config };
}

/** A ReferenceList entry covers a parameter: the parameter itself, an object path above it, or with "*" for instances. */
function matches(reference: string, name: string): boolean {
  if (!reference.includes('*')) return reference.endsWith('.') ? name.startsWith(reference) : reference === name;
  return instancePattern(reference).test(name);
}
