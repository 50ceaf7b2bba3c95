/**
 * SIGTERM and SIGINT end the agent cleanly whichever process a container runtime or service
 * manager signals: the supervisor, the worker run directly (systemd), or `npm start`. Exit
 * status 0, state saved, no process left behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestAcs } from '../../src/acs/test-acs.js';
import { simulatedIdentity } from '../../src/providers/simulated-device.js';
import { tempDir } from '../helpers/agent-harness.js';
import { bin } from '../helpers/agent-process.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function processesUsing(stateDir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(stateDir)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const ways: [string, (args: string[]) => ChildProcess][] = [
  ['the supervisor (bin/cwmp-agent run)', (args) => spawn(process.execPath, [bin, 'run', ...args], { stdio: 'ignore' })],
  [
    'the worker run directly (CWMP_AGENT_WORKER=1, as under systemd)',
    (args) => spawn(process.execPath, [bin, 'run', ...args], { stdio: 'ignore', env: { ...process.env, CWMP_AGENT_WORKER: '1' } }),
  ],
  // --ignore-scripts skips prestart's build (the tests run from the dist/ already built), not start itself.
  ['npm start', (args) => spawn('npm', ['start', '--silent', '--ignore-scripts', '--', ...args], { cwd: repo, stdio: 'ignore' })],
];

for (const [who, start] of ways) {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} to ${who} ends the agent: status 0, state saved, nothing left running`, { timeout: 30_000 }, async () => {
      const acs = new TestAcs();
      const url = await acs.listen();
      const stateDir = tempDir();
      const serial = simulatedIdentity('cwmp-agent').serialNumber;
      const child = start(['--acs-url', url, '--state-dir', stateDir, '--cr-port', '0', '--log-level', 'silent']);
      try {
        await acs.waitFor(() => acs.completedSessions(serial).length >= 1, 20_000);
        const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once('exit', (code, s) => r({ code, signal: s })));
        child.kill(signal);
        const { code } = await exited;
        assert.equal(code, 0);
        const until = Date.now() + 5_000;
        while (processesUsing(stateDir).length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
        assert.deepEqual(processesUsing(stateDir), [], 'no orphan');
        const state = JSON.parse(fs.readFileSync(path.join(stateDir, 'agent-state.json'), 'utf8')) as { bootstrappedUrl: string };
        assert.equal(state.bootstrappedUrl, url, 'the bootstrap is on disk');
      } finally {
        for (const pid of processesUsing(stateDir)) process.kill(pid, 'SIGKILL');
        await acs.close();
        fs.rmSync(stateDir, { recursive: true, force: true });
      }
    });
  }
}

const stops: [string, (child: ChildProcess) => void][] = [
  ['SIGTERM to the first process', (child) => child.kill('SIGTERM')],
  // As Ctrl-C in a terminal: both processes get it, and the fleet once more from the first.
  ['SIGINT to the process group', (child) => process.kill(-child.pid!, 'SIGINT')],
];
for (const [how, stop] of stops)
  test(`a fleet past 24,000 devices runs again with semi-spaces for its size; ${how} ends both, summary written`, { timeout: 60_000 }, async () => {
    const acs = new TestAcs();
    const url = await acs.listen();
    const dir = tempDir();
    const summary = path.join(dir, 'summary.json');
    const child = spawn(
      process.execPath,
      [bin, 'fleet', '--count', '30000', '--acs-url', url, '--cr-port', '0', '--summary', summary, '--log-level', 'silent'],
      {
        stdio: 'ignore',
        detached: true,
      },
    );
    try {
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      // The fleet itself is the process started with the option (30,000 devices: 20 MB).
      let fleetPid: number | undefined;
      const until = Date.now() + 30_000;
      while (fleetPid === undefined && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        fleetPid = processesUsing(summary).find((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--max-semi-space-size=20'));
      }
      assert.ok(fleetPid !== undefined && fleetPid !== child.pid, 'a second process runs the fleet with --max-semi-space-size=20');
      await acs.waitFor(() => acs.completedSessions().length >= 10, 30_000);
      stop(child);
      assert.equal(await exited, 0);
      const s = JSON.parse(fs.readFileSync(summary, 'utf8')) as { sessions: { ok: number } };
      assert.ok(s.sessions.ok >= 10, `${s.sessions.ok} sessions in the summary`);
      const gone = Date.now() + 5_000;
      while (processesUsing(summary).length > 0 && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(processesUsing(summary), [], 'no orphan');
    } finally {
      for (const pid of processesUsing(summary)) process.kill(pid, 'SIGKILL');
      await acs.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
