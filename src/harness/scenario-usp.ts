/**
 * The USP side of a scenario: what the Controller asked of each device and when, what each device
 * told it, and how the commands it ran ended, logged from the devices' side; the bundled USP
 * controller doing what the scenario says (`controller.on`); and the USP expectations measured
 * from that log, as counts that add up across shards.
 */
import type { UspMsg } from '../usp/usp-codec.js';
import type { MsgType } from '../usp/usp-schema.js';
import type { UspTestController } from '../usp-controller/usp-test-controller.js';
import type { Expectation, Scenario } from './scenario-schema.js';
import type { Measurement } from './scenario-verdict.js';

interface DeviceUspLog {
  /** When it first told its Controller it was up (OnBoardRequest or Boot!). */
  announcedAt?: number;
  /** The Controller's requests to it. */
  received: { at: number; type: string; paths: string[] }[];
  /** Its notifications by kind, each counted once however often it was sent again (NotifRetry). */
  notifications: Map<string, Set<string>>;
  /** Its Operates waiting for their answer, by msg_id: the command and its key. */
  answering: Map<string, { command: string; key: string }>;
  /** Its asynchronous commands running (answered with a Request row), by command key. */
  running: Map<string, string>;
  /** Its Operates that ended: the command, and whether it succeeded. */
  operations: { command: string; ok: boolean }[];
}

function emptyLog(): DeviceUspLog {
  return { received: [], notifications: new Map(), answering: new Map(), running: new Map(), operations: [] };
}

const NOTIFICATION_KINDS: Record<string, string> = {
  event: 'Event',
  value_change: 'ValueChange',
  obj_creation: 'ObjectCreation',
  obj_deletion: 'ObjectDeletion',
  oper_complete: 'OperationComplete',
  on_board_req: 'OnBoardRequest',
};

type Body = Record<string, unknown>;

/** The paths a Controller's request names: what a scenario's `path` matches. */
export function requestPaths(msg: UspMsg): string[] {
  const request = (msg.body.request ?? {}) as Record<string, Body | undefined>;
  const [name, part] = Object.entries(request).find(([, v]) => v && typeof v === 'object') ?? [];
  if (!part) return [];
  const list = (key: string): string[] => (Array.isArray(part[key]) ? (part[key] as unknown[]).filter((x): x is string => typeof x === 'string') : []);
  const objPaths = (key: string): string[] =>
    Array.isArray(part[key]) ? (part[key] as Body[]).map((o) => o?.['obj_path']).filter((x): x is string => typeof x === 'string') : [];
  switch (name) {
    case 'get':
      return list('param_paths');
    case 'set':
      return objPaths('update_objs');
    case 'add':
      return objPaths('create_objs');
    case 'operate':
      return typeof part['command'] === 'string' ? [part['command']] : [];
    default:
      return list('obj_paths');
  }
}

export class UspScenarioLog {
  private readonly devices = new Map<string, DeviceUspLog>();

  constructor(private readonly now: () => number = Date.now) {}

  private device(serial: string): DeviceUspLog {
    let d = this.devices.get(serial);
    if (!d) this.devices.set(serial, (d = emptyLog()));
    return d;
  }

  /** Every Msg a device received or sent. */
  observe(dir: 'in' | 'out', msg: UspMsg, serial: string): void {
    const d = this.device(serial);
    const type = msg.header.msg_type;
    const id = msg.header.msg_id;
    if (dir === 'in') {
      if (!msg.body.request || type === 'NOTIFY_RESP') return;
      d.received.push({ at: this.now(), type, paths: requestPaths(msg) });
      if (type === 'OPERATE')
        d.answering.set(id, { command: requestPaths(msg)[0] ?? '', key: (msg.body.request['operate'] as { command_key?: string }).command_key ?? '' });
      return;
    }
    if (type === 'NOTIFY') {
      const notify = (msg.body.request?.['notify'] ?? {}) as Body;
      const kind = Object.keys(NOTIFICATION_KINDS).find((k) => notify[k] !== undefined);
      if (!kind) return;
      const seen = d.notifications.get(NOTIFICATION_KINDS[kind]!) ?? new Set<string>();
      seen.add(id);
      d.notifications.set(NOTIFICATION_KINDS[kind]!, seen);
      const event = notify['event'] as { event_name?: string } | undefined;
      if (kind === 'on_board_req' || event?.event_name === 'Boot!') d.announcedAt ??= this.now();
      if (kind === 'oper_complete') {
        const done = notify['oper_complete'] as { command_key?: string; cmd_failure?: unknown };
        const command = d.running.get(done.command_key ?? '');
        if (command === undefined) return;
        d.running.delete(done.command_key ?? '');
        d.operations.push({ command, ok: done.cmd_failure === undefined });
      }
      return;
    }
    const asked = d.answering.get(id);
    if (asked === undefined) return;
    d.answering.delete(id);
    const command = asked.command;
    if (type === 'ERROR') return void d.operations.push({ command, ok: false });
    if (type !== 'OPERATE_RESP') return;
    const result = ((msg.body.response?.['operate_resp'] as { operation_results?: Body[] } | undefined)?.operation_results ?? [])[0] ?? {};
    // An asynchronous command answers with its Request row: its OperationComplete tells the end.
    if (result['req_obj_path'] !== undefined) d.running.set(asked.key, command);
    else d.operations.push({ command, ok: result['cmd_failure'] === undefined });
  }

