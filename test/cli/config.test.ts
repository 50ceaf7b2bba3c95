import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, overridesFromEnv } from '../../src/assembly/config.js';
import { tempDir } from '../helpers/agent-harness.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/cwmp-agent');

function writeConfig(text: string): string {
  const f = path.join(tempDir('cfg-'), 'agent.yaml');
  fs.writeFileSync(f, text);
  return f;
}

test('defaults with no file; flags override the environment, which overrides the file', () => {
  const f = writeConfig('acs:\n  url: http://file.example/acs\nstateDir: /tmp/from-file\n');
  const c = loadConfig(f, overridesFromEnv({ CWMP_AGENT_ACS_URL: 'http://env.example/acs', CWMP_AGENT_STATE_DIR: '/tmp/env' }), { stateDir: '/tmp/flag' });
  assert.equal(c.acs.url, 'http://env.example/acs');
  assert.equal(c.stateDir, '/tmp/flag');
  assert.equal(loadConfig(undefined).cwmpVersion, '1.4');
});

test('connection-request credentials: file, environment and flag, each over the one before', () => {
  const f = writeConfig('connectionRequest:\n  username: from-file\n  password: file-pw\n');
  assert.deepEqual((({ username, password }) => ({ username, password }))(loadConfig(f).connectionRequest), { username: 'from-file', password: 'file-pw' });
  const c = loadConfig(f, overridesFromEnv({ CWMP_AGENT_CR_USERNAME: 'from-env', CWMP_AGENT_CR_PASSWORD: 'env-pw' }), { crPassword: 'flag-pw' });
  assert.equal(c.connectionRequest.username, 'from-env');
  assert.equal(c.connectionRequest.password, 'flag-pw');
  const help = spawnSync(process.execPath, [bin, 'run', '--help'], { encoding: 'utf8' });
  assert.match(help.stdout, /--cr-username/);
  assert.match(help.stdout, /--cr-password/);
});

test('a bad key is named in the error', () => {
  assert.throws(
    () => loadConfig(writeConfig('acs:\n  url: not a url\n')),
    (e: Error) => e instanceof ConfigError && /acs\.url/.test(e.message),
  );
  assert.throws(() => loadConfig(writeConfig('periodicInformInterval: 0\n')), /periodicInformInterval/);
  assert.throws(() => loadConfig(writeConfig('acs:\n  urll: http://x\n')), /urll/);
  assert.throws(() => loadConfig(writeConfig('- a\n- b\n')), /mapping/);
});

test('the CLI reports a bad config and exits with status 2', () => {
  const r = spawnSync(process.execPath, [bin, 'run', '--config', writeConfig('cwmpVersion: "2.0"\n')], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cwmpVersion/);
  const missing = spawnSync(process.execPath, [bin, 'run', '--config', writeConfig('dataModel:\n  extraModels:\n    - file: /nonexistent/model.xml\n')], {
    encoding: 'utf8',
  });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /dataModel\.extraModels/);
  const help = spawnSync(process.execPath, [bin, 'run', '--help'], { encoding: 'utf8' });
  assert.match(help.stdout, /--acs-url/);
  assert.match(help.stdout, /--state-dir/);
  assert.match(help.stdout, /--cr-port/);
});

test('the example configuration in examples/agent.yaml is valid, standby abilities included', () => {
  const example = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/agent.yaml');
  const c = loadConfig(example);
  assert.equal(c.device.seed, 'lab-device-1');
  assert.deepEqual(c.device.standby, { crAware: true, timerAware: true });
  assert.throws(() => loadConfig(writeConfig('device:\n  standby:\n    crAware: yes-please\n')), ConfigError);
});

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20_000 });
  return { status: r.status, stderr: r.stderr };
}

