/**
 * A scenario's expectations judged from measurements: counts that add up across shards. A run in
 * one process and the same run as N shards (each measuring its devices, `scenario merge` adding
 * the measurements) reach their verdicts by the same code, so they cannot disagree.
 */
import type { Expectation, Scenario } from './scenario-schema.js';

/** What one expectation measured on a set of devices. */
export type Measurement =
  | { kind: 'rpc'; chosen: number; got: number; late: number; lateExample?: string }
  /** Devices that received the RPC in each minute from the run's start. */
  | { kind: 'rpcRate'; perMinute: number[] }
  /** The busiest device and its count (sessions, or RPCs of a method). */
  | { kind: 'worst'; serial: string; count: number }
  | { kind: 'value'; chosen: number; wrong: number; example?: string }
  | { kind: 'event'; chosen: number; had: number }
  | { kind: 'transfers'; ok: number; total: number }
  | { kind: 'sessions'; ok: number; total: number }
  /** The device with the most and the one with the fewest (USP notifications). */
  | { kind: 'perDevice'; most: { serial: string; count: number }; least: { serial: string; count: number } }
  /** Commands that ended (and how many of them well), and those still running at the end. */
  | { kind: 'operations'; ok: number; total: number; running: number; example?: string };

export interface ExpectationResult {
  name: string;
  passed: boolean;
  /** What was measured, in a sentence. */
  detail: string;
}

/** The measurements of several shards as one (the same expectation, disjoint devices). */
export function mergeMeasurements(parts: readonly Measurement[]): Measurement {
  const first = parts[0];
  if (!first) throw new Error('no measurement to merge');
  if (parts.some((p) => p.kind !== first.kind)) throw new Error(`measurements of different kinds: ${parts.map((p) => p.kind).join(', ')}`);
  const sum = <K extends string>(key: K): number => parts.reduce((n, p) => n + ((p as unknown as Record<K, number>)[key] ?? 0), 0);
  switch (first.kind) {
    case 'rpc':
      return {
        kind: 'rpc',
        chosen: sum('chosen'),
        got: sum('got'),
        late: sum('late'),
        ...(firstOf(parts, 'lateExample') ? { lateExample: firstOf(parts, 'lateExample') } : {}),
      };
    case 'rpcRate': {
      const perMinute: number[] = [];
      for (const p of parts as Extract<Measurement, { kind: 'rpcRate' }>[]) for (const [i, n] of p.perMinute.entries()) perMinute[i] = (perMinute[i] ?? 0) + n;
      return { kind: 'rpcRate', perMinute: Array.from(perMinute, (n) => n ?? 0) };
    }
    case 'worst':
      return (parts as Extract<Measurement, { kind: 'worst' }>[]).reduce((a, b) => (b.count > a.count ? b : a));
    case 'value':
      return {
        kind: 'value',
        chosen: sum('chosen'),
        wrong: sum('wrong'),
        ...(firstOf(parts, 'example') ? { example: firstOf(parts, 'example') } : {}),
      };
    case 'event':
      return { kind: 'event', chosen: sum('chosen'), had: sum('had') };
    case 'transfers':
      return { kind: 'transfers', ok: sum('ok'), total: sum('total') };
    case 'sessions':
      return { kind: 'sessions', ok: sum('ok'), total: sum('total') };
    case 'perDevice': {
      const all = parts as Extract<Measurement, { kind: 'perDevice' }>[];
      return {
        kind: 'perDevice',
        most: all.map((p) => p.most).reduce((a, b) => (b.count > a.count ? b : a)),
        least: all.map((p) => p.least).reduce((a, b) => (b.count < a.count ? b : a)),
      };
    }
    case 'operations':
      return {
        kind: 'operations',
        ok: sum('ok'),
        total: sum('total'),
        running: sum('running'),
        ...(firstOf(parts, 'example') ? { example: firstOf(parts, 'example') } : {}),
      };
  }
}

