/**
 * A synchronous request/answer channel to a provider helper process. Providers are called
 * synchronously by the data model; the helper's I/O runs on a worker thread, and the caller
 * waits (Atomics.wait, bounded by the timeout) for its answer. A helper that does not answer in
 * time is killed and restarted on the next request; the request fails, which the RPC reports
 * as 9002 (never a hung session).
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { HelperAnswer, HelperRequestBody } from './helper-protocol.js';

export interface HelperChannelOptions {
  command: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** The longest wait for one answer, milliseconds. */
  timeoutMs: number;
  /** Paths the helper said changed by themselves. */
  onChanged?: (paths: string[]) => void;
  /** Lines for the agent's log: the helper's stderr, protocol errors. */
  onLog?: (line: string) => void;
}

export class HelperChannel {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 1;

  constructor(private readonly opts: HelperChannelOptions) {}

  /** Sends one request and waits for its answer; throws with the reason when there is none. */
  call(request: HelperRequestBody): HelperAnswer {
    const port = this.connect();
    const id = this.nextId++;
    // Answers to earlier requests that timed out are dropped.
    while (receiveMessageOnPort(port)) {}
    Atomics.store(this.flag, 0, 0);
    port.postMessage({ ...request, id });
    const waited = Atomics.wait(this.flag, 0, 0, this.opts.timeoutMs);
    const received = receiveMessageOnPort(port)?.message as HelperAnswer | undefined;
    if (waited === 'timed-out' || !received) {
      port.postMessage({ op: 'kill' });
      throw new Error(`the provider helper ${this.opts.command[0]} did not answer ${request.op} within ${this.opts.timeoutMs} ms`);
    }
    if (received.error !== undefined) throw new Error(`provider helper ${this.opts.command[0]}: ${received.error}`);
    return received;
  }

  close(): void {
    void this.worker?.terminate();
    this.worker = undefined;
    this.port = undefined;
  }

  private connect(): MessagePort {
    if (this.port) return this.port;
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(new URL('./helper-thread.js', import.meta.url), {
      workerData: { port: port2, flag: this.flag, command: this.opts.command, env: this.opts.env, cwd: this.opts.cwd },
      transferList: [port2],
    });
    worker.on('message', (m: { changed?: string[]; log?: string }) => {
      if (m.changed) this.opts.onChanged?.(m.changed);
      if (m.log) this.opts.onLog?.(m.log);
    });
    worker.on('error', (err) => this.opts.onLog?.(`provider helper thread failed: ${err.message}`));
    // Neither the thread nor its port keeps a stopping process alive.
    worker.unref();
    port1.unref();
    this.worker = worker;
    this.port = port1;
    return port1;
  }
}
