/**
 * The control API and the live dashboard, on one port (`--ui-port`): REST (JSON) described by
 * the OpenAPI document it serves, Server-Sent Events for live figures, and the page, which uses
 * this API and nothing else. On loopback by default; anywhere else it needs a token (Bearer, or
 * `?token=` for the page and its event stream). Bad requests get a 4xx with the reason. Stays
 * cheap with 10,000 devices: the device table is paged and searched on the server, figures are
 * sampled once a second, and only the last sessions of each device are kept (five, a few
 * hundred bytes).
 */
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { checkValue } from '../datamodel/value-types.js';
import { LatencyHistogram } from '../fleet/fleet-stats.js';
import type { z } from 'zod';
import { acsRequestProblem } from '../acs/acs-messages.js';
import type { AcsRequest } from '../cwmp/messages.js';
import {
  acsRequestBody,
  actionBody,
  addDevicesBody,
  controlOpenApi,
  deviceListQuery,
  describeIssues,
  matchRoute,
  parametersQuery,
  setValuesBody,
  traceQuery,
} from './control-routes.js';
import type { ControlTarget, SessionEnd } from './control-target.js';
import { DASHBOARD_PAGE } from './dashboard-page.js';
import { renderTrace } from './trace-show.js';
import { apiPathSegments, ApiRequestRefused, guardApiRequest, requestUrl } from '../runtime/api-request-guard.js';
import { JsonBodyError, readJsonBody } from '../runtime/json-body.js';

export interface ControlServerOptions {
  target: ControlTarget;
  port: number;
  address: string;
  /** Required beyond loopback. */
  token?: string;
  now?: () => number;
}

export interface SeriesPoint {
  t: number;
  online: number;
  devices: number;
  sessionsPerSecond: number;
  failedPerSecond: number;
  p50: number;
  p99: number;
}

const RECENT_PER_DEVICE = 20;
const SERIES_POINTS = 600;
const MAX_BODY = 64 * 1024;

/** A line of the live RPC log: a session and what the ACS asked in it. */
interface RpcLogLine {
  at: string;
  serial: string;
  session: number;
  rpcs: readonly string[];
  ok: boolean;
}

const RPC_LOG_PER_TICK = 50;

/** What the control API counted of one device's sessions since it started. */
interface DeviceCounters {
  informs: number;
  failed: number;
  events: Record<string, number>;
  rpcs: Record<string, number>;
}

/** Made from the route table (see control-routes.ts) when first asked for. */
let openApiDocument: Record<string, unknown> | undefined;

/** Connections the control port holds at once (the rest are refused), and live event streams among them. */
const MAX_CONNECTIONS = 256;
const MAX_EVENT_STREAMS = 32;

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || address.startsWith('127.');
}

