/**
 * One verdict for a sharded run: the same scenario as one process and as 4 shards (each its part
 * of the devices, writing what it measured), merged, gives the same verdicts and counts; a shard
 * missing makes the run incomplete (exit 3, never a pass); files that disagree are refused (2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bin } from '../helpers/agent-process.js';
import { tempDir } from '../helpers/agent-harness.js';

const SCENARIO = `
name: sharded provisioning
profile: gateway
devices: 24
acs:
  on:
    "0 BOOTSTRAP":
      - method: SetParameterValues
        parameterList: [{ name: Device.DeviceInfo.ProvisioningCode, value: ZTP-2026, type: string }]
        parameterKey: ztp
misbehaviour:
  - { name: refuses, devices: { percent: 25 }, do: { preset: faults-every-spv } }
steps:
  - start: { bootWindowSeconds: 1 }
  - waitFor: { bootstrapped: all, timeoutSeconds: 90 }
expect:
  - name: every device is sent the code
    rpc: { method: SetParameterValues, parameter: Device.DeviceInfo.ProvisioningCode }
  - name: the code is applied everywhere
    value: { name: Device.DeviceInfo.ProvisioningCode, matches: "^ZTP-" }
  - name: every device bootstraps
    event: { code: "0 BOOTSTRAP", atLeastPercent: 100 }
  - name: the ACS paces itself
    rpcRate: { method: SetParameterValues, atMostPercentPerMinute: 50 }
  - name: no session storm
    sessionsPerDevice: { atMost: 5 }
`;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'scenario', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const verdicts = (stdout: string): string[] => stdout.split('\n').filter((l) => /^ {2}(pass|FAIL) {2}/.test(l));

test('a scenario run as 4 shards and merged reaches the verdicts of the same run in one process, with the same counts', { timeout: 240_000 }, async () => {
  const dir = tempDir('scenario-shards-');
  try {
    const file = path.join(dir, 'scenario.yaml');
    fs.writeFileSync(file, SCENARIO);
    const whole = path.join(dir, 'whole.json');
    const [one, ...shards] = await Promise.all([
      cli([file, '--cr-port', '0', '--result', whole]),
      ...[0, 1, 2, 3].map((i) => cli([file, '--cr-port', '0', '--shard', `${i}/4`, '--result', path.join(dir, `part-${i}.json`)])),
    ]);
    assert.equal(one.code, 1, `a quarter of the devices refuse the code: the run fails (${one.stdout}${one.stderr})`);
    for (const [i, s] of shards.entries()) {
      assert.equal(s.code, 0, `shard ${i} ran and wrote its result (${s.stdout}${s.stderr})`);
      assert.match(s.stdout, /measured 6 devices/);
      assert.deepEqual(verdicts(s.stdout), [], 'a shard gives no verdict of its own');
    }
    const junit = path.join(dir, 'junit.xml');
    const merged = await cli(['merge', ...[3, 1, 0, 2].map((i) => path.join(dir, `part-${i}.json`)), '--junit', junit]);
    assert.equal(merged.code, one.code, `${merged.stdout}${merged.stderr}`);
    // Word for word, but for the busiest device's sessions (they may differ by timing).
    const busiest = /\(busiest device \S+\) had \d+/;
    assert.deepEqual(
      verdicts(merged.stdout).map((l) => l.replace(busiest, '')),
      verdicts(one.stdout).map((l) => l.replace(busiest, '')),
    );
    assert.match(merged.stdout, /24 of 24 devices received SetParameterValues/);
    assert.match(merged.stdout, /FAIL {2}the code is applied everywhere: (\d+) of 24/);
    assert.match(merged.stdout, /scenario: sharded provisioning \(4 shards, 24 devices\)/);
    // The counts behind the verdicts, measurement by measurement (the busiest device's sessions may differ by timing).
    const measured = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8')).scenarios[0].result.measurements as Record<string, unknown>[];
    const partsAdded = [0, 1, 2, 3].map((i) => measured(path.join(dir, `part-${i}.json`)));
    const wholeMeasured = measured(whole);
    for (const k of [0, 1, 2]) {
      const sum = (key: string) => partsAdded.reduce((n, p) => n + (p[k]![key] as number), 0);
      for (const key of Object.keys(wholeMeasured[k]!).filter((x) => typeof wholeMeasured[k]![x] === 'number'))
        assert.equal(sum(key), wholeMeasured[k]![key], `expectation ${k}: ${key}`);
    }
    const junitText = fs.readFileSync(junit, 'utf8');
    assert.match(junitText, /tests="5"/);
    assert.match(junitText, /failures="2"/);

    // A shard missing: incomplete, whatever the others say.
    const missing = await cli(['merge', ...[0, 1, 3].map((i) => path.join(dir, `part-${i}.json`))]);
    assert.equal(missing.code, 3, missing.stderr);
    assert.match(missing.stderr, /incomplete: no result from shard 2 of 4/);
    const absent = await cli(['merge', path.join(dir, 'part-0.json'), path.join(dir, 'part-9.json')]);
    assert.equal(absent.code, 3, absent.stderr);
    assert.match(absent.stderr, /incomplete: no result at .*part-9\.json/);
    // The same shard twice, a shard of another split, and a file that is no result: the files are wrong.
    const twice = await cli(['merge', ...[0, 1, 2, 2, 3].map((i) => path.join(dir, `part-${i}.json`))]);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /are both shard 2\/4/);
    const other = await cli(['merge', path.join(dir, 'part-0.json'), whole]);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /is shard 0\/1/);
    fs.writeFileSync(path.join(dir, 'junk.json'), '{"format":"something else"}');
    const junk = await cli(['merge', path.join(dir, 'junk.json')]);
    assert.equal(junk.code, 2);
    assert.match(junk.stderr, /not a scenario result/);
    const noResult = await cli([file, '--shard', '0/4']);
    assert.equal(noResult.code, 2);
    assert.match(noResult.stderr, /--shard needs --result/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
