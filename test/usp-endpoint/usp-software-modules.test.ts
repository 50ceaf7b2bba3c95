/**
 * Deployment units over USP through the device runtime: Device.SoftwareModules.InstallDU(), then
 * DeploymentUnit.{i}.Update() and Uninstall(), each answered with a Device.LocalAgent.Request row,
 * run through the same queue as a CWMP ChangeDUState, and told with DUStateChange! and the
 * command's OperationComplete; a unit that cannot be fetched is a failure in both, with its code;
 * the ACS hears nothing of any of it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { builtInUspSchema } from '../../src/models/local-agent.js';
import { makeDuPackage } from '../../src/providers/software/du-package.js';
import type { UspMsg } from '../../src/usp/usp-codec.js';
import { UspEndpoint } from '../../src/usp-endpoint/usp-endpoint.js';
import { sessionsCompleted, startHarness, tempDir } from '../helpers/agent-harness.js';
import { FileServer } from '../helpers/file-server.js';
import { until } from '../helpers/until.js';
import { memoryTransport } from '../helpers/usp-memory-transport.js';

const AGENT = 'proto::du-agent';
const CONTROLLER = 'proto::du-controller';
const UUID = '0b6c7e53-4a8f-4d5e-9c1b-2f3a4b5c6d7e';

async function duPackage(version: string): Promise<Buffer> {
  const dir = tempDir('usp-du-');
  try {
    fs.writeFileSync(
      path.join(dir, 'manifest.json'),
      JSON.stringify({ name: 'svc', vendor: 'Example', version, executionUnits: [{ name: 'svc', command: ['svc'], autoStart: true }] }),
    );
    await makeDuPackage(dir, path.join(dir, 'p.tgz'));
    return fs.readFileSync(path.join(dir, 'p.tgz'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

type Params = Record<string, string>;

/** The cmd_failure code of an OperateResp's one result (R-OPR.1: a failed command is told there, not as an Error). */
function commandFailure(m: UspMsg): number | undefined {
  const results = (m.body.response?.['operate_resp'] as { operation_results: { cmd_failure?: { err_code: number } }[] } | undefined)?.operation_results;
  return results?.[0]?.cmd_failure?.err_code;
}

