/**
 * IP diagnostics over USP: Operate Device.IP.Diagnostics.IPPing() and TraceRoute() with their
 * inputs as arguments, a Device.LocalAgent.Request row while the test runs, and the results as
 * OperationComplete's output arguments (Status among them: an unknown host is a result, not a
 * failed command); arguments that are missing or out of range are refused in the OperateResp with 7027.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { builtInUspSchema } from '../../src/models/local-agent.js';
import type { UspMsg } from '../../src/usp/usp-codec.js';
import { UspEndpoint } from '../../src/usp-endpoint/usp-endpoint.js';
import { pingInputs, traceRouteInputs } from '../../src/usp-endpoint/usp-diagnostics.js';
import { traceRouteArguments } from '../../src/diagnostics/traceroute.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';
import { commandMissing } from '../helpers/servers.js';
import { until } from '../helpers/until.js';
import { memoryTransport } from '../helpers/usp-memory-transport.js';

const AGENT = 'proto::diag-agent';
const CONTROLLER = 'proto::diag-controller';
const skip = commandMissing('ping') ?? commandMissing('traceroute');

interface Completion {
  command_key: string;
  command_name: string;
  req_output_args: { output_args: Record<string, string> };
}

/** The cmd_failure code of an OperateResp's one result (R-OPR.1: a failed command is told there, not as an Error). */
function commandFailure(m: UspMsg): number | undefined {
  const results = (m.body.response?.['operate_resp'] as { operation_results: { cmd_failure?: { err_code: number } }[] } | undefined)?.operation_results;
  return results?.[0]?.cmd_failure?.err_code;
}

