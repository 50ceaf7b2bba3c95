/**
 * Fleet figures: heap and RSS per device once every device has bootstrapped, and, for a
 * sustained load, sessions per second, CPU per session and session latency (p50/p99) against
 * the test ACS running in its own process. Sessions are driven closed-loop: a fixed number in
 * flight, a new one (6 CONNECTION REQUEST) started on the next device as each ends. Baseline in
 * the same run and at the same concurrency: two bare HTTP POSTs per fresh connection, which is
 * what a session costs at the least. Run with --expose-gc (npm run bench does).
 */
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { bin, startAcsProcess } from './acs-process.js';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { systemClock } from '../src/runtime/clock.js';
import { EventCode } from '../src/cwmp/events.js';
import { Fleet, type FleetOptions } from '../src/fleet/fleet.js';
import { LatencyHistogram } from '../src/fleet/fleet-stats.js';
import { defaultSessionLimit } from '../src/fleet/session-gate.js';
import { loadProfile } from '../src/fleet/profile.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentMetrics } from '../src/observability/metrics.js';
import { ControlServer } from '../src/observability/control-server.js';
import { fleetTarget } from '../src/observability/control-target.js';
import { WireTrace } from '../src/log/wire-trace.js';
import { Misbehaviour, misbehaviourRuleSchema } from '../src/harness/misbehaviour.js';
import { writeEnvelope } from '../src/cwmp/envelope-write.js';
import { CWMP_NS_1_2 } from '../src/cwmp/namespaces.js';
import { semiSpaceMbFor } from '../src/cli/fleet-heap.js';

const SIZES = (process.env['BENCH_FLEET_SIZES'] ?? '1000,10000').split(',').map(Number);
const SECONDS = Number(process.env['BENCH_FLEET_SECONDS'] ?? 10);
const IN_FLIGHT = Number(process.env['BENCH_FLEET_IN_FLIGHT'] ?? 64);
/** The plain figure's load is run in this many turns with the floor. */
const ROUNDS = Number(process.env['BENCH_FLEET_ROUNDS'] ?? 5);
/** Which figures: load (memory, sustained, steady), storm (boot storm beside the ACS alone); both by default. */
const FIGURES = (process.env['BENCH_FLEET_FIGURES'] ?? 'load,storm').split(',');

/** The floor's body: about an Inform's size. */
const FLOOR_BODY = `<x>${'a'.repeat(2500)}</x>`;

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

interface LoadResult {
  perSecond: number;
  cpuMsPer: number;
  cpuShare: number;
  p50: number;
  p99: number;
}

/** Runs `oneSession` closed-loop with IN_FLIGHT in flight for `seconds`. */
async function closedLoop(oneSession: (slot: number) => Promise<void>, seconds = SECONDS): Promise<LoadResult> {
  const latency = new LatencyHistogram();
  const until = performance.now() + seconds * 1000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async (_, slot) => {
      while (performance.now() < until) {
        const s = performance.now();
        await oneSession(slot);
        latency.record(performance.now() - s);
        n++;
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { perSecond: n / secs, cpuMsPer: cpuMs / n, cpuShare: cpuMs / 1000 / secs, p50: latency.quantile(0.5), p99: latency.quantile(0.99) };
}

/** Starts V8's CPU profiler in this process; the returned function stops it and gives the profile. */
async function startProfile(): Promise<() => Promise<unknown>> {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return async () => {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    session.disconnect();
    return profile;
  };
}

/**
 * Runs `oneSession` open-loop: a new one started every 1/rate s whatever the others are doing, as
 * devices on their own timers start them, for `seconds`. CPU per session and its latency.
 */
async function openLoop(rate: number, oneSession: () => Promise<void>, seconds = SECONDS): Promise<LoadResult> {
  const latency = new LatencyHistogram();
  const every = 1000 / rate;
  const running = new Set<Promise<void>>();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let started = 0;
  let done = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      if (now - t0 >= seconds * 1000) return resolve();
      // Every session due by now (a late timer starts the missed ones at once, as a loaded fleet would).
      while (started * every <= now - t0) {
        started++;
        const s = performance.now();
        const p = oneSession().then(() => {
          latency.record(performance.now() - s);
          done++;
          running.delete(p);
        });
        running.add(p);
      }
      setTimeout(tick, Math.max(1, started * every - (performance.now() - t0)));
    };
    tick();
  });
  await Promise.all(running);
  const secs = (performance.now() - t0) / 1000;
  const cpuMs = (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1000;
  return {
    perSecond: done / secs,
    cpuMsPer: cpuMs / Math.max(1, done),
    cpuShare: cpuMs / 1000 / secs,
    p50: latency.quantile(0.5),
    p99: latency.quantile(0.99),
  };
}

