/**
 * USP fleets end to end: `cwmp-agent fleet --protocol usp` against Debian's mosquitto, driven by a
 * Controller made of independent parts (MQTT.js, and protobufjs with the Broadband Forum's own
 * .proto files). Every device is its own MQTT client (the broker counts them), announces itself
 * with its own MQTTConnectRecord and reply-to topic, sends its OnBoardRequest, and answers the
 * Controller's messages on its own; a broker that drops them all is survived.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { Fleet } from '../../src/fleet/fleet.js';
import { Misbehaviour, misbehaviourRuleSchema } from '../../src/harness/misbehaviour.js';
import { loadProfile } from '../../src/fleet/profile.js';
import { withLocalAgent } from '../../src/models/local-agent.js';
import { systemClock } from '../../src/runtime/clock.js';
import { spawn } from 'node:child_process';
import { bin } from '../helpers/agent-process.js';
import { mosquittoMissing, startMosquitto } from '../helpers/mosquitto.js';
import { until } from '../helpers/until.js';
import { officialCodec, uspProtoMissing, type Obj } from '../helpers/usp-controller.js';

const skip = mosquittoMissing() ?? uspProtoMissing() ?? false;
if (skip) console.log(`# SKIP usp-fleet: ${skip}`);

/** `cwmp-agent ARGS` as its own process: what it printed, and its end. */
function cli(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
  const exited = new Promise<number>((r) => child.once('exit', (code) => r(code ?? -1)));
  return {
    child,
    output: () => stdout + stderr,
    exited: () => exited,
    /** Its standard output once it has exited. */
    stdoutWhenDone: async () => {
      await exited;
      return stdout;
    },
  };
}

const CONTROLLER = 'proto::fleet-controller';
const CONTROLLER_TOPIC = 'usp/controller/fleet';

/** A Controller for many agents: keeps what reaches it, answers notifications that ask, and sends a Msg to any agent. */
async function fleetController(url: string) {
  const codec = await officialCodec();
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: 'test-fleet-controller' });
  await client.subscribeAsync(CONTROLLER_TOPIC, { qos: 1 });
  const received: { record: Obj; msg?: Obj; responseTopic?: string }[] = [];
  let n = 0;
  const send = (agentId: string, topic: string, msgType: string, body: Obj, id = `c-${++n}`): Promise<unknown> =>
    client.publishAsync(topic, Buffer.from(codec.encode(CONTROLLER, agentId, id, msgType, body)), {
      qos: 1,
      properties: { contentType: 'usp.msg', responseTopic: CONTROLLER_TOPIC },
    });
  client.on('message', (_t, payload, packet) => {
    let decoded: { record: Obj; msg?: Obj };
    try {
      decoded = codec.decode(payload);
    } catch {
      // Bytes that are no Record (a misbehaving agent): kept as such.
      received.push({ record: { unreadable: payload.toString('hex') }, responseTopic: packet.properties?.responseTopic });
      return;
    }
    const r = { ...decoded, responseTopic: packet.properties?.responseTopic };
    received.push(r);
    const notify = r.msg?.['body']?.['request']?.['notify'];
    // (A NotifyResp cut by the Controller's own disconnection is no failure: the agent sends its notification again.)
    if (notify?.['send_resp'] && r.responseTopic)
      send(
        r.record['from_id'],
        r.responseTopic,
        'NOTIFY_RESP',
        { response: { notify_resp: { subscription_id: notify['subscription_id'] } } },
        r.msg!['header']['msg_id'],
      ).catch(() => {});
  });
  return { client, received, send };
}

