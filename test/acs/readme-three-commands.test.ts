/**
 * "Set a value on your device in three commands", as the README gives them: the three curl lines
 * are read from README.md and run by a shell against `cwmp-agent acs` and a fresh
 * `cwmp-agent run`, both real processes (only the port is changed). The connection request gets
 * through with the credentials the bundled ACS gave the device, and the value is set.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { simulatedIdentity } from '../../src/providers/simulated-device.js';
import { tempDir } from '../helpers/agent-harness.js';
import { bin } from '../helpers/agent-process.js';
import { until } from '../helpers/until.js';

const readme = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../README.md'), 'utf8');

/** The sh block under "Set a value on your device in three commands", joined into its commands. */
function threeCommands(): string[] {
  const at = readme.indexOf('Set a value on your device in three commands');
  assert.ok(at >= 0, 'the README still has the section');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

function shell(command: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('sh', ['-c', command], { timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${command}: ${stderr || err.message}`)) : resolve(stdout),
    ),
  );
}

test("the README's three commands set a value on a fresh device through a connection request", { timeout: 90_000 }, async (t) => {
  const curl = await shell('command -v curl').catch(() => '');
  if (!curl) return t.skip('curl is not installed');
  const commands = threeCommands();
  assert.equal(commands.length, 3, commands.join('\n'));
  const serial = simulatedIdentity('cwmp-agent').serialNumber;
  assert.ok(commands[1]!.includes(serial), `the README names the default device's serial ${serial}`);

  const acs: ChildProcess = spawn(process.execPath, [bin, 'acs', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: acs.stdout! });
  const acsUrl = await new Promise<string>((resolve) => lines.on('line', (l) => /listening at (\S+)/.test(l) && resolve(/listening at (\S+)/.exec(l)![1]!)));
  const port = new URL(acsUrl).port;
  const stateDir = tempDir();
  const agent = spawn(process.execPath, [bin, 'run', '--acs-url', acsUrl, '--state-dir', stateDir, '--cr-port', '0', '--log-level', 'silent'], {
    stdio: 'ignore',
    detached: true,
  });
  const api = `http://127.0.0.1:${port}/api`;
  const json = async (url: string): Promise<any> => JSON.parse(await shell(`curl -s ${url}`));
  try {
    // The device's first session is over: it has the credentials the ACS gave it.
    // Until the device has informed the API answers a 404 object, not a list of sessions.
    await until(async () => {
      const list = (await json(`${api}/devices/${serial}/sessions`)) as { ended: boolean }[] | { error: string };
      return Array.isArray(list) ? list.find((s) => s.ended) : undefined;
    }, 'the first session');
    const outputs: string[] = [];
    for (const c of commands) outputs.push(await shell(c.replaceAll('localhost:7557', `127.0.0.1:${port}`)));
    const cr = JSON.parse(outputs[2]!) as { status: unknown };
    assert.equal(cr.status, 200, outputs[2]);
    type Session = { events: string[]; ended: boolean; messages: { method: string; body: string }[] };
    const sessions = async (): Promise<Session[]> => json(`${api}/devices/${serial}/sessions?envelopes=true`);
    await until(
      async () =>
        (await sessions()).find(
          (s) => s.events.includes('6 CONNECTION REQUEST') && s.ended && s.messages.some((m) => m.method === 'SetParameterValuesResponse'),
        ),
      'the session the connection request started, with the SetParameterValues',
    );
    // Read back in a session of its own.
    const read = await shell(
      `curl -s -X POST ${api}/devices/${serial}/rpcs -H 'content-type: application/json' -d '{"method":"GetParameterValues","parameterNames":["Device.ManagementServer.PeriodicInformInterval"]}'`,
    );
    assert.equal(JSON.parse(read).queued, 1, read);
    assert.equal(
      JSON.parse(await shell(`curl -s -X POST ${api}/devices/${serial}/connection-request -H 'content-type: application/json' -d '{}'`)).status,
      200,
    );
    const answer = await until(
      async () =>
        (await sessions()).flatMap((s) => s.messages).find((m) => m.method === 'GetParameterValuesResponse' && m.body.includes('PeriodicInformInterval')),
      'the GetParameterValuesResponse',
    );
    assert.match(answer.body, />600</);
  } finally {
    if (agent.pid) process.kill(-agent.pid, 'SIGKILL');
    acs.kill();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});
