/**
 * Load-test scenarios over a running fleet. Each shapes how devices boot and what happens
 * after; the two that need the ACS to act (connection-request storms, firmware rollouts) drive
 * the bundled test ACS. Progress is reported once a second; the run ends after its duration
 * (or when its work is done) with a summary.
 */
import type { TestAcs } from '../acs/test-acs.js';
import { EventCode } from '../cwmp/events.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import { buildFirmwareImage } from '../providers/firmware-image.js';
import type { Fleet, FleetMember } from './fleet.js';
import { LatencyHistogram } from './fleet-stats.js';
import { startMigration, type MigrationResult, type MigrationTarget } from './migration-scenario.js';
import { steadyChangeOf } from './usp-factory-defaults.js';
import { connectedUspTurns } from './usp-turns.js';
import { startOperateStorm } from './operate-storm.js';
import type { UspTestController } from '../usp-controller/usp-test-controller.js';

export { SCENARIOS, type ScenarioName } from './scenario-names.js';
import type { ScenarioName, StormOperation } from './scenario-names.js';

export interface ScenarioOptions {
  name: ScenarioName;
  /** Seconds to run; 0: until interrupted (boot-storm and firmware-rollout end when done). */
  durationSeconds: number;
  /** steady: Informs per second across the fleet; cr-storm: connection requests per second; firmware-rollout: Downloads started per second; bulkdata: reports per second. */
  rate?: number;
  /** churn: share of the fleet offline at any moment, percent; standby: share asleep. */
  churnPercent?: number;
  /** churn: how long a device stays off, seconds; standby: how long it sleeps. */
  offlineSeconds?: number;
  firmwareVersion?: string;
  /** operate-storm: what the controller runs (default reboot). */
  operation?: StormOperation;
  /** migration: the broker and Controller the ACS moves the devices to. */
  migration?: MigrationTarget;
}

/** What a scenario asks of the fleet before it starts: boot window and inform interval. */
/** Devices a second a steady fleet brings online at most (a large fleet ramps up). */
const BOOT_RATE = 500;

export function fleetShape(o: ScenarioOptions, devices: number): { bootWindowSeconds: number; periodicInformInterval?: number } {
  switch (o.name) {
    case 'boot-storm':
      return { bootWindowSeconds: 10 };
    case 'steady': {
      const interval = Math.max(1, Math.round(devices / Math.max(0.001, o.rate ?? devices / 60)));
      // Small fleets come online at once; large ones ramp at BOOT_RATE devices a second (never
      // slower than one interval): the periodic phases spread the later Informs either way.
      return { bootWindowSeconds: Math.min(interval, devices / BOOT_RATE), periodicInformInterval: interval };
    }
    default:
      return { bootWindowSeconds: 10 };
  }
}

export interface ScenarioExtra {
  /** cr-storm: connection request to completed session; firmware-rollout: Download queued to TransferComplete; bulkdata: profile queued to its first report. */
  actionLatencyMs?: { p50: number; p99: number; max: number; count: number };
  actionsSent?: number;
  actionsFailed?: number;
  /** migration: how many devices moved to USP, how long it took, and why the others did not. */
  migration?: MigrationResult;
  /** Why the scenario could not go on (it ended early). */
  error?: string;
}

export interface ScenarioRun {
  /** Resolves when the scenario has ended (duration over, or its work done). */
  done: Promise<ScenarioExtra>;
  stop(): void;
}