/**
 * A session at its barest: `body`, then an empty POST, on one fresh connection, the second
 * carrying back a cookie the first answer set (as a CWMP session does).
 */
function bareSession(url: URL, body: string, path = '/baseline', headers: http.OutgoingHttpHeaders = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const post = (payload: string, cookie: string | undefined, then: (cookie: string | undefined) => void): void => {
      const req = http.request(
        { hostname: url.hostname, port: url.port, path, method: 'POST', agent, headers: cookie ? { ...headers, Cookie: cookie } : headers },
        (res) => {
          const set = res.headers['set-cookie']?.[0]?.split(';')[0];
          res.resume();
          res.on('end', () => then(set ?? cookie));
        },
      );
      req.on('error', reject);
      req.end(payload);
    };
    post(body, undefined, (cookie) =>
      post('', cookie, () => {
        agent.destroy();
        resolve();
      }),
    );
  });
}

/** The bench's fleet: STB devices booting at 2,000 a second against the ACS at acsUrl. */
export function benchFleet(acsUrl: string, count: number, extra: Partial<FleetOptions>): Fleet {
  return new Fleet({
    count,
    profile: loadProfile('stb'),
    acsUrl,
    cwmpVersion: '1.4',
    connectionRequest: { port: 0, address: '127.0.0.1', password: 'bench' },
    bootWindowSeconds: count / 2000,
    clock: systemClock,
    random: Math.random,
    logger: pino({ level: 'silent' }),
    ...extra,
  });
}

/** plain: nothing watching; observed: Prometheus metrics and the dashboard's control server on; traced: the wire trace on. */
type Mode = 'plain' | 'observed' | 'traced' | 'misbehaving' | 'steady';

async function fleetFigures(acsUrl: string, count: number, mode: Mode): Promise<void> {
  gc();
  const metrics = mode === 'observed' ? new AgentMetrics({ defaultLabels: { profile: 'stb' } }) : undefined;
  const traceDir = mode === 'traced' ? fs.mkdtempSync(path.join(os.tmpdir(), 'bench-trace-')) : undefined;
  const trace = traceDir ? new WireTrace({ dir: traceDir, maxDirBytes: 4 * 1024 ** 3 }) : undefined;
  // A rule set on 10% of the devices (the bench's sessions carry no RPC: this is what having rules costs).
  const misbehaviour =
    mode === 'misbehaving'
      ? new Misbehaviour(
          [
            misbehaviourRuleSchema.parse({ name: 'spv', devices: { percent: 10 }, do: { rpcFault: { method: 'SetParameterValues', code: 9002 } } }),
            misbehaviourRuleSchema.parse({ name: 'slow', devices: { percent: 10 }, do: { delayAnswer: { ms: 100 } } }),
            misbehaviourRuleSchema.parse({ name: 'deaf', devices: { percent: 10 }, do: { connectionRequests: 'ignore' } }),
          ],
          'stb',
        )
      : undefined;
  const heap0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage().rss;
  const fleet = benchFleet(acsUrl, count, { observer: metrics, trace, misbehaviour });
  const control = mode === 'observed' ? new ControlServer({ target: fleetTarget(fleet, 'stb'), port: 0, address: '127.0.0.1' }) : undefined;
  await control?.listen();
  const bootStart = performance.now();
  await fleet.start();
  while (fleet.stats.bootstrapped.size < count) await new Promise((r) => setTimeout(r, 50));
  const bootSeconds = (performance.now() - bootStart) / 1000;
  await new Promise((r) => setTimeout(r, 200));
  gc();
  const mem = process.memoryUsage();
  console.log(`fleet of ${count}, ${mode}: all bootstrapped in ${bootSeconds.toFixed(1)} s (${fleet.stats.failed} failed sessions, retried)`);
  console.log(
    `  heap per device ${((mem.heapUsed - heap0) / count / 1024).toFixed(1)} KB   RSS per device ${((mem.rss - rss0) / count / 1024).toFixed(1)} KB   (heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MB, RSS ${(mem.rss / 2 ** 20).toFixed(0)} MB in all)`,
  );

  // Sustained load: each slot takes the next device and runs one session on it.
  let next = 0;
  const waiters = new Map<number, () => void>();
  fleet.onSession((m) => {
    const w = waiters.get(m.index);
    if (w) {
      waiters.delete(m.index);
      w();
    }
  });
  const fleetSession = (): Promise<void> =>
    new Promise<void>((resolve) => {
      let m = fleet.members[next++ % count]!;
      while (waiters.has(m.index)) m = fleet.members[next++ % count]!;
      waiters.set(m.index, resolve);
      m.agent!.trigger(EventCode.ConnectionRequest);
    });
  if (mode !== 'plain') {
    console.log(`  sustained, ${IN_FLIGHT} in flight:  ${fmt(await closedLoop(fleetSession))}`);
  } else {
    // The fleet and the floor in turns, in this process: on a machine whose speed drifts (a
    // shared VM) each round's ratio of the two CPU figures is steadier than either figure.
    const rounds: { load: LoadResult; floor: LoadResult }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const load = await closedLoop(fleetSession, SECONDS / ROUNDS);
      rounds.push({ load, floor: await closedLoop(() => bareSession(new URL(acsUrl), FLOOR_BODY), SECONDS / ROUNDS) });
    }
    const sorted = (xs: number[]): number[] => xs.sort((x, y) => x - y);
    const ratios = sorted(rounds.map((x) => x.load.cpuMsPer / x.floor.cpuMsPer));
    const fleetMs = sorted(rounds.map((x) => x.load.cpuMsPer));
    const floorMs = sorted(rounds.map((x) => x.floor.cpuMsPer));
    const middle = Math.floor(ROUNDS / 2);
    const range = (xs: number[], digits: number): string => `${xs[0]!.toFixed(digits)}-${xs.at(-1)!.toFixed(digits)}`;
    const medianRound = rounds.map((x) => x.load).sort((x, y) => x.cpuMsPer - y.cpuMsPer)[middle]!;
    console.log(`  sustained, ${IN_FLIGHT} in flight:  ${fmt(medianRound)}   (the median of ${ROUNDS} rounds)`);
    console.log(
      `  each round beside the floor right after it: ${range(fleetMs, 3)} ms against ${range(floorMs, 3)} ms CPU; the fleet's CPU per session ${ratios[middle]!.toFixed(2)} times the floor's (median; rounds ${range(ratios, 2)})`,
    );
  }
  if (metrics) await metrics.registry.metrics();
  await control?.close();
  await fleet.stop();
  if (trace && traceDir) {
    trace.close();
    const bytes = fs.readdirSync(traceDir).reduce((n, f) => n + fs.statSync(path.join(traceDir, f)).size, 0);
    const sessions = fleet.stats.ok + fleet.stats.failed;
    console.log(`  trace: ${(bytes / 2 ** 20).toFixed(1)} MB written, ${(bytes / Math.max(1, sessions) / 1024).toFixed(1)} KB per session`);
    fs.rmSync(traceDir, { recursive: true, force: true });
  }
}

