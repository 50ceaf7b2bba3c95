/**
 * Every fleet option exists three ways, from one table: a flag, a key in the YAML file and an
 * environment variable; --help and the README say all three. A fleet runs from YAML alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/assembly/config.js';
import { FLEET_OPTIONS } from '../../src/cli/fleet-options.js';
import { tempDir } from '../helpers/agent-harness.js';
import { bin } from '../helpers/agent-process.js';

const readme = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../README.md'), 'utf8');

/** A value the option takes, for the file. */
function sample(configKey: string): unknown {
  const samples: Record<string, unknown> = {
    'fleet.count': 3,
    'fleet.profile': 'gateway',
    'fleet.scenario': 'bulkdata',
    'fleet.protocol': 'both',
    'usp.mqtt.url': 'mqtt://127.0.0.1:1883',
    'usp.websocket.url': 'ws://127.0.0.1:9/usp',
    'usp.controller.endpointId': 'proto::controller',
    'usp.controller.topic': 'usp/controller',
    'fleet.durationSeconds': 5,
    'fleet.rate': 10,
    'fleet.bootWindowSeconds': 1,
    'fleet.periodicInformInterval': 30,
    'fleet.churnPercent': 5,
    'fleet.offlineSeconds': 2,
    'fleet.operation': 'install-du',
    'fleet.shard': '0/2',
    'fleet.summaryFile': '/tmp/summary.json',
    'fleet.connectionRequestPassword': 'pw',
    'fleet.maxSessionsInFlight': 64,
    'fleet.workers': 2,
    'fleet.stateDir': '/tmp/fleet-state',
    'fleet.sourceAddresses': ['10.20.0.0/22', '2001:db8:0:100::/56'],
    'acs.url': 'http://127.0.0.1:9/acs',
    'acs.username': 'u',
    'acs.password': 'p',
    'connectionRequest.port': 0,
    'log.level': 'warn',
    'trace.dir': '/tmp/trace',
    'trace.secrets': true,
    'metrics.port': 0,
    'ui.port': 0,
  };
  assert.ok(configKey in samples, `a sample for ${configKey}`);
  return samples[configKey];
}

test('every fleet option has a key the configuration file accepts, with the value coming through', () => {
  const doc: Record<string, any> = {};
  for (const o of FLEET_OPTIONS) {
    const keys = o.configKey.split('.');
    let at = doc;
    for (const k of keys.slice(0, -1)) at = at[k] ??= {};
    at[keys.at(-1)!] = sample(o.configKey);
  }
  const dir = tempDir('fleet-options-');
  try {
    const file = path.join(dir, 'fleet.yaml');
    fs.writeFileSync(file, stringify(doc));
    const config = loadConfig(file) as unknown as Record<string, any>;
    for (const o of FLEET_OPTIONS) {
      const value = o.configKey.split('.').reduce((at, k) => at?.[k], config);
      assert.deepEqual(value, sample(o.configKey), o.configKey);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('fleet --help and the README name every option with its key, variable and default', () => {
  const help = spawnSync(process.execPath, [bin, 'fleet', '--help'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
  const fleetSection = readme.slice(readme.indexOf('## Fleets: thousands of devices'));
  const section = fleetSection.slice(fleetSection.indexOf('| flag | config key | environment variable |'));
  for (const o of FLEET_OPTIONS) {
    const flag = o.flag.split(' ')[0]!;
    assert.ok(help.includes(flag), `--help lists ${flag}`);
    assert.ok(help.includes(`env ${o.env}`), `--help names ${o.env}`);
    assert.ok(help.includes(`config ${o.configKey}`), `--help names ${o.configKey}`);
    const row = section.split('\n').find((l) => l.startsWith(`| \`${flag}`));
    assert.ok(row, `the README's fleet table has ${flag}`);
    assert.ok(row.includes(`\`${o.configKey}\``) && row.includes(`\`${o.env}\``), `README row for ${flag}: ${row}`);
    assert.ok(row.includes(o.description.replace(/\|/g, '\\|')), `README row for ${flag} says what the table says: ${row}`);
  }
});

test('a bad fleet variable is refused at start, naming it; a fleet runs from its YAML alone', { timeout: 60_000 }, () => {
  const dir = tempDir('fleet-yaml-');
  try {
    const bad = spawnSync(process.execPath, [bin, 'fleet', '--count', '1'], {
      encoding: 'utf8',
      env: { ...process.env, CWMP_AGENT_FLEET_SCENARIO: 'nonsense' },
      timeout: 30_000,
    });
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /CWMP_AGENT_FLEET_SCENARIO="nonsense": one of/);
    const file = path.join(dir, 'fleet.yaml');
    const summary = path.join(dir, 'summary.json');
    fs.writeFileSync(
      file,
      stringify({ fleet: { count: 3, scenario: 'boot-storm', bootWindowSeconds: 0, workers: 1, summaryFile: summary }, connectionRequest: { port: 0 } }),
    );
    const run = spawnSync(process.execPath, [bin, 'fleet', '-c', file], { encoding: 'utf8', timeout: 50_000 });
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(fs.readFileSync(summary, 'utf8')) as { devices: number; scenario: string };
    assert.equal(result.devices, 3);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the README's fleet and scenario commands use only flags the command takes", () => {
  // Each command in a shell block, its continuation lines joined.
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/\\\n\s*/g, ' '));
  const commands = blocks.flatMap((b) => b.split('\n')).filter((l) => /bin\/cwmp-agent (fleet|scenario)\b/.test(l));
  assert.ok(commands.length >= 5, `the README shows fleet and scenario commands (${commands.length})`);
  const helpOf = new Map(['fleet', 'scenario'].map((c) => [c, spawnSync(process.execPath, [bin, c, '--help'], { encoding: 'utf8' }).stdout] as const));
  for (const line of commands) {
    const command = /bin\/cwmp-agent (fleet|scenario)\b/.exec(line)![1]!;
    for (const flag of line.replace(/#.*$/, '').match(/\s(--[a-z][a-z-]*)/g) ?? []) {
      assert.ok(helpOf.get(command)!.includes(flag.trim()), `${flag.trim()} of \`${line.trim()}\` is a flag of ${command}`);
    }
  }
});