  announced(serial: string): boolean {
    return this.devices.get(serial)?.announcedAt !== undefined;
  }

  /** A USP expectation measured on these devices; undefined for a CWMP one. */
  measure(
    e: Expectation,
    serials: readonly string[],
    chosen: (serial: string, share: 'all' | object, key: string) => boolean,
    started: number,
  ): Measurement | undefined {
    const logOf = (serial: string): DeviceUspLog => this.devices.get(serial) ?? emptyLog();
    if (e.uspMessage) {
      const want = e.uspMessage;
      const pattern = want.path === undefined ? undefined : new RegExp(want.path);
      const mine = serials.filter((sr) => chosen(sr, want.devices, `expect-${e.name}`));
      const late: string[] = [];
      const got = mine.filter((sr) => {
        const d = logOf(sr);
        const hit = d.received.find((r) => r.type === want.type && (!pattern || r.paths.some((p) => pattern.test(p))));
        if (!hit) return false;
        if (want.withinSeconds !== undefined && hit.at - (d.announcedAt ?? started) > want.withinSeconds * 1000) {
          late.push(sr);
          return false;
        }
        return true;
      });
      return { kind: 'rpc', chosen: mine.length, got: got.length, late: late.length, ...(late[0] ? { lateExample: late[0] } : {}) };
    }
    if (e.uspNotifications) {
      const type = e.uspNotifications.type;
      const counts = serials.map((sr) => {
        const n = logOf(sr).notifications;
        return [sr, type ? (n.get(type)?.size ?? 0) : [...n.values()].reduce((a, s) => a + s.size, 0)] as const;
      });
      const most = counts.reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0] as readonly [string, number]);
      const least = counts.reduce((a, b) => (b[1] < a[1] ? b : a), counts[0] ?? (['', 0] as const));
      return { kind: 'perDevice', most: { serial: most[0], count: most[1] }, least: { serial: least[0], count: least[1] } };
    }
    if (e.uspOperations) {
      const pattern = e.uspOperations.command === undefined ? undefined : new RegExp(e.uspOperations.command);
      const ended = serials.flatMap((sr) => logOf(sr).operations.filter((o) => !pattern || pattern.test(o.command)));
      const unfinished = (sr: string): string[] => [...[...logOf(sr).answering.values()].map((a) => a.command), ...logOf(sr).running.values()];
      const running = serials.reduce((n, sr) => n + unfinished(sr).filter((c) => !pattern || pattern.test(c)).length, 0);
      const failed = ended.find((o) => !o.ok);
      return { kind: 'operations', ok: ended.filter((o) => o.ok).length, total: ended.length, running, ...(failed ? { example: failed.command } : {}) };
    }
    return undefined;
  }
}

/** The bundled USP controller doing what the scenario's `controller.on` says, to each device that tells it. */
export function driveBundledController(controller: UspTestController, s: Scenario): void {
  const on = s.controller.on;
  if (Object.keys(on).length === 0) return;
  controller.onNotification((endpointId, msg) => {
    const notify = (msg.body.request?.['notify'] ?? {}) as { on_board_req?: unknown; event?: { event_name?: string } };
    const name = notify.on_board_req ? 'OnBoardRequest' : notify.event?.event_name;
    for (const m of (name && on[name]) || []) {
      // A device gone meanwhile is what the expectations then show; nothing to do here.
      controller.request(endpointId, m.msgType as MsgType, m.body as UspMsg['body']).catch(() => undefined);
    }
  });
}
