/**
 * The worker thread that owns a provider helper process: it starts it (again, after it exits),
 * writes requests to its stdin, reads its stdout line by line, and hands each answer to the
 * waiting main thread through a MessagePort, waking it with Atomics.notify. Unasked `changed`
 * lines go to the main thread as ordinary messages. Runs with the helper's stderr in the log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { readHelperLine, type HelperAnswer, type HelperRequest } from './helper-protocol.js';

interface ThreadData {
  port: MessagePort;
  flag: Int32Array;
  command: string[];
  env?: Record<string, string>;
  cwd?: string;
}

const { port, flag, command, env, cwd } = workerData as ThreadData;
let child: ChildProcess | undefined;
let pendingId: number | undefined;
let buffered = '';
let lastStart = 0;
/** The helper's stderr lines passed to the log each second; the rest are counted. */
const MAX_STDERR_LINES_PER_SECOND = 20;
const stderrWindow = { start: 0, lines: 0, dropped: 0 };

function answer(message: HelperAnswer): void {
  if (message.id === undefined || message.id !== pendingId) return;
  pendingId = undefined;
  port.postMessage(message);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

function stopHelper(): void {
  const c = child;
  child = undefined;
  buffered = '';
  if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/**
 * A helper's `changed` lines, coalesced: sent to the agent at most every CHANGED_EVERY_MS, each
 * path once, at most MAX_CHANGED_PATHS of them (the rest are counted in the log; the agent's
 * poll of watched values still sees them). A helper writing thousands of lines a second costs
 * the agent one batch a tick, not one message per line.
 */
const CHANGED_EVERY_MS = 100;
const MAX_CHANGED_PATHS = 10_000;
let changedPaths = new Set<string>();
let changedDropped = 0;
let changedTimer: NodeJS.Timeout | undefined;

function noteChanged(paths: readonly string[]): void {
  for (const p of paths) {
    if (changedPaths.size < MAX_CHANGED_PATHS) changedPaths.add(p.slice(0, 256));
    else changedDropped++;
  }
  changedTimer ??= setTimeout(() => {
    changedTimer = undefined;
    if (changedDropped > 0) parentPort!.postMessage({ log: `provider helper ${command[0]}: ${changedDropped} more changed paths in 100 ms dropped` });
    parentPort!.postMessage({ changed: [...changedPaths] });
    changedPaths = new Set();
    changedDropped = 0;
  }, CHANGED_EVERY_MS);
}

function startHelper(): ChildProcess | string {
  // A helper that dies at once is not restarted in a tight loop.
  if (Date.now() - lastStart < 1_000 && lastStart !== 0) return 'the helper exited less than a second after it started; not restarted yet';
  lastStart = Date.now();
  const c = spawn(command[0]!, command.slice(1), { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  c.stdout!.setEncoding('utf8');
  c.stdout!.on('data', (chunk: string) => {
    if (child !== c) return;
    buffered += chunk;
    // Bounded: a helper that writes an endless line is a broken helper.
    if (buffered.length > 4 * 1024 * 1024) {
      if (pendingId !== undefined) answer({ id: pendingId, error: 'the helper wrote a line longer than 4 MiB' });
      stopHelper();
      return;
    }
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line === '') continue;
      const read = readHelperLine(line);
      if (!read.ok) {
        parentPort!.postMessage({ log: `provider helper ${command[0]} broke the protocol (${read.reason}); restarting it` });
        if (pendingId !== undefined) answer({ id: pendingId, error: `the helper broke the protocol: ${read.reason}` });
        stopHelper();
        return;
      }
      if (read.message.op === 'changed') noteChanged(read.message.paths!);
      else answer(read.message);
    }
  });
  c.stderr!.setEncoding('utf8');
  c.stderr!.on('data', (text: string) => {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      // Bounded: a helper writing without end fills neither the log nor the disk under it.
      const now = Date.now();
      if (now - stderrWindow.start >= 1000) {
        if (stderrWindow.dropped > 0) parentPort!.postMessage({ log: `provider helper ${command[0]}: ${stderrWindow.dropped} more stderr lines dropped` });
        stderrWindow.start = now;
        stderrWindow.lines = 0;
        stderrWindow.dropped = 0;
      }
      if (++stderrWindow.lines > MAX_STDERR_LINES_PER_SECOND) stderrWindow.dropped++;
      else parentPort!.postMessage({ log: `provider helper ${command[0]}: ${line.trimEnd().slice(0, 500)}` });
    }
  });
  c.on('error', (err) => {
    if (child !== c) return;
    child = undefined;
    if (pendingId !== undefined) answer({ id: pendingId, error: `the helper could not be started: ${err.message}` });
  });
  c.on('exit', (code, signal) => {
    if (child !== c) return;
    child = undefined;
    if (pendingId !== undefined) answer({ id: pendingId, error: `the helper exited (${signal ?? `status ${code}`}) without answering` });
  });
  c.stdin!.on('error', () => undefined);
  return c;
}

port.on('message', (message: HelperRequest | { op: 'kill' }) => {
  if (message.op === 'kill') return stopHelper();
  pendingId = message.id;
  if (!child) {
    const started = startHelper();
    if (typeof started === 'string') return answer({ id: message.id, error: started });
    child = started;
  }
  child.stdin!.write(`${JSON.stringify(message)}\n`);
});
