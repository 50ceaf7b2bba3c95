/**
 * What the CLI agent writes to its log and to the vendor log file an ACS uploads: no password in
 * any line (a URL's userinfo included), and the uploaded log independent of the console's level.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { TestAcs } from '../../src/acs/test-acs.js';
import { simulatedIdentity } from '../../src/providers/simulated-device.js';
import { redactUrlCredentials } from '../../src/log/redact.js';
import { tempDir } from '../helpers/agent-harness.js';
import { bin } from '../helpers/agent-process.js';
import { FileServer } from '../helpers/file-server.js';

function run(args: string[]): { output: () => string; stop: () => Promise<void> } {
  const child = spawn(process.execPath, [bin, 'run', ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr.on('data', (c: Buffer) => (text += c.toString()));
  return {
    output: () => text,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGKILL');
      await gone;
    },
  };
}

test('URL credentials are masked wherever they appear in a line', () => {
  assert.equal(
    redactUrlCredentials('{"url":"http://user:SECRET@host/acs","msg":"x https://a:b@c:7547/p"}'),
    '{"url":"http://user:***@host/acs","msg":"x https://a:***@c:7547/p"}',
  );
  assert.equal(redactUrlCredentials('mailto:someone@example.net and http://host/path@x'), 'mailto:someone@example.net and http://host/path@x');
});

test('a password in the ACS URL never reaches the log, and the uploaded vendor log holds info lines although the console shows warnings only', {
  timeout: 30_000,
}, async () => {
  const acs = new TestAcs();
  const url = await acs.listen();
  const files = new FileServer();
  await files.listen();
  const serial = simulatedIdentity('cwmp-agent').serialNumber;
  const stateDir = tempDir();
  const withSecret = url.replace('http://', 'http://cpe:SECRET-PW@');
  acs.queue(serial, {
    method: 'Upload',
    commandKey: 'log',
    fileType: '2 Vendor Log File',
    url: files.url('up/log'),
    username: '',
    password: '',
    delaySeconds: 0,
  });
  const info = run(['--acs-url', withSecret, '--state-dir', stateDir, '--cr-port', '0', '--log-level', 'info']);
  try {
    await acs.waitFor(() => files.uploads.some((u) => u.path === 'up/log'), 20_000);
    await acs.waitFor(() => /cpe:\*\*\*@/.test(info.output()), 10_000);
    assert.doesNotMatch(info.output(), /SECRET-PW/);
    assert.doesNotMatch(files.uploads[0]!.body.toString(), /SECRET-PW/);
  } finally {
    await info.stop();
  }
  files.uploads.length = 0;
  acs.queue(serial, {
    method: 'Upload',
    commandKey: 'log2',
    fileType: '2 Vendor Log File',
    url: files.url('up/log'),
    username: '',
    password: '',
    delaySeconds: 0,
  });
  const quiet = run(['--acs-url', url, '--state-dir', stateDir, '--cr-port', '0', '--log-level', 'warn']);
  try {
    await acs.waitFor(() => files.uploads.some((u) => u.path === 'up/log'), 20_000);
    const log = files.uploads[0]!.body.toString();
    assert.match(log, /"msg":"agent starting"/, 'info lines are in the vendor log');
    assert.doesNotMatch(quiet.output(), /"level":30/, 'but not on the console');
  } finally {
    await quiet.stop();
    await acs.close();
    await files.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});

/** Runs `cwmp-agent run ARGS` until `until` matches its output, then sends SIGTERM; its output in the end. */
async function runUntil(command: string[], until: RegExp): Promise<string> {
  const child = spawn(command[0]!, command.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const seen = new Promise<void>((resolve) => {
    const check = (c: Buffer): void => {
      text += c.toString();
      if (until.test(text)) resolve();
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
  });
  // 'close': every process holding the output (the supervisor and its worker) is done with it.
  const exited = new Promise((r) => child.once('close', r));
  try {
    await seen;
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  } finally {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  }
  return text;
}

test('on a terminal the log is readable lines; piped it is JSON lines; a stop by signal is said', { timeout: 60_000 }, async (t) => {
  const acs = new TestAcs();
  const url = await acs.listen();
  const dir = tempDir();
  try {
    const args = ['run', '--acs-url', url, '--state-dir', dir, '--cr-port', '0'];
    // Piped: one JSON object a line, the stop included.
    const piped = await runUntil([process.execPath, bin, ...args], /"msg":"session end"/);
    const lines = piped.split('\n').filter((l) => l.trim() !== '');
    assert.ok(lines.length > 2);
    for (const l of lines) assert.doesNotThrow(() => JSON.parse(l), `not JSON: ${l}`);
    assert.ok(
      lines.some((l) => JSON.parse(l).msg.startsWith('stopping')),
      'the stop is said',
    );
    // A terminal (script(1) gives the agent a pseudo-terminal): readable lines, no JSON.
    const hasScript = await new Promise<boolean>((r) => spawn('sh', ['-c', 'command -v script'], { stdio: 'ignore' }).on('exit', (c) => r(c === 0)));
    if (!hasScript) return t.skip('script(1) is not installed: no pseudo-terminal to test with');
    const quoted = [process.execPath, bin, ...args].map((a) => `'${a}'`).join(' ');
    const tty = await runUntil(['script', '-qfec', quoted, '/dev/null'], /session (start|end)/);
    const ttyLines = tty.split(/\r?\n/).filter((l) => /\S/.test(l));
    assert.ok(
      ttyLines.some((l) => /INFO/.test(l) && /agent starting/.test(l)),
      tty,
    );
    assert.ok(
      ttyLines.every((l) => !l.trimStart().startsWith('{"level"')),
      'no JSON lines on a terminal',
    );
  } finally {
    await acs.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