function firstOf(parts: readonly Measurement[], key: string): string | undefined {
  for (const p of parts) {
    const v = (p as unknown as Record<string, unknown>)[key];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

/** The verdict on one expectation from what was measured (over the whole scenario's devices). */
export function verdict(e: Expectation, s: Scenario, m: Measurement): ExpectationResult {
  const result = (passed: boolean, detail: string): ExpectationResult => ({ name: e.name, passed, detail });
  if (e.rpc && m.kind === 'rpc') {
    const want = e.rpc;
    const needed = want.atLeastPercent !== undefined ? Math.ceil((m.chosen * want.atLeastPercent) / 100) : m.chosen;
    const what = `${want.method}${want.parameter ? ` setting ${want.parameter}${want.value ? ` to /${want.value}/` : ''}` : ''}${want.fileType ? ` (${want.fileType})` : ''}`;
    return result(
      m.got >= needed,
      `${m.got} of ${m.chosen} devices received ${what}${want.withinSeconds !== undefined ? ` within ${want.withinSeconds} s` : ''} (needed ${needed})${m.late ? `; ${m.late} too late, e.g. ${m.lateExample}` : ''}`,
    );
  }
  if (e.rpcRate && m.kind === 'rpcRate') {
    const worst = Math.max(0, ...m.perMinute);
    const allowed = (s.devices * e.rpcRate.atMostPercentPerMinute) / 100;
    return result(
      worst <= allowed,
      `at most ${worst} devices (${((worst / s.devices) * 100).toFixed(1)}%) received ${e.rpcRate.method} in one minute (allowed ${e.rpcRate.atMostPercentPerMinute}%)`,
    );
  }
  if (e.sessionsPerDevice && m.kind === 'worst') {
    const { atMost, perSeconds } = e.sessionsPerDevice;
    return result(
      m.count <= atMost,
      `the busiest device (${m.serial || 'none'}) had ${m.count} sessions${perSeconds ? ` within ${perSeconds} s` : ''} (allowed ${atMost})`,
    );
  }
  if (e.rpcPerDevice && m.kind === 'worst') {
    const want = e.rpcPerDevice;
    return result(m.count <= want.atMost, `at most ${m.count} ${want.method} to one device (${m.serial || 'none'}; allowed ${want.atMost})`);
  }
  if (e.value && m.kind === 'value') {
    const want = e.value;
    return result(
      m.wrong === 0,
      `${m.chosen - m.wrong} of ${m.chosen} devices have ${want.name} ${want.equals !== undefined ? `= ${JSON.stringify(want.equals)}` : `matching /${want.matches}/`}${m.example ? ` (${m.example})` : ''}`,
    );
  }
  if (e.event && m.kind === 'event') {
    const want = e.event;
    const pct = m.chosen ? (m.had / m.chosen) * 100 : 0;
    return result(
      pct >= want.atLeastPercent && pct <= want.atMostPercent,
      `${m.had} of ${m.chosen} devices (${pct.toFixed(1)}%) had a ${want.code} session (wanted ${want.atLeastPercent}-${want.atMostPercent}%)`,
    );
  }
  if (e.transfers && m.kind === 'transfers') {
    const pct = m.total ? (m.ok / m.total) * 100 : 0;
    return result(
      m.total >= e.transfers.atLeast && pct >= e.transfers.succeededAtLeastPercent,
      `${m.ok} of ${m.total} transfers succeeded (${pct.toFixed(1)}%; needed ${e.transfers.succeededAtLeastPercent}% of at least ${e.transfers.atLeast})`,
    );
  }
  if (e.sessions && m.kind === 'sessions') {
    const pct = m.total ? (m.ok / m.total) * 100 : 0;
    return result(
      pct >= e.sessions.succeededAtLeastPercent,
      `${m.ok} of ${m.total} sessions succeeded (${pct.toFixed(1)}%; needed ${e.sessions.succeededAtLeastPercent}%)`,
    );
  }
  if (e.uspMessage && m.kind === 'rpc') {
    const want = e.uspMessage;
    const needed = want.atLeastPercent !== undefined ? Math.ceil((m.chosen * want.atLeastPercent) / 100) : m.chosen;
    return result(
      m.got >= needed,
      `${m.got} of ${m.chosen} devices received ${want.type}${want.path ? ` of /${want.path}/` : ''}${want.withinSeconds !== undefined ? ` within ${want.withinSeconds} s of announcing themselves` : ''} (needed ${needed})${m.late ? `; ${m.late} too late, e.g. ${m.lateExample}` : ''}`,
    );
  }
  if (e.uspNotifications && m.kind === 'perDevice') {
    const { atMost, atLeast, type } = e.uspNotifications;
    const what = `${type ?? ''} notifications`.trim();
    const ok = (atMost === undefined || m.most.count <= atMost) && (atLeast === undefined || m.least.count >= atLeast);
    return result(
      ok,
      `${what} per device: ${m.least.count} (${m.least.serial || 'none'}) to ${m.most.count} (${m.most.serial || 'none'})${atLeast !== undefined ? `, at least ${atLeast} wanted` : ''}${atMost !== undefined ? `, at most ${atMost} allowed` : ''}`,
    );
  }
  if (e.uspOperations && m.kind === 'operations') {
    const want = e.uspOperations;
    const pct = m.total ? (m.ok / m.total) * 100 : 0;
    return result(
      m.total >= want.atLeast && pct >= want.succeededAtLeastPercent,
      `${m.ok} of ${m.total} commands${want.command ? ` matching /${want.command}/` : ''} completed well (${pct.toFixed(1)}%; needed ${want.succeededAtLeastPercent}% of at least ${want.atLeast})${m.running ? `; ${m.running} still running at the end` : ''}${m.example ? `; failed e.g. ${m.example}` : ''}`,
    );
  }
  return result(false, `the measurement (${m.kind}) does not fit this expectation: the result file is from another version of the scenario`);
}
