/**
 * USP fleet figures against Debian's mosquitto on this machine, each beside a floor measured in
 * the same run with the same MQTT library:
 * - boot: N USP agents (default 10,000; USP_FLEET_BENCH_COUNT) in this process, from start to
 *   every one connected and announced (OnBoardRequest), failures counted; floor: N bare MQTT.js
 *   clients doing connect + subscribe + one publish, at the same 64 connections being opened at once;
 * - heap per agent (after a GC), beside a CWMP-only fleet device's;
 * - steady Periodic!: every device subscribed by a Controller (Add of a Subscription, then its
 *   PeriodicNotifInterval and a PeriodicNotifTime that spreads the phases), 1,000 a second across
 *   the fleet (open loop: the devices' own timers), for 20 s: notifications received, event-loop
 *   delay p99, and CPU per notification as a ratio to the floor's CPU per publish at the same rate.
 * `npm run bench -- usp-fleet`. Skipped (with a message) where mosquitto is not installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { Fleet } from '../src/fleet/fleet.js';
import { loadProfile } from '../src/fleet/profile.js';
import { withLocalAgent } from '../src/models/local-agent.js';
import { systemClock } from '../src/runtime/clock.js';
import { decodeMsg, decodeRecord, encodeMsg, encodeRecord, type UspMsg } from '../src/usp/usp-codec.js';

const CONTROLLER = 'proto::bench-controller';
const CONTROLLER_TOPIC = 'usp/controller/bench';
const log = pino({ level: 'silent' });
const gc = (globalThis as { gc?: () => void }).gc;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function startBroker(): Promise<{ url: string; child: ChildProcess; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-mosquitto-'));
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'm.conf'), `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 100000\n`);
  const child = spawn('mosquitto', ['-c', path.join(dir, 'm.conf')], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1', () => r(!!c.destroy()));
      c.on('error', () => r(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `mqtt://127.0.0.1:${port}`, child, dir };
}

/** Runs `n` tasks with at most `limit` at once. */
async function bounded(n: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function heapAfterGc(): number {
  gc?.();
  return process.memoryUsage().heapUsed;
}

export async function runUspFleetBench(): Promise<void> {
  if (spawnSync('sh', ['-c', 'command -v mosquitto']).status !== 0) {
    console.log('USP fleet: skipped (mosquitto is not installed: apt-get install mosquitto)');
    return;
  }
  const count = Number(process.env['USP_FLEET_BENCH_COUNT'] ?? 10_000);
  const broker = await startBroker();
  try {
    // Floor: bare MQTT.js clients, connect + subscribe + one publish each, 64 opening at once.
    const heap0 = heapAfterGc();
    const bare: MqttClient[] = [];
    const tf = performance.now();
    await bounded(count, 64, async (i) => {
      const c = await mqtt.connectAsync(broker.url, { clientId: `floor-${i}`, protocolVersion: 5, reconnectPeriod: 0 });
      await c.subscribeAsync(`floor/${i}`, { qos: 1 });
      await c.publishAsync('floor/up', Buffer.from([1]), { qos: 1 });
      bare.push(c);
    });
    const floorBootMs = performance.now() - tf;
    const floorHeap = (heapAfterGc() - heap0) / count;
    // Floor for a notification: one publish of a Periodic!-sized Record by a bare client, at 1,000 a second for 5 s.
    const sample = encodeRecord({
      version: '1.4',
      to_id: CONTROLLER,
      from_id: 'os::000000-floor',
      no_session_context: {
        payload: encodeMsg({
          header: { msg_id: 'notify-1', msg_type: 'NOTIFY' },
          body: {
            request: { notify: { subscription_id: 'p', send_resp: false, event: { obj_path: 'Device.LocalAgent.', event_name: 'Periodic!', params: {} } } },
          },
        }),
      },
    });
    const floorCpu0 = cpuMs();
    const floorEnd = Date.now() + 5000;
    let floorSent = 0;
    while (Date.now() < floorEnd) {
      const due = floorSent + 100;
      for (; floorSent < due; floorSent++) void bare[floorSent % bare.length]!.publishAsync('floor/up', Buffer.from(sample), { qos: 1 });
      await new Promise((r) => setTimeout(r, 100));
    }
    const floorCpuPerPublish = (cpuMs() - floorCpu0) / floorSent;
    await bounded(bare.length, 256, async (i) => void (await bare[i]!.endAsync(true)));
    bare.length = 0;

    // A CWMP-only device's heap, for comparison (no ACS contact: sessions fail fast to a closed port).
    const profile = loadProfile('stb');
    const cwmpHeap0 = heapAfterGc();
    const cwmpFleet = new Fleet({
      count: 1000,
      profile,
      acsUrl: 'http://127.0.0.1:9/acs',
      cwmpVersion: '1.4',
      connectionRequest: { port: 0, address: '127.0.0.1', password: 'pw' },
      bootWindowSeconds: 0,
      clock: systemClock,
      random: Math.random,
      logger: log,
    });
    await cwmpFleet.start();
    await new Promise((r) => setTimeout(r, 2000));
    const cwmpHeap = (heapAfterGc() - cwmpHeap0) / 1000;
    await cwmpFleet.stop();

    // The Controller: counts what reaches it, answers NotifyResps.
    const controller = await mqtt.connectAsync(broker.url, { clientId: 'bench-controller', protocolVersion: 5 });
    await controller.subscribeAsync(CONTROLLER_TOPIC, { qos: 1 });
    const topics = new Map<string, string>();
    let periodic = 0;
    let n = 0;
    const send = (to: string, msg: UspMsg): void => {
      const topic = topics.get(to);
      if (!topic) return;
      const bytes = encodeRecord({ version: '1.4', to_id: to, from_id: CONTROLLER, no_session_context: { payload: encodeMsg(msg) } });
      void controller.publishAsync(topic, Buffer.from(bytes), { qos: 1, properties: { responseTopic: CONTROLLER_TOPIC, contentType: 'usp.msg' } });
    };
    controller.on('message', (_t, payload, packet) => {
      const record = decodeRecord(payload);
      if (record.mqtt_connect) topics.set(record.from_id, record.mqtt_connect.subscribed_topic ?? packet.properties?.responseTopic ?? '');
      if (!record.no_session_context) return;
      const msg = decodeMsg(record.no_session_context.payload);
      const notify = msg.body.request?.['notify'] as { send_resp?: boolean; event?: { event_name?: string } } | undefined;
      if (notify?.event?.event_name === 'Periodic!') periodic++;
      if (notify?.send_resp)
        send(record.from_id, { header: { msg_id: msg.header.msg_id, msg_type: 'NOTIFY_RESP' }, body: { response: { notify_resp: { subscription_id: '' } } } });
    });

    const uspHeap0 = heapAfterGc();
    const fleet = new Fleet({
      count,
      protocol: 'usp',
      usp: { url: broker.url, transport: 'MQTT', controller: { endpointId: CONTROLLER, topic: CONTROLLER_TOPIC }, maxConnecting: 64 },
      profile: { ...profile, schema: withLocalAgent(profile.schema) },
      acsUrl: '',
      cwmpVersion: '1.4',
      connectionRequest: { port: 0, address: '127.0.0.1', password: 'pw' },
      bootWindowSeconds: 0,
      clock: systemClock,
      random: Math.random,
      logger: log,
    });
    const t0 = performance.now();
    await fleet.start();
    const deadline = Date.now() + 300_000;
    while (fleet.uspAnnounced < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const bootMs = performance.now() - t0;
    const s = fleet.uspSummary()!;
    const uspHeap = (heapAfterGc() - uspHeap0) / count;

    // Steady Periodic!: each device subscribed, phases spread over one interval, 1,000 a second in all.
    const interval = Math.max(1, Math.round(count / 1000));
    const epoch = Date.UTC(2026, 0, 1);
    let k = 0;
    for (const m of fleet.members) {
      const id = m.usp!.endpointId;
      const phase = new Date(epoch + Math.floor((k++ * interval * 1000) / count)).toISOString();
      send(id, {
        header: { msg_id: `add-${++n}`, msg_type: 'ADD' },
        body: {
          request: {
            add: {
              allow_partial: false,
              create_objs: [
                {
                  obj_path: 'Device.LocalAgent.Subscription.',
                  param_settings: [
                    { param: 'Enable', value: 'true', required: true },
                    { param: 'ID', value: 'periodic', required: true },
                    { param: 'NotifType', value: 'Event', required: true },
                    { param: 'ReferenceList', value: 'Device.LocalAgent.Periodic!', required: true },
                  ],
                },
              ],
            },
          },
        },
      });
      send(id, {
        header: { msg_id: `set-${++n}`, msg_type: 'SET' },
        body: {
          request: {
            set: {
              allow_partial: false,
              update_objs: [
                {
                  obj_path: 'Device.LocalAgent.Controller.1.',
                  param_settings: [
                    { param: 'PeriodicNotifInterval', value: String(interval), required: true },
                    { param: 'PeriodicNotifTime', value: phase, required: true },
                  ],
                },
              ],
            },
          },
        },
      });
      if (k % 500 === 0) await new Promise((r) => setImmediate(r));
    }
    // One interval to settle, then 20 s measured.
    await new Promise((r) => setTimeout(r, interval * 1000 + 2000));
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const before = periodic;
    const cpu0 = cpuMs();
    await new Promise((r) => setTimeout(r, 20_000));
    delay.disable();
    const received = periodic - before;
    const cpuPerNotification = (cpuMs() - cpu0) / Math.max(1, received);

    console.log(`USP fleet against mosquitto (${count} agents, each its own MQTT connection; 64 connections opening at once)`);
    console.log(`  floor: ${count} bare MQTT.js clients, connect + subscribe + publish   ${(floorBootMs / 1000).toFixed(1).padStart(6)} s`);
    console.log(
      `  USP agents connected and announced (OnBoardRequest)           ${(bootMs / 1000).toFixed(1).padStart(6)} s   (${s.announced} of ${count} announced, ${count - s.reached} never connected)`,
    );
    console.log(`  heap per bare MQTT client        ${(floorHeap / 1024).toFixed(1).padStart(6)} KiB`);
    console.log(`  heap per CWMP-only fleet device  ${(cwmpHeap / 1024).toFixed(1).padStart(6)} KiB`);
    console.log(`  heap per USP fleet agent         ${(uspHeap / 1024).toFixed(1).padStart(6)} KiB`);
    console.log(`  Periodic! at ${count / interval}/s asked: ${(received / 20).toFixed(0)}/s received by the Controller over 20 s`);
    console.log(`  event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms`);
    console.log(
      `  CPU per notification ${cpuPerNotification.toFixed(3)} ms (this process, Controller included) vs floor ${floorCpuPerPublish.toFixed(3)} ms per bare publish: ${(cpuPerNotification / floorCpuPerPublish).toFixed(1)}x`,
    );
    await fleet.stop();
    await controller.endAsync(true);
  } finally {
    broker.child.kill('SIGTERM');
    fs.rmSync(broker.dir, { recursive: true, force: true });
  }
}