test('fleet --protocol usp: every device its own MQTT client, MQTTConnectRecord, OnBoardRequest and answers; the summary counts them', {
  skip,
  timeout: 120_000,
}, async () => {
  const broker = await startMosquitto('sys_interval 1');
  const c = await fleetController(broker.url);
  const N = 12;
  const fleet = cli([
    'fleet',
    '--protocol',
    'usp',
    '--count',
    String(N),
    '--usp-mqtt-url',
    broker.url,
    '--usp-controller-id',
    CONTROLLER,
    '--usp-controller-topic',
    CONTROLLER_TOPIC,
    '--boot-window',
    '1',
  ]);
  try {
    // Each device's MQTTConnectRecord: its own EndpointID, its own topic, named as its Response Topic too.
    const connects = await until(() => {
      const seen = new Map(c.received.filter((r) => r.record['mqtt_connect']).map((r) => [r.record['from_id'] as string, r]));
      return seen.size === N ? seen : undefined;
    }, `${N} MQTTConnectRecords`);
    const topics = new Set<string>();
    for (const [id, r] of connects) {
      assert.match(id, /^os::[0-9A-F]{6}-.+$/, 'an EndpointID of its own');
      assert.equal(r.record['to_id'], CONTROLLER);
      assert.equal(r.record['mqtt_connect']['version'], 'V5');
      const topic = r.record['mqtt_connect']['subscribed_topic'] as string;
      assert.equal(r.responseTopic, topic, 'the reply-to topic is the Response Topic');
      topics.add(topic);
    }
    assert.equal(topics.size, N, 'a reply-to topic each');
    // The broker itself counts one connection per device (and the Controller's).
    const sys = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'test-sys' });
    let clients = 0;
    sys.on('message', (_t, p) => void (clients = Number(p.toString())));
    await sys.subscribeAsync('$SYS/broker/clients/connected');
    await until(() => (clients >= N + 2 ? true : undefined), `the broker counting ${N + 2} clients (it said ${clients})`);
    await sys.endAsync();

    // Each announces itself with an OnBoardRequest naming its own serial number (answered above with a NotifyResp).
    const onBoard = await until(() => {
      const seen = c.received.filter((r) => r.msg?.['body']?.['request']?.['notify']?.['on_board_req']);
      return new Set(seen.map((r) => r.record['from_id'])).size === N ? seen : undefined;
    }, `${N} OnBoardRequests`);
    for (const r of onBoard) {
      const req = r.msg!['body']['request']['notify']['on_board_req'];
      assert.ok((r.record['from_id'] as string).endsWith(`-${req['serial_number']}`), 'the serial number of the device that sent it');
      assert.match(req['agent_supported_protocol_versions'], /1\.4/);
    }

    // The Controller asks each device its serial number on its own topic; each answers for itself.
    for (const [id, r] of connects)
      await c.send(
        id,
        r.record['mqtt_connect']['subscribed_topic'],
        'GET',
        { request: { get: { param_paths: ['Device.DeviceInfo.SerialNumber'] } } },
        `get-${id}`,
      );
    const answers = await until(() => {
      const got = c.received.filter((r) => r.msg?.['header']?.['msg_type'] === 'GET_RESP');
      return got.length >= N ? got : undefined;
    }, `${N} GetResps`);
    for (const a of answers) {
      assert.equal(a.msg!['header']['msg_id'], `get-${a.record['from_id']}`, 'answered by the device that was asked');
      const serial = a.msg!['body']['response']['get_resp']['req_path_results'][0]['resolved_path_results'][0]['result_params']['SerialNumber'];
      assert.ok((a.record['from_id'] as string).endsWith(`-${serial}`));
    }

    fleet.child.kill('SIGINT');
    const summary = JSON.parse(await fleet.stdoutWhenDone()) as Obj;
    assert.equal(summary['protocol'], 'usp');
    assert.deepEqual(
      {
        reached: summary['usp']['reached'],
        announced: summary['usp']['announced'],
        requests: summary['usp']['requests'],
        responses: summary['usp']['responses'],
        errors: summary['usp']['errors'],
      },
      { reached: N, announced: N, requests: N, responses: N, errors: 0 },
    );
    assert.ok(summary['usp']['notifyResponses'] >= N, 'every OnBoardRequest acknowledged');
    assert.equal(summary['sessions']['ok'] + summary['sessions']['failed'], 0, 'no CWMP session: the devices speak USP only');
  } finally {
    fleet.child.kill('SIGKILL');
    await c.client.endAsync();
    await broker.stop();
  }
});