test('bad values are refused at start, naming the key, with status 2', () => {
  const dir = tempDir('cfg-bad-');
  const notCert = path.join(dir, 'ca.pem');
  fs.writeFileSync(notCert, 'this is not a certificate\n');
  const cases: [string[], RegExp][] = [
    [['run', '--acs-url', 'ftp://acs.example.net/'], /acs\.url \(from --acs-url "ftp:\/\/acs\.example\.net\/"\): must be an http/],
    [['run', '--acs-url', 'javascript:alert(1)'], /acs\.url/],
    [['run', '--config', writeConfig(`acs:\n  url: https://acs.example.net/\n  tls:\n    caFile: ${notCert}\n`)], /acs\.tls\.caFile .*not a PEM certificate/],
    [
      ['run', '--config', writeConfig(`acs:\n  url: https://acs.example.net/\n  tls:\n    certFile: ${notCert}\n`)],
      /acs\.tls\.keyFile: certFile and keyFile go together/,
    ],
    [['run', '--cr-port', 'abc'], /--cr-port/],
    [['run', '--no-such-flag'], /unknown option/],
    [['fleet', '--count', '0'], /--count <n>' argument '0' is invalid\. a whole number of 1 or more/],
  ];
  for (const [args, message] of cases) {
    const r = runCli([...args, '--state-dir', path.join(dir, 'state')]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const env = runCli(['run', '--state-dir', path.join(dir, 'state')], { CWMP_AGENT_CR_PORT: 'abc' });
  assert.equal(env.status, 2);
  assert.match(env.stderr, /CWMP_AGENT_CR_PORT="abc": not a port number/);
  const envUrl = runCli(['run', '--state-dir', path.join(dir, 'state')], { CWMP_AGENT_ACS_URL: 'ftp://x/' });
  assert.equal(envUrl.status, 2);
  assert.match(envUrl.stderr, /acs\.url \(from CWMP_AGENT_ACS_URL="ftp:\/\/x\/"\)/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a state dir that is a file, or on a read-only filesystem, is named as the problem (not the port)', (t) => {
  const dir = tempDir('cfg-state-');
  const file = path.join(dir, 'a-file');
  fs.writeFileSync(file, '');
  const r = runCli(['run', '--acs-url', 'http://127.0.0.1:9/', '--state-dir', file, '--cr-port', '0']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /stateDir .*a-file: not a directory/);
  if (process.getuid?.() !== 0) return t.skip('a read-only mount needs root');
  const ro = path.join(dir, 'ro');
  fs.mkdirSync(ro);
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', ro]).status !== 0) return t.skip('cannot mount a tmpfs here');
  try {
    const readOnly = runCli(['run', '--acs-url', 'http://127.0.0.1:9/', '--state-dir', ro, '--cr-port', '0']);
    assert.equal(readOnly.status, 2);
    assert.match(readOnly.stderr, /stateDir .*: not writable \(read-only filesystem\)/);
    assert.doesNotMatch(readOnly.stderr, /port/);
  } finally {
    spawnSync('umount', ['-l', ro]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('corrupt or unusable state files: the agent starts anyway, sets them aside, says so, and prints no stack trace', { timeout: 30_000 }, async () => {
  const { TestAcs } = await import('../../src/acs/test-acs.js');
  const { simulatedIdentity } = await import('../../src/providers/simulated-device.js');
  const acs = new TestAcs();
  const url = await acs.listen();
  const serial = simulatedIdentity('cwmp-agent').serialNumber;
  const stateDir = tempDir('cfg-corrupt-');
  fs.writeFileSync(path.join(stateDir, 'data-model.json'), '{"values":{"Device.ManagementServer.URL":"http://x');
  fs.writeFileSync(path.join(stateDir, 'agent-state.json'), JSON.stringify({ events: [], transfers: { filter: 1 }, pendingCpeRequests: [] }));
  fs.writeFileSync(path.join(stateDir, 'agent-state.json.999.tmp'), '{');
  const child = spawn(process.execPath, [bin, 'run', '--acs-url', url, '--state-dir', stateDir, '--cr-port', '0', '--log-level', 'info'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  try {
    await acs.waitFor(() => acs.completedSessions(serial).length >= 1, 20_000);
    assert.deepEqual(
      acs
        .completedSessions(serial)[0]!
        .events.map((e) => e.code)
        .sort(),
      ['0 BOOTSTRAP', '1 BOOT'],
    );
    const asides = out.split('\n').filter((l) => l.includes('state file unusable: set aside'));
    assert.equal(asides.length, 2, out);
    assert.match(asides.join('\n'), /not JSON/);
    assert.match(asides.join('\n'), /transfers/);
    assert.ok(!fs.existsSync(path.join(stateDir, 'agent-state.json.999.tmp')), 'the temp file is gone');
    assert.equal(err, '', 'nothing on stderr');
    assert.doesNotMatch(out, /\\n\s+at /);
  } finally {
    process.kill(-child.pid!, 'SIGKILL');
    await acs.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});
