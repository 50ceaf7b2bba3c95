/** `cwmp-agent fleet`: wiring of a fleet, its scenario, live progress and the summary. */
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { TestAcs } from '../acs/test-acs.js';
import { systemClock } from '../runtime/clock.js';
import { retainedHeap } from '../runtime/retained-heap.js';
import { ConfigError, flagLabels, loadConfig, overridesFromEnv, type AgentConfig, type ConfigOverrides } from '../assembly/config.js';
import { Fleet } from '../fleet/fleet.js';
import { Schema } from '../datamodel/schema.js';
import { schemaFor, uspSettings } from '../assembly/assemble-device.js';
import type { FleetProtocol } from '../fleet/fleet.js';
import type { FleetUspOptions } from '../fleet/fleet-usp.js';
import type { UspTestController } from '../usp-controller/usp-test-controller.js';
import type { UspMsg } from '../usp/usp-codec.js';
import { wireTraceFor } from '../log/wire-trace.js';
import { Misbehaviour } from '../harness/misbehaviour.js';
import { startFleetMisbehaviour } from '../harness/fleet-misbehaviour.js';
import { AgentMetrics } from '../observability/metrics.js';
import { startMetricsServer } from '../observability/metrics-server.js';
import { ControlServer } from '../observability/control-server.js';
import { fleetTarget } from '../observability/control-target.js';
import { FleetSnapshot } from '../fleet/fleet-snapshot.js';
import { parseShard } from '../fleet/identity-template.js';
import { checkSourceAddresses, sourceAddressesOf, startPortWatch } from './fleet-addresses.js';
import { alsoTellingPortWaits } from '../agent/agent-observer.js';
import { loadProfile, type Profile } from '../fleet/profile.js';
import { fleetShape, runScenario, type ScenarioName } from '../fleet/scenarios.js';
import type { StormOperation } from '../fleet/scenario-names.js';
import { isMainThread, parentPort } from 'node:worker_threads';
import { devicesPerThread, heapProblem, oldSpaceMbFor, relaunchForFleet, youngGenerationMbFor } from './fleet-heap.js';
import { runFleetWorkers, type WorkerProgress, type WorkerSummary } from './fleet-workers.js';
import { showProgress, type ProgressFigures } from './fleet-progress.js';

export interface FleetFlags extends ConfigOverrides {
  count?: number;
  profile?: string;
  scenario?: ScenarioName;
  protocol?: FleetProtocol;
  duration?: number;
  rate?: number;
  bootWindow?: number;
  interval?: number;
  churnPercent?: number;
  offlineSeconds?: number;
  operation?: StormOperation;
  shard?: string;
  summary?: string;
  crPassword?: string;
  /** Sessions in flight at most (this process, or each worker). */
  maxInFlight?: number;
  /** Worker threads to spread the devices over (default 1: this thread). */
  workers?: number;
  /** Threads writing into the one trace directory: each keeps to its share of the cap. */
  traceSharedBy?: number;
  /** CIDR[,CIDR...]: each device's own source address (see fleet/source-addresses.ts). */
  sourceAddresses?: string;
}

/** The profile's schema with the configuration's extra models beside it (profile and built-in definitions winning). */
async function widenedSchema(base: Schema, config: AgentConfig): Promise<Schema> {
  if (`${config.dataModel.root}.` !== base.root) throw new ConfigError(`dataModel.root ${config.dataModel.root}: the profile's model is under ${base.root}`);
  const extra = await schemaFor(config);
  const parameters = new Map(extra.parameters);
  for (const [k, v] of base.parameters) parameters.set(k, v);
  const tables = new Map(extra.tables);
  for (const [k, v] of base.tables) tables.set(k, v);
  return new Schema([...parameters.values()], [...tables.values()]);
}

