/**
 * The CPE's pages for browsers on its LAN, served on the connection-request port without its
 * credentials: the KickURL (TR-069 A.4.2.1: a Kicked session decides where the browser goes) and
 * the DownloadProgressURL (how far the file transfers have come).
 */
import type http from 'node:http';
import { escapeXml } from '../cwmp/xml-text.js';

/** What the LAN pages need of the agent: a Kicked session, and the transfers' progress. */
export interface KickHost {
  kick(k: { command: string; referer: string; arg: string; next: string }): Promise<string>;
  transferProgress(): { commandKey: string; fileType: string; isDownload: boolean; phase: string; bytes: number | null; total: number | null }[];
}

/** Where a LAN browser kicks the CPE (ManagementServer.KickURL), on the connection-request port. */
export const KICK_PATH = '/kick';
/** At most this many browsers wait on a Kicked session at once. */
const MAX_KICKS_IN_FLIGHT = 4;

/**
 * The KickURL: `?command=..&arg=..&next=..` from the browser (and its Referer) become a Kicked
 * request; the browser is then redirected to the ACS's NextURL, or to its own next. Lengths as
 * the schema allows (Referer cut to 64), and only http(s) destinations.
 */
export function kickHandler(agent: Pick<KickHost, 'kick'>): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  let inFlight = 0;
  return (req, res) => {
    const q = new URL(req.url ?? '/', 'http://cpe.invalid').searchParams;
    const command = q.get('command') ?? '';
    const arg = q.get('arg') ?? '';
    const next = q.get('next') ?? '';
    const plain = { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' };
    if (command === '' || command.length > 32 || arg.length > 256 || next.length > 1024)
      return void res.writeHead(400, plain).end('command (1-32 characters), arg (up to 256) and next (up to 1024) are expected\n');
    if (inFlight >= MAX_KICKS_IN_FLIGHT) return void res.writeHead(503, { ...plain, 'Retry-After': '5' }).end('busy\n');
    inFlight++;
    const referer = String(req.headers.referer ?? '').slice(0, 64);
    void agent.kick({ command, referer, arg, next }).then((to) => {
      inFlight--;
      const target = httpUrl(to);
      if (!target) return void res.writeHead(502, plain).end('no destination to go to\n');
      res.writeHead(302, { Location: target, 'Cache-Control': 'no-store', 'Content-Length': 0 }).end();
    });
  };
}

/** DeviceInfo.SupportedDataModel.1.URL's document: the device type of the schema, as XML. */
export function deviceTypeHandler(xml: string): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (_req, res) => void res.writeHead(200, { 'Content-Type': 'application/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(xml) }).end(xml);
}

/** The LAN page of ManagementServer.DownloadProgressURL. */
export const PROGRESS_PATH = '/download-progress';

/**
 * How far the device's file transfers have come, for someone on the LAN: a page that refreshes
 * itself, or JSON (`?format=json`). Command keys, file types and bytes only: no URL or
 * credential of a transfer is shown.
 */
export function progressHandler(agent: Pick<KickHost, 'transferProgress'>): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const list = agent.transferProgress();
    const json = new URL(req.url ?? '/', 'http://cpe.invalid').searchParams.get('format') === 'json';
    if (json) return void res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify({ transfers: list }));
    const rows = list
      .map((t) => {
        const percent = t.bytes !== null && t.total ? ` (${Math.min(100, Math.floor((t.bytes * 100) / t.total))} %)` : '';
        const done = t.bytes !== null ? `${t.bytes}${t.total ? ` of ${t.total}` : ''} bytes${percent}` : t.total ? `${t.total} bytes` : '';
        return `<tr><td>${escapeXml(t.isDownload ? 'Download' : 'Upload')}</td><td>${escapeXml(t.fileType)}</td><td>${escapeXml(t.commandKey)}</td><td>${escapeXml(t.phase)}</td><td>${escapeXml(done)}</td></tr>`;
      })
      .join('');
    const body =
      '<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="2"><title>File transfers</title></head><body>' +
      (list.length === 0
        ? '<p>No file transfer in progress.</p>'
        : `<table><tr><th>Kind</th><th>File type</th><th>Command key</th><th>State</th><th>Progress</th></tr>${rows}</table>`) +
      '</body></html>';
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(body);
  };
}

/** An absolute http(s) URL, normalised (no header injection through Location), or undefined. */
function httpUrl(s: string): string | undefined {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}
