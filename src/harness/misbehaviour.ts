/**
 * Devices that misbehave on demand, for testing an ACS: a declarative list of rules, each for a
 * share of the devices (a percentage chosen by a stable hash of the serial, a serial pattern, or
 * a profile) and, optionally, only some of their sessions (every N-th, a probability). What a
 * rule does: answer an RPC with a CWMP fault (SetParameterValuesFault entries too), answer late,
 * close the connection instead of answering, send a malformed envelope, ignore or refuse
 * connection requests, fail a download with a chosen fault, cut the power at random, or move a
 * value by itself so that notifications flow. Presets name vendor quirks seen in the field.
 * Every firing is counted (fleet summary, metrics, trace).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AgentMisbehaviour, AnswerMisbehaviour, ConnectionRequestMisbehaviour, DeviceQuirks, TransferMisbehaviour } from '../agent/agent-misbehaviour.js';
import type { AcsRequest } from '../cwmp/messages.js';
import type { UspAnswerMisbehaviour } from '../usp-endpoint/usp-misbehaviour.js';

const faultCode = z.number().int().min(9000).max(9899);

const action = z.union([
  z
    .object({
      rpcFault: z
        .object({ method: z.string(), code: faultCode, parameterFaults: z.array(z.object({ name: z.string(), code: faultCode }).strict()).optional() })
        .strict(),
    })
    .strict(),
  z.object({ delayAnswer: z.object({ ms: z.number().int().min(1).max(600_000), method: z.string().optional() }).strict() }).strict(),
  z.object({ dropConnection: z.object({ method: z.string().optional(), at: z.enum(['before', 'mid-body']).optional() }).strict() }).strict(),
  z.object({ stallAnswer: z.object({ ms: z.number().int().min(1).max(600_000), method: z.string().optional() }).strict() }).strict(),
  z.object({ malformedAnswer: z.object({ method: z.string().optional() }).strict() }).strict(),
  z.object({ badAnswer: z.object({ method: z.string().optional(), kind: z.enum(['wrong-namespace', 'wrong-id']) }).strict() }).strict(),
  z.object({ connectionRequests: z.enum(['ignore', 'refuse', 'error']) }).strict(),
  z
    .object({
      downloadFault: z
        .object({
          code: z.union([z.literal(9001), z.literal(9002), faultCode]),
          fileType: z.string().optional(),
          // Fetch this many bytes first, then give up: the file server sees a real, cut download.
          afterBytes: z.number().int().min(1).optional(),
        })
        .strict(),
    })
    .strict(),
  z.object({ slowDownload: z.object({ bytesPerSecond: z.number().int().min(1) }).strict() }).strict(),
  z.object({ powerCut: z.object({ everySeconds: z.number().positive() }).strict() }).strict(),
  z
    .object({
      clockDrift: z
        .object({
          seconds: z
            .number()
            .min(-10 * 365 * 86_400)
            .max(10 * 365 * 86_400)
            .refine((s) => s !== 0, 'a drift of 0 is no drift'),
        })
        .strict(),
    })
    .strict(),
  // A firmware image that downloads and installs, then fails its boot: the device comes back on the old one.
  z.object({ firmwareRollback: z.object({}).strict() }).strict(),
  // After a firmware install the device loops: it boots (and informs 1 BOOT) this many more times before TransferComplete.
  z.object({ rebootLoop: z.object({ boots: z.number().int().min(1).max(50) }).strict() }).strict(),
  // USP agents answering their Controller badly (kind), for requests of one Msg type or all.
  z
    .object({
      uspAnswer: z
        .object({
          kind: z.enum(['late', 'never', 'error', 'wrong-msg-id', 'wrong-to-id', 'malformed', 'drop-connection']),
          msgType: z.string().optional(),
          /** late: how late. */
          ms: z.number().int().min(1).max(600_000).optional(),
          /** error: the USP error code sent instead of the answer. */
          errorCode: z.number().int().min(7000).max(7999).optional(),
        })
        .strict()
        .refine((a) => a.kind !== 'late' || a.ms !== undefined, 'late needs ms'),
    })
    .strict(),
  // USP agents whose connection to the broker drops every so often (a flapping network): each reconnects on its schedule.
  z.object({ uspReconnectStorm: z.object({ everySeconds: z.number().positive() }).strict() }).strict(),
  // USP agents that send each notification once, even one that asks for its NotifyResp, and never wait for it or send it again.
  z.object({ uspNotifyWithoutRetry: z.object({}).strict() }).strict(),
  z
    .object({
      changingValue: z.object({ name: z.string(), everySeconds: z.number().positive(), kind: z.enum(['counter', 'signal']).default('counter') }).strict(),
    })
    .strict(),
  z
    .object({
      preset: z.enum([
        'refuses-empty-gpn-path',
        'faults-every-spv',
        'slow-answers',
        'numeric-booleans',
        'capitalised-booleans',
        'no-xsi-type',
        'cwmp-1-0-only',
        'no-cookies',
        'basic-auth-only',
      ]),
    })
    .strict(),
]);

