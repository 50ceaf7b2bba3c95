/**
 * Scenarios for USP Controllers, as a CI job runs them (the CLI, real processes and sockets): what
 * the Controller asks of each device and when, the notifications each device sends, the commands
 * it runs and how they end; a Controller that does nothing fails the run with the numbers; a USP
 * scenario that asks for CWMP measurements (or the reverse) is refused before anything starts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { mergeMeasurements } from '../../src/harness/scenario-verdict.js';
import { tempDir } from '../helpers/agent-harness.js';
import { bin } from '../helpers/agent-process.js';

function scenario(args: string[]) {
  const r = spawnSync(process.execPath, [bin, 'scenario', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

const REBOOT_ON_BOARDING = `name: reboot on boarding
protocol: usp
devices: 4
controller:
  on:
    OnBoardRequest:
      - msgType: OPERATE
        body: { request: { operate: { command: Device.Reboot(), command_key: first-boot, send_resp: true } } }
steps:
  - start: { bootWindowSeconds: 0 }
  - waitFor: { announced: all, timeoutSeconds: 60 }
  - wait: { seconds: 2 }
expect:
  - name: every device is rebooted
    uspMessage: { type: OPERATE, path: "^Device\\\\.Reboot\\\\(\\\\)$" }
  - name: the reboots complete
    uspOperations: { command: Reboot, succeededAtLeastPercent: 100, atLeast: 4 }
  - name: each device sends its OnBoardRequest once
    uspNotifications: { type: OnBoardRequest, atLeast: 1, atMost: 1 }
  - name: a Controller that reads the devices (this one does not)
    uspMessage: { type: GET }
`;

test('a USP scenario measures the Controller: its Operates and their ends, the devices it never read; JUnit names the failure', { timeout: 120_000 }, () => {
  const dir = tempDir('usp-scenario-');
  try {
    const file = path.join(dir, 'reboot.yaml');
    fs.writeFileSync(file, REBOOT_ON_BOARDING);
    const junit = path.join(dir, 'junit.xml');
    const r = scenario([file, '--junit', junit]);
    assert.equal(r.status, 1, `${r.out}\n${r.err}`);
    assert.match(r.out, /pass {2}every device is rebooted: 4 of 4 devices received OPERATE/);
    assert.match(r.out, /pass {2}the reboots complete: 4 of 4 commands matching \/Reboot\/ completed well/);
    assert.match(r.out, /pass {2}each device sends its OnBoardRequest once: OnBoardRequest notifications per device: 1 \(\w+\) to 1/);
    assert.match(r.out, /FAIL {2}a Controller that reads the devices \(this one does not\): 0 of 4 devices received GET \(needed 4\)/);
    assert.match(r.out, /bundled USP controller|passed|FAILED/);
    const xml = fs.readFileSync(junit, 'utf8');
    assert.match(xml, /tests="4" failures="1"/);
    assert.match(xml, /0 of 4 devices received GET/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a USP scenario asking for CWMP measurements, or a CWMP one asking for USP ones, is refused: status 2 and the line', () => {
  const dir = tempDir('usp-scenario-');
  const cases: [string, RegExp][] = [
    [
      'name: x\nprotocol: usp\ndevices: 2\nsteps:\n  - start: {}\nexpect:\n  - name: e\n    sessions: { succeededAtLeastPercent: 1 }\n',
      /bad\.yaml:8: expect\.0\.sessions: sessions measures CWMP: a protocol usp scenario has none/,
    ],
    [
      'name: x\ndevices: 2\nsteps:\n  - start: {}\nexpect:\n  - name: e\n    uspMessage: { type: GET }\n',
      /bad\.yaml:6: expect\.0: a USP expectation: give the scenario protocol usp or both/,
    ],
    [
      'name: x\nprotocol: usp\ndevices: 2\nsteps:\n  - trigger: { event: "6 CONNECTION REQUEST" }\nexpect:\n  - { name: e, uspMessage: { type: GET } }\n',
      /bad\.yaml:5: steps\.0\.trigger\.event: 6 CONNECTION REQUEST is a CWMP event/,
    ],
    [
      'name: x\nprotocol: usp\ndevices: 2\ncontroller:\n  on:\n    Boot!:\n      - { msgType: GET, body: { get: {} } }\nsteps:\n  - start: {}\nexpect:\n  - { name: e, uspMessage: { type: GET } }\n',
      /bad\.yaml:7: controller\.on\.Boot!\.0\.body: body: a request/,
    ],
    [
      'name: x\nprotocol: usp\ndevices: 2\nsteps:\n  - waitFor: { announced: all, bootstrapped: all }\nexpect:\n  - { name: e, uspMessage: { type: GET } }\n',
      /bad\.yaml:5: steps\.0\.waitFor/,
    ],
  ];
  try {
    for (const [text, want] of cases) {
      const file = path.join(dir, 'bad.yaml');
      fs.writeFileSync(file, text);
      const r = scenario([file]);
      assert.equal(r.status, 2, `${text}\n${r.out}${r.err}`);
      assert.match(r.err, want);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('shards of a USP scenario add up: the busiest and quietest devices across shards, operations summed', () => {
  assert.deepEqual(
    mergeMeasurements([
      { kind: 'perDevice', most: { serial: 'A', count: 3 }, least: { serial: 'B', count: 1 } },
      { kind: 'perDevice', most: { serial: 'C', count: 5 }, least: { serial: 'D', count: 0 } },
    ]),
    { kind: 'perDevice', most: { serial: 'C', count: 5 }, least: { serial: 'D', count: 0 } },
  );
  assert.deepEqual(
    mergeMeasurements([
      { kind: 'operations', ok: 3, total: 4, running: 1, example: 'Device.Reboot()' },
      { kind: 'operations', ok: 2, total: 2, running: 0 },
    ]),
    { kind: 'operations', ok: 5, total: 6, running: 1, example: 'Device.Reboot()' },
  );
});