test('a USP fleet survives its broker dropping every device at once: each comes back on its own backed-off schedule', { skip, timeout: 120_000 }, async () => {
  const broker = await startMosquitto();
  const c = await fleetController(broker.url);
  const N = 10;
  const profile = loadProfile('stb');
  const fleet = new Fleet({
    count: N,
    protocol: 'usp',
    usp: { url: broker.url, transport: 'MQTT', controller: { endpointId: CONTROLLER, topic: CONTROLLER_TOPIC }, maxConnecting: 3, reconnectMs: 100 },
    profile: { ...profile, schema: withLocalAgent(profile.schema) },
    acsUrl: '',
    cwmpVersion: '1.4',
    connectionRequest: { port: 0, address: '127.0.0.1', password: 'pw' },
    bootWindowSeconds: 0,
    clock: systemClock,
    random: Math.random,
    logger: pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' }),
  });
  try {
    await fleet.start();
    await until(() => (fleet.uspSummary()!.connected === N ? true : undefined), 'every device connected');
    await until(() => (c.received.filter((r) => r.record['mqtt_connect']).length >= N ? true : undefined), 'every MQTTConnectRecord');
    // Every OnBoardRequest answered before the broker goes: one still waiting would rightly be sent again.
    await until(() => (fleet.uspSummary()!.notifyResponses >= N ? true : undefined), 'every OnBoardRequest answered');
    await c.client.endAsync();
    await broker.restart();
    const c2 = await fleetController(broker.url);
    try {
      // Each device reconnects and announces itself again with a new MQTTConnectRecord.
      await until(
        () => (new Set(c2.received.filter((r) => r.record['mqtt_connect']).map((r) => r.record['from_id'])).size === N ? true : undefined),
        'every device back',
      );
      const s = fleet.uspSummary()!;
      assert.equal(s.connected, N);
      assert.ok(s.connections >= 2 * N, `${s.connections} connections: each device once, then again`);
      // Not a new device: no second OnBoardRequest after a reconnection.
      assert.equal(c2.received.filter((r) => r.msg?.['body']?.['request']?.['notify']?.['on_board_req']).length, 0);
    } finally {
      await c2.client.endAsync();
    }
  } finally {
    await fleet.stop();
    await broker.stop();
  }
});

test('fleet --protocol usp with no broker or URL: the bundled USP controller, each device its own WebSocket', { timeout: 60_000 }, async () => {
  const fleet = cli(['fleet', '--protocol', 'usp', '--count', '3', '--boot-window', '0', '--scenario', 'boot-storm']);
  try {
    const summary = JSON.parse(await fleet.stdoutWhenDone()) as Obj;
    assert.equal(summary['usp']['reached'], 3);
    assert.equal(summary['usp']['announced'], 3, 'the boot storm ends when every device has announced itself');
    assert.match(fleet.output(), /bundled USP controller/);
    // ... and answered the controller's first Get.
    const results = summary['scenarioResults'];
    assert.equal(results['actionsSent'], 3, JSON.stringify(results));
    assert.equal(results['actionsFailed'], 0);
    assert.equal(results['actionLatencyMs']['count'], 3);
    assert.ok(summary['usp']['requests'] >= 3, 'each device counted the Get');
  } finally {
    fleet.child.kill('SIGKILL');
  }
});