/** Starts the scenario's own activity on a fleet that has been started. */
export function runScenario(fleet: Fleet, o: ScenarioOptions, clock: Clock, acs: TestAcs | undefined, controller?: UspTestController): ScenarioRun {
  const timers: TimerHandle[] = [];
  const latency = new LatencyHistogram();
  let sent = 0;
  let failed = 0;
  let finish!: (x: ScenarioExtra) => void;
  const done = new Promise<ScenarioExtra>((r) => (finish = r));
  let ended = false;
  let migration: { result(): MigrationResult } | undefined;
  let error: string | undefined;
  const end = (): void => {
    if (ended) return;
    ended = true;
    for (const t of timers) t.cancel();
    if (migration) return finish({ migration: migration.result() });
    finish({
      ...(sent > 0
        ? {
            actionLatencyMs: { p50: latency.quantile(0.5), p99: latency.quantile(0.99), max: latency.max, count: latency.count },
            actionsSent: sent,
            actionsFailed: failed,
          }
        : {}),
      ...(error ? { error } : {}),
    });
  };
  if (o.durationSeconds > 0) timers.push(clock.setTimer(o.durationSeconds * 1000, end));
  const needAcs = (): TestAcs => {
    if (!acs) throw new Error(`the ${o.name} scenario drives the ACS: run it with the bundled test ACS (no --acs-url)`);
    return acs;
  };
  /** Calls fn once per 1/rate seconds until the scenario ends. */
  const paced = (rate: number, fn: () => void): void => {
    const every = 1000 / Math.max(0.001, rate);
    let due = clock.now();
    const tick = (): void => {
      if (ended) return;
      const now = clock.now();
      while (due <= now) {
        fn();
        due += every;
      }
      timers.push(clock.setTimer(Math.max(1, due - now), tick));
    };
    tick();
  };

  switch (o.name) {
    case 'boot-storm': {
      // The bundled USP controller reads each device once it hears from it, as a controller's first
      // Get after a Boot! or an OnBoardRequest: latency is that notification read to the GetResp.
      let asked = 0;
      const read = new Set<string>();
      if (controller && fleet.protocol !== 'cwmp')
        controller.onNotification((eid, msg) => {
          const notify = msg.body.request?.['notify'] as { event?: { event_name?: string }; on_board_req?: unknown } | undefined;
          if (ended || read.has(eid) || !(notify?.on_board_req || notify?.event?.event_name === 'Boot!')) return;
          read.add(eid);
          sent++;
          const at = clock.now();
          controller.request(eid, 'GET', { request: { get: { param_paths: ['Device.DeviceInfo.'], max_depth: 0 } } }).then(
            (answer) => {
              asked++;
              if (answer.header.msg_type === 'GET_RESP') latency.record(clock.now() - at);
              else failed++;
            },
            () => {
              asked++;
              failed++;
            },
          );
        });
      // Over when every device has had its first session (CWMP), announced itself to its Controller
      // (USP) and, with the bundled controller, answered its first Get.
      const booted = (): boolean =>
        (fleet.protocol === 'usp' || fleet.stats.bootstrapped.size >= fleet.members.length) &&
        (fleet.protocol === 'cwmp' || fleet.uspAnnounced >= fleet.members.length) &&
        (!controller || fleet.protocol === 'cwmp' || asked >= fleet.members.length);
      if (fleet.protocol === 'cwmp')
        fleet.onSession(() => {
          if (booted()) end();
        });
      else {
        // USP announcements are counted as they go out, with no session to hook: looked at 10 times a second.
        const look = (): void => {
          if (booted()) return end();
          if (!ended) timers.push(clock.setTimer(100, look));
        };
        look();
      }
      break;
    }
    case 'steady': {
      // Informs (CWMP) and Periodic! (USP) come from the devices' own timers. USP devices also
      // change a value of their own at --rate across the fleet, round robin (each device once an
      // interval, evenly spaced), as a gateway's auto channel selection does: their factory
      // ValueChange subscription tells the Controller.
      if (fleet.protocol === 'cwmp') break;
      const nextDevice = connectedUspTurns(fleet);
      paced(o.rate ?? fleet.members.length / 60, () => {
        // A connected USP agent is an online device: its agent is there.
        const model = nextDevice()?.agent?.model;
        const change = model && steadyChangeOf(model);
        if (!model || !change) return;
        const now = change.values.indexOf(model.read(change.path));
        model.writeFromDevice({ [change.path]: change.values[(now + 1) % change.values.length]! });
        sent++;
      });
      break;
    }
    case 'cr-storm': {
      const testAcs = needAcs();
      const pending = new Map<string, number>();
      fleet.onSession((m, ok) => {
        const at = pending.get(m.serial);
        if (at === undefined) return;
        pending.delete(m.serial);
        if (ok) latency.record(clock.now() - at);
        else failed++;
      });
      let next = 0;
      const startStorm = (): void =>
        paced(o.rate ?? 100, () => {
          const m = nextOnline(fleet, next);
          if (!m) return;
          next = m.index + 1;
          if (pending.has(m.serial)) return;
          const { model, ms } = m.agent!;
          pending.set(m.serial, clock.now());
          sent++;
          void testAcs
            .connectionRequest(model.read(ms.connectionRequestUrl), model.read(ms.connectionRequestUsername), model.read(ms.connectionRequestPassword))
            .then(
              (status) => {
                if (status !== 200) {
                  failed++;
                  pending.delete(m.serial);
                }
              },
              () => {
                failed++;
                pending.delete(m.serial);
              },
            );
        });
      whenBooted(fleet, startStorm);
      break;
    }
    case 'firmware-rollout': {
      const testAcs = needAcs();
      const version = o.firmwareVersion ?? '2.0.0';
      const image = buildFirmwareImage({
        version,
        payload: Buffer.from(`simulated firmware ${version}\n`.repeat(64)),
        productClass: fleet.members[0]?.device.identity.productClass,
      });
      const url = testAcs.serveFile(`fw-${version}.bin`, image);
      const queuedAt = new Map<string, number>();
      testAcs.onCpeRequest((serial, method, fault) => {
        if (method !== 'TransferComplete') return;
        const at = queuedAt.get(serial);
        if (at === undefined) return;
        queuedAt.delete(serial);
        if (fault === 0) {
          fleet.stats.transfersOk++;
          latency.record(clock.now() - at);
        } else {
          fleet.stats.transfersFailed++;
          failed++;
        }
        if (queuedAt.size === 0 && sent >= fleet.members.length) end();
      });
      let next = 0;
      const rollout = (): void =>
        paced(o.rate ?? 50, () => {
          if (next >= fleet.members.length) return;
          const m: FleetMember = fleet.members[next++]!;
          sent++;
          queuedAt.set(m.serial, clock.now());
          testAcs.queue(m.serial, {
            method: 'Download',
            commandKey: `rollout-${version}`,
            fileType: '1 Firmware Upgrade Image',
            url,
            username: '',
            password: '',
            fileSize: image.length,
            targetFileName: '',
            delaySeconds: 0,
            successURL: '',
            failureURL: '',
          });
          m.agent?.trigger(EventCode.ConnectionRequest);
        });
      whenBooted(fleet, rollout);
      break;
    }
    case 'bulkdata': {
      // The ACS gives every device a Bulk Data profile (JSON, a few live values) reporting to the
      // collector beside it, ReportingInterval chosen for `rate` reports a second across the fleet.
      const testAcs = needAcs();
      const interval = Math.max(1, Math.round(fleet.members.length / Math.max(0.001, o.rate ?? fleet.members.length / 60)));
      const url = testAcs.bulkDataUrl('fleet');
      const configuredAt = new Map<string, number>();
      testAcs.bulkData.onReport((r) => {
        const serial = r.query['sn'] ?? '';
        const at = configuredAt.get(serial);
        if (at === undefined) return;
        configuredAt.delete(serial);
        latency.record(clock.now() - at);
      });
      const P = 'Device.BulkData.Profile.1.';
      const str = (name: string, value: string, type = 'string') => ({ name, value, type });
      let next = 0;
      const configure = (): void =>
        paced(Math.min(500, fleet.members.length), () => {
          if (next >= fleet.members.length) return;
          const m: FleetMember = fleet.members[next++]!;
          sent++;
          configuredAt.set(m.serial, clock.now());
          const add = (objectName: string) => ({ method: 'AddObject' as const, objectName, parameterKey: 'bulkdata' });
          testAcs.queue(
            m.serial,
            add('Device.BulkData.Profile.'),
            add(`${P}Parameter.`),
            add(`${P}Parameter.`),
            add(`${P}Parameter.`),
            add(`${P}HTTP.RequestURIParameter.`),
            {
              method: 'SetParameterValues',
              parameterKey: 'bulkdata',
              parameterList: [
                str(`${P}Parameter.1.Reference`, 'Device.DeviceInfo.UpTime'),
                str(`${P}Parameter.2.Reference`, 'Device.DeviceInfo.MemoryStatus.'),
                str(`${P}Parameter.3.Reference`, 'Device.IP.Interface.*.Status'),
                str(`${P}HTTP.RequestURIParameter.1.Name`, 'sn'),
                str(`${P}HTTP.RequestURIParameter.1.Reference`, 'Device.DeviceInfo.SerialNumber'),
                str(`${P}HTTP.URL`, url),
                str(`${P}JSONEncoding.ReportFormat`, 'NameValuePair'),
                str(`${P}ReportingInterval`, String(interval), 'unsignedInt'),
                str(`${P}Enable`, 'true', 'boolean'),
                str('Device.BulkData.Enable', 'true', 'boolean'),
              ],
            },
          );
          m.agent?.trigger(EventCode.ConnectionRequest);
        });
      whenBooted(fleet, configure);
      break;
    }
    case 'standby': {
      // Devices sleep deaf to connection requests and without timers (TR-069 Annex L); each asks,
      // as an ACS's StandbyPolicy might, to be told of any such sleep: every wake-up is 13 WAKEUP.
      const share = Math.min(100, Math.max(0, o.churnPercent ?? 10)) / 100;
      const sleepMs = Math.max(1, o.offlineSeconds ?? 30) * 1000;
      const perSecond = (fleet.members.length * share * 1000) / sleepMs;
      const startNights = (): void =>
        paced(perSecond, () => {
          const m = randomOnline(fleet);
          const agent = m?.agent;
          if (!agent || agent.standbyMode) return;
          const maxDeaf = agent.ms.standby.crUnawarenessMaxDuration;
          if (agent.model.read(maxDeaf) === '-1') agent.model.provision({ [maxDeaf]: '0' });
          const mode = agent.enterStandby({ crAware: false, timerAware: false });
          if (!('since' in mode)) return;
          sent++;
          timers.push(clock.setTimer(sleepMs, () => agent.wake()));
        });
      whenBooted(fleet, startNights);
      break;
    }
    case 'migration': {
      const testAcs = needAcs();
      if (!o.migration)
        throw new Error(
          'the migration scenario needs the broker and the Controller to move the devices to (--usp-mqtt-url, --usp-controller-id, --usp-controller-topic)',
        );
      const target = o.migration;
      whenBooted(fleet, () => {
        migration = startMigration(fleet, testAcs, target, clock, paced, o.rate ?? 50, end);
      });
      break;
    }
    case 'operate-storm': {
      if (!controller) throw new Error('the operate-storm scenario drives the USP controller: run it with the bundled one (no --usp-mqtt-url or --usp-ws-url)');
      // Once every device has announced itself (and so has its Boot! subscription).
      const wait = (): void => {
        if (ended) return;
        if (fleet.uspAnnounced < fleet.members.length) {
          timers.push(clock.setTimer(100, wait));
          return;
        }
        const storm = { rate: o.rate ?? 10, operation: o.operation ?? 'reboot', firmwareVersion: o.firmwareVersion ?? '2.0.0' } as const;
        startOperateStorm(fleet, controller, clock, paced, storm, latency, { sent: () => sent++, failed: () => failed++ }).catch((err: Error) => {
          error = `the operate storm could not start: ${err.message}`;
          end();
        });
      };
      wait();
      break;
    }
    case 'churn': {
      const share = Math.min(100, Math.max(0, o.churnPercent ?? 10)) / 100;
      const offlineMs = Math.max(1, o.offlineSeconds ?? 30) * 1000;
      // To keep `share` of the fleet off with each outage lasting offlineMs, this many go off per second.
      const perSecond = (fleet.members.length * share * 1000) / offlineMs;
      const startChurn = (): void =>
        paced(perSecond, () => {
          const m = randomOnline(fleet);
          if (!m) return;
          sent++;
          void fleet.takeOffline(m).then(() => {
            timers.push(clock.setTimer(offlineMs, () => fleet.bringOnline(m)));
          });
        });
      whenBooted(fleet, startChurn);
      break;
    }
    default: {
      // A scenario named in SCENARIOS without a case here does not compile.
      const unhandled: never = o.name;
      throw new Error(`scenario ${String(unhandled)} has no code`);
    }
  }
  return { done, stop: end };
}