test('IPPing() and TraceRoute() over USP: results as OperationComplete output arguments; bad arguments are 7027', { skip, timeout: 60_000 }, async () => {
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
  const completion = (key: string) =>
    until(
      () =>
        transport.sent
          .map((m) => (m.body.request?.['notify'] as { oper_complete?: Completion } | undefined)?.oper_complete)
          .find((c) => c?.command_key === key),
      `the OperationComplete of ${key}`,
      30_000,
    );
  const operate = (id: string, command: string, args: Record<string, string>) =>
    request(id, 'OPERATE', { request: { operate: { command, command_key: id, send_resp: true, input_args: args } } });
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
                { param: 'ID', value: 'diag' },
                { param: 'NotifType', value: 'OperationComplete' },
                { param: 'ReferenceList', value: 'Device.IP.Diagnostics.' },
              ],
            },
          ],
        },
      },
    });
    const ping = { ProtocolVersion: 'IPv4', Host: '127.0.0.1', NumberOfRepetitions: '2', Timeout: '2000', DataBlockSize: '56' };
    const started = await operate('ping', 'Device.IP.Diagnostics.IPPing()', ping);
    const row = (started.body.response!['operate_resp'] as { operation_results: { req_obj_path: string }[] }).operation_results[0]!.req_obj_path;
    assert.match(row, /^Device\.LocalAgent\.Request\.\d+\.$/);
    const pinged = await completion('ping');
    assert.equal(pinged.command_name, 'IPPing()');
    const out = pinged.req_output_args.output_args;
    assert.deepEqual([out['Status'], out['IPAddressUsed'], out['SuccessCount'], out['FailureCount']], ['Complete', '127.0.0.1', '2', '0']);
    assert.ok(Number(out['MaximumResponseTimeDetailed']) >= Number(out['MinimumResponseTimeDetailed']));
    assert.deepEqual(h.agent.model.instanceIds('Device.LocalAgent.Request.'), [], 'the Request row is gone');

    // An unknown host is the test's result, not a failed command.
    await operate('unknown', 'Device.IP.Diagnostics.IPPing()', { ...ping, Host: 'no-such-host.invalid' });
    const unknown = await completion('unknown');
    assert.equal(unknown.req_output_args.output_args['Status'], 'Error_CannotResolveHostName');

    // TraceRoute with TR-181's defaults for what is not given: one hop to loopback.
    await operate('trace', 'Device.IP.Diagnostics.TraceRoute()', { ProtocolVersion: 'IPv4', Host: '127.0.0.1', Timeout: '1000' });
    const traced = (await completion('trace')).req_output_args.output_args;
    assert.equal(traced['Status'], 'Complete');
    assert.equal(traced['RouteHops.1.HostAddress'], '127.0.0.1');
    assert.match(traced['RouteHops.1.RTTimes']!, /^\d+(,\d+)*$/);

    for (const [id, command, args] of [
      ['no-host', 'Device.IP.Diagnostics.IPPing()', { ...ping, Host: '' }],
      ['no-reps', 'Device.IP.Diagnostics.IPPing()', { ...ping, NumberOfRepetitions: '' }],
      ['many-reps', 'Device.IP.Diagnostics.IPPing()', { ...ping, NumberOfRepetitions: '100000' }],
      ['bad-version', 'Device.IP.Diagnostics.TraceRoute()', { ProtocolVersion: 'IPv5', Host: '127.0.0.1' }],
      ['bad-hops', 'Device.IP.Diagnostics.TraceRoute()', { ProtocolVersion: 'Any', Host: '127.0.0.1', MaxHopCount: '0' }],
    ] as const) {
      const refused = await operate(id, command, args);
      assert.equal(commandFailure(refused), 7027, id);
    }
    assert.deepEqual(h.agent.model.instanceIds('Device.LocalAgent.Request.'), [], 'nothing refused left a Request row');
    const told = transport.sent.map((m) => (m.body.request?.['notify'] as { oper_complete?: Completion } | undefined)?.oper_complete?.command_key);
    assert.ok(!told.includes('no-reps') && !told.includes('no-host'), 'nor an OperationComplete (TP-469 1.100)');

    // Cancel() of a test under way: the ping stops, OperationComplete says canceled (7023), the row goes.
    const long = await operate('long', 'Device.IP.Diagnostics.IPPing()', { ...ping, NumberOfRepetitions: '200' });
    const longRow = (long.body.response!['operate_resp'] as { operation_results: { req_obj_path: string }[] }).operation_results[0]!.req_obj_path;
    const canceled = await request('cancel', 'OPERATE', { request: { operate: { command: `${longRow}Cancel()`, command_key: 'c', send_resp: true } } });
    assert.equal(canceled.header.msg_type, 'OPERATE_RESP');
    const ended = transport.sent
      .map((m) => (m.body.request?.['notify'] as { oper_complete?: Completion & { cmd_failure?: { err_code: number } } } | undefined)?.oper_complete)
      .find((c) => c?.command_key === 'long');
    assert.equal(ended?.cmd_failure?.err_code, 7023, 'told as canceled at once');
    assert.deepEqual(h.agent.model.instanceIds('Device.LocalAgent.Request.'), []);
    const gone = await request('cancel-again', 'OPERATE', { request: { operate: { command: `${longRow}Cancel()`, send_resp: true } } });
    assert.equal((gone.body.error as { err_code: number } | undefined)?.err_code, 7016, 'a Request row that is gone cannot be canceled');

    // The supported data model lists them with their arguments.
    const dm = await request('dm', 'GET_SUPPORTED_DM', {
      request: { get_supported_dm: { obj_paths: ['Device.IP.Diagnostics.IPPing()'], return_commands: true } },
    });
    type Supported = {
      req_obj_results: { supported_objs: { supported_commands: { command_type: string; input_arg_names: string[]; output_arg_names: string[] }[] }[] }[];
    };
    const cmd = (dm.body.response!['get_supported_dm_resp'] as Supported).req_obj_results[0]!.supported_objs[0]!.supported_commands[0]!;
    assert.equal(cmd.command_type, 'CMD_ASYNC');
    assert.ok(cmd.input_arg_names.includes('NumberOfRepetitions') && cmd.output_arg_names.includes('SuccessCount'));
  } finally {
    await usp.stop();
    await h.close();
  }
});

test("TraceRoute() without its optional arguments uses TR-181's defaults: 3 tries, 5000 ms each, 30 hops (TP-469 1.92)", () => {
  const input = traceRouteInputs({ Host: '192.0.2.1', ProtocolVersion: 'Any' });
  assert.deepEqual(input, { host: '192.0.2.1', protocolVersion: 'Any', tries: 3, timeoutMs: 5000, dataBlockSize: 38, dscp: 0, maxHops: 30 });
  const args = traceRouteArguments(input);
  assert.deepEqual([args[args.indexOf('-q') + 1], args[args.indexOf('-w') + 1], args[args.indexOf('-m') + 1]], ['3', '5', '30']);
  // IPPing() makes them mandatory (R-OPR.5): no defaults there.
  assert.throws(() => pingInputs({ Host: '192.0.2.1', ProtocolVersion: 'Any' }), /NumberOfRepetitions: needed/);
});