test('fleet --protocol usp refuses what it cannot do, with a clear message', { timeout: 30_000 }, async () => {
  for (const [args, message] of [
    [['--scenario', 'cr-storm'], /cr-storm drives CWMP devices/],
    [['--usp-mqtt-url', 'mqtt://127.0.0.1:1', '--usp-controller-id', 'x'], /usp\.controller\.topic/],
    [['--workers', '2'], /--workers with --protocol usp/],
    [
      ['--scenario', 'operate-storm', '--usp-mqtt-url', 'mqtt://127.0.0.1:1', '--usp-controller-id', 'x', '--usp-controller-topic', 't'],
      /operate-storm drives the bundled USP controller/,
    ],
  ] as const) {
    const p = cli(['fleet', '--protocol', 'usp', '--count', '2', ...args]);
    const code = await p.exited();
    assert.equal(code, 2, `${args.join(' ')}: status 2 (${p.output()})`);
    assert.match(p.output(), message);
  }
});

test('fleet --scenario migration: the bundled ACS moves CWMP devices to USP over CWMP; each connects and onboards; the report counts them', {
  skip,
  timeout: 120_000,
}, async () => {
  const broker = await startMosquitto();
  const c = await fleetController(broker.url);
  const N = 8;
  const fleet = cli([
    'fleet',
    '--scenario',
    'migration',
    '--count',
    String(N),
    '--cr-port',
    '0',
    '--boot-window',
    '1',
    '--usp-mqtt-url',
    broker.url,
    '--usp-controller-id',
    CONTROLLER,
    '--usp-controller-topic',
    CONTROLLER_TOPIC,
  ]);
  try {
    const summary = JSON.parse(await fleet.stdoutWhenDone()) as Obj;
    const m = summary['scenarioResults']['migration'];
    assert.deepEqual(
      { devices: m['devices'], provisioned: m['provisioned'], migrated: m['migrated'], notMigrated: m['notMigrated'] },
      {
        devices: N,
        provisioned: N,
        migrated: N,
        notMigrated: {},
      },
    );
    assert.ok(m['latencyMs']['max'] > 0 && m['latencyMs']['p50'] <= m['latencyMs']['max']);
    assert.equal(summary['sessions']['failed'], 0);
    // What the Controller saw: every device's connect record and OnBoardRequest, each from its own EndpointID.
    const onBoard = c.received.filter((r) => r.msg?.['body']?.['request']?.['notify']?.['on_board_req']);
    assert.equal(new Set(onBoard.map((r) => r.record['from_id'])).size, N);
    assert.equal(new Set(c.received.filter((r) => r.record['mqtt_connect']).map((r) => r.record['from_id'])).size, N);
  } finally {
    fleet.child.kill('SIGKILL');
    await c.client.endAsync();
    await broker.stop();
  }
});

test('fleet --scenario migration to a broker that is not there: nothing migrates, and the report says why', { timeout: 60_000 }, async () => {
  const fleet = cli([
    'fleet',
    '--scenario',
    'migration',
    '--count',
    '3',
    '--cr-port',
    '0',
    '--boot-window',
    '0',
    '--duration',
    '3',
    '--log-level',
    'error',
    '--usp-mqtt-url',
    'mqtt://127.0.0.1:1',
    '--usp-controller-id',
    CONTROLLER,
    '--usp-controller-topic',
    CONTROLLER_TOPIC,
  ]);
  try {
    const summary = JSON.parse(await fleet.stdoutWhenDone()) as Obj;
    const m = summary['scenarioResults']['migration'];
    assert.equal(m['migrated'], 0);
    // Provisioned, but no broker answers: (on a loaded machine a device's ACS session may not have run yet).
    const reasons = Object.keys(m['notMigrated']);
    assert.ok(reasons.length > 0 && reasons.every((r) => /not connected to the broker|not configured yet|not provisioned/.test(r)), reasons.join('; '));
    assert.equal(
      Object.values(m['notMigrated'] as Record<string, number>).reduce((a, b) => a + b, 0),
      3,
    );
    assert.equal(m['examples'].length, 3);
  } finally {
    fleet.child.kill('SIGKILL');
  }
});

