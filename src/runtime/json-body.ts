/** Reads a small JSON request body for the HTTP APIs (test ACS, control server), bounded in size. */
import type http from 'node:http';

/** Why a body was refused, with the HTTP status that says so. */
export class JsonBodyError extends Error {
  constructor(
    readonly status: 413 | 400,
    message: string,
  ) {
    super(message);
  }
}

/** The parsed body ({} when empty); rejects with JsonBodyError past maxBytes or when it is not JSON. */
export function readJsonBody(req: http.IncomingMessage, maxBytes: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        reject(new JsonBodyError(413, `body larger than ${maxBytes} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(chunks.length === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new JsonBodyError(400, 'the body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}
