/**
 * The A/B banks on disk: a good image commits on its trial boot, a failing one (by its header,
 * or forced by a misbehaviour rule) leaves the device on the bank it ran; a new bank object over
 * the same folder (a power cut between install and boot) still runs the trial.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FirmwareBank } from '../../src/providers/firmware-bank.js';
import { buildFirmwareImage, readFirmwareHeader } from '../../src/providers/firmware-image.js';

function staged(dir: string, version: string, bootFails = false): { file: string; header: ReturnType<typeof readFirmwareHeader>['header'] } {
  const file = path.join(dir, `${version}.img`);
  fs.writeFileSync(file, buildFirmwareImage({ version, payload: Buffer.from(`payload ${version}`), bootFails }));
  return { file, header: readFirmwareHeader(file).header };
}

test('on disk: a good image commits, a boot-failing one (by header or forced) rolls back, across a new bank object', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'banks-'));
  try {
    let bank = new FirmwareBank(dir, '1.0');
    const good = staged(dir, '2.0');
    bank.install(good.file, good.header, 't1');
    assert.equal(bank.outcome('t1'), 'pending');
    bank = new FirmwareBank(dir, '1.0'); // the reboot
    bank.boot();
    assert.deepEqual(bank.outcome('t1'), { ok: true, version: '2.0' });
    assert.equal(bank.activeVersion, '2.0');

    const bad = staged(dir, '3.0', true);
    bank.install(bad.file, bad.header, 't2');
    bank = new FirmwareBank(dir, '1.0');
    bank.boot();
    assert.equal((bank.outcome('t2') as { faultCode: number }).faultCode, 9010);
    assert.equal(bank.activeVersion, '2.0');

    const forced = staged(dir, '4.0');
    bank.install(forced.file, forced.header, 't3', true);
    bank = new FirmwareBank(dir, '1.0');
    bank.boot();
    assert.equal((bank.outcome('t3') as { faultCode: number }).faultCode, 9010, 'a good image fails when the device is told to');
    assert.equal(bank.activeVersion, '2.0');
    assert.equal(bank.image(bank.activeBank === 'a' ? 'b' : 'a')?.status, 'ActivationFailed');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