test('USP agents misbehave on purpose as the rules say: an Error, no answer, a wrong msg_id, a Record for another endpoint, bytes that are no Record, late, a dropped connection; each counted', {
  skip,
  timeout: 120_000,
}, async () => {
  const broker = await startMosquitto();
  const c = await fleetController(broker.url);
  const kinds = ['error', 'never', 'wrong-msg-id', 'wrong-to-id', 'malformed', 'late', 'drop-connection'] as const;
  const rules = kinds.map((kind, i) => ({
    name: `usp-${kind}`,
    devices: { serials: `^STB00000000${i}$` },
    do: { uspAnswer: { kind, msgType: 'GET', ...(kind === 'late' ? { ms: 1500 } : {}), ...(kind === 'error' ? { errorCode: 7003 } : {}) } },
  }));
  const misbehaviour = new Misbehaviour(
    rules.map((r) => misbehaviourRuleSchema.parse(r)),
    'stb',
  );
  const N = kinds.length + 1;
  const profile = loadProfile('stb');
  const fleet = new Fleet({
    count: N,
    protocol: 'usp',
    usp: { url: broker.url, transport: 'MQTT', controller: { endpointId: CONTROLLER, topic: CONTROLLER_TOPIC }, reconnectMs: 100 },
    uspMisbehaviour: (serial, msgType) => misbehaviour.uspAnswer(serial, msgType),
    profile: { ...profile, schema: withLocalAgent(profile.schema) },
    acsUrl: '',
    cwmpVersion: '1.4',
    connectionRequest: { port: 0, address: '127.0.0.1', password: 'pw' },
    bootWindowSeconds: 0,
    clock: systemClock,
    random: Math.random,
    logger: pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' }),
  });
  try {
    await fleet.start();
    const connects = await until(() => {
      const seen = new Map(
        c.received.filter((r) => r.record['mqtt_connect']).map((r) => [r.record['from_id'] as string, r.record['mqtt_connect']['subscribed_topic'] as string]),
      );
      return seen.size === N ? seen : undefined;
    }, 'every connect record');
    const idOf = (i: number): string => [...connects.keys()].find((id) => id.endsWith(`-STB00000000${i}`))!;
    const sentAt = new Map<string, number>();
    for (let i = 0; i < N; i++) {
      sentAt.set(idOf(i), Date.now());
      await c.send(idOf(i), connects.get(idOf(i))!, 'GET', { request: { get: { param_paths: ['Device.DeviceInfo.SerialNumber'] } } }, `get-${i}`);
    }
    const answerOf = (i: number) => c.received.find((r) => r.record['from_id'] === idOf(i) && r.msg?.['header']?.['msg_id']?.startsWith(`get-${i}`));
    // The one that behaves, and the late one (after its delay), answer.
    await until(() => answerOf(kinds.length), 'the well-behaved answer');
    const late = await until(() => answerOf(kinds.indexOf('late')), 'the late answer');
    assert.equal(late.msg!['header']['msg_type'], 'GET_RESP');
    const error = await until(() => answerOf(kinds.indexOf('error')), 'the Error');
    assert.equal(error.msg!['header']['msg_type'], 'ERROR');
    assert.equal(error.msg!['body']['error']['err_code'], 7003);
    const wrongId = await until(() => answerOf(kinds.indexOf('wrong-msg-id')), 'the answer under a wrong msg_id');
    assert.notEqual(wrongId.msg!['header']['msg_id'], `get-${kinds.indexOf('wrong-msg-id')}`);
    const elsewhere = await until(
      () => c.received.find((r) => r.record['from_id'] === idOf(kinds.indexOf('wrong-to-id')) && r.record['to_id'] !== CONTROLLER),
      'a Record for another endpoint',
    );
    assert.match(elsewhere.record['to_id'], /someone-else/);
    // The dropped one comes back with a new connect record, and its GET is never answered.
    await until(
      () =>
        c.received.filter((r) => r.record['mqtt_connect'] && r.record['from_id'] === idOf(kinds.indexOf('drop-connection'))).length >= 2 ? true : undefined,
      'the dropped device reconnecting',
    );
    assert.ok(Date.now() - sentAt.get(idOf(kinds.indexOf('late')))! >= 1400, 'late means late');
    assert.equal(answerOf(kinds.indexOf('never')), undefined, 'never answered');
    assert.equal(answerOf(kinds.indexOf('drop-connection')), undefined, 'dropped, not answered');
    assert.equal(answerOf(kinds.indexOf('malformed')), undefined, 'no Record: the Controller could not read it');
    assert.ok(
      c.received.some((r) => r.record['unreadable']),
      'bytes that are no Record reached the Controller',
    );
    for (const kind of kinds) assert.equal(misbehaviour.fired[`usp-${kind}`], 1, `usp-${kind} counted once`);
  } finally {
    await fleet.stop();
    await c.client.endAsync();
    await broker.stop();
  }
});

