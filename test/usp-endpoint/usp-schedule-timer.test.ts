/**
 * Device.ScheduleTimer() (TP-469 1.79, 1.100): OperationComplete with the command key after
 * DelaySeconds, from a Request row; the timer is persisted with the device's state and survives a
 * reboot; Cancel() takes it back; a missing DelaySeconds is the OperateResp's 7027 and no
 * OperationComplete ever follows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { builtInUspSchema } from '../../src/models/local-agent.js';
import type { UspMsg } from '../../src/usp/usp-codec.js';
import { UspEndpoint } from '../../src/usp-endpoint/usp-endpoint.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';
import { until } from '../helpers/until.js';
import { memoryTransport } from '../helpers/usp-memory-transport.js';

const AGENT = 'proto::timer-agent';
const CONTROLLER = 'proto::timer-controller';

interface Completion {
  obj_path: string;
  command_name: string;
  command_key: string;
  cmd_failure?: { err_code: number };
}

test('ScheduleTimer(): OperationComplete after DelaySeconds, through a reboot; Cancel() takes one back; no DelaySeconds is 7027', {
  timeout: 60_000,
}, async () => {
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
  const completions = (): Completion[] =>
    transport.sent.map((m) => (m.body.request?.['notify'] as { oper_complete?: Completion } | undefined)?.oper_complete).filter((c) => c !== undefined);
  const timer = (id: string, args: Record<string, string>) =>
    request(id, 'OPERATE', { request: { operate: { command: 'Device.ScheduleTimer()', command_key: id, send_resp: true, input_args: args } } });
  const rowOf = (m: UspMsg): string =>
    (m.body.response!['operate_resp'] as { operation_results: { req_obj_path: string }[] }).operation_results[0]!.req_obj_path;
  try {
    usp.start();
    h.agent.start();
    await sessionsCompleted(h, 1);
    await request('sub', 'ADD', {
      request: {
        add: {
          create_objs: [
            {
              obj_path: 'Device.LocalAgent.Subscription.',
              param_settings: [
                { param: 'Enable', value: 'true' },
                { param: 'ID', value: 'timers' },
                { param: 'NotifType', value: 'OperationComplete' },
                { param: 'ReferenceList', value: 'Device.ScheduleTimer()' },
                { param: 'Persistent', value: 'true' },
              ],
            },
          ],
        },
      },
    });
    // TP-469 1.79: a Request row at once, OperationComplete on Device. after the delay.
    const started = Date.now();
    const first = await timer('test79', { DelaySeconds: '1' });
    assert.match(rowOf(first), /^Device\.LocalAgent\.Request\.\d+\.$/);
    const done = await until(() => completions().find((c) => c.command_key === 'test79'), 'the OperationComplete of test79');
    assert.ok(Date.now() - started >= 1000, 'not before DelaySeconds');
    assert.deepEqual([done.obj_path, done.command_name, done.cmd_failure], ['Device.', 'ScheduleTimer()', undefined]);
    assert.deepEqual(h.agent.model.instanceIds('Device.LocalAgent.Request.'), []);

    // Persisted with the device's state, it survives a reboot: it fires after the device is back.
    const survivor = await timer('survivor', { DelaySeconds: '2' });
    const state = JSON.parse(fs.readFileSync(path.join(h.stateDir, 'agent-state.json'), 'utf8')) as { timers?: { commandKey: string; request: string }[] };
    assert.deepEqual(
      state.timers?.map((t) => [t.commandKey, t.request]),
      [['survivor', rowOf(survivor)]],
      'on disk before the answer went',
    );
    const reboots = h.device.reboots;
    await request('reboot', 'OPERATE', { request: { operate: { command: 'Device.Reboot()', command_key: 'r', send_resp: true } } });
    await until(() => (h.device.reboots === reboots + 1 ? true : undefined), 'the reboot');
    await until(() => completions().find((c) => c.command_key === 'survivor'), 'the OperationComplete of survivor, after the reboot');

    // Cancel(): told as canceled at once, and nothing when its time comes.
    const canceled = await timer('canceled', { DelaySeconds: '1' });
    await request('cancel', 'OPERATE', { request: { operate: { command: `${rowOf(canceled)}Cancel()`, send_resp: true } } });
    assert.equal(completions().find((c) => c.command_key === 'canceled')?.cmd_failure?.err_code, 7023);
    // TP-469 1.100: no DelaySeconds is the OperateResp's 7027, and no OperationComplete follows.
    const missing = await timer('test100', {});
    const failure = (missing.body.response!['operate_resp'] as { operation_results: { cmd_failure?: { err_code: number } }[] }).operation_results[0]!
      .cmd_failure;
    assert.equal(failure?.err_code, 7027);
    const later = await timer('later', { DelaySeconds: '1' });
    assert.ok(rowOf(later));
    await until(() => completions().find((c) => c.command_key === 'later'), 'a timer scheduled after both');
    assert.equal(completions().filter((c) => c.command_key === 'canceled').length, 1, 'the canceled timer did not fire');
    assert.equal(completions().filter((c) => c.command_key === 'test100').length, 0);
    assert.equal(JSON.parse(fs.readFileSync(path.join(h.stateDir, 'agent-state.json'), 'utf8')).timers?.length ?? 0, 0, 'none left on disk');
  } finally {
    await usp.stop();
    await h.close();
  }
});
