import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, overridesFromEnv } from '../../src/config.js';
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

test('a bad key is named in the error', () => {
  assert.throws(() => loadConfig(writeConfig('acs:\n  url: not a url\n')), (e: Error) => e instanceof ConfigError && /acs\.url/.test(e.message));
  assert.throws(() => loadConfig(writeConfig('periodicInformInterval: 0\n')), /periodicInformInterval/);
  assert.throws(() => loadConfig(writeConfig('acs:\n  urll: http://x\n')), /urll/);
  assert.throws(() => loadConfig(writeConfig('- a\n- b\n')), /mapping/);
});

test('the CLI reports a bad config and exits with status 2', () => {
  const r = spawnSync(process.execPath, [bin, 'run', '--config', writeConfig('cwmpVersion: "2.0"\n')], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cwmpVersion/);
  const missing = spawnSync(process.execPath, [bin, 'run', '--config', writeConfig('dataModel:\n  extraModels:\n    - file: /nonexistent/model.xml\n')], { encoding: 'utf8' });
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