export const misbehaviourRuleSchema = z
  .object({
    name: z.string().min(1),
    devices: z
      .object({
        percent: z.number().min(0).max(100).optional(),
        serials: z
          .string()
          .refine((s) => {
            try {
              new RegExp(s);
              return true;
            } catch {
              return false;
            }
          }, 'not a regular expression')
          .optional(),
        profile: z.string().optional(),
      })
      .strict()
      .default({}),
    sessions: z
      .object({
        every: z.number().int().min(1).optional(),
        probability: z.number().min(0).max(1).optional(),
        // A time window, in seconds since the rules were loaded (the run began).
        afterSeconds: z.number().min(0).optional(),
        beforeSeconds: z.number().positive().optional(),
      })
      .strict()
      .refine(
        (s) => s.afterSeconds === undefined || s.beforeSeconds === undefined || s.afterSeconds < s.beforeSeconds,
        'afterSeconds must come before beforeSeconds',
      )
      .optional(),
    do: action,
  })
  .strict();

export type MisbehaviourRule = z.infer<typeof misbehaviourRuleSchema>;
type Action = MisbehaviourRule['do'];
/** An action's name: the one key of its object ("rpcFault", "powerCut", ...). */
type KindOf<A> = A extends unknown ? keyof A : never;
type ActionKind = KindOf<Action>;
/** The arguments of an action of a kind. */
type ArgsOf<K extends ActionKind> = Extract<Action, Record<K, unknown>>[K];

/**
 * What each action does, by the device's hook that asks for it. A new action in the schema
 * without its entry here does not compile; the fleet acts on its own kinds (power cuts, moving
 * values) through rulesFor.
 */
interface Effect<A> {
  answer?(args: A, request: AcsRequest): AnswerMisbehaviour | undefined;
  transfer?(args: A, fileType: string): TransferMisbehaviour | undefined;
  quirks?(args: A): DeviceQuirks | undefined;
  connectionRequest?(args: A): ConnectionRequestMisbehaviour;
  firmwareFailsToBoot?: true;
  rebootLoop?(args: A): number;
  clockOffsetMs?(args: A): number;
  uspAnswer?(args: A, msgType: string): UspAnswerMisbehaviour | undefined;
  /** How a USP agent sends its notifications. */
  uspNotify?(args: A): UspAnswerMisbehaviour | undefined;
  /** Power cuts and moving values: the fleet carries them out (harness/fleet-misbehaviour.ts). */
  byTheFleet?: true;
}

const PRESET_QUIRKS: Record<string, DeviceQuirks> = {
  'numeric-booleans': { wire: { booleans: 'numeric' } },
  'capitalised-booleans': { wire: { booleans: 'capitalised' } },
  'no-xsi-type': { wire: { noXsiType: true } },
  'cwmp-1-0-only': { cwmp10Only: true },
  'no-cookies': { noCookies: true },
  'basic-auth-only': { basicAuthOnly: true },
};

const EFFECTS: { [K in ActionKind]: Effect<ArgsOf<K>> } = {
  rpcFault: { answer: (a, r) => (methodMatches(a.method, r) ? { fault: { code: a.code, parameterFaults: a.parameterFaults } } : undefined) },
  delayAnswer: { answer: (a, r) => (methodMatches(a.method, r) ? { delayMs: a.ms } : undefined) },
  dropConnection: { answer: (a, r) => (methodMatches(a.method, r) ? (a.at === 'mid-body' ? { cutMidBody: true } : { drop: true }) : undefined) },
  stallAnswer: { answer: (a, r) => (methodMatches(a.method, r) ? { stallMs: a.ms } : undefined) },
  malformedAnswer: { answer: (a, r) => (methodMatches(a.method, r) ? { malformed: true } : undefined) },
  badAnswer: { answer: (a, r) => (methodMatches(a.method, r) ? { rewrite: a.kind } : undefined) },
  connectionRequests: { connectionRequest: (a) => a },
  downloadFault: {
    transfer: (a, fileType) =>
      a.fileType === undefined || a.fileType === fileType ? { fault: { code: a.code, string: '', afterBytes: a.afterBytes } } : undefined,
  },
  slowDownload: { transfer: (a) => ({ bytesPerSecond: a.bytesPerSecond }) },
  powerCut: { byTheFleet: true },
  clockDrift: { clockOffsetMs: (a) => a.seconds * 1000 },
  firmwareRollback: { firmwareFailsToBoot: true },
  rebootLoop: { rebootLoop: (a) => a.boots },
  changingValue: { byTheFleet: true },
  uspAnswer: { uspAnswer: (a, msgType) => (a.msgType === undefined || a.msgType === msgType ? uspAnswerOf(a) : undefined) },
  uspReconnectStorm: { byTheFleet: true },
  uspNotifyWithoutRetry: { uspNotify: () => ({ noNotifyRetry: true }) },
  preset: { quirks: (a) => PRESET_QUIRKS[a] },
};

