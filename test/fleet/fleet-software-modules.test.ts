/**
 * ChangeDUState across a fleet: every device fetches the same package from the test ACS,
 * unpacks and checks it in the same process at once (no device's files meet another's), runs
 * its simulated execution unit, and reports; a package made to fail starting shows as such.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TestAcs } from '../../src/acs/test-acs.js';
import { parameterValues, textAt } from '../../src/acs/acs-messages.js';
import { makeDuPackage } from '../../src/providers/software/du-package.js';
import { tempDir } from '../helpers/agent-harness.js';
import { testFleet } from '../helpers/fleet.js';

async function pkg(name: string, command: string[]): Promise<Buffer> {
  const dir = tempDir('du-src-');
  try {
    fs.writeFileSync(
      path.join(dir, 'manifest.json'),
      JSON.stringify({ name, vendor: 'Example', version: '1', executionUnits: [{ name: 'svc', command, autoStart: true }] }),
    );
    fs.writeFileSync(path.join(dir, 'data.bin'), Buffer.alloc(200_000, name));
    await makeDuPackage(dir, path.join(dir, 'p.tgz'));
    return fs.readFileSync(path.join(dir, 'p.tgz'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('50 fleet devices install the same unit at once and report it; a unit that cannot start says FailureOnAutoStart', { timeout: 60_000 }, async () => {
  const acs = new TestAcs();
  const url = await acs.listen();
  const good = acs.serveFile('svc.tgz', await pkg('svc', ['svc']));
  const broken = acs.serveFile('broken.tgz', await pkg('broken', ['false']));
  const fleet = testFleet(url, 50);
  const serials = fleet.members.map((m) => m.serial);
  const install = (u: string) => ({ op: 'Install' as const, url: u, uuid: '', username: '', password: '', executionEnvRef: '' });
  for (const s of serials) acs.queue(s, { method: 'ChangeDUState', operations: [install(good), install(broken)], commandKey: `du-${s}` });
  try {
    await fleet.start();
    await acs.waitFor(() => serials.every((s) => acs.acknowledged('DUStateChangeComplete', s).length === 1), 40_000);
    for (const s of serials) {
      const [report] = acs.acknowledged('DUStateChangeComplete', s);
      assert.equal(textAt(report!.body, 'CommandKey'), `du-${s}`);
      const faults = report!.body!.children.filter((c) => c.local === 'Results').map((r) => textAt(r, 'Fault', 'FaultCode'));
      assert.deepEqual(faults, ['0', '0'], `${s}: both installed`);
    }
    // Ask three of them how their units run.
    for (const s of serials.slice(0, 3)) acs.queue(s, { method: 'GetParameterValues', parameterNames: ['Device.SoftwareModules.ExecutionUnit.'] });
    for (const m of fleet.members.slice(0, 3)) m.agent?.trigger('6 CONNECTION REQUEST');
    await acs.waitFor(() => serials.slice(0, 3).every((s) => acs.responses(s).some((r) => r.method === 'GetParameterValuesResponse')), 10_000);
    for (const s of serials.slice(0, 3)) {
      const v = parameterValues(acs.responses(s).find((r) => r.method === 'GetParameterValuesResponse')!);
      const eu = (n: number, f: string) => v[`Device.SoftwareModules.ExecutionUnit.${n}.${f}`]?.value;
      assert.deepEqual([eu(1, 'Status'), eu(1, 'ExecutionFaultCode')], ['Active', 'NoFault'], `${s} unit 1`);
      assert.deepEqual([eu(2, 'Status'), eu(2, 'ExecutionFaultCode')], ['Idle', 'FailureOnAutoStart'], `${s} unit 2`);
      assert.ok(Number(eu(1, 'MemoryInUse')) > 0);
    }
  } finally {
    await fleet.stop();
    await acs.close();
  }
});
