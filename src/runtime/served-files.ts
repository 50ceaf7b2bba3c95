/**
 * Files a bundled server (the test ACS, the USP controller) hands to devices at /files/NAME:
 * firmware images and deployment-unit packages for the transfers it asks for.
 */
import type http from 'node:http';

export class ServedFiles {
  private readonly files = new Map<string, Buffer>();

  /** Adds (or replaces) a file; names are plain, so no path can reach outside the set. */
  add(name: string, body: Buffer): void {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`not a plain file name: ${name}`);
    this.files.set(name, body);
  }

  /** Answers a GET of /files/NAME (true), or leaves the request to the caller (false). */
  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    if (req.method !== 'GET' || !req.url?.startsWith('/files/')) return false;
    let name: string;
    try {
      name = decodeURIComponent(req.url.slice('/files/'.length));
    } catch {
      res.writeHead(400).end();
      return true;
    }
    const file = this.files.get(name);
    if (!file) res.writeHead(404).end();
    else res.writeHead(200, { 'Content-Length': file.length, 'Content-Type': 'application/octet-stream' }).end(file);
    return true;
  }
}