/** A rule's action as its kind and arguments, found once when the rules are loaded. */
interface CompiledAction {
  kind: ActionKind;
  args: unknown;
}

function compile(a: Action): CompiledAction {
  const kind = Object.keys(a)[0] as ActionKind;
  return { kind, args: (a as Record<string, unknown>)[kind] };
}

/** A rule's effect for a hook, if its kind has one (the arguments typed loosely: the table above typed them). */
function effectOf(c: CompiledAction, hook: keyof Effect<unknown>): ((...args: never[]) => unknown) | true | undefined {
  const effect = EFFECTS[c.kind] as Effect<unknown>;
  return effect[hook] as ((...args: never[]) => unknown) | true | undefined;
}

/** What a preset means, as the plain actions it stands for. */
function expand(a: Action): Action {
  if (!('preset' in a)) return a;
  switch (a.preset) {
    case 'numeric-booleans':
    case 'capitalised-booleans':
    case 'no-xsi-type':
    case 'cwmp-1-0-only':
    case 'no-cookies':
    case 'basic-auth-only':
      return a; // quirks: see quirks()
    case 'refuses-empty-gpn-path':
      return { rpcFault: { method: 'GetParameterNames:empty', code: 9005 } };
    case 'faults-every-spv':
      return { rpcFault: { method: 'SetParameterValues', code: 9002 } };
    case 'slow-answers':
      return { delayAnswer: { ms: 3000 } };
  }
}

/** A stable number in [0, 100) per serial and rule: the same devices misbehave on every run. */
function bucket(serial: string, rule: string): number {
  return (createHash('sha1').update(`${rule}\0${serial}`).digest().readUInt32BE(0) % 10_000) / 100;
}

function uspAnswerOf(a: ArgsOf<'uspAnswer'>): UspAnswerMisbehaviour {
  switch (a.kind) {
    case 'late':
      return { delayMs: a.ms ?? 1000 };
    case 'never':
      return { never: true };
    case 'error':
      return { error: { code: a.errorCode ?? 7002, message: 'misbehaving on purpose' } };
    case 'wrong-msg-id':
      return { wrongMsgId: true };
    case 'wrong-to-id':
      return { wrongToId: true };
    case 'malformed':
      return { malformed: true };
    case 'drop-connection':
      return { dropConnection: true };
  }
}

function methodMatches(want: string | undefined, request: AcsRequest): boolean {
  if (want === undefined) return true;
  if (want === 'GetParameterNames:empty') return request.method === 'GetParameterNames' && request.parameterPath === '';
  return want === request.method;
}

export class Misbehaviour implements AgentMisbehaviour {
  /** How many times each rule fired. */
  readonly fired: Record<string, number> = {};
  private readonly began: number;
  private readonly rules: (MisbehaviourRule & { action: Action; compiled: CompiledAction; pattern?: RegExp })[];

