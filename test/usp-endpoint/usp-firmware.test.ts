/**
 * Firmware over USP through the device runtime: Operate Device.DeviceInfo.FirmwareImage.2.Download()
 * answers with a Device.LocalAgent.Request row; the image goes through the same transfer queue, A/B
 * banks and image checks as a CWMP Download, the device reboots into it, and OperationComplete
 * (with the command key) reaches the subscribed Controller after the reboot; the ACS hears nothing
 * of it. A bad image is told as a command failure, and the old firmware stays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { builtInUspSchema } from '../../src/models/local-agent.js';
import { buildFirmwareImage } from '../../src/providers/firmware-image.js';
import type { UspMsg } from '../../src/usp/usp-codec.js';
import { UspEndpoint } from '../../src/usp-endpoint/usp-endpoint.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';
import { FileServer } from '../helpers/file-server.js';
import { until } from '../helpers/until.js';
import { memoryTransport } from '../helpers/usp-memory-transport.js';

const AGENT = 'proto::fw-agent';
const CONTROLLER = 'proto::fw-controller';

test('Download() over USP: a Request row, the A/B install and reboot, OperationComplete after it; a bad image is a command failure', {
  timeout: 60_000,
}, async () => {
  const files = new FileServer();
  await files.listen();
  const image = buildFirmwareImage({ version: '3.1.0', payload: randomBytes(40_000) });
  files.files.set('fw.bin', { body: image });
  files.files.set('bad.bin', { body: Buffer.from('not an image') });
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
  const completions = (): Record<string, unknown>[] =>
    transport.sent
      .map((m) => (m.body.request?.['notify'] as { oper_complete?: Record<string, unknown> } | undefined)?.oper_complete)
      .filter((x) => x !== undefined);
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
                { param: 'ID', value: 'ops' },
                { param: 'NotifType', value: 'OperationComplete' },
                { param: 'ReferenceList', value: 'Device.DeviceInfo.FirmwareImage.*.Download()' },
                { param: 'Persistent', value: 'true' },
              ],
            },
          ],
        },
      },
    });
    const reboots = h.device.reboots;
    const op = await request('dl', 'OPERATE', {
      request: {
        operate: {
          command: 'Device.DeviceInfo.FirmwareImage.2.Download()',
          command_key: 'fw-usp',
          send_resp: true,
          input_args: { URL: files.url('fw.bin'), AutoActivate: 'true' },
        },
      },
    });
    const result = (op.body.response!['operate_resp'] as { operation_results: { req_obj_path: string }[] }).operation_results[0]!;
    assert.equal(result.req_obj_path, 'Device.LocalAgent.Request.1.');
    assert.equal(h.agent.model.read('Device.LocalAgent.Request.1.Command'), 'Device.DeviceInfo.FirmwareImage.2.Download()');
    assert.equal(h.agent.model.read('Device.LocalAgent.Request.1.Originator'), CONTROLLER);

    const done = await until(() => completions()[0], 'OperationComplete', 30_000);
    assert.deepEqual(
      { obj_path: done['obj_path'], command_name: done['command_name'], command_key: done['command_key'] },
      { obj_path: 'Device.DeviceInfo.FirmwareImage.*.'.replace('*', '2'), command_name: 'Download()', command_key: 'fw-usp' },
    );
    assert.ok(done['req_output_args'], 'a success');
    assert.equal(h.device.reboots, reboots + 1, 'rebooted into the new image');
    assert.equal(h.agent.model.read('Device.DeviceInfo.SoftwareVersion'), '3.1.0');
    assert.deepEqual(h.agent.model.instanceIds('Device.LocalAgent.Request.'), [], 'the Request row is gone');
    // The ACS heard of the reboot (BOOT) but not of a transfer it never asked for.
    assert.equal(h.acs.acknowledged('TransferComplete', h.serial).length, 0);

    // A file that is no firmware image: a command failure, the running firmware stays.
    await request('bad', 'OPERATE', {
      request: {
        operate: { command: 'Device.DeviceInfo.FirmwareImage.1.Download()', command_key: 'fw-bad', send_resp: true, input_args: { URL: files.url('bad.bin') } },
      },
    });
    const failed = await until(() => completions().find((c) => c['command_key'] === 'fw-bad'), 'the failure');
    assert.equal((failed['cmd_failure'] as { err_code: number }).err_code, 7022);
    assert.equal(h.agent.model.read('Device.DeviceInfo.SoftwareVersion'), '3.1.0');

    // Cancel() while the image is on its way: told as canceled (7023), the running firmware stays, no reboot.
    files.files.set('slow.bin', { body: buildFirmwareImage({ version: '9.9.9', payload: randomBytes(40_000) }), rateBytesPerSecond: 8_000 });
    const slow = await request('slow', 'OPERATE', {
      request: {
        operate: {
          command: 'Device.DeviceInfo.FirmwareImage.1.Download()',
          command_key: 'fw-slow',
          send_resp: true,
          input_args: { URL: files.url('slow.bin') },
        },
      },
    });
    const slowRow = (slow.body.response!['operate_resp'] as { operation_results: { req_obj_path: string }[] }).operation_results[0]!.req_obj_path;
    await until(() => (files.requests.some((r) => r.path.includes('slow.bin')) ? true : undefined), 'the download under way');
    const rebootsBefore = h.device.reboots;
    await request('cancel-slow', 'OPERATE', { request: { operate: { command: `${slowRow}Cancel()`, send_resp: true } } });
    const canceled = await until(() => completions().find((c) => c['command_key'] === 'fw-slow'), 'the cancelation');
    assert.equal((canceled['cmd_failure'] as { err_code: number }).err_code, 7023);
    assert.equal(h.agent.transferQueue().length, 0, 'the transfer is gone');
    assert.equal(h.agent.model.read('Device.DeviceInfo.SoftwareVersion'), '3.1.0');
    assert.equal(h.device.reboots, rebootsBefore);

    // TP-469 1.65: send_resp false: no OperateResp, and OperationComplete all the same.
    transport.deliver({
      header: { msg_id: 'quiet', msg_type: 'OPERATE' },
      body: {
        request: {
          operate: {
            command: 'Device.DeviceInfo.FirmwareImage.1.Download()',
            command_key: 'test65',
            send_resp: false,
            input_args: { URL: files.url('bad.bin') },
          },
        },
      },
    });
    await until(() => completions().find((c) => c['command_key'] === 'test65'), 'the OperationComplete of test65');
    assert.ok(!transport.sent.some((m) => m.header.msg_id === 'quiet'), 'no OperateResp');

    // TP-469 1.91 and 1.62: an argument the command does not know is ignored; Reboot() with send_resp false reboots without an answer.
    const before = h.device.reboots;
    transport.deliver({
      header: { msg_id: 'reboot62', msg_type: 'OPERATE' },
      body: { request: { operate: { command: 'Device.Reboot()', command_key: 'test62', send_resp: false, input_args: { InvalidArgument: '2' } } } },
    });
    await until(() => (h.device.reboots === before + 1 ? true : undefined), 'the reboot');
    assert.ok(!transport.sent.some((m) => m.header.msg_id === 'reboot62'), 'no OperateResp');
    const known = await request('reboot91', 'OPERATE', {
      request: { operate: { command: 'Device.Reboot()', command_key: 'test91', send_resp: true, input_args: { InvalidArgument: '2' } } },
    });
    assert.equal(
      (known.body.response!['operate_resp'] as { operation_results: { executed_command: string }[] }).operation_results[0]!.executed_command,
      'Device.Reboot()',
    );
    await until(() => (h.device.reboots === before + 2 ? true : undefined), 'the second reboot');

    const badArgs = await request('args', 'OPERATE', {
      request: { operate: { command: 'Device.DeviceInfo.FirmwareImage.1.Download()', send_resp: true, input_args: { URL: 'ftp://x/y' } } },
    });
    // R-OPR.1: the command's failure is in the OperateResp, not an Error.
    const results = (badArgs.body.response!['operate_resp'] as { operation_results: { cmd_failure?: { err_code: number } }[] }).operation_results;
    assert.equal(results[0]?.cmd_failure?.err_code, 7027);
  } finally {
    await usp.stop();
    await h.close();
    await files.close();
  }
});