export async function runFleet(configFile: string | undefined, flags: FleetFlags): Promise<void> {
  const env = overridesFromEnv(process.env);
  const config = loadConfig(configFile, env, { ...flags, setBy: flagLabels(flags) });
  const f: NonNullable<AgentConfig['fleet']> = config.fleet ?? {
    profile: 'stb',
    scenario: 'steady',
    protocol: 'cwmp',
    operation: 'reboot',
    durationSeconds: 0,
    connectionRequestPassword: 'cwmp-agent',
    snapshotIntervalSeconds: 30,
    misbehaviour: [],
  };
  const protocol = flags.protocol ?? f.protocol;
  const count = flags.count ?? f.count;
  if (count === undefined) throw new ConfigError('fleet: give the number of devices with --count (or fleet.count in the config)');
  if (count < 1) throw new ConfigError(`fleet: --count ${count}: a fleet needs at least one device`);
  const shardText = flags.shard ?? f.shard;
  const shard = shardText ? parseShard(shardText) : undefined;
  if (shardText && !shard) throw new ConfigError(`--shard ${shardText}: expected I/N with 0 <= I < N`);
  const sources = sourceAddressesOf(flags.sourceAddresses ?? f.sourceAddresses);
  let profile: Profile;
  try {
    profile = loadProfile(flags.profile ?? f.profile);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  // dataModel.extraModels widen a fleet's model as they do a single agent's: the profile's own definitions win.
  if (config.dataModel.extraModels.length > 0) profile = { ...profile, schema: await widenedSchema(profile.schema, config) };
  const migrating = (flags.scenario ?? f.scenario) === 'migration';
  if (migrating && protocol !== 'cwmp') throw new ConfigError('--scenario migration starts from CWMP-only devices: leave --protocol at cwmp');
  if (protocol !== 'cwmp' || migrating) {
    if (profile.schema.root !== 'Device.')
      throw new ConfigError(`--protocol ${protocol}: USP needs a TR-181 (Device.) profile; ${profile.name} is ${profile.schema.root}`);
    const { withLocalAgent } = await import('../models/local-agent.js');
    profile = { ...profile, schema: withLocalAgent(profile.schema) };
  }
  // Every thread of this process shares its memory: a fleet whose devices cannot fit is refused now, not killed later.
  const tooBig = heapProblem(devicesPerThread(count, shard));
  if (tooBig) throw new ConfigError(tooBig);
  const workers = Math.max(1, Math.floor(flags.workers ?? f.workers ?? 1));
  if (workers > 1 && protocol !== 'cwmp' && !config.usp?.mqtt.url && !config.usp?.websocket.url)
    throw new ConfigError('--workers with --protocol usp: give the broker (--usp-mqtt-url) or the Controller (--usp-ws-url) the workers share');
  if (isMainThread && workers > 1) {
    // Each worker takes an equal part of this process's range: part I of N becomes W parts of N·W.
    const index = shard?.index ?? 0;
    const total = shard?.total ?? 1;
    const basePort = config.connectionRequest.port;
    const youngGenerationMb = youngGenerationMbFor(devicesPerThread(count, shard, workers));
    const oldGenerationMb = oldSpaceMbFor(devicesPerThread(count, shard, workers));
    return runFleetWorkers(
      Array.from({ length: workers }, (_, w) => ({
        configFile,
        flags: {
          ...flags,
          workers: 1,
          traceSharedBy: workers,
          summary: undefined,
          shard: `${index * workers + w}/${total * workers}`,
          crPort: basePort === 0 ? 0 : basePort + w,
        },
        youngGenerationMb,
        oldGenerationMb,
      })),
      flags.summary ?? f.summaryFile,
      config.metrics,
    );
  }
  // (main.ts does this already when --count is on the command line; here for a count from the config)
  const relaunched = isMainThread ? relaunchForFleet(devicesPerThread(count, shard)) : undefined;
  if (relaunched) process.exit(await relaunched);
  const toParent = isMainThread ? undefined : (parentPort ?? undefined);
  const scenario = {
    name: flags.scenario ?? f.scenario,
    durationSeconds: flags.duration ?? f.durationSeconds,
    rate: flags.rate ?? f.rate,
    churnPercent: flags.churnPercent ?? f.churnPercent,
    offlineSeconds: flags.offlineSeconds ?? f.offlineSeconds,
    operation: flags.operation ?? f.operation,
  };
  // A fleet logs warnings by default: thousands of devices at info would drown the terminal.
  const level = flags.logLevel ?? env.logLevel ?? 'warn';
  const logger = pino({ level, redact: { paths: ['*.password', 'password'], censor: '[hidden]' } }, pino.destination(2));
  if (protocol === 'usp' && CWMP_ONLY_SCENARIOS.includes(scenario.name))
    throw new ConfigError(`--scenario ${scenario.name} drives CWMP devices: a --protocol usp fleet runs boot-storm, steady, churn or operate-storm`);
  // A USP fleet without a broker or Controller URL talks to the bundled USP controller, in this
  // process; with a broker and no Controller named, the bundled one is a client of that broker.
  let controller: UspTestController | undefined;
  if (protocol !== 'cwmp' && !config.usp?.mqtt.url && !config.usp?.websocket.url) {
    const { UspTestController } = await import('../usp-controller/usp-test-controller.js');
    controller = new UspTestController();
    const url = await controller.listen();
    const given = config.usp;
    config.usp = {
      enabled: true,
      mqtt: given?.mqtt ?? { version: 5 },
      websocket: { ...(given?.websocket ?? { keepAliveSeconds: 30, listenAddress: '127.0.0.1' }), url },
      controller: { ...given?.controller, endpointId: given?.controller.endpointId ?? controller.endpointId },
      ...(given?.tls ? { tls: given.tls } : {}),
    };
    process.stderr.write(
      `no USP URL given: the bundled USP controller listens at ${url} (API ${url.replace(/^ws/, 'http').replace(/\/usp$/, '/api/agents')})\n`,
    );
  } else if (protocol !== 'cwmp' && config.usp?.mqtt.url && !config.usp.websocket.url && !config.usp.controller.endpointId) {
    const { UspTestController } = await import('../usp-controller/usp-test-controller.js');
    controller = new UspTestController();
    const api = (await controller.listen()).replace(/^ws/, 'http').replace(/\/usp$/, '/api/agents');
    const topic = `usp/controller/cwmp-agent-${process.pid}`;
    config.usp.controller = { ...config.usp.controller, endpointId: controller.endpointId, topic };
    const m = config.usp.mqtt;
    const tls = uspSettings(config)?.tls;
    await controller.connectMqtt({
      url: m.url!,
      topic,
      version: m.version,
      ...(m.username !== undefined ? { username: m.username } : {}),
      ...(m.password !== undefined ? { password: m.password } : {}),
      ...(tls ? { tls } : {}),
      logger,
    });
    process.stderr.write(`no USP Controller named: the bundled USP controller is on ${m.url} at topic ${topic} (API ${api})\n`);
  }
  if (scenario.name === 'operate-storm' && (protocol === 'cwmp' || !controller))
    throw new ConfigError(
      '--scenario operate-storm drives the bundled USP controller: run it with --protocol usp or both, and no --usp-ws-url or --usp-controller-id',
    );
  // New devices come with a Boot! subscription for their Controller; steady ones also with Periodic! at --rate across the fleet.
  const usp =
    protocol === 'cwmp'
      ? undefined
      : { ...fleetUspOptions(config), factorySubscriptions: scenario.name === 'steady' ? ('steady' as const) : ('boot' as const) };
  const migration = migrating ? migrationTarget(config) : undefined;
  let acsUrl = config.acs.url;
  let acs: TestAcs | undefined;
  if (!acsUrl && protocol !== 'usp') {
    acs = new TestAcs({ maxSessions: 1000 });
    acsUrl = await acs.listen();
    process.stderr.write(`no ACS URL given: the bundled test ACS listens at ${acsUrl}\n`);
  }
  const shardName = shard ? `${shard.index}-of-${shard.total}` : 'all';
  // A fleet's state is in memory unless asked for: not the agent's ./var default.
  const stateDir = flags.stateDir ?? f.stateDir ?? env.stateDir;
  const snapshot = stateDir ? new FleetSnapshot(path.resolve(stateDir), shardName) : undefined;
  const shape = fleetShape(scenario, devicesPerThread(count, shard));
  const trace = wireTraceFor(config.trace, flags.traceSharedBy);
  // Metrics: this thread serves them, or (a worker) sends them with its progress to the one that adds them up.
  const metrics = config.metrics ? new AgentMetrics({ defaultLabels: { profile: profile.name }, processMetrics: !toParent }) : undefined;
  const misbehaviour =
    f.misbehaviour && f.misbehaviour.length > 0
      ? new Misbehaviour(f.misbehaviour, profile.name, Math.random, (rule, serial) => {
          metrics?.misbehaviourFired(rule);
          trace?.forDevice(serial)({ kind: 'cwmp', dir: 'out', note: `misbehaviour rule ${rule} fired` });
        })
      : undefined;
  if (sources) await checkSourceAddresses(sources, count, shard, protocol, acsUrl ?? '');
  const interval = flags.interval ?? f.periodicInformInterval ?? config.periodicInformInterval ?? shape.periodicInformInterval;
  const bootWindowSeconds = flags.bootWindow ?? f.bootWindowSeconds ?? shape.bootWindowSeconds;
  // USP devices hold one connection each: only CWMP sessions spend ports.
  const ports =
    protocol === 'usp'
      ? undefined
      : startPortWatch(sources, count, shard, acsUrl ?? '', scenario, bootWindowSeconds, interval ?? profile.periodicInformInterval ?? 3600);
  // Retained heap before the devices exist: the summary's per-device figure is what they add.
  const heapBefore = retainedHeap().bytes;
  const fleet = new Fleet({
    ...(sources ? { sourceAddresses: sources } : {}),
    protocol,
    ...(usp ? { usp } : {}),
    ...(migration ? { uspWhenProvisioned: {} } : {}),
    ...(metrics && (protocol !== 'cwmp' || migration) ? { uspMessages: (dir: 'in' | 'out', msg: UspMsg) => metrics.uspMessage(dir, msg.header.msg_type) } : {}),
    ...(misbehaviour && (protocol !== 'cwmp' || migration)
      ? {
          // NOTIFY: the agent asks how to send a notification of its own (a Controller never sends one).
          uspMisbehaviour: (serial: string, msgType: string) =>
            msgType === 'NOTIFY' ? misbehaviour.uspNotify(serial) : misbehaviour.uspAnswer(serial, msgType),
        }
      : {}),
    misbehaviour,
    observer: ports ? alsoTellingPortWaits(metrics, (code) => ports.portWait(code)) : metrics,
    maxSessionsInFlight: flags.maxInFlight ?? f.maxSessionsInFlight,
    count,
    shard,
    profile,
    acsUrl: acsUrl ?? '',
    acsUsername: config.acs.username,
    acsPassword: config.acs.password,
    cwmpVersion: config.cwmpVersion,
    connectionRequest: {
      port: config.connectionRequest.port,
      address: acs ? '127.0.0.1' : config.connectionRequest.address,
      password: flags.crPassword ?? f.connectionRequestPassword,
    },
    periodicInformInterval: interval,
    bootWindowSeconds,
    clock: systemClock,
    random: Math.random,
    logger,
    requestTimeoutMs: config.acs.requestTimeoutMs,
    restored: snapshot?.load(),
    trace,
  });
  await fleet.start().catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES')
      throw new ConfigError(`cannot listen for connection requests on port ${config.connectionRequest.port} (${err.code}); choose another with --cr-port`);
    throw err;
  });
  process.stderr.write(
    `fleet: ${fleet.members.length} devices (${profile.name}${shard ? `, shard ${shardText}` : ''}), scenario ${scenario.name}, Informs every ${fleet.interval} s\n`,
  );
  const stopMisbehaving = misbehaviour ? startFleetMisbehaviour(fleet, misbehaviour, systemClock) : undefined;
  const run = runScenario(fleet, { ...scenario, ...(migration ? { migration } : {}) }, systemClock, acs, controller);
  const s = fleet.stats;
  metrics?.gauge('cwmp_fleet_devices', 'Devices of this fleet (or shard), by state', ['state'], (set) => {
    const online = fleet.online;
    set({ state: 'online' }, online);
    set({ state: 'offline' }, fleet.members.length - online);
    set({ state: 'bootstrapped' }, s.bootstrapped.size);
  });
  if (ports) {
    metrics?.gauge(
      'cwmp_fleet_tcp_sockets',
      "TCP sockets of the fleet's network namespace: open, and in TIME_WAIT",
      ['state'],
      (set) => {
        const now = ports.now;
        if (!now) return;
        set({ state: 'in_use' }, now.inUse);
        set({ state: 'time_wait' }, now.timeWait);
      },
      'max',
    );
    metrics?.gauge('cwmp_fleet_port_budget_connections_per_second', 'New connections a second the source addresses sustain toward a remote ACS', [], (set) =>
      set({}, ports.budget.sustainablePerSecond),
    );
  }
  if (protocol !== 'cwmp' || migration)
    metrics?.gauge('usp_fleet_agents', "The fleet's USP agents: connected now, ever connected, announced (Boot! or OnBoardRequest sent)", ['state'], (set) => {
      const u = fleet.uspSummary();
      set({ state: 'connected' }, u?.connected ?? 0);
      set({ state: 'reached' }, u?.reached ?? 0);
      set({ state: 'announced' }, u?.announced ?? 0);
    });
  const metricsServer =
    metrics && config.metrics && !toParent
      ? await startMetricsServer({
          port: config.metrics.port,
          address: config.metrics.address,
          text: () => metrics.registry.metrics(),
          contentType: metrics.registry.contentType,
        })
      : undefined;
  // Where to look, said as the fleet's other lines are (for a person), not as a log record.
  if (metricsServer) process.stderr.write(`fleet: metrics at http://${config.metrics!.address}:${metricsServer.port}/metrics\n`);
  const control = config.ui
    ? new ControlServer({
        target: fleetTarget(fleet, profile.name, config.trace ? (serial) => path.join(path.resolve(config.trace!.dir), `${serial}.jsonl`) : undefined, acs),
        port: config.ui.port,
        address: config.ui.address,
        token: config.ui.token,
      })
    : undefined;
  if (control) {
    const uiPort = await control.listen();
    process.stderr.write(`fleet: dashboard and control API at http://${config.ui!.address}:${uiPort}/\n`);
  }
  const figures = (): ProgressFigures => ({
    online: fleet.online,
    devices: fleet.members.length,
    bootstrapped: s.bootstrapped.size,
    rate: s.rate(),
    ok: s.ok,
    failed: s.failed,
    transfersOk: s.transfersOk,
    transfersFailed: s.transfersFailed,
    latency: s.latency,
    ...(protocol !== 'cwmp' ? { usp: { connected: fleet.members.filter((m) => m.usp?.connected).length, announced: fleet.uspAnnounced } } : {}),
    ...(ports ? { ports: { inUse: ports.now?.inUse, timeWait: ports.now?.timeWait, timeWaitPeak: ports.timeWaitPeak, waits: ports.totalWaits } } : {}),
  });
  // A worker reports its figures to the thread that adds them up; alone, it shows them itself.
  let stopProgress: () => void;
  if (toParent) {
    const report = setInterval(async () => {
      const progress: WorkerProgress = {
        type: 'progress',
        ...figures(),
        latency: s.latency.export(),
        metrics: metrics ? await metrics.registry.getMetricsAsJSON() : undefined,
      };
      toParent.postMessage(progress);
    }, 1000);
    stopProgress = () => clearInterval(report);
  } else {
    stopProgress = showProgress(figures);
  }
  const snapshotTimer = snapshot ? setInterval(() => snapshot.save(fleet), f.snapshotIntervalSeconds * 1000) : undefined;
  let interrupted = false;
  const interrupt = new Promise<void>((resolve) => {
    const stop = (): void => {
      interrupted = true;
      resolve();
    };
    if (toParent) toParent.once('message', (m) => m === 'stop' && stop());
    else {
      // on, not once: Ctrl-C reaches a relaunched fleet twice (from the terminal and passed on by
      // its first process), and the second must not kill it before its summary is written.
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    }
  });
  const extra = await Promise.race([run.done, interrupt.then(() => undefined)]);
  if (extra?.error) process.stderr.write(`${extra.error}\n`);
  run.stop();
  stopMisbehaving?.();
  stopProgress();
  if (snapshotTimer) clearInterval(snapshotTimer);
  const retained = retainedHeap();
  const mem = process.memoryUsage();
  const summary = {
    profile: profile.name,
    shard: shardText ?? null,
    scenario: scenario.name,
    interrupted,
    protocol,
    ...fleet.stats.summary(fleet.members.length, fleet.online),
    ...(fleet.uspSummary() ? { usp: fleet.uspSummary() } : {}),
    ...(ports ? { ports: ports.summary() } : {}),
    scenarioResults: extra ?? {},
    ...(misbehaviour ? { misbehaviour: misbehaviour.fired } : {}),
    // Retained (after a full collection), not used: used heap counts garbage not yet collected.
    memory: {
      heapRetainedBytes: retained.bytes,
      rssBytes: mem.rss,
      heapPerDeviceBytes: Math.round((retained.bytes - heapBefore) / Math.max(1, fleet.members.length)),
      ...(retained.collected ? {} : { heapNote: 'no full collection could be made: heap in use, garbage included' }),
    },
  };
  ports?.stop();
  snapshot?.save(fleet);
  trace?.close();
  await fleet.stop();
  await acs?.close();
  await controller?.close();
  await metricsServer?.close();
  await control?.close();
  if (toParent) {
    const report: WorkerSummary = { type: 'summary', summary, latency: fleet.stats.latency.export() };
    toParent.postMessage(report);
    // The worker's own handles (timers of stopped agents) must not keep it alive.
    toParent.close();
    return;
  }
  const text = JSON.stringify(summary, null, 2);
  process.stdout.write(`${text}\n`);
  const summaryFile = flags.summary ?? f.summaryFile;
  if (summaryFile) fs.writeFileSync(summaryFile, `${text}\n`);
  process.exit(0);
}