  constructor(
    rules: readonly MisbehaviourRule[],
    private readonly profile: string,
    private readonly random: () => number = Math.random,
    private readonly onFired?: (rule: string, serial: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.began = now();
    this.rules = rules.map((r) => {
      const action = expand(r.do);
      return { ...r, action, compiled: compile(action), pattern: r.devices.serials ? new RegExp(r.devices.serials) : undefined };
    });
    for (const r of rules) this.fired[r.name] = 0;
  }

  /** Whether a rule covers a device at all. */
  private covers(rule: (typeof this.rules)[number], serial: string): boolean {
    const d = rule.devices;
    if (d.profile !== undefined && d.profile !== this.profile) return false;
    // Compiled once with the rules: this runs for every RPC a misbehaving fleet answers.
    if (rule.pattern && !rule.pattern.test(serial)) return false;
    if (d.percent !== undefined && bucket(serial, rule.name) >= d.percent) return false;
    return true;
  }

  /** The rules of one kind that cover a device (for fleet-level behaviour: power cuts, moving values). */
  rulesFor<K extends string>(kind: K, serial: string): (MisbehaviourRule & { action: Extract<Action, Record<K, unknown>> })[] {
    return this.rules.filter((r) => r.compiled.kind === kind && this.covers(r, serial)) as unknown as (MisbehaviourRule & {
      action: Extract<Action, Record<K, unknown>>;
    })[];
  }

  private applies(rule: (typeof this.rules)[number], serial: string, session: number | undefined): boolean {
    if (!this.covers(rule, serial)) return false;
    const s = rule.sessions;
    if (s?.every !== undefined && session !== undefined && session % s.every !== 0) return false;
    if (s?.afterSeconds !== undefined || s?.beforeSeconds !== undefined) {
      const elapsed = (this.now() - this.began) / 1000;
      if (elapsed < (s.afterSeconds ?? 0) || elapsed >= (s.beforeSeconds ?? Number.POSITIVE_INFINITY)) return false;
    }
    if (s?.probability !== undefined && this.random() >= s.probability) return false;
    return true;
  }

  fire(rule: string, serial: string): void {
    this.fired[rule] = (this.fired[rule] ?? 0) + 1;
    this.onFired?.(rule, serial);
  }

  answer(serial: string, request: AcsRequest, session: number): AnswerMisbehaviour | undefined {
    let out: AnswerMisbehaviour | undefined;
    for (const rule of this.rules) {
      const effect = effectOf(rule.compiled, 'answer') as ((args: unknown, r: AcsRequest) => AnswerMisbehaviour | undefined) | undefined;
      const m = effect?.(rule.compiled.args, request);
      if (!m || !this.applies(rule, serial, session)) continue;
      this.fire(rule.name, serial);
      out = { ...out, ...m };
    }
    return out;
  }

  /** How a USP agent answers a request of this Msg type (the first rule that applies wins). */
  uspAnswer(serial: string, msgType: string): UspAnswerMisbehaviour | undefined {
    return this.firstUsp(serial, 'uspAnswer', msgType);
  }

  /** How a USP agent sends a notification (asked for each one; the first rule that applies wins). */
  uspNotify(serial: string): UspAnswerMisbehaviour | undefined {
    return this.firstUsp(serial, 'uspNotify', 'NOTIFY');
  }

  private firstUsp(serial: string, hook: 'uspAnswer' | 'uspNotify', msgType: string): UspAnswerMisbehaviour | undefined {
    for (const rule of this.rules) {
      const effect = effectOf(rule.compiled, hook) as ((args: unknown, t: string) => UspAnswerMisbehaviour | undefined) | undefined;
      const m = effect?.(rule.compiled.args, msgType);
      if (!m || !this.applies(rule, serial, undefined)) continue;
      this.fire(rule.name, serial);
      return m;
    }
    return undefined;
  }

  transfer(serial: string, fileType: string): TransferMisbehaviour | undefined {
    let out: TransferMisbehaviour | undefined;
    for (const rule of this.rules) {
      const effect = effectOf(rule.compiled, 'transfer') as ((args: unknown, fileType: string) => TransferMisbehaviour | undefined) | undefined;
      const m = effect?.(rule.compiled.args, fileType);
      // The first rule of each sort wins: one fault, one speed.
      if (!m || (m.fault && out?.fault) || (m.bytesPerSecond && out?.bytesPerSecond)) continue;
      if (!this.applies(rule, serial, undefined)) continue;
      this.fire(rule.name, serial);
      out = { ...out, ...(m.fault ? { fault: { ...m.fault, string: `misbehaving on purpose (rule ${rule.name})` } } : m) };
    }
    return out;
  }

  /** The vendor quirks of the presets covering a device, for its next session. */
  quirks(serial: string): DeviceQuirks | undefined {
    let q: DeviceQuirks | undefined;
    for (const rule of this.rules) {
      const effect = effectOf(rule.compiled, 'quirks') as ((args: unknown) => DeviceQuirks | undefined) | undefined;
      const add = effect?.(rule.compiled.args);
      if (!add || !this.applies(rule, serial, undefined)) continue;
      this.fire(rule.name, serial);
      q = { ...q, ...add, wire: add.wire || q?.wire ? { ...q?.wire, ...add.wire } : undefined };
    }
    return q;
  }

  firmwareFailsToBoot(serial: string): boolean {
    return this.first(serial, 'firmwareFailsToBoot') !== undefined;
  }

  rebootLoop(serial: string): number | undefined {
    return this.first(serial, 'rebootLoop') as number | undefined;
  }

  clockOffsetMs(serial: string): number | undefined {
    return this.first(serial, 'clockOffsetMs') as number | undefined;
  }

  connectionRequest(serial: string): ConnectionRequestMisbehaviour | undefined {
    return this.first(serial, 'connectionRequest') as ConnectionRequestMisbehaviour | undefined;
  }

  /** What the first rule with an effect for this hook that covers the device says (and that it fired). */
  private first(serial: string, hook: 'firmwareFailsToBoot' | 'rebootLoop' | 'clockOffsetMs' | 'connectionRequest'): unknown {
    for (const rule of this.rules) {
      const effect = effectOf(rule.compiled, hook);
      if (effect === undefined || !this.applies(rule, serial, undefined)) continue;
      this.fire(rule.name, serial);
      return effect === true ? true : (effect as (args: unknown) => unknown)(rule.compiled.args);
    }
    return undefined;
  }
}
