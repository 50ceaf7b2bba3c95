/**
 * `cwmp-agent acs` as a small ACS for debugging, both as real processes: a device informs, its
 * JSON API queues a SetParameterValues that the agent applies, sends it a connection request, and
 * shows the session history with envelopes; bad requests get a 4xx with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { simulatedIdentity } from '../../src/providers/simulated-device.js';
import { tempDir } from '../helpers/agent-harness.js';
import { bin } from '../helpers/agent-process.js';
import { until } from '../helpers/until.js';

async function startAcs(): Promise<{ child: ChildProcess; url: string; api: string }> {
  const child = spawn(process.execPath, [bin, 'acs', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve) => lines.on('line', (l) => /listening at (\S+)/.test(l) && resolve(/listening at (\S+)/.exec(l)![1]!)));
  return { child, url, api: url.replace(/\/acs$/, '/api') };
}

async function call(method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, {
    method,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return { status: res.status, json: await res.json() };
}

test('the ACS API: list devices, queue a SetParameterValues the agent applies, send a connection request, read the sessions', { timeout: 60_000 }, async () => {
  const acs = await startAcs();
  const stateDir = tempDir();
  const config = path.join(stateDir, 'agent.yaml');
  fs.writeFileSync(config, 'periodicInformInterval: 2\n');
  const agent = spawn(
    process.execPath,
    [bin, 'run', '--config', config, '--acs-url', acs.url, '--state-dir', path.join(stateDir, 'state'), '--cr-port', '0', '--log-level', 'silent'],
    { stdio: 'ignore', detached: true },
  );
  const serial = simulatedIdentity('cwmp-agent').serialNumber;
  try {
    const devices = await until(async () => {
      const r = await call('GET', `${acs.api}/devices`);
      return r.json.length > 0 ? r.json : undefined;
    }, 'the device to inform');
    assert.equal(devices[0].serial, serial);
    assert.match(devices[0].connectionRequestUrl, /^http:\/\//);

    const bad = await call('POST', `${acs.api}/devices/${serial}/rpcs`, { method: 'SetParameterValues' });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error, /SetParameterValues: missing or wrong arguments/);
    assert.equal((await call('POST', `${acs.api}/devices/${serial}/rpcs`, 'not json')).status, 400);
    assert.equal((await call('GET', `${acs.api}/devices/NOPE`)).status, 404);

    const queued = await call('POST', `${acs.api}/devices/${serial}/rpcs`, {
      method: 'SetParameterValues',
      parameterList: [
        { name: 'Device.ManagementServer.ConnectionRequestUsername', value: 'acs', type: 'string' },
        { name: 'Device.ManagementServer.ConnectionRequestPassword', value: 'cr-pw', type: 'string' },
        { name: 'Device.DeviceInfo.ProvisioningCode', value: 'set-by-api', type: 'string' },
      ],
      parameterKey: 'api-1',
    });
    assert.equal(queued.status, 202);
    const sessions = async (): Promise<any[]> => (await call('GET', `${acs.api}/devices/${serial}/sessions?envelopes=true`)).json;
    // The session that carried this SetParameterValues (the ACS's own, with the credentials it gives every device, came first).
    await until(
      async () =>
        (await sessions()).some(
          (s) =>
            s.messages.some((m: { body: string }) => m.body.includes('set-by-api')) &&
            s.messages.some((m: { method: string }) => m.method === 'SetParameterValuesResponse'),
        )
          ? true
          : undefined,
      'the SetParameterValues to be applied',
    );

    await call('POST', `${acs.api}/devices/${serial}/rpcs`, { method: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.ProvisioningCode'] });
    const cr = await call('POST', `${acs.api}/devices/${serial}/connection-request`, { username: 'acs', password: 'cr-pw' });
    assert.equal(cr.status, 200, JSON.stringify(cr.json));
    assert.equal(cr.json.status, 200);
    const withEnvelopes = await until(async () => {
      const list = (await call('GET', `${acs.api}/devices/${serial}/sessions?envelopes=true`)).json as {
        events: string[];
        messages: { method: string; body: string }[];
      }[];
      // The GetParameterValues goes in the next session: the connection request's, or a periodic one (every 2 s) that came first.
      const answered = list.find((s) => s.messages.some((m) => m.method === 'GetParameterValuesResponse'));
      return answered && list.some((s) => s.events.includes('6 CONNECTION REQUEST')) ? answered : undefined;
    }, 'the connection-request session and the GetParameterValues answered');
    const answer = withEnvelopes.messages.find((m) => m.method === 'GetParameterValuesResponse')!;
    assert.match(answer.body, /<Value xsi:type="xsd:string">set-by-api<\/Value>/);
    assert.equal((await call('POST', `${acs.api}/devices/${serial}/connection-request`, { username: 'acs', password: 'wrong' })).status, 502);
  } finally {
    process.kill(-agent.pid!, 'SIGKILL');
    acs.child.kill();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});
