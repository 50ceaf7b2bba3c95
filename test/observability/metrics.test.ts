/**
 * Prometheus metrics for real: an in-process fleet's /metrics, scraped over HTTP, parses as the
 * text format and its counters equal the fleet's own summary; the CLI fleet serves them, adding
 * up its worker threads; a single agent serves its own, connection requests included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { pino } from 'pino';
import { TestAcs } from '../../src/acs/test-acs.js';
import { testFleet } from '../helpers/fleet.js';
import { AgentMetrics } from '../../src/observability/metrics.js';
import { startMetricsServer } from '../../src/observability/metrics-server.js';
import { assembleDevice, loadConfig } from '../../src/index.js';
import { connectionRequestCredentials, tempDir } from '../helpers/agent-harness.js';
import { bin } from '../helpers/agent-process.js';
import { until } from '../helpers/until.js';

/** Prometheus text format: every sample line, checked for shape; `name{labels}` → value. */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/.exec(line);
    assert.ok(m, `not Prometheus text: ${line}`);
    samples.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return samples;
}

function sum(samples: Map<string, number>, prefix: string, contains = ''): number {
  let n = 0;
  for (const [k, v] of samples) if (k.startsWith(prefix) && k.includes(contains)) n += v;
  return n;
}

async function scrape(port: number): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
  return parsePrometheus(await res.text());
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

test("a fleet's /metrics counters equal its own summary: sessions by outcome and first event, RPCs, devices", { timeout: 60_000 }, async () => {
  const acs = new TestAcs();
  const url = await acs.listen();
  const metrics = new AgentMetrics({ defaultLabels: { profile: 'stb' } });
  const fleet = testFleet(url, 20, { bootWindowSeconds: 1, observer: metrics });
  metrics.gauge('cwmp_fleet_devices', 'devices', ['state'], (set) => set({ state: 'online' }, fleet.online));
  for (const m of fleet.members)
    acs.queue(
      m.serial,
      { method: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.UpTime'] },
      { method: 'GetParameterValues', parameterNames: ['Device.Nope'] },
    );
  const server = await startMetricsServer({ port: 0, address: '127.0.0.1', text: () => metrics.registry.metrics(), contentType: metrics.registry.contentType });
  try {
    await fleet.start();
    await acs.waitFor(() => fleet.stats.bootstrapped.size === 20, 30_000);
    // Every bootstrap session counted by both: the metrics and the fleet's own summary.
    const samples = await until(async () => {
      const s = await scrape(server.port);
      return sum(s, 'cwmp_sessions_total', 'first_event="0 BOOTSTRAP"') === 20 ? s : undefined;
    }, 'twenty bootstrap sessions counted');
    const summary = fleet.stats.summary(fleet.members.length, fleet.online);
    assert.equal(sum(samples, 'cwmp_sessions_total', 'outcome="ok"'), summary.sessions.ok);
    assert.equal(sum(samples, 'cwmp_sessions_total', 'outcome="failed"'), summary.sessions.failed);
    assert.equal(sum(samples, 'cwmp_sessions_total', 'first_event="0 BOOTSTRAP"'), 20);
    assert.equal(sum(samples, 'cwmp_rpcs_received_total', 'method="GetParameterValues",fault="0"'), 20);
    assert.equal(sum(samples, 'cwmp_rpcs_received_total', 'fault="9005"'), 20);
    assert.equal(sum(samples, 'cwmp_session_duration_seconds_count', 'outcome="ok"'), summary.sessions.ok);
    assert.equal(sum(samples, 'cwmp_fleet_devices', 'state="online"'), 20);
    assert.ok(
      [...samples.keys()].filter((k) => k.startsWith('cwmp_')).every((k) => k.includes('profile="stb"')),
      'every series carries the profile',
    );
  } finally {
    await server.close();
    await fleet.stop();
    await acs.close();
  }
});

test('the CLI fleet with --workers 2 serves one /metrics that adds up both threads', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      bin,
      'fleet',
      '--count',
      '6',
      '--workers',
      '2',
      '--scenario',
      'steady',
      '--rate',
      '6',
      '--interval',
      '1',
      '--duration',
      '6',
      '--cr-port',
      '0',
      '--metrics-port',
      String(port),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  try {
    let samples = new Map<string, number>();
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      samples = await scrape(port).catch(() => new Map<string, number>());
      if (sum(samples, 'cwmp_fleet_devices', 'state="bootstrapped"') === 6) break;
    }
    assert.equal(sum(samples, 'cwmp_fleet_devices', 'state="bootstrapped"'), 6, "the two workers' devices added up");
    assert.equal(sum(samples, 'cwmp_fleet_devices', 'state="online"'), 6);
    assert.ok(sum(samples, 'cwmp_sessions_total', 'outcome="ok"') >= 6);
    await new Promise<void>((r) => child.once('exit', () => r()));
    // Where the metrics are is said for a person, as the fleet's other lines: no JSON log record.
    assert.match(err, new RegExp(`^fleet: metrics at http://[0-9.]+:${port}/metrics$`, 'm'));
    assert.doesNotMatch(err, /^\{"level"/m);
    const summary = JSON.parse(out) as { sessions: { ok: number } };
    assert.ok(summary.sessions.ok >= sum(samples, 'cwmp_sessions_total', 'outcome="ok"'), 'the summary at the end has at least what was scraped before it');
  } finally {
    child.kill('SIGKILL');
  }
});

