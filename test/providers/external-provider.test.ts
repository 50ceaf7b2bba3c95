/**
 * Providers in other processes, end to end: an agent assembled from a configuration binds
 * Device.Time to a shell script (bash and jq) and Device.Users to a Python program; the test ACS
 * reads and writes through them. One round trip per RPC; a helper that hangs, prints garbage or
 * exits gives 9002 for that RPC and the agent carries on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { childNamed } from '../../src/cwmp/xml-reader.js';
import { parameterValues, textAt, type CpeMessageSummary } from '../../src/acs/acs-messages.js';
import { TestAcs } from '../../src/acs/test-acs.js';
import { assembleDevice, loadConfig, type AssembledDevice } from '../../src/index.js';
import type { AcsRequest } from '../../src/cwmp/messages.js';
import { tempDir } from '../helpers/agent-harness.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures');
const missing = (cmd: string[]): string | undefined => (spawnSync(cmd[0]!, cmd.slice(1)).status === 0 ? undefined : `${cmd[0]} is not installed`);
const noJq = missing(['jq', '--version']) ?? missing(['bash', '--version']);
const noPython = missing(['python3', '--version']);

async function agentWith(helpers: { command: string[]; objects: string[]; timeoutMs?: number; env?: Record<string, string> }[]) {
  const acs = new TestAcs();
  const url = await acs.listen();
  const stateDir = tempDir();
  const configFile = path.join(stateDir, 'agent.yaml');
  fs.writeFileSync(configFile, JSON.stringify({ device: { externalProviders: helpers } }));
  const config = loadConfig(configFile, { acsUrl: url, stateDir: path.join(stateDir, 'state'), crPort: 0 });
  const device: AssembledDevice = await assembleDevice(config, { logger: pino({ level: 'silent' }), connectionRequestAddress: '127.0.0.1' });
  const serial = device.device.identity.serialNumber;
  let sessions = 0;
  /** Runs the RPCs in one session (a connection request's) and returns the CPE's answers. */
  const session = async (...rpcs: AcsRequest[]): Promise<CpeMessageSummary[]> => {
    const before = acs.responses(serial).length;
    acs.queue(serial, ...rpcs);
    if (sessions++ === 0) device.agent.start();
    else device.agent.trigger('6 CONNECTION REQUEST');
    await acs.waitFor(() => acs.completedSessions(serial).length >= sessions, 20_000);
    return acs.responses(serial).slice(before);
  };
  return {
    acs,
    device,
    session,
    stateDir,
    async close() {
      await device.stop();
      await acs.close();
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

const faultCode = (m: CpeMessageSummary): string | undefined => textAt(m.body, 'detail', 'Fault', 'FaultCode');

test('a shell-script helper (bash, jq) serves Device.Time: reads and writes in one round trip each, its refusals are 9007', {
  skip: noJq,
  timeout: 60_000,
}, async () => {
  const dir = tempDir('helper-');
  const state = path.join(dir, 'time.json');
  const log = path.join(dir, 'requests.log');
  fs.writeFileSync(state, JSON.stringify({ 'Device.Time.LocalTimeZone': 'CET-1CEST,M3.5.0,M10.5.0/3', 'Device.Time.NTPServer1': 'ntp.example.net' }));
  const a = await agentWith([{ command: [path.join(fixtures, 'time-helper.sh'), state, log], objects: ['Device.Time.'] }]);
  try {
    await a.session();
    fs.writeFileSync(log, '');
    const [gpv] = await a.session({ method: 'GetParameterValues', parameterNames: ['Device.Time.'] });
    const values = parameterValues(gpv!);
    assert.equal(values['Device.Time.LocalTimeZone']?.value, 'CET-1CEST,M3.5.0,M10.5.0/3');
    assert.equal(values['Device.Time.NTPServer1']?.value, 'ntp.example.net');
    assert.deepEqual(fs.readFileSync(log, 'utf8').trim().split('\n'), ['get'], 'one get for the whole GetParameterValues');

    fs.writeFileSync(log, '');
    const [ok] = await a.session({
      method: 'SetParameterValues',
      parameterList: [
        { name: 'Device.Time.LocalTimeZone', value: 'EST5EDT', type: 'string' },
        { name: 'Device.Time.NTPServer1', value: 'pool.example.org', type: 'string' },
      ],
      parameterKey: 'k1',
    });
    assert.equal(ok!.method, 'SetParameterValuesResponse');
    assert.deepEqual(
      fs
        .readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .filter((l) => l !== 'get'),
      ['validate', 'set'],
      'one validate and one set for both values',
    );
    assert.equal(JSON.parse(fs.readFileSync(state, 'utf8'))['Device.Time.LocalTimeZone'], 'EST5EDT');

    const [refused] = await a.session({
      method: 'SetParameterValues',
      parameterList: [{ name: 'Device.Time.LocalTimeZone', value: 'Not A Zone', type: 'string' }],
      parameterKey: 'k2',
    });
    assert.equal(faultCode(refused!), '9003');
    const entry = childNamed(childNamed(childNamed(refused!.body!, 'detail')!, 'Fault')!, 'SetParameterValuesFault')!;
    assert.equal(textAt(entry, 'FaultCode'), '9007');
    assert.match(textAt(entry, 'FaultString') ?? '', /no spaces/);
    assert.equal(JSON.parse(fs.readFileSync(state, 'utf8'))['Device.Time.LocalTimeZone'], 'EST5EDT', 'nothing applied');
  } finally {
    await a.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a Python helper owns Device.Users.User.{i}: its instances, AddObject/DeleteObject, checks, and the changes it pushes (active notification)', {
  skip: noPython,
  timeout: 60_000,
}, async () => {
  const dir = tempDir('helper-');
  const watch = path.join(dir, 'enable');
  fs.writeFileSync(watch, 'true');
  const a = await agentWith([{ command: ['python3', path.join(fixtures, 'users-helper.py'), watch], objects: ['Device.Users.'] }]);
  try {
    await a.session();
    const [names, add, set, badSet, read] = await a.session(
      { method: 'GetParameterNames', parameterPath: 'Device.Users.User.', nextLevel: true },
      { method: 'AddObject', objectName: 'Device.Users.User.', parameterKey: 'a' },
      { method: 'SetParameterValues', parameterList: [{ name: 'Device.Users.User.2.Username', value: 'guest', type: 'string' }], parameterKey: 'b' },
      { method: 'SetParameterValues', parameterList: [{ name: 'Device.Users.User.2.Username', value: 'Guest', type: 'string' }], parameterKey: 'c' },
      { method: 'GetParameterValues', parameterNames: ['Device.Users.'] },
    );
    assert.deepEqual(
      (childNamed(names!.body!, 'ParameterList')?.children ?? []).map((s) => textAt(s, 'Name')?.trim()),
      ['Device.Users.User.1.'],
    );
    assert.equal(textAt(add!.body, 'InstanceNumber'), '2');
    assert.equal(set!.method, 'SetParameterValuesResponse');
    assert.equal(faultCode(badSet!), '9003');
    const v = parameterValues(read!);
    assert.equal(v['Device.Users.UserNumberOfEntries']?.value, '2');
    assert.equal(v['Device.Users.User.2.Username']?.value, 'guest');
    const [del, after] = await a.session(
      { method: 'DeleteObject', objectName: 'Device.Users.User.2.', parameterKey: 'd' },
      { method: 'GetParameterValues', parameterNames: ['Device.Users.UserNumberOfEntries'] },
    );
    assert.equal(del!.method, 'DeleteObjectResponse');
    assert.equal(parameterValues(after!)['Device.Users.UserNumberOfEntries']?.value, '1');

    // Active notification on a value the helper changes: the agent hears it pushed, and informs.
    await a.session({
      method: 'SetParameterAttributes',
      parameterList: [{ name: 'Device.Users.User.1.Enable', notificationChange: true, notification: 2, accessListChange: false, accessList: [] }],
    });
    const before = a.acs.completedSessions(a.device.device.identity.serialNumber).length;
    fs.writeFileSync(watch, 'false');
    await a.acs.waitFor(() => a.acs.completedSessions(a.device.device.identity.serialNumber).length > before, 10_000);
    const s = a.acs.completedSessions(a.device.device.identity.serialNumber).at(-1)!;
    assert.ok(s.events.some((e) => e.code === '4 VALUE CHANGE'));
  } finally {
    await a.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a helper that crashes on a set: the ACS gets 9002 saying what failed, not the helper's traceback; the agent goes on", {
  skip: noPython,
  timeout: 60_000,
}, async () => {
  const a = await agentWith([
    { command: ['python3', path.join(fixtures, 'users-helper.py')], objects: ['Device.Users.'], timeoutMs: 2_000, env: { HELPER_MODE: 'crash-on-set' } },
  ]);
  try {
    await a.session();
    const [set] = await a.session({
      method: 'SetParameterValues',
      parameterList: [{ name: 'Device.Users.User.1.Username', value: 'x', type: 'string' }],
      parameterKey: '',
    });
    assert.equal(faultCode(set!), '9002');
    const text = textAt(set!.body, 'detail', 'Fault', 'FaultString') ?? '';
    assert.match(text, /Device\.Users\.User\.1\.Username/, text);
    assert.doesNotMatch(text, /python|users-helper|mmcblk|Traceback|exited|status \d/i, text);
    const [again] = await a.session({ method: 'GetRPCMethods' });
    assert.equal(again!.method, 'GetRPCMethodsResponse', 'the agent carries on');
  } finally {
    await a.close();
  }
});

for (const mode of ['hang', 'garbage', 'exit'] as const) {
  test(`a helper that ${mode === 'hang' ? 'hangs' : mode === 'garbage' ? 'prints garbage' : 'exits'} gives 9002 for that RPC; the session ends and the agent goes on`, {
    skip: noPython,
    timeout: 60_000,
  }, async () => {
    const a = await agentWith([
      { command: ['python3', path.join(fixtures, 'users-helper.py')], objects: ['Device.Users.'], timeoutMs: 500, env: { HELPER_MODE: mode } },
    ]);
    try {
      await a.session();
      const started = Date.now();
      const [users, time] = await a.session(
        { method: 'GetParameterValues', parameterNames: ['Device.Users.User.1.Username'] },
        { method: 'GetParameterValues', parameterNames: ['Device.Time.Enable'] },
      );
      assert.equal(faultCode(users!), '9002');
      assert.ok(Date.now() - started < 5_000, 'no hung session');
      // What the ACS reads says what failed, never the helper's internals (its path, its words).
      const [set] = await a.session({
        method: 'SetParameterValues',
        parameterList: [{ name: 'Device.Users.User.1.Username', value: 'x', type: 'string' }],
        parameterKey: '',
      });
      assert.equal(faultCode(set!), '9002');
      for (const answer of [users!, set!]) {
        const text = textAt(answer.body, 'detail', 'Fault', 'FaultString') ?? '';
        assert.doesNotMatch(text, /python|users-helper|exited|status \d|protocol|Traceback/i, text);
      }
      assert.equal(time!.method, 'GetParameterValuesResponse', 'the rest of the model still answers');
      const [again] = await a.session({ method: 'GetRPCMethods' });
      assert.equal(again!.method, 'GetRPCMethodsResponse', 'the agent carries on');
    } finally {
      await a.close();
    }
  });
}
