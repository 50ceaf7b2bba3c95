/**
 * Runs a scenario against an ACS (the bundled test ACS unless a URL is given): a fleet of the
 * scenario's devices, with its misbehaviour rules, through its steps, watching from the devices'
 * side what the ACS asks of each and when; then judges each expectation with the numbers behind
 * the verdict.
 */
import { createHash } from 'node:crypto';
import { pino } from 'pino';
import type { AgentObserver } from '../agent/agent-observer.js';
import { TestAcs, type QueuedRpc } from '../acs/test-acs.js';
import type { AcsRequest } from '../cwmp/messages.js';
import { Fleet } from '../fleet/fleet.js';
import { loadProfile, type Profile } from '../fleet/profile.js';
import { buildFirmwareImage } from '../providers/firmware-image.js';
import { systemClock } from '../runtime/clock.js';
import type { FleetUspOptions } from '../fleet/fleet-usp.js';
import { withLocalAgent } from '../models/local-agent.js';
import type { UspMsg } from '../usp/usp-codec.js';
import type { UspTestController } from '../usp-controller/usp-test-controller.js';
import { startFleetMisbehaviour } from './fleet-misbehaviour.js';
import { driveBundledController, UspScenarioLog } from './scenario-usp.js';
import { Misbehaviour } from './misbehaviour.js';
import type { Expectation, Scenario, Share } from './scenario-schema.js';
import { verdict, type ExpectationResult, type Measurement } from './scenario-verdict.js';

export type { ExpectationResult } from './scenario-verdict.js';

export interface ScenarioRunOptions {
  acsUrl?: string;
  acsUsername?: string;
  acsPassword?: string;
  crPort?: number;
  /** Progress lines (steps as they run). */
  log?: (line: string) => void;
  /** The scenario's profile, when the caller has loaded it already (it is loaded otherwise). */
  profile?: Profile;
  /** Runs part I of N of the scenario's devices (`scenario merge` judges the parts together). */
  shard?: { index: number; total: number };
  /** The USP Controller under test (its broker, or its WebSocket URL), for a usp or both scenario; the bundled one when absent. */
  usp?: Omit<FleetUspOptions, 'factorySubscriptions'>;
}

export interface ScenarioResult {
  name: string;
  passed: boolean;
  acs: string;
  /** The USP Controller the devices spoke to (usp and both scenarios). */
  controller?: string;
  devices: number;
  durationSeconds: number;
  sessions: { ok: number; failed: number };
  /** Sessions started in each second of the run, that went well and that failed. */
  timeline: { ok: number[]; failed: number[] };
  misbehaviour: Record<string, number>;
  expectations: ExpectationResult[];
  /** What each expectation measured, in order: what `scenario merge` adds up across shards. */
  measurements: Measurement[];
}

interface DeviceLog {
  firstSessionAt?: number;
  sessions: { at: number; ok: boolean }[];
  requests: { at: number; request: AcsRequest }[];
  transfers: number[];
  /** The first event of each session's Inform. */
  events: string[];
}

function inShare(serial: string, share: Share, key: string): boolean {
  if (share === 'all') return true;
  if (share.serials !== undefined && !new RegExp(share.serials).test(serial)) return false;
  if (share.percent !== undefined) {
    const b = (createHash('sha1').update(`${key}\0${serial}`).digest().readUInt32BE(0) % 10_000) / 100;
    if (b >= share.percent) return false;
  }
  return true;
}

/** Does a request match what an expectation looks for (method, a parameter and its value, a FileType)? */
function matches(r: AcsRequest, want: { method: string; parameter?: string; value?: string; fileType?: string }): boolean {
  if (r.method !== want.method) return false;
  if (want.fileType !== undefined && (!('fileType' in r) || r.fileType !== want.fileType)) return false;
  if (want.parameter !== undefined) {
    if (r.method !== 'SetParameterValues') return false;
    const entry = r.parameterList.find((p) => p.name === want.parameter);
    if (!entry) return false;
    if (want.value !== undefined && !new RegExp(want.value).test(entry.value)) return false;
  }
  return true;
}

const crSender = new TestAcs();

/** A connection request as an ACS sends it (GET, then the Digest answer); the final HTTP status. */
function sendConnectionRequest(url: string, username: string, password: string): Promise<number> {
  return crSender.connectionRequest(url, username, password);
}