test('InstallDU(), Update() and Uninstall() over USP: Request rows, DUStateChange! and OperationComplete; a failure carries its code', {
  timeout: 60_000,
}, async () => {
  const files = new FileServer();
  await files.listen();
  files.files.set('svc-1.tgz', { body: await duPackage('1.0') });
  files.files.set('svc-2.tgz', { body: await duPackage('2.0') });
  files.files.set('junk.tgz', { body: Buffer.from('not a package') });
  const h = await startHarness({ agent: { schema: builtInUspSchema() } });
  const transport = memoryTransport(CONTROLLER, AGENT);
  const usp = new UspEndpoint(h.agent.device, {
    endpointId: AGENT,
    controllers: [{ endpointId: CONTROLLER, topic: 'controller' }],
    transport,
    logger: pino({ level: 'silent' }),
    parameterKeyName: 'Device.ManagementServer.ParameterKey',
  });
  const request = async (id: string, msgType: UspMsg['header']['msg_type'], body: UspMsg['body']): Promise<UspMsg> => {
    transport.deliver({ header: { msg_id: id, msg_type: msgType }, body });
    return until(() => transport.sent.find((m) => m.header.msg_id === id), `the answer to ${id}`);
  };
  const notifies = (): Record<string, unknown>[] =>
    transport.sent.map((m) => m.body.request?.['notify'] as Record<string, unknown> | undefined).filter((x) => x !== undefined);
  const completion = (key: string) =>
    until(
      () =>
        notifies().find((n) => (n['oper_complete'] as Params | undefined)?.['command_key'] === key)?.['oper_complete'] as Record<string, unknown> | undefined,
      `the OperationComplete of ${key}`,
      30_000,
    );
  const stateChanges = (): Params[] =>
    notifies()
      .map((n) => n['event'] as { event_name: string; obj_path: string; params: Params } | undefined)
      .filter((e) => e?.event_name === 'DUStateChange!')
      .map((e) => {
        assert.equal(e!.obj_path, 'Device.SoftwareModules.');
        return e!.params;
      });
  const operate = async (id: string, command: string, key: string, args: Params = {}): Promise<UspMsg> =>
    request(id, 'OPERATE', { request: { operate: { command, command_key: key, send_resp: true, input_args: args } } });
  const subscribe = (id: string, type: string, reference: string) =>
    request(id, 'ADD', {
      request: {
        add: {
          create_objs: [
            {
              obj_path: 'Device.LocalAgent.Subscription.',
              param_settings: [
                { param: 'Enable', value: 'true' },
                { param: 'ID', value: id },
                { param: 'NotifType', value: type },
                { param: 'ReferenceList', value: reference },
              ],
            },
          ],
        },
      },
    });
  try {
    usp.start();
    h.agent.start();
    await sessionsCompleted(h, 1);
    await subscribe('du-events', 'Event', 'Device.SoftwareModules.DUStateChange!');
    await subscribe('du-ops', 'OperationComplete', 'Device.SoftwareModules.');

    // The supported data model lists the commands and the event with their arguments.
    const dm = await request('dm', 'GET_SUPPORTED_DM', {
      request: { get_supported_dm: { obj_paths: ['Device.SoftwareModules.'], first_level_only: true, return_commands: true, return_events: true } },
    });
    const objs = (dm.body.response!['get_supported_dm_resp'] as { req_obj_results: { supported_objs: Record<string, unknown>[] }[] }).req_obj_results[0]!
      .supported_objs;
    const sm = objs.find((o) => o['supported_obj_path'] === 'Device.SoftwareModules.')!;
    assert.deepEqual(
      (sm['supported_commands'] as { command_name: string; command_type: string }[]).map((c) => [c.command_name, c.command_type]),
      [['InstallDU()', 'CMD_ASYNC']],
    );
    assert.ok(
      (sm['supported_events'] as { event_name: string; arg_names: string[] }[]).some(
        (e) => e.event_name === 'DUStateChange!' && e.arg_names.includes('Fault.FaultCode'),
      ),
    );

    // Install: a Request row while it runs, then the unit, DUStateChange! and OperationComplete.
    const installed = await operate('install', 'Device.SoftwareModules.InstallDU()', 'du-install', { URL: files.url('svc-1.tgz'), UUID });
    const row = (installed.body.response!['operate_resp'] as { operation_results: { req_obj_path: string }[] }).operation_results[0]!.req_obj_path;
    assert.match(row, /^Device\.LocalAgent\.Request\.\d+\.$/);
    assert.equal(h.agent.model.read(`${row}Command`), 'Device.SoftwareModules.InstallDU()');
    const done = await completion('du-install');
    assert.deepEqual([done['obj_path'], done['command_name'], 'req_output_args' in done], ['Device.SoftwareModules.', 'InstallDU()', true]);
    const install = stateChanges()[0]!;
    assert.equal(install['UUID'], UUID);
    assert.equal(install['CurrentState'], 'Installed');
    assert.equal(install['OperationPerformed'], 'Install');
    assert.equal(install['Version'], '1.0');
    assert.equal(install['Fault.FaultCode'], '0');
    assert.match(install['StartTime']!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const du = `${install['DeploymentUnitRef']}.`;
    assert.match(du, /^Device\.SoftwareModules\.DeploymentUnit\.\d+\.$/);
    assert.equal(h.agent.model.read(`${du}UUID`), UUID);
    assert.deepEqual(h.agent.model.instanceIds('Device.LocalAgent.Request.'), [], 'the Request row is gone');

    // Update on the unit's own row, then the same version again: 7226 (a duplicate unit).
    await operate('update', `${du}Update()`, 'du-update', { URL: files.url('svc-2.tgz') });
    assert.ok('req_output_args' in (await completion('du-update')));
    assert.deepEqual([stateChanges()[1]!['OperationPerformed'], stateChanges()[1]!['Version']], ['Update', '2.0']);
    assert.equal(h.agent.model.read(`${du}Version`), '2.0');
    await operate('again', `${du}Update()`, 'du-again', { URL: files.url('svc-2.tgz') });
    const again = await completion('du-again');
    assert.equal((again['cmd_failure'] as { err_code: number }).err_code, 7226);
    assert.deepEqual([stateChanges()[2]!['Fault.FaultCode'], stateChanges()[2]!['CurrentState']], ['7226', 'Installed']);

    // A file that is no package: the install fails, told as a failure; nothing is installed.
    await operate('junk', 'Device.SoftwareModules.InstallDU()', 'du-junk', { URL: files.url('junk.tgz') });
    const junk = await completion('du-junk');
    assert.notEqual((junk['cmd_failure'] as { err_code: number }).err_code, 0);
    assert.deepEqual([stateChanges()[3]!['CurrentState'], stateChanges()[3]!['OperationPerformed']], ['Failed', 'Install']);
    assert.notEqual(stateChanges()[3]!['Fault.FaultString'], '');

    // Uninstall: the row goes; TR-181 spells the state UnInstalled.
    await operate('uninstall', `${du}Uninstall()`, 'du-uninstall');
    assert.ok('req_output_args' in (await completion('du-uninstall')));
    assert.deepEqual([stateChanges()[4]!['CurrentState'], stateChanges()[4]!['UUID']], ['UnInstalled', UUID]);
    assert.deepEqual(h.agent.model.instanceIds('Device.SoftwareModules.DeploymentUnit.'), []);

    // Cancel(): a change under way is not stopped halfway (7022); one still waiting behind it is taken back (7023).
    files.files.set('slow.tgz', { body: await duPackage('3.0'), rateBytesPerSecond: 100 });
    const slow = await operate('slow', 'Device.SoftwareModules.InstallDU()', 'du-slow', { URL: files.url('slow.tgz') });
    const waiting = await operate('waiting', 'Device.SoftwareModules.InstallDU()', 'du-waiting', { URL: files.url('svc-1.tgz') });
    const rowOf = (m: UspMsg): string =>
      (m.body.response!['operate_resp'] as { operation_results: { req_obj_path: string }[] }).operation_results[0]!.req_obj_path;
    const busy = await operate('cancel-slow', `${rowOf(slow)}Cancel()`, 'c1');
    assert.equal(commandFailure(busy), 7022, 'under way: not stopped halfway');
    const back = await operate('cancel-waiting', `${rowOf(waiting)}Cancel()`, 'c2');
    assert.equal(back.header.msg_type, 'OPERATE_RESP');
    assert.equal(((await completion('du-waiting'))['cmd_failure'] as { err_code: number }).err_code, 7023);
    assert.ok('req_output_args' in (await completion('du-slow')), 'the one under way finishes');
    assert.equal(stateChanges().filter((c) => c['Version'] === '1.0' && c['OperationPerformed'] === 'Install').length, 1, 'the withdrawn install never ran');

    // Refused before anything runs: no URL, a signature this device cannot check, a URL with credentials.
    for (const [id, args] of [
      ['no-url', {}],
      ['signed', { URL: files.url('svc-1.tgz'), Signature: 'data:,abc' }],
      ['userinfo', { URL: files.url('svc-1.tgz').replace('http://', 'http://u:p@') }],
    ] as const) {
      const refused = await operate(id, 'Device.SoftwareModules.InstallDU()', id, args);
      assert.equal(commandFailure(refused), 7027, id);
    }
    // The ACS heard nothing of changes it never asked for.
    assert.equal(h.acs.acknowledged('DUStateChangeComplete', h.serial).length, 0);
    assert.equal(h.acs.acknowledged('AutonomousDUStateChangeComplete', h.serial).length, 0);
  } finally {
    await usp.stop();
    await h.close();
    await files.close();
  }
});
