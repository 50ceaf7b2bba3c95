/** An execution unit's output log on the state filesystem stays bounded however much the unit writes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MAX_UNIT_LOG_BYTES, ProcessRuntime } from '../../src/providers/software/process-runtime.js';
import { tempDir } from '../helpers/agent-harness.js';
import { until } from '../helpers/until.js';

test('a unit writing without end leaves two logs of at most the cap each; it writes on at the start of the emptied one', async () => {
  const dir = tempDir('eu-log-');
  const runtime = new ProcessRuntime(path.join(dir, 'run'));
  const unit = {
    euid: 'eu1-chatty',
    dir,
    // Three times the cap at once, then a line a few times a second.
    command: ['/bin/sh', '-c', `head -c ${3 * MAX_UNIT_LOG_BYTES} /dev/zero | tr '\\0' x; echo; while :; do echo still-here; sleep 0.2; done`],
    env: {},
    stopTimeoutSeconds: 1,
  };
  const log = path.join(dir, 'run', 'eu1-chatty.log');
  const size = (f: string): number => (fs.existsSync(f) ? fs.statSync(f).size : 0);
  try {
    runtime.start(unit, false);
    await until(() => size(log) > 3 * MAX_UNIT_LOG_BYTES || undefined, 'the burst in the log');
    runtime.rotateLogs();
    assert.ok(size(`${log}.1`) > MAX_UNIT_LOG_BYTES, 'the big log moved aside');
    assert.ok(size(log) < MAX_UNIT_LOG_BYTES);
    // The unit goes on writing into the emptied log, from its start (O_APPEND), not at its old offset.
    await until(() => fs.readFileSync(log, 'utf8').includes('still-here') || undefined, 'a new line after the rotation');
    assert.ok(size(log) < MAX_UNIT_LOG_BYTES, 'no hole up to the old size');
  } finally {
    // The runtime's own timers do not keep a process alive (the agent's listeners do): this test's does.
    const keepAlive = setInterval(() => undefined, 1000);
    await runtime.stop(unit);
    clearInterval(keepAlive);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