function fmt(r: LoadResult): string {
  return `${r.perSecond.toFixed(0).padStart(5)} sessions/s   ${r.cpuMsPer.toFixed(3)} ms CPU each   ${(r.cpuShare * 100).toFixed(0)}% of one core   p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms`;
}

/**
 * Periodic load as a real fleet makes it: every device informs every count/RATE seconds, phased
 * over the interval, for SECONDS once all have booted. Prints the Informs a second that arrived,
 * session latency as the devices saw it and the event loop's delay (the goals: p50 <= 5 ms
 * and loop p99 <= 50 ms at 10,000 devices and 1,000 Informs a second, loop p99 <= 250 ms at 100,000).
 */
async function steadyFigures(acsUrl: string, count: number): Promise<void> {
  const rate = Number(process.env['BENCH_FLEET_STEADY_RATE'] ?? 1000);
  const interval = Math.max(1, Math.round(count / rate));
  // The floor for a steady Inform, open-loop at the same rate in the same process (two bare POSTs
  // on a fresh connection), before the fleet and after it: this machine's noise shows in the two.
  const floorBefore = await openLoop(count / interval, () => bareSession(new URL(acsUrl), FLOOR_BODY));
  const fleet = benchFleet(acsUrl, count, { periodicInformInterval: interval });
  await fleet.start();
  while (fleet.stats.bootstrapped.size < count) await new Promise((r) => setTimeout(r, 50));
  // One interval for the phases to settle after the boot.
  await new Promise((r) => setTimeout(r, interval * 1000));
  const latency = new LatencyHistogram();
  let sessions = 0;
  let measuring = true;
  fleet.onSession((_m, ok, timing) => {
    if (!measuring || !ok) return;
    sessions++;
    latency.record(timing.endedAt - timing.startedAt);
  });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  // BENCH_FLEET_STEADY_PROFILE=FILE: CPU profiles of the steady window alone and (FILE.floor) of its floor (Chrome's DevTools opens them).
  const profile = process.env['BENCH_FLEET_STEADY_PROFILE'] ? await startProfile() : undefined;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  measuring = false;
  loop.disable();
  if (profile) fs.writeFileSync(process.env['BENCH_FLEET_STEADY_PROFILE']!, JSON.stringify(await profile()));
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const perInform = (cpu.user + cpu.system) / 1000 / Math.max(1, sessions);
  console.log(
    `fleet of ${count}, steady (PeriodicInformInterval ${interval} s): ${(sessions / secs).toFixed(0)} Informs/s arrived   ${perInform.toFixed(3)} ms CPU each (user ${(cpu.user / 1000 / Math.max(1, sessions)).toFixed(3)}, system ${(cpu.system / 1000 / Math.max(1, sessions)).toFixed(3)})   session p50 ${latency.quantile(0.5).toFixed(1)} ms  p99 ${latency.quantile(0.99).toFixed(1)} ms   event-loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms`,
  );
  await fleet.stop();
  gc();
  const floorProfile = process.env['BENCH_FLEET_STEADY_PROFILE'] ? await startProfile() : undefined;
  const floorAfter = await openLoop(sessions / secs, () => bareSession(new URL(acsUrl), FLOOR_BODY));
  if (floorProfile) fs.writeFileSync(`${process.env['BENCH_FLEET_STEADY_PROFILE']}.floor`, JSON.stringify(await floorProfile()));
  const floor = (floorBefore.cpuMsPer + floorAfter.cpuMsPer) / 2;
  console.log(
    `  floor, open loop at the same rate: ${floorBefore.cpuMsPer.toFixed(3)} ms CPU each before the fleet, ${floorAfter.cpuMsPer.toFixed(3)} ms after; the fleet's steady Inform costs ${(perInform / floor).toFixed(2)} times their mean (goal 1.3)`,
  );
}