test('a USP fleet serves its USP metrics: agents by state, Msgs by direction and type', { timeout: 60_000 }, async () => {
  const fleet = cli(['fleet', '--protocol', 'usp', '--count', '2', '--boot-window', '0', '--metrics-port', '0']);
  try {
    const url = await until(() => /metrics at (http:\/\/\S+\/metrics)/.exec(fleet.output())?.[1]?.replace('0.0.0.0', '127.0.0.1'), 'the metrics URL');
    const text = await until(async () => {
      const t = await (await fetch(url)).text();
      // Announced when the OnBoardRequest goes out; its NotifyResp comes a moment later.
      const announced = /usp_fleet_agents\{[^}]*state="announced"[^}]*\} 2\b/.test(t);
      const acknowledged = /usp_messages_total\{[^}]*dir="in"[^}]*msg_type="NOTIFY_RESP"[^}]*\} [2-9]/.test(t);
      return announced && acknowledged ? t : undefined;
    }, 'two agents announced and their OnBoardRequests acknowledged, in the metrics');
    assert.match(text, /usp_fleet_agents\{[^}]*state="connected"[^}]*\} 2\b/);
    assert.match(text, /usp_messages_total\{[^}]*dir="out"[^}]*msg_type="NOTIFY"[^}]*\} [2-9]/);
    assert.match(text, /usp_messages_total\{[^}]*dir="in"[^}]*msg_type="NOTIFY_RESP"[^}]*\} [2-9]/, 'the bundled controller acknowledges the OnBoardRequests');
  } finally {
    fleet.child.kill('SIGKILL');
  }
});

test('a steady USP fleet: each new device comes with Boot!, Periodic! and ValueChange subscriptions; Periodic! and ValueChange arrive at --rate, phases spread', {
  skip,
  timeout: 120_000,
}, async () => {
  const broker = await startMosquitto();
  const c = await fleetController(broker.url);
  const N = 4;
  // --rate 2 across 4 devices: each sends Periodic! every 2 s, the four half a second apart.
  const fleet = cli(
    ['fleet', '--protocol', 'usp', '--count', String(N), '--scenario', 'steady', '--rate', '2'].concat([
      '--usp-mqtt-url',
      broker.url,
      '--usp-controller-id',
      CONTROLLER,
      '--usp-controller-topic',
      CONTROLLER_TOPIC,
    ]),
  );
  const events = (name: string) => c.received.filter((r) => r.msg?.['body']?.['request']?.['notify']?.['event']?.['event_name'] === name);
  try {
    const boots = await until(
      () => (new Set(events('Boot!').map((r) => r.record['from_id'])).size === N ? events('Boot!') : undefined),
      `Boot! from ${N} devices`,
    );
    for (const b of boots) assert.equal(b.msg!['body']['request']['notify']['subscription_id'], 'factory-boot');
    // Two rounds of Periodic! from every device.
    const periodic = await until(() => {
      const p = events('Periodic!');
      const from = new Map<string, number>();
      for (const r of p) from.set(r.record['from_id'], (from.get(r.record['from_id']) ?? 0) + 1);
      return from.size === N && [...from.values()].every((n) => n >= 2) ? p : undefined;
    }, 'two Periodic! from every device');
    // Spread: consecutive Periodic! (by arrival) come from different devices, not all at once from one burst.
    const ids = periodic.slice(0, N).map((r) => r.record['from_id']);
    assert.equal(new Set(ids).size, N, `the first round comes from every device once: ${ids.join(', ')}`);
    // The devices (set-top boxes) switch their TV on and off at --rate across the fleet, round
    // robin: every one tells it on its factory ValueChange subscription.
    const changes = await until(() => {
      const v = c.received.filter((r) => r.msg?.['body']?.['request']?.['notify']?.['value_change']);
      return new Set(v.map((r) => r.record['from_id'])).size === N ? v : undefined;
    }, 'a ValueChange from every device');
    for (const r of changes) {
      const notify = r.msg!['body']['request']['notify'];
      assert.equal(notify['subscription_id'], 'factory-value-change');
      assert.equal(notify['value_change']['param_path'], 'Device.Services.STBService.1.Components.HDMI.1.DisplayDevice.Status');
      assert.ok(['Present', 'Absent'].includes(notify['value_change']['param_value']), notify['value_change']['param_value']);
    }
    const order = changes.slice(0, N).map((r) => r.record['from_id']);
    assert.equal(new Set(order).size, N, `one device after the other, not one device over and over: ${order.join(', ')}`);
  } finally {
    fleet.child.kill('SIGKILL');
    await c.client.endAsync();
    await broker.stop();
  }
});