test('a single agent serves its metrics: sessions, and connection requests by path and outcome', { timeout: 30_000 }, async () => {
  const acs = new TestAcs();
  const url = await acs.listen();
  const stateDir = tempDir();
  const config = loadConfig(undefined, { acsUrl: url, stateDir, crPort: 0, metricsPort: 0 });
  const device = await assembleDevice(config, { logger: pino({ level: 'silent' }), connectionRequestAddress: '127.0.0.1' });
  const serial = device.device.identity.serialNumber;
  acs.queue(serial, connectionRequestCredentials('pw', 'k'));
  try {
    device.agent.start();
    await acs.waitFor(() => acs.completedSessions(serial).length === 1);
    const crUrl = device.agent.model.read('Device.ManagementServer.ConnectionRequestURL');
    assert.equal(await acs.connectionRequest(crUrl, 'acs', 'pw'), 200);
    assert.equal(await acs.connectionRequest(crUrl, 'acs', 'wrong'), 401);
    await acs.waitFor(() => acs.completedSessions(serial).length === 2);
    // The session's count is taken when its end is observed, just after the ACS sees it close.
    const samples = await until(async () => {
      const s = await scrape(device.metricsPort!);
      return s.get('cwmp_sessions_total{outcome="ok",first_event="6 CONNECTION REQUEST"}') === 1 ? s : undefined;
    }, 'the connection-request session counted');
    assert.equal(samples.get('cwmp_connection_requests_total{path="http",outcome="accepted"}'), 1);
    assert.equal(samples.get('cwmp_connection_requests_total{path="http",outcome="bad_credentials"}'), 1);
    assert.equal(samples.get('cwmp_sessions_total{outcome="ok",first_event="6 CONNECTION REQUEST"}'), 1);
    assert.ok((samples.get('cwmp_agent_process_resident_memory_bytes') ?? 0) > 0, 'process metrics too');
  } finally {
    await device.stop();
    await acs.close();
  }
});

test('the Grafana dashboard in examples/ queries only metrics the agent exposes', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/grafana-dashboard.json');
  const dashboard = JSON.parse(fs.readFileSync(file, 'utf8')) as { panels: { targets: { expr: string }[] }[] };
  const metrics = new AgentMetrics();
  metrics.gauge('cwmp_fleet_devices', 'devices', ['state'], () => undefined);
  // The fleet's port gauges (fleet-command.ts), and port waits (made on the first).
  metrics.gauge('cwmp_fleet_tcp_sockets', 'sockets', ['state'], () => undefined);
  metrics.gauge('cwmp_fleet_port_budget_connections_per_second', 'budget', [], () => undefined);
  metrics.portWait('EADDRNOTAVAIL');
  const known = new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
  const used = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\b(cwmp_[a-z_]+?)(_bucket|_count|_sum)?\{/g)].map((m) => m[1]!)));
  assert.ok(used.length >= 8);
  for (const name of used) assert.ok(known.has(name), `${name} is not a metric the agent exposes`);
});

test("metric names follow Prometheus's rules (what promtool check metrics checks): counters end in _total, nothing else does", async () => {
  const metrics = new AgentMetrics({ processMetrics: true });
  metrics.gauge('cwmp_fleet_devices', 'devices', ['state'], (set) => set({ state: 'online' }, 1));
  const text = await metrics.registry.metrics();
  const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => ({ name: m[1]!, type: m[2]! }));
  assert.ok(types.length > 10, 'process metrics are there');
  for (const { name, type } of types) {
    if (type === 'counter') assert.match(name, /_total$/, `counter ${name}`);
    else assert.doesNotMatch(name, /_total$/, `${type} ${name} must not end in _total`);
    assert.match(name, /^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
  }
  const helps = new Set([...text.matchAll(/^# HELP (\S+) /gm)].map((m) => m[1]));
  for (const { name } of types) assert.ok(helps.has(name), `${name} has HELP`);
});