function threadsLabel(workers: number): string {
  return workers === 1 ? 'one thread' : `${workers} worker threads`;
}

/**
 * A true boot storm, run as users run it: `cwmp-agent fleet --scenario boot-storm` with every
 * device booting within count/10,000 s (10 s at 100,000), in one thread or spread over `workers`
 * threads; the command ends when all have bootstrapped. Beside it, stormFloor measures the ACS's
 * own capacity for the same sessions. Returns the storm's seconds.
 */
async function stormFigures(acsUrl: string, count: number, workers: number): Promise<number> {
  const summaryFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-storm-')), 'summary.json');
  const args = [bin, 'fleet', '--count', String(count), '--scenario', 'boot-storm', '--boot-window', String(count / 10_000)];
  args.push('--acs-url', acsUrl, '--cr-port', '0', '--duration', '600', '--summary', summaryFile, '--workers', String(workers));
  // Its progress lines go to stderr: kept, and shown only if it fails.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`boot storm of ${count} exited with ${code}: ${stderr}`);
  const s = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as { bootstrapped: number; elapsedSeconds: number; sessions: { failed: number } };
  fs.rmSync(path.dirname(summaryFile), { recursive: true, force: true });
  console.log(
    `  cwmp-agent fleet, ${threadsLabel(workers)}: ${s.bootstrapped} bootstrapped in ${s.elapsedSeconds.toFixed(1)} s (${(count / s.elapsedSeconds).toFixed(0)} sessions/s), ${s.sessions.failed} failed sessions`,
  );
  return s.elapsedSeconds;
}

/**
 * The ACS's own capacity: a bare client (no device behind it) runs the same bootstrap sessions,
 * an Inform with BOOTSTRAP and BOOT then an empty POST, each on a fresh connection, for `count`
 * new serial numbers at the fleet's bound on sessions in flight. Seconds for all of them.
 */
async function stormFloor(acsUrl: string, count: number): Promise<number> {
  const url = new URL(acsUrl);
  const inform = (serial: string): string =>
    writeEnvelope(
      {
        method: 'Inform',
        deviceId: { manufacturer: 'cwmp-agent', oui: '00D0B7', productClass: 'STB', serialNumber: serial },
        events: [
          { code: '0 BOOTSTRAP', commandKey: '' },
          { code: '1 BOOT', commandKey: '' },
        ],
        maxEnvelopes: 1,
        currentTime: new Date(),
        retryCount: 0,
        parameterList: [
          ['Device.RootDataModelVersion', '2.16'],
          ['Device.DeviceInfo.HardwareVersion', 'HW-1.0'],
          ['Device.DeviceInfo.SoftwareVersion', '1.0.0'],
          ['Device.DeviceInfo.ProvisioningCode', ''],
          ['Device.ManagementServer.ParameterKey', ''],
          ['Device.ManagementServer.ConnectionRequestURL', `http://127.0.0.1:7547/cr/${serial}`],
          ['Device.ManagementServer.AliasBasedAddressing', 'false'],
        ].map(([name, value]) => ({ name: name!, value: value!, type: 'string' as const })),
      },
      { namespace: CWMP_NS_1_2, id: '1', supportedCwmpVersions: '1.0,1.1,1.2,1.3,1.4' },
    );
  const headers = { 'Content-Type': 'text/xml; charset="utf-8"', SOAPAction: '' };
  const session = (serial: string): Promise<void> => bareSession(url, inform(serial), url.pathname, headers);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: defaultSessionLimit() }, async () => {
      while (next < count) await session(`FLOOR${String(next++).padStart(7, '0')}`);
    }),
  );
  return (performance.now() - t0) / 1000;
}