test('fleet --protocol usp with a broker and no Controller named: the bundled controller is a client of the broker, reads every device, runs an operate storm', {
  skip,
  timeout: 120_000,
}, async () => {
  const broker = await startMosquitto();
  try {
    // boot-storm ends when every device has announced itself and answered the controller's first Get, all through mosquitto.
    const storm = cli(['fleet', '--protocol', 'usp', '--count', '4', '--boot-window', '0', '--scenario', 'boot-storm', '--usp-mqtt-url', broker.url]);
    const code = await storm.exited();
    assert.equal(code, 0, storm.output());
    const summary = JSON.parse(storm.output().slice(storm.output().indexOf('{'), storm.output().lastIndexOf('}') + 1)) as Obj;
    assert.equal(summary['usp']['announced'], 4);
    assert.equal(summary['scenarioResults']['actionLatencyMs']['count'], 4, "the controller's first Get answered by each device");
    assert.match(storm.output(), /the bundled USP controller is on mqtt:\/\/.* at topic usp\/controller\/cwmp-agent-\d+/);
    // The operate storm needs the bundled controller: through the broker too.
    const reboots = cli([
      'fleet',
      '--protocol',
      'usp',
      '--count',
      '2',
      '--boot-window',
      '0',
      '--scenario',
      'operate-storm',
      '--rate',
      '4',
      '--duration',
      '6',
      '--usp-mqtt-url',
      broker.url,
    ]);
    assert.equal(await reboots.exited(), 0, reboots.output());
    const results = JSON.parse(reboots.output().slice(reboots.output().indexOf('{'), reboots.output().lastIndexOf('}') + 1))['scenarioResults'] as Obj;
    assert.ok(results['actionsSent'] > 0 && results['actionsFailed'] === 0, JSON.stringify(results));
  } finally {
    await broker.stop();
  }
});

test('fleet --protocol both: every device has its CWMP session with the ACS and announces itself to the USP Controller', { timeout: 60_000 }, async () => {
  const fleet = cli(['fleet', '--protocol', 'both', '--count', '3', '--boot-window', '0', '--scenario', 'boot-storm', '--cr-port', '0']);
  try {
    const summary = JSON.parse(await fleet.stdoutWhenDone()) as Obj;
    assert.equal(summary['protocol'], 'both');
    assert.equal(summary['bootstrapped'], 3, 'each bootstrapped with the bundled ACS');
    assert.equal(summary['sessions']['failed'], 0);
    assert.equal(summary['usp']['announced'], 3, 'each announced to the bundled USP controller');
    assert.ok(summary['usp']['notifications'] >= 6, 'an OnBoardRequest and a Boot! each');
  } finally {
    fleet.child.kill('SIGKILL');
  }
});

