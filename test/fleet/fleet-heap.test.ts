/** A fleet that cannot fit this machine is refused at start, with the figure; the summary's heap is what the devices retain. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import os from 'node:os';
import { bin } from '../helpers/agent-process.js';

function fleet(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'fleet', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

test('a fleet whose devices would not fit in this machine is refused at start, saying what it needs and how to split it', { timeout: 60_000 }, async () => {
  // 12 KB a device: more devices than this machine's memory holds, whatever the machine.
  const count = Math.min(16_777_216, Math.ceil(((os.totalmem() / 1024) * 1.2) / 12));
  const r = await fleet(['--count', String(count), '--cr-port', '0']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /needs about [\d.]+ GB of heap \(12 KB a device\), and this machine has [\d.]+ GB: run it as shards \(--shard I\/N\)/);
});

test("the summary's heap figures are retained after a full collection, per device", { timeout: 60_000 }, async () => {
  const r = await fleet(['--count', '20', '--scenario', 'boot-storm', '--boot-window', '0', '--cr-port', '0']);
  assert.equal(r.code, 0, r.stderr);
  const memory = JSON.parse(r.stdout).memory as Record<string, unknown>;
  assert.ok((memory['heapRetainedBytes'] as number) > 0);
  assert.ok((memory['heapPerDeviceBytes'] as number) > 1000, `a device retains something: ${JSON.stringify(memory)}`);
  assert.equal(memory['heapNote'], undefined, 'a full collection was made');
});
