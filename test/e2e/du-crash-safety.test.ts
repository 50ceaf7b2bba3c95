/**
 * A power cut at any point of a ChangeDUState: the CLI agent is killed with SIGKILL at random
 * moments while it installs deployment units, and restarted on the same state directory. Each
 * ChangeDUState the agent accepted is reported (again only when the cut came before it recorded
 * the ACS's answer, and then with the same results), and each report tells the truth:
 * a unit reported installed is on the device, and no unit is on the device unreported.
 */
import { seededRandom } from '../helpers/seeded-random.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TestAcs } from '../../src/acs/test-acs.js';
import { parameterValues, readCpeMessage, textAt } from '../../src/acs/acs-messages.js';
import { simulatedIdentity } from '../../src/providers/simulated-device.js';
import { makeDuPackage } from '../../src/providers/software/du-package.js';
import { connectionRequestCredentials, tempDir } from '../helpers/agent-harness.js';
import { startAgentProcess } from '../helpers/agent-process.js';

async function packageNamed(name: string): Promise<Buffer> {
  const dir = tempDir('du-src-');
  try {
    fs.writeFileSync(
      path.join(dir, 'manifest.json'),
      JSON.stringify({ name, vendor: 'Example', version: '1.0', executionUnits: [{ name: 'svc', command: ['svc'], autoStart: true }] }),
    );
    // Big enough that hashing and unpacking take a while, so that kills land inside them too.
    fs.writeFileSync(path.join(dir, 'payload.bin'), randomBytes(3 * 1024 * 1024));
    fs.writeFileSync(path.join(dir, 'svc'), '#!/bin/sh\nexec sleep 600\n', { mode: 0o755 });
    await makeDuPackage(dir, path.join(dir, 'p.tar.gz'));
    return fs.readFileSync(path.join(dir, 'p.tar.gz'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('SIGKILL during ChangeDUState: one DUStateChangeComplete per accepted request, matching what is installed', { timeout: 120_000 }, async (t) => {
  const acs = new TestAcs();
  const url = await acs.listen();
  const stateDir = tempDir();
  const serial = simulatedIdentity('cwmp-agent').serialNumber;
  const random = seededRandom(4242);
  const start = () => startAgentProcess(['--acs-url', url, '--state-dir', stateDir, '--cr-port', '0']);
  // The ChangeDUState requests the device accepted (answered with a ChangeDUStateResponse), by CommandKey.
  const accepted = (): string[] =>
    acs.sessions.flatMap((s) =>
      s.messages.flatMap((m, j) => {
        const prev = s.messages[j - 1];
        return m.from === 'cpe' && m.method === 'ChangeDUStateResponse' && prev ? [/<CommandKey>([^<]*)<\/CommandKey>/.exec(prev.body)![1]!] : [];
      }),
    );
  try {
    const rounds = 8;
    let midOperation = 0;
    for (let i = 0; i < rounds; i++) {
      const pkg = acs.serveFile(`unit${i}.tar.gz`, await packageNamed(`unit${i}`));
      acs.queue(serial, {
        method: 'ChangeDUState',
        commandKey: `cds${i}`,
        operations: [{ op: 'Install', url: pkg, uuid: '', username: '', password: '', executionEnvRef: '' }],
      });
      const sessionsBefore = acs.sessions.length;
      const child = start();
      // The cut comes at a random moment after a point the device has surely reached, however
      // loaded the machine: on even rounds once it accepted this request (so the cut lands in its
      // download, unpack or install), on odd rounds once it informed (anywhere in the session on).
      if (i % 2 === 0) await acs.waitFor(() => accepted().includes(`cds${i}`), 60_000);
      else await acs.waitFor(() => acs.sessions.length > sessionsBefore, 60_000);
      await new Promise((r) => setTimeout(r, random() * 600));
      await child.powerCut();
      // How often the cut came in the middle of an operation (started, no result saved).
      try {
        const saved = JSON.parse(fs.readFileSync(path.join(stateDir, 'agent-state.json'), 'utf8')) as {
          duChanges?: { operations: { startedAt: number | null; result: unknown }[] }[];
        };
        if (saved.duChanges?.some((c) => c.operations.some((o) => o.startedAt !== null && o.result === null))) midOperation++;
      } catch {
        // Not written yet.
      }
    }
    // The ACS sets connection-request credentials in the boot session, to call the device later.
    acs.queue(serial, connectionRequestCredentials('cr-secret', 'cr'));
    const child = start();
    try {
      const reports = () => acs.acknowledged('DUStateChangeComplete', serial);
      // Everything accepted is reported, and the credentials are set (a session that applied them has ended).
      await acs.waitFor(
        () =>
          accepted().every((k) => reports().some((r) => textAt(r.body, 'CommandKey') === k)) &&
          acs.completedSessions(serial).some((sess) => sess.messages.some((m) => m.method === 'SetParameterValuesResponse')),
        60_000,
      );
      // What the device holds, asked over CWMP in a session the ACS asks for: once it is answered,
      // the device has settled (no change waits before a session it opens for the ACS).
      const lastInform = readCpeMessage(acs.sessions.at(-1)!.messages[0]!.body);
      const crUrl = parameterValues(lastInform)['Device.ManagementServer.ConnectionRequestURL']!.value;
      acs.queue(serial, { method: 'GetParameterValues', parameterNames: ['Device.SoftwareModules.DeploymentUnit.'] });
      assert.equal(await acs.connectionRequest(crUrl, 'acs', 'cr-secret'), 200);
      await acs.waitFor(() => acs.responses(serial).some((m) => m.method === 'GetParameterValuesResponse'), 30_000);
      const keys = reports().map((r) => textAt(r.body, 'CommandKey')!);
      // A report the ACS answered may go again if the power went before the device recorded the
      // answer (TR-069 lets it: the ACS sees a repeat). Once the device went on talking after the
      // answer, it had recorded it: no repeat may follow that, and a repeat says the same.
      const deliveries = new Map<string, { session: number; confirmed: boolean; body: string }[]>();
      acs.sessions.forEach((sess, idx) => {
        sess.messages.forEach((m, j) => {
          if (m.from !== 'cpe' || m.method !== 'DUStateChangeComplete' || sess.messages[j + 1]?.method !== 'DUStateChangeCompleteResponse') return;
          const key = /<CommandKey>([^<]*)<\/CommandKey>/.exec(m.body)![1]!;
          const confirmed = sess.messages.slice(j + 2).some((x) => x.from === 'cpe');
          deliveries.set(key, [...(deliveries.get(key) ?? []), { session: idx, confirmed, body: m.body.replace(/<cwmp:ID[^>]*>[^<]*<\/cwmp:ID>/, '') }]);
        });
      });
      for (const [key, list] of deliveries) {
        const first = list.findIndex((d) => d.confirmed);
        if (first >= 0)
          assert.equal(list.length, first + 1, `${key} reported again after a confirmed delivery (sessions ${list.map((d) => d.session).join(',')})`);
        assert.ok(
          list.every((d) => d.body === list[0]!.body),
          `${key}: a repeated report says the same`,
        );
      }
      t.diagnostic(
        `accepted ${accepted().length} of 8 ChangeDUState before the cuts, ${midOperation} cuts in the middle of an operation; reports acknowledged: ${keys.join(',')}`,
      );
      assert.ok(accepted().length >= rounds / 2, `the even rounds' requests were accepted before their cuts (${accepted().length})`);
      const reportedInstalled = new Set(
        reports().flatMap((r) =>
          r
            .body!.children.filter((c) => c.local === 'Results' && textAt(c, 'Fault', 'FaultCode') === '0')
            .map(() => textAt(r.body, 'CommandKey')!.replace('cds', 'unit')),
        ),
      );
      const gpv = acs.responses(serial).filter((m) => m.method === 'GetParameterValuesResponse')[0];
      assert.ok(gpv, 'the device answered the GetParameterValues');
      const names = Object.entries(parameterValues(gpv))
        .filter(([k]) => k.endsWith('.Name'))
        .map(([, v]) => v.value)
        .sort();
      assert.deepEqual(names, [...reportedInstalled].sort(), 'installed units are exactly those reported installed');
      assert.ok(names.length >= 1);
      // No folder of an interrupted install is left beside the installed ones.
      const duDir = path.join(stateDir, 'device', 'software', 'du');
      assert.equal(fs.readdirSync(duDir).length, names.length, fs.readdirSync(duDir).join(','));
    } finally {
      await child.powerCut();
    }
  } finally {
    await acs.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});
