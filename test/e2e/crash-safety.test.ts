/**
 * Kills the agent process with SIGKILL at random moments of its sessions and restarts it on the
 * same state directory: no event the CPE acknowledged is lost, and none is delivered again after
 * the ACS saw it delivered.
 */
import { seededRandom } from '../helpers/seeded-random.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { TestAcs } from '../../src/acs/test-acs.js';
import { readCpeMessage, informEvents } from '../../src/acs/acs-messages.js';
import { simulatedIdentity } from '../../src/providers/simulated-device.js';
import { tempDir } from '../helpers/agent-harness.js';
import { startAgentProcess, type AgentProcess } from '../helpers/agent-process.js';

function startAgent(url: string, stateDir: string): AgentProcess {
  return startAgentProcess(['--acs-url', url, '--state-dir', stateDir, '--cr-port', '0']);
}

async function kill(agent: AgentProcess): Promise<void> {
  await agent.powerCut();
}

test('SIGKILL at random points loses no acknowledged event and repeats none', { timeout: 90_000 }, async () => {
  const acs = new TestAcs();
  const url = await acs.listen();
  const stateDir = tempDir();
  const serial = simulatedIdentity('cwmp-agent').serialNumber;
  const random = seededRandom(12345);
  try {
    const rounds = 8;
    for (let i = 0; i < rounds; i++) {
      acs.queue(serial, { method: 'Reboot', commandKey: `r${i}` }, { method: 'ScheduleInform', delaySeconds: 1, commandKey: `s${i}` });
      const child = startAgent(url, stateDir);
      await new Promise((r) => setTimeout(r, 150 + random() * 600));
      await kill(child);
    }
    // Let it run undisturbed until everything acknowledged has been delivered.
    const child = startAgent(url, stateDir);
    try {
      const acknowledged = (): string[] =>
        acs.sessions.flatMap((s) =>
          s.messages.filter((m) => m.from === 'cpe' && (m.method === 'RebootResponse' || m.method === 'ScheduleInformResponse')).map((m) => m.method),
        );
      const rebootKeys = (): string[] => {
        // Pair each RebootResponse with the Reboot the ACS sent just before it.
        const keys: string[] = [];
        for (const s of acs.sessions) {
          s.messages.forEach((m, j) => {
            const prev = s.messages[j - 1];
            if (m.from === 'cpe' && prev?.from === 'acs' && (m.method === 'RebootResponse' || m.method === 'ScheduleInformResponse')) {
              const key = /<CommandKey>([^<]*)<\/CommandKey>/.exec(prev.body)?.[1] ?? '';
              keys.push(`${m.method === 'RebootResponse' ? 'M Reboot' : 'M ScheduleInform'}:${key}`);
            }
          });
        }
        return keys;
      };
      const delivered = (): Map<string, number[]> => {
        const seen = new Map<string, number[]>();
        acs.sessions.forEach((s, idx) => {
          for (const e of informEvents(readCpeMessage(s.messages[0]!.body))) {
            if (!e.code.startsWith('M ')) continue;
            const k = `${e.code}:${e.commandKey}`;
            seen.set(k, [...(seen.get(k) ?? []), idx]);
          }
        });
        return seen;
      };
      // Everything queued has been answered, and everything answered delivered (a ScheduleInform
      // answered last is delivered a second or more after its response).
      const settled = (): boolean => {
        const d = delivered();
        return acs.queuedFor(serial) === 0 && rebootKeys().every((k) => d.has(k)) && acknowledged().length > 0;
      };
      await acs.waitFor(settled, 40_000);
      // Room for a repeat to show up: a delivery seen again after it was confirmed would fail below.
      await new Promise((r) => setTimeout(r, 1500));
      await acs.waitFor(settled, 40_000).catch(() => {});
      const d = delivered();
      for (const key of rebootKeys()) assert.ok(d.has(key), `${key} acknowledged by the CPE and delivered`);
      // Delivered = the CPE went on talking after the InformResponse, so it had processed it.
      for (const [key, sessions] of d) {
        const confirmed = sessions.filter((idx) => acs.sessions[idx]!.messages.length > 2);
        if (confirmed.length > 0) {
          const later = sessions.filter((idx) => idx > confirmed[0]!);
          assert.deepEqual(later, [], `${key} delivered again after session ${confirmed[0]}`);
        }
      }
      assert.ok(rebootKeys().length >= 1, 'at least one Reboot was acknowledged across the kills');
    } finally {
      await kill(child);
    }
  } finally {
    await acs.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});

test('values, attributes and instances the ACS set survive a SIGKILL right after the session', { timeout: 60_000 }, async () => {
  const acs = new TestAcs();
  const url = await acs.listen();
  const stateDir = tempDir();
  const serial = simulatedIdentity('cwmp-agent').serialNumber;
  try {
    acs.queue(
      serial,
      { method: 'AddObject', objectName: 'Device.Users.User.', parameterKey: 'add' },
      {
        method: 'SetParameterValues',
        parameterList: [
          { name: 'Device.Users.User.1.Username', value: 'support' },
          { name: 'Device.Time.LocalTimeZone', value: 'CET-1CEST' },
        ],
        parameterKey: 'set',
      },
      {
        method: 'SetParameterAttributes',
        parameterList: [{ name: 'Device.Time.LocalTimeZone', notificationChange: true, notification: 2, accessListChange: true, accessList: ['Subscriber'] }],
      },
    );
    const first = startAgent(url, stateDir);
    await acs.waitFor(() => acs.completedSessions(serial).length >= 1, 20_000);
    await first.powerCut();

    acs.queue(
      serial,
      { method: 'GetParameterValues', parameterNames: ['Device.Users.User.1.Username', 'Device.Time.LocalTimeZone', 'Device.ManagementServer.ParameterKey'] },
      { method: 'GetParameterAttributes', parameterNames: ['Device.Time.LocalTimeZone'] },
    );
    const second = startAgent(url, stateDir);
    await acs.waitFor(() => acs.completedSessions(serial).length >= 2, 20_000);
    await second.powerCut();
    const after = acs.completedSessions(serial)[1]!;
    const codes = after.events.map((e) => e.code);
    assert.ok(codes.includes('1 BOOT') && !codes.includes('0 BOOTSTRAP'), `no BOOTSTRAP, the device remembers its ACS: ${codes.join(', ')}`);
    const [gpv, gpa] = acs.responses(serial).slice(-2);
    const values = Object.fromEntries(
      gpv!.body!.children.find((c) => c.local === 'ParameterList')!.children.map((s) => [s.children[0]!.text, s.children[1]!.text]),
    );
    assert.deepEqual(values, {
      'Device.Users.User.1.Username': 'support',
      'Device.Time.LocalTimeZone': 'CET-1CEST',
      'Device.ManagementServer.ParameterKey': 'set',
    });
    const attr = gpa!.body!.children.find((c) => c.local === 'ParameterList')!.children[0]!;
    assert.equal(attr.children.find((c) => c.local === 'Notification')!.text, '2');
    assert.equal(attr.children.find((c) => c.local === 'AccessList')!.children[0]!.text, 'Subscriber');
  } finally {
    await acs.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});
