/**
 * The test ACS's JSON API, for poking a device by hand or from a script: the devices that have
 * informed, RPCs queued for one (any ACS-to-CPE method, as JSON), a connection request sent to
 * it, and its session history with the envelopes. Served on the ACS's own port under /api/.
 */
import type http from 'node:http';
import { apiPathSegments, ApiRequestRefused, guardApiRequest, requestUrl } from '../runtime/api-request-guard.js';
import { JsonBodyError, readJsonBody } from '../runtime/json-body.js';
import type { AcsRequest } from '../cwmp/messages.js';
import { acsRequestProblem, parameterValues, readCpeMessage } from './acs-messages.js';
import type { CwmpEvent } from '../cwmp/messages.js';

/** What the API needs of the ACS it serves (the test ACS). */
export interface AcsApiHost {
  readonly sessions: readonly {
    serial: string;
    ended: boolean;
    events: CwmpEvent[];
    messages: { from: 'cpe' | 'acs'; body: string; method: string }[];
    from?: string;
  }[];
  queue(serial: string, ...rpcs: AcsRequest[]): void;
  queuedFor(serial: string): number;
  /** Devices with RPCs waiting. */
  readonly queuedDeviceCount: number;
  connectionRequest(url: string, username: string, password: string): Promise<number>;
  /** The credentials this ACS gave the device for connection requests, when it gave some. */
  connectionRequestCredentials(serial: string): { username: string; password: string } | undefined;
}

type AcsSessionRecord = AcsApiHost['sessions'][number];

const MAX_BODY = 1024 * 1024;
const MAX_QUEUED_PER_DEVICE = 1_000;
const MAX_QUEUED_DEVICES = 10_000;

interface DeviceView {
  serial: string;
  manufacturer: string;
  oui: string;
  productClass: string;
  softwareVersion: string | undefined;
  connectionRequestUrl: string | undefined;
  lastInform: string | undefined;
  lastEvents: string[];
  /** The address its last session came from. */
  lastAddress: string | undefined;
  sessions: number;
  queued: number;
}

function informOf(s: AcsSessionRecord) {
  const first = s.messages[0];
  return first?.method === 'Inform' ? readCpeMessage(first.body) : undefined;
}

