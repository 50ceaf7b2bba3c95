/**
 * Every `run` option exists three ways, from one table (RUN_OPTIONS): a flag, a key in the YAML
 * file and an environment variable; each way sets the same key, --help and the README say all three.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, overridesFromEnv, RUN_OPTIONS, type OverrideKey } from '../../src/assembly/config.js';

const readme = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../README.md'), 'utf8');

/** A value each option takes, as text (a flag's or a variable's). */
const SAMPLES: Record<OverrideKey, string> = {
  acsUrl: 'http://acs.example.net/acs',
  acsUsername: 'u',
  acsPassword: 'p',
  stateDir: '/tmp/state',
  crPort: '7600',
  crUsername: 'cr',
  crPassword: 'crpw',
  logLevel: 'warn',
  logFormat: 'json',
  root: 'InternetGatewayDevice',
  traceDir: '/tmp/trace',
  metricsPort: '9100',
  uiPort: '8080',
  traceSecrets: 'true',
  usp: 'true',
  uspMqttUrl: 'mqtt://broker.example:1883',
  uspWsUrl: 'wss://controller.example/usp',
  uspWsListen: '7559',
  uspControllerId: 'proto::controller',
  uspControllerTopic: 'usp/controller',
  uspEndpointId: 'proto::agent',
};

const at = (config: unknown, key: string): unknown => key.split('.').reduce<any>((o, k) => o?.[k], config);

test('each variable sets the key the table names', () => {
  for (const [key, o] of Object.entries(RUN_OPTIONS) as [OverrideKey, (typeof RUN_OPTIONS)[OverrideKey]][]) {
    // trace.secrets belongs to a trace: it needs the trace's folder beside it.
    const beside = key === 'traceSecrets' ? { CWMP_AGENT_TRACE_DIR: '/tmp/trace' } : {};
    const config = loadConfig(undefined, overridesFromEnv({ ...beside, [o.env]: SAMPLES[key] }));
    const value = at(config, o.configKey);
    assert.equal(String(value), SAMPLES[key], `${o.env} sets ${o.configKey}`);
  }
});

test('run --help and the README name every option with its key and variable', () => {
  const help = spawnSync(process.execPath, [path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/cwmp-agent'), 'run', '--help'], {
    encoding: 'utf8',
  }).stdout.replace(/\s+/g, ' ');
  const section = readme.slice(readme.indexOf('## Running against a real ACS'));
  for (const o of Object.values(RUN_OPTIONS)) {
    const flag = o.flag.split(' ')[0]!;
    assert.ok(help.includes(flag) && help.includes(`env ${o.env}`) && help.includes(`config ${o.configKey}`), `--help: ${flag}`);
    const row = section.split('\n').find((l) => l.startsWith(`| \`${flag}`));
    assert.ok(row?.includes(`\`${o.configKey}\``) && row.includes(`\`${o.env}\``), `README row for ${flag}: ${row}`);
    assert.ok(row?.includes(o.description.replace(/\|/g, '\\|')), `README row for ${flag} says what the table says: ${row}`);
  }
});
