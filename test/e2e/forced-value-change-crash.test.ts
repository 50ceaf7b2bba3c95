/**
 * A firmware upgrade changes SoftwareVersion while the device is down; the boot session reports
 * it with 4 VALUE CHANGE (forced active notification). A power cut at the instant the new value
 * is recorded must not lose the event: the state files as that instant leaves them are booted
 * again, and the change is still reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { Agent } from '../../src/agent/agent.js';
import { systemClock } from '../../src/runtime/clock.js';
import { TestAcs } from '../../src/acs/test-acs.js';
import { parameterValues, readCpeMessage } from '../../src/acs/acs-messages.js';
import type { ModelStore, StoredModel } from '../../src/datamodel/data-model.js';
import { FileModelStore } from '../../src/storage/model-store.js';
import { SimulatedDevice } from '../../src/providers/simulated-device.js';
import { FileAgentStateStore } from '../../src/storage/agent-state.js';
import { tempDir } from '../helpers/agent-harness.js';

const SV = 'Device.DeviceInfo.SoftwareVersion';

test('a power cut right after the new SoftwareVersion is recorded at boot still reports 4 VALUE CHANGE', { timeout: 30_000 }, async () => {
  const acs = new TestAcs();
  const url = await acs.listen();
  const stateDir = tempDir();
  const frozen = tempDir();
  let version = '1.0.0';
  const device = new SimulatedDevice('forced-change', () => Date.now(), {}, { filesDir: path.join(stateDir, 'device') });
  // The running image's version, as a firmware bank would report it.
  device.providers.push({ objects: ['Device.DeviceInfo.'], get: (p) => (p === SV ? version : undefined) });
  const agentOn = (dir: string, modelStore: ModelStore): Agent =>
    new Agent({
      acsUrl: url,
      cwmpVersion: '1.4',
      device,
      stateStore: new FileAgentStateStore(dir),
      modelStore,
      clock: systemClock,
      random: () => 0.5,
      logger: pino({ level: 'silent' }),
    });
  try {
    const first = agentOn(stateDir, new FileModelStore(stateDir));
    first.start();
    await acs.waitFor(() => acs.completedSessions(device.identity.serialNumber).length === 1);
    await first.stop();

    version = '2.0.0';
    // The model store of the next boot freezes a copy of the state directory the moment the new version is on disk.
    const files = new FileModelStore(stateDir);
    let frozenAt = false;
    const watching: ModelStore = {
      load: () => files.load(),
      save(model: StoredModel) {
        files.save(model);
        if (!frozenAt && model.reported?.[SV] === '2.0.0') {
          frozenAt = true;
          for (const f of ['agent-state.json', 'data-model.json']) fs.copyFileSync(path.join(stateDir, f), path.join(frozen, f));
        }
      },
    };
    const second = agentOn(stateDir, watching);
    second.start();
    await second.stop();
    assert.ok(frozenAt, 'the new version was recorded at boot');

    const sessionsBefore = acs.completedSessions(device.identity.serialNumber).length;
    const afterCut = agentOn(frozen, new FileModelStore(frozen));
    afterCut.start();
    await acs.waitFor(() => acs.completedSessions(device.identity.serialNumber).length > sessionsBefore);
    await afterCut.stop();
    const session = acs.completedSessions(device.identity.serialNumber)[sessionsBefore]!;
    assert.ok(
      session.events.some((e) => e.code === '4 VALUE CHANGE'),
      `events: ${session.events.map((e) => e.code).join(', ')}`,
    );
    assert.equal(parameterValues(readCpeMessage(session.messages[0]!.body))[SV]?.value, '2.0.0');
  } finally {
    await acs.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
    fs.rmSync(frozen, { recursive: true, force: true });
  }
});
