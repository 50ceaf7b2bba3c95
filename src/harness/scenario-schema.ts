/**
 * The scenario file: what to run (devices of a profile, misbehaviour rules, steps) and what to
 * expect of the ACS or the USP Controller. YAML, checked before anything starts; an error names the line. See
 * examples/scenarios/ and the README.
 */
import { isNode, LineCounter, parseDocument, type Node } from 'yaml';
import { z } from 'zod';
import { acsRequestProblem } from '../acs/acs-messages.js';
import { misbehaviourRuleSchema } from './misbehaviour.js';

/** The USP requests a Controller sends (what a scenario can expect of it, or have the bundled one send). */
const USP_REQUESTS = ['GET', 'SET', 'ADD', 'DELETE', 'OPERATE', 'GET_SUPPORTED_DM', 'GET_INSTANCES', 'GET_SUPPORTED_PROTO'] as const;

const regex = z.string().refine((s) => {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}, 'not a regular expression');

const share = z.union([z.literal('all'), z.object({ percent: z.number().min(0).max(100).optional(), serials: regex.optional() }).strict()]).default('all');

// Checked as the bundled ACS would send it: a known method with its arguments, before anything runs.
const rpc = z.looseObject({ method: z.string().min(1) }).superRefine((value, ctx) => {
  const problem = acsRequestProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const step = z.union([
  z.object({ start: z.object({ bootWindowSeconds: z.number().min(0).default(2) }).strict() }).strict(),
  z.object({ wait: z.object({ seconds: z.number().positive().max(3600) }).strict() }).strict(),
  z
    .object({
      waitFor: z
        .object({
          /** CWMP: devices that have had their first session. */
          bootstrapped: z.union([z.literal('all'), z.number().min(0).max(100)]).optional(),
          /** USP: devices that have told their Controller they are up (OnBoardRequest or Boot!). */
          announced: z.union([z.literal('all'), z.number().min(0).max(100)]).optional(),
          timeoutSeconds: z.number().positive().max(3600).default(60),
        })
        .strict()
        .refine((w) => (w.bootstrapped === undefined) !== (w.announced === undefined), { message: 'wait for bootstrapped or announced devices (one of them)' }),
    })
    .strict(),
  z
    .object({
      trigger: z
        .object({
          event: z.enum(['6 CONNECTION REQUEST', '2 PERIODIC', '1 BOOT', 'reboot', 'factory-reset', 'value-change']),
          devices: share,
          /** value-change: the parameter and its new value. */
          name: z.string().optional(),
          value: z.string().optional(),
        })
        .strict()
        .refine((t) => t.event !== 'value-change' || (t.name !== undefined && t.value !== undefined), {
          message: 'value-change needs name and value',
          path: ['name'],
        }),
    })
    .strict(),
]);

const expectation = z
  .object({
    name: z.string().min(1),
    /** Every chosen device receives this RPC (a parameter set to a matching value, a FileType) within the time. */
    rpc: z
      .object({
        method: z.string().min(1),
        parameter: z.string().optional(),
        value: regex.optional(),
        fileType: z.string().optional(),
        withinSeconds: z.number().positive().optional(),
        devices: share,
        /** Instead of every device: at least this share of them. */
        atLeastPercent: z.number().min(0).max(100).optional(),
      })
      .strict()
      .optional(),
    /** An RPC sent to at most this share of the devices in any minute (a campaign's pacing). */
    rpcRate: z
      .object({ method: z.string().min(1), fileType: z.string().optional(), atMostPercentPerMinute: z.number().min(0).max(100) })
      .strict()
      .optional(),
    /** No device has more sessions than this: in the whole run, or in any window of `perSeconds` (3600: per hour). */
    sessionsPerDevice: z
      .object({ atMost: z.number().int().min(0), perSeconds: z.number().positive().optional() })
      .strict()
      .optional(),
    /** No device receives this RPC more often than this (an ACS retrying a failing image, say). */
    rpcPerDevice: z
      .object({ method: z.string().min(1), atMost: z.number().int().min(0) })
      .strict()
      .optional(),
    /** A parameter's value on every chosen device at the end. */
    value: z
      .object({ name: z.string().min(1), equals: z.string().optional(), matches: regex.optional(), devices: share })
      .strict()
      .optional(),
    /** Transfers that ended in success, of those that ended. */
    transfers: z
      .object({ succeededAtLeastPercent: z.number().min(0).max(100), atLeast: z.number().int().min(0).default(1) })
      .strict()
      .optional(),
    /** Devices that had a session carrying this event (first in its Inform), as a share of the chosen ones. */
    event: z
      .object({
        code: z.string().min(1),
        atLeastPercent: z.number().min(0).max(100).default(100),
        atMostPercent: z.number().min(0).max(100).default(100),
        devices: share,
      })
      .strict()
      .optional(),
    /** Sessions that ended in success, of all sessions. */
    sessions: z
      .object({ succeededAtLeastPercent: z.number().min(0).max(100) })
      .strict()
      .optional(),
    /** USP: every chosen device receives this message from the Controller (one of its paths matching), within the time of announcing itself. */
    uspMessage: z
      .object({
        type: z.enum(USP_REQUESTS),
        /** A path in the message (param_paths, obj_paths, a Set's or Add's obj_path, an Operate's command) matching this. */
        path: regex.optional(),
        withinSeconds: z.number().positive().optional(),
        devices: share,
        atLeastPercent: z.number().min(0).max(100).optional(),
      })
      .strict()
      .optional(),
    /** USP: notifications each device sent (of one kind, or all), at most and at least. */
    uspNotifications: z
      .object({
        type: z.enum(['Event', 'ValueChange', 'ObjectCreation', 'ObjectDeletion', 'OperationComplete', 'OnBoardRequest']).optional(),
        atMost: z.number().int().min(0).optional(),
        atLeast: z.number().int().min(0).optional(),
      })
      .strict()
      .refine((n) => n.atMost !== undefined || n.atLeast !== undefined, { message: 'give atMost, atLeast or both' })
      .optional(),
    /** USP: the commands the Controller ran (Operate) that completed without failure, of those that ended. */
    uspOperations: z
      .object({ command: regex.optional(), succeededAtLeastPercent: z.number().min(0).max(100), atLeast: z.number().int().min(0).default(1) })
      .strict()
      .optional(),
  })
  .strict()
  .refine((e) => Object.keys(e).filter((k) => k !== 'name').length === 1, {
    message:
      'an expectation says exactly one thing: rpc, rpcRate, sessionsPerDevice, rpcPerDevice, value, transfers, event, sessions, uspMessage, uspNotifications or uspOperations',
  });

/** A message the bundled USP controller sends a device, as its API takes one: a Msg type and its body. */
const controllerMessage = z
  .object({ msgType: z.enum(USP_REQUESTS), body: z.record(z.string(), z.unknown()) })
  .strict()
  .refine((m) => typeof m.body['request'] === 'object' && m.body['request'] !== null, {
    message: 'body: a request, e.g. {"request": {"get": {"param_paths": ["Device.DeviceInfo."]}}}',
    path: ['body'],
  });

/** Expectations about CWMP sessions and RPCs: a USP-only scenario has none to measure. */
const CWMP_EXPECTATIONS = ['rpc', 'rpcRate', 'sessionsPerDevice', 'rpcPerDevice', 'transfers', 'event', 'sessions'] as const;
const CWMP_TRIGGERS = ['6 CONNECTION REQUEST', '2 PERIODIC', '1 BOOT'];

export const scenarioSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    profile: z.string().default('stb'),
    devices: z.number().int().min(1).max(100_000),
    periodicInformInterval: z.number().int().min(1).optional(),
    /** What the bundled test ACS does when the scenario runs without --acs-url. */
    acs: z
      .object({
        /** RPCs queued for a device when its Inform carries this event ("0 BOOTSTRAP": zero-touch provisioning). */
        on: z.record(z.string(), z.array(rpc)).default({}),
        /** Files it serves at /files/NAME: a firmware image built for the test (version), or text. */
        files: z.record(z.string(), z.object({ firmwareVersion: z.string().optional(), text: z.string().optional() }).strict()).default({}),
      })
      .strict()
      .default({ on: {}, files: {} }),
    /** What the devices speak: CWMP to the ACS, USP to the Controller, or both. */
    protocol: z.enum(['cwmp', 'usp', 'both']).default('cwmp'),
    /** What the bundled USP controller does when the scenario runs without a broker URL. */
    controller: z
      .object({
        /** Messages sent to a device when it sends this notification: OnBoardRequest, or an event by name (Boot!). */
        on: z.record(z.string(), z.array(controllerMessage)).default({}),
      })
      .strict()
      .default({ on: {} }),
    misbehaviour: z.array(misbehaviourRuleSchema).default([]),
    steps: z.array(step).min(1),
    expect: z.array(expectation).min(1),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.protocol === 'cwmp') {
      for (const [i, e] of s.expect.entries())
        if (e.uspMessage || e.uspNotifications || e.uspOperations)
          ctx.addIssue({ code: 'custom', path: ['expect', i], message: 'a USP expectation: give the scenario protocol usp or both' });
      for (const [i, st] of s.steps.entries())
        if ('waitFor' in st && st.waitFor.announced !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['steps', i, 'waitFor', 'announced'],
            message: 'CWMP devices do not announce themselves: wait for bootstrapped',
          });
      return;
    }
    if (s.protocol !== 'usp') return;
    for (const [i, e] of s.expect.entries()) {
      const cwmp = CWMP_EXPECTATIONS.find((k) => e[k] !== undefined);
      if (cwmp)
        ctx.addIssue({ code: 'custom', path: ['expect', i, cwmp], message: `${cwmp} measures CWMP: a protocol usp scenario has none (protocol both does)` });
    }
    for (const [i, st] of s.steps.entries()) {
      if ('waitFor' in st && st.waitFor.bootstrapped !== undefined)
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'waitFor', 'bootstrapped'], message: 'USP devices have no CWMP session: wait for announced' });
      if ('trigger' in st && CWMP_TRIGGERS.includes(st.trigger.event))
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'trigger', 'event'],
          message: `${st.trigger.event} is a CWMP event: a protocol usp scenario has reboot, factory-reset and value-change`,
        });
    }
  });

