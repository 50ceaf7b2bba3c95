/** The shipped systemd unit passes systemd-analyze verify and says what the worker needs (restart on 75, not on 2, hardening). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/agent-harness.js';

const unit = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/systemd/cwmp-agent.service');
const skip = spawnSync('systemd-analyze', ['--version']).status === 0 ? undefined : 'systemd-analyze is not installed (Debian package systemd)';

function verify(file: string): { status: number | null; output: string } {
  const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

test('examples/systemd/cwmp-agent.service verifies cleanly', { skip }, () => {
  const r = verify(unit);
  assert.equal(r.status, 0, r.output);
  assert.equal(r.output.trim(), '', r.output);
});

test('the unit runs the worker directly, restarts on 75 and after crashes, not on a configuration error, and is hardened', () => {
  const text = fs.readFileSync(unit, 'utf8');
  const value = (key: string): string[] => [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!.trim());
  assert.ok(value('Environment').includes('CWMP_AGENT_WORKER=1'));
  assert.match(value('ExecStart')[0]!, /bin\/cwmp-agent run .*--state-dir \/var\/lib\/cwmp-agent/);
  assert.deepEqual(value('Restart'), ['always']);
  assert.deepEqual(value('RestartForceExitStatus'), ['75']);
  assert.deepEqual(value('RestartPreventExitStatus'), ['2']);
  for (const key of ['NoNewPrivileges', 'ProtectSystem', 'ProtectHome', 'PrivateTmp', 'DynamicUser', 'StateDirectory']) assert.equal(value(key).length, 1, key);
});

test('the verification can fail: a unit with a mistake is reported', { skip }, () => {
  const dir = tempDir('unit-');
  const broken = path.join(dir, 'broken.service');
  fs.writeFileSync(broken, fs.readFileSync(unit, 'utf8').replace('Restart=always', 'Restart=sometimes').replace('Type=simple', 'Type=simpel'));
  const r = verify(broken);
  assert.match(r.output, /service type.*simpel[\s\S]*restart specifier.*sometimes/, r.output);
  fs.rmSync(dir, { recursive: true, force: true });
});
