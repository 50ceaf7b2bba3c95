/**
 * The operate storm's firmware and software operations, in process against the bundled USP
 * controller over WebSocket: with `download` every device fetches the image the controller serves,
 * reboots into it and tells OperationComplete; with `install-du` devices install the controller's
 * unit and, on their next turn, uninstall it again. Every Operate is answered and completes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Fleet } from '../../src/fleet/fleet.js';
import { loadProfile } from '../../src/fleet/profile.js';
import { runScenario } from '../../src/fleet/scenarios.js';
import type { StormOperation } from '../../src/fleet/scenario-names.js';
import { withLocalAgent } from '../../src/models/local-agent.js';
import { systemClock } from '../../src/runtime/clock.js';
import { UspTestController } from '../../src/usp-controller/usp-test-controller.js';
import { until } from '../helpers/until.js';

type Params = Record<string, string>;

async function storm(
  operation: StormOperation,
  enough: (completions: Params[], states: Params[]) => boolean,
  inspect: (controller: UspTestController, completions: Params[]) => Promise<void> = async () => {},
) {
  const controller = new UspTestController();
  const url = await controller.listen();
  const completions: Params[] = [];
  const states: Params[] = [];
  controller.onNotification((eid, msg) => {
    const notify = msg.body.request?.['notify'] as { oper_complete?: Params; event?: { event_name: string; params: Params } } | undefined;
    if (notify?.oper_complete) completions.push({ ...notify.oper_complete, eid, failed: String('cmd_failure' in notify.oper_complete) });
    if (notify?.event?.event_name === 'DUStateChange!') states.push(notify.event.params);
  });
  const profile = loadProfile('stb');
  const fleet = new Fleet({
    count: 3,
    protocol: 'usp',
    usp: { url, transport: 'WebSocket', controller: { endpointId: controller.endpointId, topic: url }, factorySubscriptions: 'boot' },
    profile: { ...profile, schema: withLocalAgent(profile.schema) },
    acsUrl: '',
    cwmpVersion: '1.4',
    connectionRequest: { port: 0, address: '127.0.0.1', password: 'pw' },
    bootWindowSeconds: 0,
    clock: systemClock,
    random: Math.random,
    logger: pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' }),
  });
  try {
    await fleet.start();
    const run = runScenario(fleet, { name: 'operate-storm', durationSeconds: 0, rate: 5, operation }, systemClock, undefined, controller);
    await until(() => (enough(completions, states) ? true : undefined), `enough ${operation} operations completed`, 60_000);
    run.stop();
    await inspect(controller, completions);
    return { extra: await run.done, completions, states };
  } finally {
    await fleet.stop();
    await controller.close();
  }
}

test('operate-storm --operation download: each device installs the served image, reboots into it and tells OperationComplete', {
  timeout: 90_000,
}, async () => {
  const versions: string[] = [];
  const { extra, completions } = await storm(
    'download',
    (c) => new Set(c.map((x) => x['command_key'])).size >= 4,
    async (controller, done) => {
      // Each device that told a completed Download runs the new image.
      for (const eid of new Set(done.map((c) => c['eid']!))) {
        const got = await controller.request(eid, 'GET', { request: { get: { param_paths: ['Device.DeviceInfo.SoftwareVersion'] } } });
        const results = (got.body.response!['get_resp'] as { req_path_results: { resolved_path_results: { result_params: Params }[] }[] }).req_path_results;
        versions.push(results[0]!.resolved_path_results[0]!.result_params['SoftwareVersion']!);
      }
    },
  );
  assert.ok(versions.length > 0 && versions.every((v) => v === '2.0.0'), versions.join());
  assert.ok(
    completions.every((c) => c['command_name'] === 'Download()' && c['failed'] === 'false'),
    JSON.stringify(completions),
  );
  assert.equal(extra.actionsFailed, 0, JSON.stringify(extra));
  assert.ok((extra.actionLatencyMs?.count ?? 0) >= 4);
  assert.equal(extra.error, undefined);
});

test('operate-storm --operation install-du: devices install the served unit, then uninstall it on their next turn', { timeout: 90_000 }, async () => {
  const { extra, completions, states } = await storm('install-du', (_c, s) => s.filter((x) => x['CurrentState'] === 'UnInstalled').length >= 2);
  assert.ok(
    completions.every((c) => c['failed'] === 'false'),
    JSON.stringify(completions),
  );
  const installed = states.filter((s) => s['OperationPerformed'] === 'Install');
  assert.ok(installed.length >= 3 && installed.every((s) => s['CurrentState'] === 'Installed' && s['Fault.FaultCode'] === '0'), JSON.stringify(states));
  assert.ok(completions.some((c) => c['command_name'] === 'Uninstall()'));
  assert.equal(extra.actionsFailed, 0, JSON.stringify(extra));
});