function deviceView(acs: AcsApiHost, serial: string): DeviceView | undefined {
  const sessions = acs.sessions.filter((s) => s.serial === serial);
  const last = sessions.at(-1);
  if (!last) return undefined;
  const inform = informOf(last);
  const values = inform ? parameterValues(inform) : {};
  const find = (suffix: string): string | undefined => Object.entries(values).find(([k]) => k.endsWith(suffix))?.[1].value;
  const id = inform?.body?.children.find((c) => c.local === 'DeviceId');
  const idText = (name: string): string => id?.children.find((c) => c.local === name)?.text.trim() ?? '';
  return {
    serial,
    manufacturer: idText('Manufacturer'),
    oui: idText('OUI'),
    productClass: idText('ProductClass'),
    softwareVersion: find('DeviceInfo.SoftwareVersion'),
    connectionRequestUrl: find('ManagementServer.ConnectionRequestURL'),
    lastInform: inform?.body?.children.find((c) => c.local === 'CurrentTime')?.text.trim(),
    lastEvents: last.events.map((e) => e.code),
    lastAddress: last.from,
    sessions: sessions.length,
    queued: acs.queuedFor(serial),
  };
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body, null, 2)}\n`);
}

/** A JSON value as an ACS request, or the reason it is not one (it must make a valid envelope). */
function asRequest(value: unknown): AcsRequest | string {
  return acsRequestProblem(value) ?? (value as AcsRequest);
}

/** Answers a request under /api/; false when the path is not the API's. */
export function handleAcsApi(acs: AcsApiHost, req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (!req.url?.startsWith('/api/') && req.url !== '/api' && !req.url?.startsWith('/api?')) return false;
  let parts: string[];
  let url: URL;
  try {
    url = requestUrl(req);
    guardApiRequest(req);
    parts = apiPathSegments(url.pathname);
  } catch (err) {
    req.resume();
    send(res, err instanceof ApiRequestRefused ? err.status : 400, { error: (err as Error).message });
    return true;
  }
  void route(acs, req, res, parts, url).catch((err: Error) => {
    if (!res.headersSent) send(res, err instanceof JsonBodyError ? err.status : 400, { error: err.message });
  });
  return true;
}

async function route(acs: AcsApiHost, req: http.IncomingMessage, res: http.ServerResponse, parts: string[], url: URL): Promise<void> {
  const method = req.method ?? 'GET';
  if (parts.length === 0) {
    return send(res, 200, {
      endpoints: [
        'GET /api/devices',
        'GET /api/devices/{serial}',
        'POST /api/devices/{serial}/rpcs  (an RPC as JSON, or a list of them)',
        'POST /api/devices/{serial}/connection-request  [{"username": "...", "password": "..."}: by default those this ACS set]',
        'GET /api/devices/{serial}/sessions[?envelopes=true]',
      ],
    });
  }
  if (parts[0] !== 'devices') return send(res, 404, { error: `no such resource: /api/${parts.join('/')}` });
  if (parts.length === 1) {
    if (method !== 'GET') return send(res, 405, { error: 'GET only' });
    const serials = [...new Set(acs.sessions.map((s) => s.serial))];
    return send(
      res,
      200,
      serials.map((s) => deviceView(acs, s)),
    );
  }
  const serial = parts[1]!;
  const device = deviceView(acs, serial);
  if (parts.length === 2) {
    if (method !== 'GET') return send(res, 405, { error: 'GET only' });
    return device ? send(res, 200, device) : send(res, 404, { error: `no device ${serial} has informed` });
  }
  switch (`${method} ${parts[2]}`) {
    case 'POST rpcs': {
      const body = await readJsonBody(req, MAX_BODY);
      const list = Array.isArray(body) ? body : [body];
      const requests: AcsRequest[] = [];
      for (const [i, item] of list.entries()) {
        const r = asRequest(item);
        if (typeof r === 'string') return send(res, 400, { error: list.length > 1 ? `RPC ${i + 1}: ${r}` : r });
        requests.push(r);
      }
      // Bounded: RPCs for one device, and devices that have never informed (each a queue nobody may empty).
      if (acs.queuedFor(serial) + requests.length > MAX_QUEUED_PER_DEVICE)
        return send(res, 429, { error: `at most ${MAX_QUEUED_PER_DEVICE} RPCs wait for one device; ${acs.queuedFor(serial)} do` });
      if (!device && acs.queuedFor(serial) === 0 && acs.queuedDeviceCount >= MAX_QUEUED_DEVICES)
        return send(res, 429, { error: `RPCs wait for ${acs.queuedDeviceCount} devices already; queue for devices that have informed` });
      acs.queue(serial, ...requests);
      return send(res, 202, {
        queued: requests.length,
        waiting: acs.queuedFor(serial),
        note: device ? 'sent in its next session (a connection request starts one)' : 'sent once the device informs',
      });
    }
    case 'POST connection-request': {
      if (!device?.connectionRequestUrl) return send(res, 404, { error: `no ConnectionRequestURL known for ${serial}: it has not informed one` });
      const body = (await readJsonBody(req, MAX_BODY)) as { username?: unknown; password?: unknown };
      // Without credentials in the body, those this ACS set on the device when it first informed.
      const given = typeof body.username === 'string' && typeof body.password === 'string' ? { username: body.username, password: body.password } : undefined;
      const credentials = given ?? acs.connectionRequestCredentials(serial);
      if (!credentials)
        return send(res, 400, { error: 'give "username" and "password" (the device\'s ConnectionRequestUsername and Password): this ACS has not set them' });
      const status = await acs.connectionRequest(device.connectionRequestUrl, credentials.username, credentials.password).catch((err: Error) => err.message);
      return send(res, typeof status === 'number' && status < 300 ? 200 : 502, { url: device.connectionRequestUrl, status });
    }
    case 'GET sessions': {
      if (!device) return send(res, 404, { error: `no device ${serial} has informed` });
      const envelopes = url.searchParams.get('envelopes') === 'true';
      return send(
        res,
        200,
        acs.sessions
          .filter((s) => s.serial === serial)
          .map((s, i) => ({
            session: i + 1,
            ended: s.ended,
            from: s.from,
            events: s.events.map((e) => (e.commandKey ? `${e.code} (${e.commandKey})` : e.code)),
            messages: s.messages.map((m) => ({ from: m.from, method: m.method || '(empty)', ...(envelopes ? { body: m.body } : {}) })),
          })),
      );
    }
    default:
      return send(res, 404, { error: `no such resource: ${method} /api/devices/${serial}/${parts.slice(2).join('/')}` });
  }
}