export class ControlServer {
  private server: http.Server | undefined;
  private readonly recent = new Map<string, SessionEnd[]>();
  private readonly counters = new Map<string, DeviceCounters>();
  private readonly series: SeriesPoint[] = [];
  private readonly clients = new Set<http.ServerResponse>();
  private tickLatency = new LatencyHistogram();
  private tickOk = 0;
  private tickFailed = 0;
  private totals = { ok: 0, failed: 0 };
  private readonly failures: Record<string, number> = {};
  /** Sessions in which the ACS asked something, since the last tick: the live RPC log's next lines. */
  private rpcLines: RpcLogLine[] = [];
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly o: ControlServerOptions) {
    if (!isLoopback(o.address) && !o.token) throw new Error('ui.token is required when the control API listens beyond loopback (ui.address)');
    o.target.onSession((e) => this.sessionEnded(e));
  }

  async listen(): Promise<number> {
    const server = http.createServer({ requestTimeout: 30_000, headersTimeout: 5_000 }, (req, res) => void this.handle(req, res));
    // Bounded, so that a page or script opening connections without end cannot take every descriptor.
    server.maxConnections = MAX_CONNECTIONS;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.address, () => resolve());
    });
    this.ticker = setInterval(() => this.tick(), 1000);
    this.ticker.unref();
    this.tick();
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    clearInterval(this.ticker);
    for (const c of this.clients) c.end();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  private sessionEnded(e: SessionEnd): void {
    // Counters since the control API started, per device: Informs by event, RPCs by method.
    const c = this.counters.get(e.serial) ?? { informs: 0, failed: 0, events: {}, rpcs: {} };
    c.informs++;
    if (!e.ok) c.failed++;
    for (const code of e.events) c.events[code] = (c.events[code] ?? 0) + 1;
    for (const method of e.rpcs) c.rpcs[method] = (c.rpcs[method] ?? 0) + 1;
    this.counters.set(e.serial, c);
    const list = this.recent.get(e.serial) ?? [];
    list.push(e);
    if (list.length > RECENT_PER_DEVICE) list.shift();
    this.recent.set(e.serial, list);
    if (e.ok) {
      this.tickOk++;
      this.totals.ok++;
    } else {
      this.tickFailed++;
      this.totals.failed++;
      const kind = (e.reason ?? 'failed').replace(/\d+/g, 'N').slice(0, 60);
      this.failures[kind] = (this.failures[kind] ?? 0) + 1;
    }
    this.tickLatency.record(e.endedAt - e.startedAt);
    // At most a screenful a second: a fleet's storm of sessions would make the log unreadable anyway.
    if (e.rpcs.length > 0 && this.rpcLines.length < RPC_LOG_PER_TICK)
      this.rpcLines.push({ at: new Date(e.endedAt).toISOString(), serial: e.serial, session: e.session, rpcs: e.rpcs, ok: e.ok });
  }

  /** Once a second: a point of the time series, pushed to every open event stream. */
  private tick(): void {
    const devices = this.o.target.devices();
    const point: SeriesPoint = {
      t: this.now(),
      devices: devices.length,
      online: devices.filter((d) => d.agent).length,
      sessionsPerSecond: this.tickOk + this.tickFailed,
      failedPerSecond: this.tickFailed,
      p50: Math.round(this.tickLatency.quantile(0.5) * 10) / 10,
      p99: Math.round(this.tickLatency.quantile(0.99) * 10) / 10,
    };
    this.tickOk = this.tickFailed = 0;
    this.tickLatency = new LatencyHistogram();
    this.series.push(point);
    if (this.series.length > SERIES_POINTS) this.series.shift();
    const rpcLog = this.rpcLines;
    this.rpcLines = [];
    const data = `data: ${JSON.stringify({ point, summary: this.summary(), ...(rpcLog.length ? { rpcLog } : {}) })}\n\n`;
    for (const c of this.clients) c.write(data);
  }

  summary(): Record<string, unknown> {
    const devices = this.o.target.devices();
    const usp = this.o.target.usp?.();
    return {
      kind: this.o.target.kind,
      profile: this.o.target.profile,
      devices: devices.length,
      online: devices.filter((d) => d.agent).length,
      bootstrapped: devices.filter((d) => d.bootstrapped).length,
      sessions: { ...this.totals },
      failures: { ...this.failures },
      tracing: this.o.target.traceFile !== undefined,
      bundledAcs: this.o.target.acs !== undefined,
      ...(usp ? { usp } : {}),
    };
  }

  private authorized(req: http.IncomingMessage, url: URL): boolean {
    if (!this.o.token) return true;
    const header = req.headers.authorization ?? '';
    return header === `Bearer ${this.o.token}` || url.searchParams.get('token') === this.o.token;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const url = requestUrl(req);
      if (req.method === 'GET' && url.pathname === '/') return send(res, 200, DASHBOARD_PAGE, 'text/html; charset=utf-8');
      if (req.method === 'GET' && url.pathname.startsWith('/assets/')) return this.asset(res, url.pathname);
      if (req.method === 'GET' && url.pathname === '/openapi.json') return json(res, 200, (openApiDocument ??= controlOpenApi()));
      if (!url.pathname.startsWith('/api/')) throw new ApiError(404, `no such resource: ${url.pathname}`);
      guardApiRequest(req, this.o.token !== undefined);
      if (!this.authorized(req, url)) throw new ApiError(401, 'give the token: Authorization: Bearer <token>');
      await this.api(req, res, url);
    } catch (err) {
      const e =
        err instanceof ApiError
          ? err
          : new ApiError(err instanceof JsonBodyError || err instanceof ApiRequestRefused ? err.status : 500, (err as Error).message);
      if (!res.headersSent) json(res, e.status, { error: e.message });
    }
  }

  private asset(res: http.ServerResponse, pathname: string): void {
    const files: Record<string, [string, string]> = {
      '/assets/uplot.js': ['uplot/dist/uPlot.iife.min.js', 'text/javascript'],
      '/assets/uplot.css': ['uplot/dist/uPlot.min.css', 'text/css'],
    };
    const file = files[pathname];
    if (!file) throw new ApiError(404, `no such asset: ${pathname}`);
    send(res, 200, fs.readFileSync(createRequire(import.meta.url).resolve(file[0])), file[1]);
  }

  private async api(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const parts = apiPathSegments(url.pathname);
    const method = req.method ?? 'GET';
    const { route, serial, allowed } = matchRoute(method, parts);
    if (!route) {
      if (allowed.length > 0) throw new ApiError(405, `${method} is not allowed here (${allowed.join(', ')})`);
      throw new ApiError(404, `no such resource: ${method} /api/${parts.join('/')}`);
    }
    // The token may come as ?token= (the page and its event stream); it is not part of any query.
    const raw = Object.fromEntries([...url.searchParams].filter(([k]) => k !== 'token'));
    const query = route.query.safeParse(raw);
    if (!query.success) throw new ApiError(400, describeIssues(query.error));
    const target = this.o.target;
    if (serial !== undefined && !target.device(serial)) throw new ApiError(404, `no device ${serial}`);
    const body = async <T>(schema: z.ZodType<T>): Promise<T> => {
      const parsed = schema.safeParse(await readJsonBody(req, MAX_BODY));
      if (!parsed.success) throw new ApiError(400, describeIssues(parsed.error));
      return parsed.data;
    };
    switch (route.name) {
      case 'summary':
        return json(res, 200, this.summary());
      case 'series':
        return json(res, 200, this.series);
      case 'events':
        return this.events(req, res);
      case 'listDevices':
        return json(res, 200, this.deviceList(query.data as z.infer<typeof deviceListQuery>));
      case 'addDevices': {
        if (!target.add) throw new ApiError(409, 'only a fleet adds devices');
        const { count } = await body(addDevicesBody);
        return json(res, 201, { added: target.add(count) });
      }
      case 'getDevice':
        return json(res, 200, this.deviceDetail(serial!));
      case 'removeDevice':
        if (!target.remove) throw new ApiError(409, 'only a fleet removes devices');
        await target.remove(serial!);
        this.recent.delete(serial!);
        this.counters.delete(serial!);
        return json(res, 200, { removed: serial });
      case 'deviceAction':
        return json(res, 202, await this.action(serial!, await body(actionBody)));
      case 'setValues':
        return json(res, 200, this.setValues(serial!, (await body(setValuesBody)).values));
      case 'acsRequest':
        return json(res, 202, await this.acsRequest(serial!, (await body(acsRequestBody)).request));
      case 'listParameters':
        return json(res, 200, this.parameters(serial!, query.data as z.infer<typeof parametersQuery>));
      case 'getTrace': {
        const file = target.traceFile?.(serial!);
        if (!file || !fs.existsSync(file)) throw new ApiError(404, 'no trace for this device: start with --trace');
        const q = query.data as z.infer<typeof traceQuery>;
        const { text, sessions } = renderTrace(fs.readFileSync(file, 'utf8'), { session: q.session, bodies: q.bodies === 'true' });
        if (q.session !== undefined && q.session > sessions) throw new ApiError(404, `the trace has ${sessions} sessions, no session ${q.session}`);
        return send(res, 200, text, 'text/plain; charset=utf-8');
      }
    }
  }

  private events(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.clients.size >= MAX_EVENT_STREAMS) throw new ApiError(503, `${MAX_EVENT_STREAMS} event streams are open already; close one first`);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`data: ${JSON.stringify({ series: this.series, summary: this.summary() })}\n\n`);
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
  }

  private deviceList(q: z.infer<typeof deviceListQuery>): Record<string, unknown> {
    const { status, offset, limit } = q;
    const search = q.search.toLowerCase();
    const all = this.o.target
      .devices()
      .filter((d) => (search === '' || d.serial.toLowerCase().includes(search)) && (status === 'all' || (status === 'online') === (d.agent !== undefined)));
    return {
      total: all.length,
      offset,
      limit,
      items: all.slice(offset, offset + limit).map((d) => {
        const last = this.recent.get(d.serial)?.at(-1);
        return {
          serial: d.serial,
          online: d.agent !== undefined,
          bootstrapped: d.bootstrapped,
          ...(d.usp ? { usp: d.usp } : {}),
          lastSession: last ? { at: new Date(last.endedAt).toISOString(), ok: last.ok } : null,
        };
      }),
    };
  }

  private deviceDetail(serial: string): Record<string, unknown> {
    const d = this.o.target.device(serial)!;
    const agent = d.agent;
    const id = agent ? undefined : null;
    void id;
    return {
      serial,
      online: agent !== undefined,
      bootstrapped: d.bootstrapped,
      ...(d.usp ? { usp: d.usp } : {}),
      identity: agent
        ? Object.fromEntries(
            (['manufacturer', 'manufacturerOui', 'productClass', 'modelName', 'hardwareVersion', 'softwareVersion'] as const).map((k) => [
              k,
              agent.model.read(agent.deviceInfo[k]),
            ]),
          )
        : null,
      pendingEvents: agent ? agent.pendingEvents.map((e) => (e.commandKey ? `${e.code} (${e.commandKey})` : e.code)) : [],
      queuedTransfers: agent ? agent.transferProgress() : [],
      recentSessions: (this.recent.get(serial) ?? []).map((s) => ({
        session: s.session,
        at: new Date(s.startedAt).toISOString(),
        ms: s.endedAt - s.startedAt,
        ok: s.ok,
        reason: s.reason,
        events: s.events,
        rpcs: s.rpcs,
      })),
      counters: {
        ...(this.counters.get(serial) ?? { informs: 0, failed: 0, events: {}, rpcs: {} }),
        connectionRequestAuthFailures: d.connectionRequestAuthFailures,
      },
      traceAvailable: this.o.target.traceFile?.(serial) !== undefined,
    };
  }

  private async action(serial: string, body: z.infer<typeof actionBody>): Promise<Record<string, unknown>> {
    const target = this.o.target;
    const { action } = body;
    const agent = (): NonNullable<ReturnType<ControlTarget['device']>>['agent'] & object => {
      const a = target.device(serial)?.agent;
      if (!a) throw new ApiError(409, `${serial} is offline: power it on first`);
      return a;
    };
    switch (action) {
      case 'power-on':
        target.powerOn(serial);
        return { serial, action };
      case 'power-off':
        try {
          await target.powerOff(serial);
        } catch (err) {
          throw new ApiError(409, (err as Error).message);
        }
        return { serial, action };
      case 'reboot':
        agent().deviceAction('reboot');
        return { serial, action };
      case 'factory-reset':
        agent().deviceAction('factoryReset');
        return { serial, action };
      case 'inform': {
        const events = body.events ?? ['6 CONNECTION REQUEST'];
        const a = agent();
        for (const e of events) a.trigger(e, body.commandKey ?? '');
        return { serial, action, events };
      }
    }
  }

  /**
   * An RPC from the bundled ACS: queued for the device, then a real connection request (Digest,
   * with the device's own credentials) so that its session carries the RPC now.
   */
  private async acsRequest(serial: string, request: z.infer<typeof acsRequestBody>['request']): Promise<Record<string, unknown>> {
    const acs = this.o.target.acs;
    if (!acs) throw new ApiError(409, "the device's ACS is not the bundled test ACS: send the request from your ACS");
    const agent = this.o.target.device(serial)?.agent;
    if (!agent) throw new ApiError(409, `${serial} is offline: power it on first`);
    const problem = acsRequestProblem(request);
    if (problem) throw new ApiError(400, problem);
    acs.queue(serial, request as AcsRequest);
    const m = agent.model;
    const status = await acs
      .connectionRequest(m.read(agent.ms.connectionRequestUrl), m.read(agent.ms.connectionRequestUsername), m.read(agent.ms.connectionRequestPassword))
      .catch((err: Error) => err.message);
    return { serial, queued: request.method, connectionRequest: status };
  }

  /** Values changed as the device would change them: notification and 4 VALUE CHANGE follow. */
  private setValues(serial: string, values: Record<string, string>): Record<string, unknown> {
    const agent = this.o.target.device(serial)?.agent;
    if (!agent) throw new ApiError(409, `${serial} is offline: power it on first`);
    const checked: Record<string, string> = {};
    for (const [name, value] of Object.entries(values)) {
      const def = agent.model.definitionOf(name);
      if (!def) throw new ApiError(400, `${name}: no such parameter on this device`);
      const check = checkValue(String(value), def);
      if (!check.ok) throw new ApiError(400, `${name}: ${check.reason}`);
      checked[name] = check.value;
    }
    agent.model.writeFromDevice(checked);
    return { serial, changed: Object.keys(checked) };
  }

  private parameters(serial: string, q: z.infer<typeof parametersQuery>): Record<string, unknown> {
    const agent = this.o.target.device(serial)?.agent;
    if (!agent) throw new ApiError(409, `${serial} is offline: power it on first`);
    const { offset, limit } = q;
    const search = q.search.toLowerCase();
    const root = agent.model.schema.root;
    const values = agent.model.getParameterValues([root]);
    const attributes = new Map(agent.model.getParameterAttributes([root]).map((a) => [a.name, a.notification]));
    const matching = values.filter((v) => search === '' || v.name.toLowerCase().includes(search) || v.value.toLowerCase().includes(search));
    return {
      total: matching.length,
      offset,
      limit,
      items: matching.slice(offset, offset + limit).map((v) => ({
        name: v.name,
        value: v.value,
        type: v.type,
        notification: attributes.get(v.name) ?? 0,
        writable: agent.model.definitionOf(v.name)?.writable ?? false,
      })),
    };
  }
}

function send(res: http.ServerResponse, status: number, body: string | Buffer, type: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  send(res, status, `${JSON.stringify(body)}\n`, 'application/json');
}