/** `{{files.NAME}}` in an RPC becomes the URL of that file on the bundled ACS. */
function withFileUrls(value: unknown, urls: Record<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/\{\{files\.([^}]+)\}\}/g, (all, name: string) => urls[name] ?? all);
  if (Array.isArray(value)) return value.map((v) => withFileUrls(v, urls));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withFileUrls(v, urls)]));
  return value;
}

export async function runScenario(s: Scenario, o: ScenarioRunOptions = {}): Promise<ScenarioResult> {
  const log = o.log ?? (() => undefined);
  const started = Date.now();
  const devices = new Map<string, DeviceLog>();
  const device = (serial: string): DeviceLog => {
    let d = devices.get(serial);
    if (!d) devices.set(serial, (d = { sessions: [], requests: [], transfers: [], events: [] }));
    return d;
  };
  const observer: AgentObserver = {
    request: (serial, request) => void device(serial).requests.push({ at: Date.now(), request }),
    sessionEnded: (_ok, _seconds, firstEvent, serial) => {
      if (serial) device(serial).events.push(firstEvent);
    },
    transfer: (_direction, faultCode, serial) => {
      if (serial) device(serial).transfers.push(faultCode);
    },
  };
  // The bundled ACS, provisioning as the scenario says, unless the scenario targets a real one.
  let acs: TestAcs | undefined;
  let acsUrl = o.acsUrl ?? '';
  if (!acsUrl && s.protocol !== 'usp') {
    const urls: Record<string, string> = {};
    const on = s.acs.on;
    acs = new TestAcs({
      maxSessions: 100_000,
      onInform: (_serial, events) => events.flatMap((e) => (on[e.code] ?? []).map((rpc) => withFileUrls(rpc, urls) as QueuedRpc)),
    });
    acsUrl = await acs.listen();
    for (const [name, f] of Object.entries(s.acs.files)) {
      urls[name] = acs.serveFile(
        name,
        f.firmwareVersion
          ? buildFirmwareImage({ version: f.firmwareVersion, payload: Buffer.from(`firmware ${f.firmwareVersion}\n`) })
          : Buffer.from(f.text ?? ''),
      );
    }
  }
  // The bundled USP controller, doing what the scenario says, unless it targets a real one.
  const uspLog = new UspScenarioLog();
  let usp: FleetUspOptions | undefined;
  let controller: UspTestController | undefined;
  if (s.protocol !== 'cwmp') {
    if (o.usp) usp = { ...o.usp, factorySubscriptions: 'boot' };
    else {
      const { UspTestController } = await import('../usp-controller/usp-test-controller.js');
      controller = new UspTestController();
      const url = await controller.listen();
      driveBundledController(controller, s);
      usp = { url, transport: 'WebSocket', controller: { endpointId: controller.endpointId, topic: url }, factorySubscriptions: 'boot' };
    }
  }
  const loaded = o.profile ?? loadProfile(s.profile);
  const profile = s.protocol === 'cwmp' ? loaded : { ...loaded, schema: withLocalAgent(loaded.schema) };
  const misbehaviour = s.misbehaviour.length > 0 ? new Misbehaviour(s.misbehaviour, profile.name) : undefined;
  const startStep = s.steps.find((st) => 'start' in st);
  const fleet = new Fleet({
    count: s.devices,
    ...(o.shard ? { shard: o.shard } : {}),
    profile,
    protocol: s.protocol,
    ...(usp ? { usp, uspMessages: (dir: 'in' | 'out', msg: UspMsg, serial: string) => uspLog.observe(dir, msg, serial) } : {}),
    ...(usp && misbehaviour
      ? {
          uspMisbehaviour: (serial: string, msgType: string) =>
            msgType === 'NOTIFY' ? misbehaviour.uspNotify(serial) : misbehaviour.uspAnswer(serial, msgType),
        }
      : {}),
    acsUrl,
    acsUsername: o.acsUsername,
    acsPassword: o.acsPassword,
    cwmpVersion: '1.4',
    connectionRequest: { port: o.crPort ?? 0, address: '127.0.0.1', password: 'cwmp-agent' },
    periodicInformInterval: s.periodicInformInterval,
    bootWindowSeconds: startStep && 'start' in startStep ? startStep.start.bootWindowSeconds : 2,
    clock: systemClock,
    random: Math.random,
    logger: pino({ level: 'silent' }),
    observer,
    misbehaviour,
  });
  fleet.onSession((m, ok, t) => {
    const d = device(m.serial);
    d.firstSessionAt ??= t.startedAt;
    d.sessions.push({ at: t.startedAt, ok });
  });
  let stopMisbehaving: (() => void) | undefined;
  try {
    for (const [i, st] of s.steps.entries()) {
      if ('start' in st) {
        log(
          `step ${i + 1}: start ${fleet.members.length} ${profile.name} devices${o.shard ? ` (shard ${o.shard.index}/${o.shard.total} of ${s.devices})` : ''}`,
        );
        await fleet.start();
        if (misbehaviour) stopMisbehaving = startFleetMisbehaviour(fleet, misbehaviour, systemClock);
      } else if ('wait' in st) {
        log(`step ${i + 1}: wait ${st.wait.seconds} s`);
        await new Promise((r) => setTimeout(r, st.wait.seconds * 1000));
      } else if ('waitFor' in st) {
        // Of this process's devices: each shard waits for its own share.
        const mine = fleet.members.length;
        const share = st.waitFor.bootstrapped ?? st.waitFor.announced ?? 'all';
        const want = share === 'all' ? mine : Math.ceil((mine * share) / 100);
        const what = st.waitFor.bootstrapped !== undefined ? 'bootstrap' : 'announce themselves';
        const done = (): number =>
          st.waitFor.bootstrapped !== undefined ? fleet.stats.bootstrapped.size : fleet.members.filter((m) => uspLog.announced(m.serial)).length;
        log(`step ${i + 1}: wait for ${want} devices to ${what}`);
        const until = Date.now() + st.waitFor.timeoutSeconds * 1000;
        while (done() < want && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
        if (done() < want) log(`  only ${done()} did (${what}) within ${st.waitFor.timeoutSeconds} s`);
      } else {
        const t = st.trigger;
        const chosen = fleet.members.filter((m) => inShare(m.serial, t.devices, `trigger-${i}`));
        const requests: Promise<number>[] = [];
        log(`step ${i + 1}: ${t.event} on ${chosen.length} devices`);
        for (const m of chosen) {
          const agent = m.agent;
          if (!agent) continue;
          if (t.event === 'reboot') agent.deviceAction('reboot');
          else if (t.event === 'factory-reset') agent.deviceAction('factoryReset');
          else if (t.event === 'value-change') agent.model.writeFromDevice({ [t.name!]: t.value! });
          else if (t.event === '6 CONNECTION REQUEST') {
            // A real connection request, as an ACS sends it: Digest GET to the device's URL.
            const url = agent.model.read(agent.ms.connectionRequestUrl);
            requests.push(
              sendConnectionRequest(url, agent.model.read(agent.ms.connectionRequestUsername), agent.model.read(agent.ms.connectionRequestPassword)).catch(
                () => 0,
              ),
            );
          } else agent.trigger(t.event);
        }
        const statuses = await Promise.all(requests);
        if (statuses.length) log(`  connection requests answered: ${statuses.filter((x) => x === 200).length} of ${statuses.length}`);
      }
    }
    // Whatever was under way when the last step ended settles.
    await new Promise((r) => setTimeout(r, 300));
    const serials = fleet.members.map((m) => m.serial);
    const measurements = s.expect.map((e) => uspLog.measure(e, serials, inShare, started) ?? measure(e, fleet, devices, started));
    const expectations = s.expect.map((e, i) => verdict(e, s, measurements[i]!));
    const summary = fleet.stats.summary(fleet.members.length, fleet.online);
    return {
      name: s.name,
      passed: expectations.every((e) => e.passed),
      acs: s.protocol === 'usp' ? 'none (a USP scenario)' : o.acsUrl ? acsUrl : `bundled test ACS (${acsUrl})`,
      ...(usp ? { controller: controller ? `bundled USP controller (${usp.url})` : `${usp.controller.endpointId} at ${usp.url}` } : {}),
      devices: fleet.members.length,
      durationSeconds: Math.round((Date.now() - started) / 100) / 10,
      sessions: { ok: summary.sessions.ok, failed: summary.sessions.failed },
      timeline: timeline(devices, started, Date.now()),
      misbehaviour: misbehaviour?.fired ?? {},
      expectations,
      measurements,
    };
  } finally {
    stopMisbehaving?.();
    await fleet.stop();
    await acs?.close();
    await controller?.close();
  }
}

/** What an expectation looks at, measured on this process's devices (counts that add up across shards). */
function measure(e: Expectation, fleet: Fleet, devices: Map<string, DeviceLog>, started: number): Measurement {
  const logOf = (serial: string): DeviceLog => devices.get(serial) ?? { sessions: [], requests: [], transfers: [], events: [] };
  const serials = fleet.members.map((m) => m.serial);
  const worstOf = (counts: (readonly [string, number])[]): Measurement => {
    const worst = counts.reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0] as readonly [string, number]);
    return { kind: 'worst', serial: worst[0], count: worst[1] };
  };
  if (e.rpc) {
    const want = e.rpc;
    const chosen = serials.filter((sr) => inShare(sr, want.devices, `expect-${e.name}`));
    const late: string[] = [];
    const got = chosen.filter((sr) => {
      const d = logOf(sr);
      const hit = d.requests.find((r) => matches(r.request, want));
      if (!hit) return false;
      if (want.withinSeconds !== undefined && hit.at - (d.firstSessionAt ?? started) > want.withinSeconds * 1000) {
        late.push(sr);
        return false;
      }
      return true;
    });
    return { kind: 'rpc', chosen: chosen.length, got: got.length, late: late.length, ...(late[0] ? { lateExample: late[0] } : {}) };
  }
  if (e.rpcRate) {
    const want = e.rpcRate;
    const perMinute = new Map<number, Set<string>>();
    for (const sr of serials) {
      for (const r of logOf(sr).requests) {
        if (!matches(r.request, want)) continue;
        const minute = Math.floor((r.at - started) / 60_000);
        const set = perMinute.get(minute) ?? new Set<string>();
        set.add(sr);
        perMinute.set(minute, set);
      }
    }
    const minutes = Math.max(-1, ...perMinute.keys()) + 1;
    return { kind: 'rpcRate', perMinute: Array.from({ length: minutes }, (_, i) => perMinute.get(i)?.size ?? 0) };
  }
  if (e.sessionsPerDevice) {
    const { perSeconds } = e.sessionsPerDevice;
    return worstOf(
      serials.map(
        (sr) =>
          [
            sr,
            perSeconds
              ? busiestWindow(
                  logOf(sr).sessions.map((x) => x.at),
                  perSeconds * 1000,
                )
              : logOf(sr).sessions.length,
          ] as const,
      ),
    );
  }
  if (e.rpcPerDevice) {
    const want = e.rpcPerDevice;
    return worstOf(serials.map((sr) => [sr, logOf(sr).requests.filter((r) => r.request.method === want.method).length] as const));
  }
  if (e.value) {
    const want = e.value;
    const chosen = fleet.members.filter((m) => inShare(m.serial, want.devices, `expect-${e.name}`));
    const wrong = chosen.filter((m) => {
      const a = m.agent;
      if (!a || !a.model.definitionOf(want.name)) return true;
      const v = a.model.read(want.name);
      return (want.equals !== undefined && v !== want.equals) || (want.matches !== undefined && !new RegExp(want.matches).test(v));
    });
    const example = wrong[0]?.agent?.model.definitionOf(want.name)
      ? `${wrong[0].serial}: ${JSON.stringify(wrong[0].agent.model.read(want.name))}`
      : wrong[0]?.serial;
    return { kind: 'value', chosen: chosen.length, wrong: wrong.length, ...(example ? { example } : {}) };
  }
  if (e.event) {
    const want = e.event;
    const chosen = serials.filter((sr) => inShare(sr, want.devices, `expect-${e.name}`));
    return { kind: 'event', chosen: chosen.length, had: chosen.filter((sr) => logOf(sr).events.includes(want.code)).length };
  }
  if (e.transfers) {
    const faults = serials.flatMap((sr) => logOf(sr).transfers);
    return { kind: 'transfers', ok: faults.filter((f) => f === 0).length, total: faults.length };
  }
  const all = serials.flatMap((sr) => logOf(sr).sessions);
  return { kind: 'sessions', ok: all.filter((x) => x.ok).length, total: all.length };
}

/** The most of these (sorted) times that fall within any window of `windowMs`. */
export function busiestWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last]! - times[first]! >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

function timeline(devices: Map<string, DeviceLog>, started: number, ended: number): ScenarioResult['timeline'] {
  const seconds = Math.max(1, Math.ceil((ended - started) / 1000));
  const ok = new Array<number>(seconds).fill(0);
  const failed = new Array<number>(seconds).fill(0);
  for (const d of devices.values())
    for (const x of d.sessions) {
      const i = Math.min(seconds - 1, Math.max(0, Math.floor((x.at - started) / 1000)));
      (x.ok ? ok : failed)[i]!++;
    }
  return { ok, failed };
}
