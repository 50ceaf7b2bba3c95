/**
 * OnBoardingComplete and OnBoardingRestartTime (TR-369 R-NOT.5; TP-469 1.101-1.103), over an
 * in-memory transport and the manual clock: SendOnBoardRequest() sets OnBoardingComplete to false;
 * with a restart time, another OnBoardRequest goes that long after the NotifyResp while it stays
 * false, and none once a Controller sets it true; with 0, none; a Controller setting it to false
 * asks for one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { builtInUspSchema } from '../../src/models/local-agent.js';
import type { ManualClock } from '../../src/runtime/clock.js';
import type { UspMsg } from '../../src/usp/usp-codec.js';
import { UspEndpoint } from '../../src/usp-endpoint/usp-endpoint.js';
import { sessionsCompleted, startHarness } from '../helpers/agent-harness.js';
import { until } from '../helpers/until.js';
import { memoryTransport } from '../helpers/usp-memory-transport.js';

const AGENT = 'proto::onboard-agent';
const CONTROLLER = 'proto::onboard-controller';

test('OnBoardingComplete goes false with each OnBoardRequest; OnBoardingRestartTime repeats it after the NotifyResp until true; 0 never', {
  timeout: 30_000,
}, async () => {
  const h = await startHarness({ manualClock: true, agent: { schema: builtInUspSchema() } });
  const clock = h.clock as ManualClock;
  const transport = memoryTransport(CONTROLLER, AGENT);
  const usp = new UspEndpoint(h.agent.device, {
    endpointId: AGENT,
    controllers: [{ endpointId: CONTROLLER, topic: 'controller' }],
    transport,
    logger: pino({ level: 'silent' }),
    parameterKeyName: 'Device.ManagementServer.ParameterKey',
  });
  const C = 'Device.LocalAgent.Controller.1.';
  let n = 0;
  const send = async (msgType: UspMsg['header']['msg_type'], body: UspMsg['body']): Promise<UspMsg> => {
    const id = `m${++n}`;
    transport.deliver({ header: { msg_id: id, msg_type: msgType }, body });
    return until(() => transport.sent.find((m) => m.header.msg_id === id), `the answer to ${id}`);
  };
  const onBoards = (): UspMsg[] => transport.sent.filter((m) => (m.body.request?.['notify'] as { on_board_req?: unknown } | undefined)?.on_board_req);
  const answer = (m: UspMsg): void =>
    transport.deliver({ header: { msg_id: m.header.msg_id, msg_type: 'NOTIFY_RESP' }, body: { response: { notify_resp: { subscription_id: '' } } } });
  const setController = (param: string, value: string) =>
    send('SET', { request: { set: { allow_partial: false, update_objs: [{ obj_path: C, param_settings: [{ param, value, required: true }] }] } } });
  const get = async (param: string): Promise<string> => {
    const r = await send('GET', { request: { get: { param_paths: [`${C}${param}`] } } });
    return (r.body.response!['get_resp'] as { req_path_results: { resolved_path_results: { result_params: Record<string, string> }[] }[] }).req_path_results[0]!
      .resolved_path_results[0]!.result_params[param]!;
  };
  try {
    usp.start();
    h.agent.start();
    await sessionsCompleted(h, 1);
    await until(() => (h.agent.model.instanceIds('Device.LocalAgent.Controller.').length === 1 ? true : undefined), 'the Controller row');
    assert.equal(await get('OnBoardingComplete'), 'true', 'nothing asked yet');

    // 1.102: a restart time of 60 s; SendOnBoardRequest() (send_resp false): OnBoardingComplete false (1.101).
    await setController('OnBoardingRestartTime', '60');
    transport.deliver({
      header: { msg_id: 'ob', msg_type: 'OPERATE' },
      body: { request: { operate: { command: `${C}SendOnBoardRequest()`, command_key: 'test101', send_resp: false } } },
    });
    const first = await until(() => onBoards()[0], 'the OnBoardRequest');
    assert.equal(await get('OnBoardingComplete'), 'false');
    // The restart time counts from the NotifyResp, not from the request (meanwhile NotifRetry repeats the same one).
    clock.advance(120_000);
    assert.ok(
      onBoards().every((m) => m.header.msg_id === first.header.msg_id),
      'only retries of the first so far',
    );
    answer(first);
    const countAfterResp = onBoards().length;
    clock.advance(59_000);
    assert.equal(onBoards().length, countAfterResp, 'not before the restart time');
    clock.advance(1_000);
    const second = await until(() => (onBoards().length > countAfterResp ? onBoards().at(-1) : undefined), 'the OnBoardRequest 60 s after the NotifyResp');
    assert.notEqual(second.header.msg_id, first.header.msg_id, 'a new OnBoardRequest, not a retry');
    answer(second);
    // The Controller says onboarding is done: no more.
    await setController('OnBoardingComplete', 'true');
    const settled = onBoards().length;
    clock.advance(600_000);
    assert.equal(onBoards().length, settled, 'none once OnBoardingComplete is true');

    // 1.103: a restart time of 0: one OnBoardRequest, answered, and no other.
    await setController('OnBoardingRestartTime', '0');
    transport.deliver({
      header: { msg_id: 'ob2', msg_type: 'OPERATE' },
      body: { request: { operate: { command: `${C}SendOnBoardRequest()`, command_key: 'test103', send_resp: false } } },
    });
    const third = await until(() => (onBoards().length === settled + 1 ? onBoards().at(-1) : undefined), 'the OnBoardRequest of 1.103');
    answer(third);
    clock.advance(600_000);
    assert.equal(onBoards().length, settled + 1, 'none with a restart time of 0');

    // A Controller setting OnBoardingComplete to false asks for an OnBoardRequest (R-NOT.5, 3).
    await setController('OnBoardingComplete', 'true');
    await setController('OnBoardingComplete', 'false');
    await until(() => (onBoards().length === settled + 2 ? true : undefined), 'an OnBoardRequest when set to false');
  } finally {
    await usp.stop();
    await h.close();
  }
});