test('fleet --scenario operate-storm: the bundled controller reboots devices by Operate at --rate; each tells its Boot! with the command key', {
  timeout: 60_000,
}, async () => {
  const fleet = cli(['fleet', '--protocol', 'usp', '--count', '3', '--boot-window', '0', '--scenario', 'operate-storm', '--rate', '5', '--duration', '4']);
  try {
    const summary = JSON.parse(await fleet.stdoutWhenDone()) as Obj;
    const results = summary['scenarioResults'];
    assert.ok(results['actionsSent'] > 0, `Operates sent: ${JSON.stringify(results)}`);
    assert.equal(results['actionsFailed'], 0, 'every Operate answered with an OperateResp');
    assert.ok(results['actionLatencyMs']['count'] > 0, 'Boot! with the command key came back');
    assert.ok(results['actionLatencyMs']['count'] <= results['actionsSent']);
    assert.ok(summary['usp']['requests'] >= results['actionsSent'], 'the devices counted the Operates');
  } finally {
    fleet.child.kill('SIGKILL');
  }
});

test('a USP agent that sends notifications without waiting for their NotifyResp sends its OnBoardRequest once; one that behaves sends it again until answered', {
  skip,
  timeout: 120_000,
}, async () => {
  const broker = await startMosquitto();
  // A Controller that hears everything and answers nothing.
  const codec = await officialCodec();
  const deaf = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'test-deaf-controller' });
  await deaf.subscribeAsync(CONTROLLER_TOPIC, { qos: 1 });
  const onBoard = new Map<string, number>();
  deaf.on('message', (_t, payload) => {
    const { record, msg } = codec.decode(payload);
    if (msg?.['body']?.['request']?.['notify']?.['on_board_req']) onBoard.set(record['from_id'], (onBoard.get(record['from_id']) ?? 0) + 1);
  });
  const misbehaviour = new Misbehaviour(
    [misbehaviourRuleSchema.parse({ name: 'once', devices: { serials: '^STB000000000$' }, do: { uspNotifyWithoutRetry: {} } })],
    'stb',
  );
  const profile = loadProfile('stb');
  const fleet = new Fleet({
    count: 2,
    protocol: 'usp',
    usp: { url: broker.url, transport: 'MQTT', controller: { endpointId: CONTROLLER, topic: CONTROLLER_TOPIC }, reconnectMs: 100 },
    uspMisbehaviour: (serial, msgType) => (msgType === 'NOTIFY' ? misbehaviour.uspNotify(serial) : misbehaviour.uspAnswer(serial, msgType)),
    profile: { ...profile, schema: withLocalAgent(profile.schema) },
    acsUrl: '',
    cwmpVersion: '1.4',
    connectionRequest: { port: 0, address: '127.0.0.1', password: 'pw' },
    bootWindowSeconds: 0,
    clock: systemClock,
    random: Math.random,
    logger: pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' }),
  });
  try {
    await fleet.start();
    const count = (serial: string): number => [...onBoard.entries()].find(([id]) => id.endsWith(`-${serial}`))?.[1] ?? 0;
    // The behaving device's third OnBoardRequest comes at least 15 s after its first (5-10 s, then
    // 10-20 s); a misbehaving one that did retry would have sent its second within 10 s.
    await until(() => (count('STB000000001') >= 3 ? true : undefined), 'three OnBoardRequests from the device that behaves', 90_000);
    assert.equal(count('STB000000000'), 1, 'the misbehaving device sent its OnBoardRequest once');
    assert.ok((misbehaviour.fired['once'] ?? 0) >= 1, 'the rule fired and was counted');
  } finally {
    await fleet.stop();
    await deaf.endAsync();
    await broker.stop();
  }
});