/** The scenario file's JSON Schema, from the same definition the runner checks with (for editors and linters). */
export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'cwmp-agent scenario',
    description: 'A scenario that tests an ACS: devices, misbehaviour rules, steps and expectations (cwmp-agent scenario FILE).',
  };
}

export type Scenario = z.infer<typeof scenarioSchema>;
export type Expectation = Scenario['expect'][number];
export type Share = z.infer<typeof share>;

export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

/** Reads and checks a scenario; a ScenarioError names the file, line and what is wrong. */
export function parseScenario(text: string, file = 'scenario'): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const at = lines.linePos(e.pos[0]);
    throw new ScenarioError(`${file}:${at.line}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  let raw: unknown;
  try {
    // Bounded: a file of aliases that expand to millions of nodes (an alias bomb) is refused.
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ScenarioError(`${file}: ${(err as Error).message}`);
  }
  const result = scenarioSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  // The deepest node the issue's path reaches gives the line.
  let node: unknown = doc.contents;
  let line = 1;
  for (const key of issue.path) {
    if (!isNode(node)) break;
    const range = (node as Node).range;
    if (range) line = lines.linePos(range[0]).line;
    node = (node as { get?: (k: unknown, keepScalar: boolean) => unknown }).get?.(key, true);
  }
  if (isNode(node) && (node as Node).range) line = lines.linePos((node as Node).range![0]).line;
  throw new ScenarioError(`${file}:${line}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
}
