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
    await new Promise((r) => setTimeout(r, 300));
    assert.match(info.output(), /cpe:\*\*\*@/, 'the URL is logged, masked');
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
