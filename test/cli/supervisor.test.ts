/** The CLI's supervisor starts a worker that died (a crash, the OOM killer) again, as a device's init would. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { TestAcs } from '../../src/acs/test-acs.js';
import { tempDir } from '../helpers/agent-harness.js';
import { startAgentProcess } from '../helpers/agent-process.js';

async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a worker killed on its own is started again; SIGTERM to the supervisor then ends both', { timeout: 30_000 }, async () => {
  const acs = new TestAcs();
  const url = await acs.listen();
  const stateDir = tempDir();
  const agent = startAgentProcess(['--acs-url', url, '--state-dir', stateDir, '--cr-port', '0'], 'info');
  try {
    const starts = (): number[] => agent.logs.filter((l) => l['msg'] === 'agent starting').map((l) => l['pid'] as number);
    await until(() => starts().length === 1, 10_000, 'the first worker');
    process.kill(starts()[0]!, 'SIGKILL');
    await until(() => starts().length === 2, 10_000, 'a second worker');
    assert.notEqual(starts()[1], starts()[0]);
    assert.equal(agent.child.exitCode, null, 'the supervisor stayed');
    const exited = new Promise<number | null>((r) => agent.child.once('exit', (code) => r(code)));
    agent.child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    await agent.powerCut();
    await acs.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});