/** Scenarios that only CWMP devices can run (they drive the ACS, or CWMP's own features). */
const CWMP_ONLY_SCENARIOS: readonly ScenarioName[] = ['cr-storm', 'firmware-rollout', 'standby', 'bulkdata'];

/** The fleet's USP settings from the configuration's usp.* (the single agent's, checked the same way). */
function fleetUspOptions(config: AgentConfig): FleetUspOptions {
  const s = uspSettings(config);
  if (!s || s.transport === 'none') throw new ConfigError("--protocol usp: give the broker (--usp-mqtt-url) or the Controller's WebSocket URL (--usp-ws-url)");
  if (config.usp?.mqtt.topic) throw new ConfigError("usp.mqtt.topic: a fleet's devices each listen on their own (usp/agent/<EndpointID>); leave it out");
  if (config.usp?.endpointId) throw new ConfigError("usp.endpointId: a fleet's devices each have their own (os::<OUI>-<serial>); leave it out");
  return {
    url: s.url,
    transport: s.transport,
    controller: s.controller,
    ...(s.username !== undefined ? { username: s.username } : {}),
    ...(s.password !== undefined ? { password: s.password } : {}),
    version: s.version,
    ...(s.tls ? { tls: s.tls } : {}),
  };
}

/** Where the migration scenario moves the devices: the broker of --usp-mqtt-url and the Controller named. */
function migrationTarget(config: AgentConfig): { brokerUrl: string; controller: { endpointId: string; topic: string } } {
  const u = config.usp;
  const brokerUrl = u?.mqtt.url;
  if (!brokerUrl || !/^mqtts?:\/\//.test(brokerUrl))
    throw new ConfigError('--scenario migration: give the broker the devices move to (--usp-mqtt-url mqtt://HOST:PORT)');
  if (!u.controller.endpointId || !u.controller.topic)
    throw new ConfigError('--scenario migration: name the Controller (--usp-controller-id) and its topic (--usp-controller-topic)');
  return { brokerUrl, controller: { endpointId: u.controller.endpointId, topic: u.controller.topic } };
}