/**
 * The next online device from position `from` on, round robin. Walks at most the fleet once:
 * no list of online devices is built per request (the storm asks for thousands a second).
 */
function nextOnline(fleet: Fleet, from: number): FleetMember | undefined {
  const n = fleet.members.length;
  // Members of a shard are numbered from its first index.
  const start = (((from - (fleet.members[0]?.index ?? 0)) % n) + n) % n;
  for (let k = 0; k < n; k++) {
    const m = fleet.members[(start + k) % n]!;
    if (m.agent) return m;
  }
  return undefined;
}

/** A device picked uniformly among the online ones: random draws, rejecting offline ones. */
function randomOnline(fleet: Fleet): FleetMember | undefined {
  const n = fleet.members.length;
  for (let tries = 0; tries < 32; tries++) {
    const m = fleet.members[Math.floor(Math.random() * n)];
    if (m?.agent) return m;
  }
  // Mostly offline: draw among the online ones directly.
  const online = fleet.members.filter((m) => m.agent);
  return online[Math.floor(Math.random() * online.length)];
}

/** Runs fn once every device has completed its first session. */
function whenBooted(fleet: Fleet, fn: () => void): void {
  let started = false;
  const check = (): void => {
    if (started || fleet.stats.bootstrapped.size < fleet.members.length) return;
    started = true;
    fn();
  };
  fleet.onSession(check);
}
