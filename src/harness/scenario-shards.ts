/**
 * A scenario run as N shards (`cwmp-agent scenario FILE --shard I/N --result FILE`, each its part
 * of the devices) and judged as one (`cwmp-agent scenario merge RESULT...`). A shard writes what
 * it measured; the merge adds the measurements up and reaches the verdicts with the same code as
 * a run in one process. A shard missing, crashed or cut short makes the run incomplete: never a
 * pass.
 */
import { z } from 'zod';
import type { ScenarioResult } from './scenario-runner.js';
import { scenarioSchema, type Scenario } from './scenario-schema.js';
import { mergeMeasurements, verdict, type Measurement } from './scenario-verdict.js';

export const RESULT_FORMAT = 'cwmp-agent scenario result';

export interface ShardResultFile {
  format: typeof RESULT_FORMAT;
  version: 1;
  shard: { index: number; total: number };
  /** False when the shard was stopped before its scenarios ended. */
  complete: boolean;
  scenarios: { scenario: Scenario; result: ScenarioResult }[];
}

/** Why merging failed: 2, a file is wrong; 3, the run is incomplete. */
export class MergeError extends Error {
  constructor(
    message: string,
    readonly exitCode: 2 | 3,
  ) {
    super(message);
    this.name = 'MergeError';
  }
}

const counts = z.object({ ok: z.number().int().min(0), failed: z.number().int().min(0) });
const resultSchema = z.looseObject({
  name: z.string(),
  acs: z.string(),
  devices: z.number().int().min(0),
  durationSeconds: z.number().min(0),
  sessions: counts,
  timeline: z.object({ ok: z.array(z.number().int().min(0)), failed: z.array(z.number().int().min(0)) }),
  misbehaviour: z.record(z.string(), z.number()),
  measurements: z.array(z.looseObject({ kind: z.enum(['rpc', 'rpcRate', 'worst', 'value', 'event', 'transfers', 'sessions', 'perDevice', 'operations']) })),
});
const fileSchema = z.object({
  format: z.literal(RESULT_FORMAT),
  version: z.literal(1),
  shard: z.object({ index: z.number().int().min(0), total: z.number().int().min(1) }).refine((s) => s.index < s.total, 'index below total'),
  complete: z.boolean(),
  scenarios: z.array(z.object({ scenario: z.unknown(), result: resultSchema })).min(1),
});

export function shardResultFile(shard: { index: number; total: number }, parts: ShardResultFile['scenarios'], complete: boolean): ShardResultFile {
  return { format: RESULT_FORMAT, version: 1, shard, complete, scenarios: parts };
}

/** Reads one shard's result file; a MergeError (2) says what is wrong with it. */
export function readShardResult(text: string, file: string): ShardResultFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new MergeError(`${file}: not JSON: ${(err as Error).message}`, 2);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MergeError(`${file}: not a scenario result: ${issue.path.join('.') || '(top level)'}: ${issue.message}`, 2);
  }
  const scenarios = parsed.data.scenarios.map((part, i) => {
    const scenario = scenarioSchema.safeParse(part.scenario);
    if (!scenario.success) throw new MergeError(`${file}: scenarios.${i}.scenario: ${scenario.error.issues[0]!.message}`, 2);
    if (part.result.measurements.length !== scenario.data.expect.length)
      throw new MergeError(
        `${file}: ${scenario.data.name}: ${part.result.measurements.length} measurements for ${scenario.data.expect.length} expectations`,
        2,
      );
    return { scenario: scenario.data, result: part.result as unknown as ScenarioResult };
  });
  return { ...parsed.data, format: RESULT_FORMAT, version: 1, scenarios };
}

/** The shards' results as one result per scenario; throws MergeError (2: files disagree, 3: incomplete). */
export function mergeShardResults(files: readonly { file: string; content: ShardResultFile }[]): ScenarioResult[] {
  const first = files[0];
  if (!first) throw new MergeError('no result files given', 2);
  const total = first.content.shard.total;
  const byIndex = new Map<number, string>();
  for (const { file, content } of files) {
    if (content.shard.total !== total) throw new MergeError(`${file} is shard ${content.shard.index}/${content.shard.total}; ${first.file} is of ${total}`, 2);
    const seen = byIndex.get(content.shard.index);
    if (seen) throw new MergeError(`${file} and ${seen} are both shard ${content.shard.index}/${total}`, 2);
    byIndex.set(content.shard.index, file);
    const names = content.scenarios.map((p) => JSON.stringify(p.scenario));
    const expected = first.content.scenarios.map((p) => JSON.stringify(p.scenario));
    if (names.length !== expected.length || names.some((n, i) => n !== expected[i]))
      throw new MergeError(`${file} ran other scenarios (or other versions of them) than ${first.file}`, 2);
  }
  const missing = Array.from({ length: total }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0)
    throw new MergeError(`incomplete: no result from shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${total} (missing or crashed)`, 3);
  const cut = files.filter((f) => !f.content.complete);
  if (cut.length > 0) throw new MergeError(`incomplete: shard ${cut.map((f) => f.content.shard.index).join(', ')} was stopped before its scenarios ended`, 3);
  // In shard order, so that examples and ties come out as in one process (the lowest serial first).
  const ordered = [...files].sort((a, b) => a.content.shard.index - b.content.shard.index);
  return first.content.scenarios.map(({ scenario }, k) =>
    mergeOne(
      scenario,
      ordered.map((f) => f.content.scenarios[k]!.result),
    ),
  );
}

function mergeOne(s: Scenario, parts: readonly ScenarioResult[]): ScenarioResult {
  const measurements: Measurement[] = s.expect.map((_e, i) => mergeMeasurements(parts.map((p) => p.measurements[i]!)));
  const expectations = s.expect.map((e, i) => verdict(e, s, measurements[i]!));
  const addUp = (pick: (p: ScenarioResult) => number[]): number[] => {
    const out: number[] = [];
    for (const p of parts) for (const [i, n] of pick(p).entries()) out[i] = (out[i] ?? 0) + n;
    return Array.from(out, (n) => n ?? 0);
  };
  const misbehaviour: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.misbehaviour)) misbehaviour[k] = (misbehaviour[k] ?? 0) + v;
  return {
    name: s.name,
    passed: expectations.every((e) => e.passed),
    acs: parts[0]!.acs,
    devices: parts.reduce((n, p) => n + p.devices, 0),
    durationSeconds: Math.max(...parts.map((p) => p.durationSeconds)),
    sessions: { ok: parts.reduce((n, p) => n + p.sessions.ok, 0), failed: parts.reduce((n, p) => n + p.sessions.failed, 0) },
    timeline: { ok: addUp((p) => p.timeline.ok), failed: addUp((p) => p.timeline.failed) },
    misbehaviour,
    expectations,
    measurements,
  };
}
