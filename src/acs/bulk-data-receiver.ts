/**
 * The Bulk Data collector beside the test ACS: a profile's HTTP.URL of `<base>/bulkdata/<name>`
 * lands its reports here, decompressed, bounded in size and in how many are kept.
 */
import type http from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';

/** One Bulk Data report as the collector received it. */
export interface BulkDataReceived {
  path: string;
  query: Record<string, string>;
  method: string;
  headers: http.IncomingHttpHeaders;
  /** Decompressed. */
  body: string;
  at: number;
}

/** Largest Bulk Data report the collector takes, bytes, sent or inflated. */
const BULK_DATA_MAX_BYTES = 16 * 1024 * 1024;
/** Reports kept (a fleet reports without end): the newest. */
const KEPT = 10_000;

/** A request body, inflated when its Content-Encoding is gzip or deflate (at most maxBytes then); throws on a bad one. */
export function decodedBody(raw: Buffer, encoding: string | undefined, maxBytes: number): { body: Buffer; compressed: boolean } {
  if (encoding !== 'gzip' && encoding !== 'deflate') return { body: raw, compressed: false };
  const limit = { maxOutputLength: maxBytes };
  return { body: encoding === 'gzip' ? gunzipSync(raw, limit) : inflateSync(raw, limit), compressed: true };
}

export class BulkDataReceiver {
  /** The newest reports received (at most 10,000). */
  readonly reports: BulkDataReceived[] = [];
  /** Reports received in all. */
  count = 0;
  /** The HTTP status answered (a 503 to see the device retry). */
  status = 200;
  private watchers: readonly ((r: BulkDataReceived) => void)[] = [];

  /** @param received told after each report (the ACS checks its waiters). */
  constructor(private readonly received: () => void) {}

  /** Calls `watcher` for each report received. */
  onReport(watcher: (r: BulkDataReceived) => void): void {
    this.watchers = this.watchers.concat([watcher]);
  }

  receive(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BULK_DATA_MAX_BYTES) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      let body: string;
      try {
        body = decodedBody(Buffer.concat(chunks), req.headers['content-encoding'], BULK_DATA_MAX_BYTES).body.toString('utf8');
      } catch {
        return void res.writeHead(400).end('bad Content-Encoding');
      }
      const url = new URL(req.url ?? '/', 'http://collector');
      const report: BulkDataReceived = {
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        method: req.method ?? '',
        headers: req.headers,
        body,
        at: Date.now(),
      };
      this.count++;
      this.reports.push(report);
      if (this.reports.length > KEPT) this.reports.splice(0, this.reports.length - KEPT);
      for (const w of this.watchers) w(report);
      this.received();
      res.writeHead(this.status).end();
    });
  }
}