/** Each fleet size runs in a fresh process, so that RSS per device is not skewed by what ran before. */
function fleetInChild(acsUrl: string, count: number, mode: Mode = 'plain'): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  // The young generation `cwmp-agent fleet` gives a fleet of this size (see cli/fleet-young-generation.ts).
  const child = spawn(process.execPath, ['--expose-gc', `--max-semi-space-size=${semiSpaceMbFor(count)}`, self, '--child', acsUrl, String(count), mode], {
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`fleet bench of ${count} exited with ${code}`)))),
  );
}

export async function runFleetBench(): Promise<void> {
  if (FIGURES.includes('load')) await loadFigures();
  if (FIGURES.includes('storm')) await stormFiguresAll();
}

/** Memory and sustained load per size, with metrics, trace and misbehaviour beside; then the steady figure. */
async function loadFigures(): Promise<void> {
  const acs = await startAcsProcess(['--max-sessions', '200']);
  try {
    const url = new URL(acs.url);
    console.log(`fleet: the test ACS in its own process; ${SECONDS} s of load per figure`);
    console.log(`  baseline: two bare HTTP POSTs per fresh connection, ${IN_FLIGHT} in flight:  ${fmt(await closedLoop(() => bareSession(url, FLOOR_BODY)))}`);
    // Each size plain, then with metrics and the dashboard on (goal: under 5% slower, under 1 KB more per device); the trace at 1,000.
    for (const n of SIZES) {
      await fleetInChild(acs.url, n, 'plain');
      await fleetInChild(acs.url, n, 'observed');
    }
    await fleetInChild(acs.url, Math.min(1000, SIZES[0] ?? 1000), 'traced');
    await fleetInChild(acs.url, SIZES.at(-1) ?? 10_000, 'misbehaving');
    for (const n of SIZES) await fleetInChild(acs.url, n, 'steady');
  } finally {
    acs.stop();
  }
}

/**
 * Boot storms, each against an ACS of its own that has never seen these devices. The ACS alone
 * runs before and after the fleet's storms, and each storm is set against the mean of the two: on
 * a machine whose speed drifts, one measurement before would flatter or wrong the fleet.
 */
async function stormFiguresAll(): Promise<void> {
  for (const n of SIZES) {
    const acsAlone = async (): Promise<number> => {
      const acs = await startAcsProcess(['--max-sessions', '200']);
      return stormFloor(acs.url, n).finally(() => acs.stop());
    };
    const before = await acsAlone();
    console.log(
      `boot storm of ${n}: the ACS alone (a bare client, ${defaultSessionLimit()} in flight) takes ${before.toFixed(1)} s (${(n / before).toFixed(0)} sessions/s)`,
    );
    // One thread, then (cores allowing) two: a one-thread fleet is bound by its thread's CPU.
    const storms: { workers: number; seconds: number }[] = [];
    for (const workers of os.availableParallelism() > 1 ? [1, 2] : [1]) {
      const stormAcs = await startAcsProcess(['--max-sessions', '200']);
      storms.push({ workers, seconds: await stormFigures(stormAcs.url, n, workers).finally(() => stormAcs.stop()) });
    }
    const after = await acsAlone();
    const capacity = (before + after) / 2;
    const ratios = storms.map((x) => `${threadsLabel(x.workers)} ${(x.seconds / capacity).toFixed(2)} times`);
    console.log(`  the ACS alone again: ${after.toFixed(1)} s; against the mean of the two (${capacity.toFixed(1)} s): ${ratios.join(', ')} (goal: within 2)`);
  }
}

if (process.argv[2] === '--child') {
  const mode = (process.argv[5] ?? 'plain') as Mode;
  if (mode === 'steady') await steadyFigures(process.argv[3]!, Number(process.argv[4]));
  else await fleetFigures(process.argv[3]!, Number(process.argv[4]), mode);
  process.exit(0);
}
