/**
 * A full disk under the state directory (a real tmpfs of a few pages, as root): a change the
 * agent cannot save is refused with 9002 and leaves the files intact, failing saves in timers do
 * not stop the agent, and once space is back it saves again and restarts with everything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { TestAcs } from '../../src/acs/test-acs.js';
import { parameterValues, textAt } from '../../src/acs/acs-messages.js';
import { AtomicJsonFile, StateWriteError } from '../../src/storage/atomic-json-file.js';
import { simulatedIdentity } from '../../src/providers/simulated-device.js';
import { tempDir } from '../helpers/agent-harness.js';
import { startAgentProcess } from '../helpers/agent-process.js';

/** A tmpfs of `kib` KiB, or the reason there cannot be one here. */
function smallFilesystem(kib: number): { dir: string; unmount(): void } | string {
  if (process.getuid?.() !== 0) return 'mounting a small tmpfs needs root';
  const dir = tempDir('cwmp-agent-full-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k,mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    return `cannot mount a tmpfs here: ${(err as Error).message.split('\n')[0]}`;
  }
  return {
    dir,
    unmount() {
      execFileSync('umount', ['-l', dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fills the filesystem of `dir` to the last byte, then frees `leave` bytes (whole pages). */
function fill(dir: string, leave = 0): string {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  const chunk = Buffer.alloc(4096, 0x61);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
  if (leave > 0) fs.truncateSync(filler, Math.max(0, fs.statSync(filler).size - leave));
  return filler;
}

test('a short write on a nearly full disk is an error, and the old document stays whole', (t) => {
  const fsys = smallFilesystem(64);
  if (typeof fsys === 'string') return t.skip(fsys);
  try {
    const file = new AtomicJsonFile<{ text: string }>(path.join(fsys.dir, 'doc.json'));
    file.write({ text: 'old' });
    fill(fsys.dir, 4096);
    // Larger than the one free page: the first write() is short, the next one fails.
    assert.throws(
      () => file.write({ text: 'x'.repeat(20_000) }),
      (err: unknown) => err instanceof StateWriteError && err.code === 'ENOSPC',
    );
    assert.deepEqual(file.read(), { text: 'old' });
    assert.deepEqual(fs.readdirSync(fsys.dir).sort(), ['doc.json', 'filler'], 'no temp file left behind');
  } finally {
    fsys.unmount();
  }
});

test('disk full: SetParameterValues answers 9002, periodic sessions go on, and after space is freed everything is saved and survives a restart', {
  timeout: 60_000,
}, async (t) => {
  const fsys = smallFilesystem(512);
  if (typeof fsys === 'string') return t.skip(fsys);
  const acs = new TestAcs();
  const url = await acs.listen();
  const serial = simulatedIdentity('cwmp-agent').serialNumber;
  const configDir = tempDir();
  const config = path.join(configDir, 'agent.yaml');
  fs.writeFileSync(config, `periodicInformInterval: 1\n`);
  const args = ['--config', config, '--acs-url', url, '--state-dir', fsys.dir, '--cr-port', '0'];
  let agent = startAgentProcess(args, 'info');
  const value = (n: number): string => `${'p'.repeat(250)}${n}`;
  const set = (n: number) => ({
    method: 'SetParameterValues' as const,
    parameterList: [
      { name: 'Device.ManagementServer.ConnectionRequestUsername', value: value(n), type: 'string' },
      { name: 'Device.DeviceInfo.ProvisioningCode', value: `code-${n}`, type: 'string' },
    ],
    parameterKey: `key-${n}`,
  });
  try {
    await acs.waitFor(() => acs.completedSessions(serial).length >= 1, 20_000);
    const modelFile = path.join(fsys.dir, 'data-model.json');
    const before = fs.readFileSync(modelFile, 'utf8');

    const filler = fill(fsys.dir);
    const sessionsAtFull = acs.completedSessions(serial).length;
    acs.queue(serial, set(1));
    await acs.waitFor(() => acs.responses(serial).some((m) => m.method === 'Fault'), 15_000);
    const fault = acs.responses(serial).find((m) => m.method === 'Fault')!;
    assert.equal(textAt(fault.body, 'detail', 'Fault', 'FaultCode'), '9002', 'a change that cannot be saved is an internal error, not success');
    assert.equal(fs.readFileSync(modelFile, 'utf8'), before, 'the stored model is untouched');
    JSON.parse(before);
    // Saves fail in every periodic session now; the agent keeps going (TR-069 3.7.1.5: it keeps informing).
    await acs.waitFor(() => acs.completedSessions(serial).length >= sessionsAtFull + 3, 15_000);
    assert.equal(agent.child.exitCode, null, 'the agent is still running');
    assert.ok(
      agent.logs.some((l) => l['msg'] === 'state could not be saved; keeping it in memory and retrying' && l['code'] === 'ENOSPC'),
      'the failure is logged with its cause',
    );
    acs.queue(serial, { method: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.ProvisioningCode'] });
    await acs.waitFor(() => acs.responses(serial).some((m) => m.method === 'GetParameterValuesResponse'), 15_000);
    assert.notEqual(
      parameterValues(acs.responses(serial).find((m) => m.method === 'GetParameterValuesResponse')!)['Device.DeviceInfo.ProvisioningCode']?.value,
      'code-1',
      'the refused change was undone in memory too',
    );

    fs.rmSync(filler);
    acs.queue(serial, set(2));
    await acs.waitFor(() => acs.responses(serial).some((m) => m.method === 'SetParameterValuesResponse'), 15_000);
    await acs.waitFor(() => agent.logs.some((l) => l['msg'] === 'state saved again'), 10_000);
    assert.equal(JSON.parse(fs.readFileSync(modelFile, 'utf8')).values['Device.DeviceInfo.ProvisioningCode'], 'code-2');

    await agent.powerCut();
    const answered = acs.responses(serial).length;
    acs.queue(serial, {
      method: 'GetParameterValues',
      parameterNames: ['Device.DeviceInfo.ProvisioningCode', 'Device.ManagementServer.ConnectionRequestUsername'],
    });
    agent = startAgentProcess(args, 'info');
    await acs.waitFor(() => acs.responses(serial).length > answered && acs.responses(serial).at(-1)!.method === 'GetParameterValuesResponse', 20_000);
    const values = parameterValues(acs.responses(serial).at(-1)!);
    assert.equal(values['Device.DeviceInfo.ProvisioningCode']?.value, 'code-2');
    assert.equal(values['Device.ManagementServer.ConnectionRequestUsername']?.value, value(2));
  } finally {
    await agent.powerCut();
    await acs.close();
    fsys.unmount();
    fs.rmSync(configDir, { recursive: true, force: true });
  }
});
