/**
 * Scenarios as a CI job runs them (the CLI, real processes and sockets): the shipped examples
 * pass against the bundled ACS with a JUnit report; one whose expectation the ACS cannot meet
 * fails with status 1 and says why in the report; a wrong scenario is refused before anything
 * starts, with status 2 and the line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { busiestWindow } from '../../src/harness/scenario-runner.js';
import { parseScenario, ScenarioError } from '../../src/harness/scenario-schema.js';
import { tempDir } from '../helpers/agent-harness.js';
import { bin } from '../helpers/agent-process.js';

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/scenarios');

function scenario(args: string[]) {
  const r = spawnSync(process.execPath, [bin, 'scenario', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

test('the example scenarios pass against the bundled ACS and USP controller; the JUnit report says so', { timeout: 150_000 }, () => {
  const dir = tempDir('scenarios-');
  const files = fs.readdirSync(examples).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 5, files.join(', '));
  const junit = path.join(dir, 'junit.xml');
  const report = path.join(dir, 'report.md');
  const r = scenario([...files.map((f) => path.join(examples, f)), '--junit', junit, '--report', report]);
  assert.equal(r.status, 0, `${r.out}\n${r.err}`);
  const xml = fs.readFileSync(junit, 'utf8');
  assert.match(xml, /<testsuites name="cwmp-agent scenarios" tests="\d+" failures="0">/);
  assert.equal((xml.match(/<testsuite /g) ?? []).length, files.length);
  assert.match(fs.readFileSync(report, 'utf8'), /# zero-touch provisioning: passed/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('an expectation the ACS does not meet fails the run (status 1), and the JUnit report names it with the numbers', { timeout: 60_000 }, () => {
  const dir = tempDir('scenarios-');
  const file = path.join(dir, 'unmet.yaml');
  fs.writeFileSync(
    file,
    [
      'name: an ACS that never reboots anyone',
      'devices: 3',
      'steps:',
      '  - start: {}',
      '  - waitFor: { bootstrapped: all }',
      'expect:',
      '  - name: every device is rebooted within 5 s',
      '    rpc: { method: Reboot, withinSeconds: 5 }',
      '  - name: sessions end well',
      '    sessions: { succeededAtLeastPercent: 100 }',
      '',
    ].join('\n'),
  );
  const junit = path.join(dir, 'junit.xml');
  const html = path.join(dir, 'report.html');
  const r = scenario([file, '--junit', junit, '--report', html]);
  assert.equal(r.status, 1, r.out + r.err);
  // The HTML report: the failing row marked, and a chart whose bars add up to the sessions counted.
  const page = fs.readFileSync(html, 'utf8');
  assert.match(page, /<tr class="fail"><td>FAIL<\/td><td>every device is rebooted within 5 s<\/td>/);
  const ok = Number(/sessions (\d+) ok, \d+ failed/.exec(page)?.[1]);
  const bars = [...page.matchAll(/<title>second \d+: (\d+) ok, (\d+) failed<\/title>/g)];
  assert.ok(ok >= 3 && bars.length >= 1, page);
  assert.equal(
    bars.reduce((n, b) => n + Number(b[1]), 0),
    ok,
  );
  assert.match(r.out, /FAIL {2}every device is rebooted within 5 s: 0 of 3 devices received Reboot/);
  const xml = fs.readFileSync(junit, 'utf8');
  assert.match(xml, /tests="2" failures="1"/);
  assert.match(xml, /<failure message="0 of 3 devices received Reboot within 5 s/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('sessions per window: the busiest window of a device counts sessions less than the window apart', () => {
  assert.equal(busiestWindow([], 1000), 0);
  assert.equal(busiestWindow([0, 999, 1998, 2997], 1000), 2);
  assert.equal(busiestWindow([0, 1000, 2000], 1000), 1, 'a window is half-open: a session a whole window later starts a new one');
  assert.equal(busiestWindow([0, 10, 20, 5000, 5001], 3600_000), 5);
});

test('scenario-schema prints a JSON Schema built from the same definition: every step, expectation and misbehaviour named', () => {
  const r = spawnSync(process.execPath, [bin, 'scenario-schema'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const schema = JSON.parse(r.stdout) as { properties: Record<string, unknown>; required: string[] };
  assert.deepEqual([...schema.required].sort(), ['devices', 'expect', 'name', 'steps']);
  const text = r.stdout;
  for (const key of [
    'waitFor',
    'trigger',
    'rpcRate',
    'sessionsPerDevice',
    'perSeconds',
    'firmwareRollback',
    'clockDrift',
    'stallAnswer',
    'badAnswer',
    'slowDownload',
  ])
    assert.ok(text.includes(`"${key}"`), `${key} in the schema`);
});

test('a wrong scenario is refused before anything starts: status 2, the file and line named', () => {
  const dir = tempDir('scenarios-');
  const cases: [string, RegExp][] = [
    [
      'name: x\ndevices: 2\nsteps:\n  - start: {}\n  - dance: { moves: 3 }\nexpect:\n  - { name: e, sessions: { succeededAtLeastPercent: 1 } }\n',
      /bad\.yaml:5: steps\.1/,
    ],
    [
      'name: x\ndevices: 2\nsteps:\n  - start: {}\nexpect:\n  - name: e\n    value: { name: Device.X, matches: "([" }\n',
      /bad\.yaml:7: expect\.0\.value\.matches: not a regular expression/,
    ],
    [
      'name: x\ndevices: 2\nsteps:\n  - trigger: { event: "6 CONNECTION REQUEST", devices: { percent: 150 } }\nexpect:\n  - { name: e, sessions: { succeededAtLeastPercent: 1 } }\n',
      /bad\.yaml:4: steps\.0\.trigger\.devices/,
    ],
    ['name: x\ndevices: [oops\n', /bad\.yaml:[23]: not valid YAML/],
  ];
  for (const [text, message] of cases) {
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, text);
    const started = Date.now();
    const r = scenario([file]);
    assert.equal(r.status, 2, r.out + r.err);
    assert.match(r.err, message);
    assert.equal(r.out, '', 'nothing ran');
    assert.ok(Date.now() - started < 10_000);
  }
  assert.throws(
    () => parseScenario('name: x\ndevices: 0\nsteps: [{ start: {} }]\nexpect: [{ name: e, sessions: { succeededAtLeastPercent: 1 } }]\n', 's.yaml'),
    (e: unknown) => e instanceof ScenarioError && /s\.yaml:2: devices/.test(e.message),
  );
  fs.rmSync(dir, { recursive: true, force: true });
});
