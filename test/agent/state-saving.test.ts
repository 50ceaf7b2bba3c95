/**
 * A change an ACS asked for that cannot be saved is answered 9002 and undone in full: it never
 * happens later. The pure helpers first, then a ChangeDUState end to end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readCpeMessage, textAt } from '../../src/acs/acs-messages.js';
import { savedForAcs } from '../../src/agent/state-saving.js';
import { PersistedState } from '../../src/storage/state-cell.js';
import { CwmpFault } from '../../src/cwmp/faults.js';
import { makeDuPackage } from '../../src/providers/software/du-package.js';
import { emptyAgentState, FileAgentStateStore, type AgentState, type AgentStateStore } from '../../src/storage/agent-state.js';
import { StateWriteError } from '../../src/storage/atomic-json-file.js';
import { getValues, sendRpcs, sessionsCompleted, startHarness, tempDir } from '../helpers/agent-harness.js';

/** A state store whose disk can be made full. */
class FillableStore implements AgentStateStore {
  full = false;
  constructor(private readonly inner: AgentStateStore) {}
  load(): AgentState {
    return this.inner.load();
  }
  save(state: AgentState): void {
    if (this.full) throw new StateWriteError('agent-state.json', 'ENOSPC', 'no space left on device');
    this.inner.save(state);
  }
  flush(): void {
    this.inner.flush?.();
  }
}

test('a durable change for the ACS undoes every list it touched (nested changes too) when the save fails', () => {
  const store = new FillableStore({ load: emptyAgentState, save: () => undefined });
  const cell = new PersistedState(store);
  store.full = true;
  assert.throws(
    () =>
      savedForAcs(() =>
        cell.changeDurably((s) => {
          s.duChanges.push({ id: 'x', origin: 'ChangeDUState', commandKey: 'k', acceptedAt: 0, operations: [] });
          // A part of the device changing its own fields within the same save.
          cell.changeDurably((inner) => void inner.events.push({ code: 'M ChangeDUState', commandKey: 'k' }));
          s.transfers.length = 0;
        }),
      ),
    (err: unknown) => err instanceof CwmpFault && err.faultCode === 9002 && /could not be saved: .*no space left/.test(err.message),
  );
  assert.deepEqual(cell.state, emptyAgentState());
});

test('a ChangeDUState answered 9002 (its state could not be saved) is never carried out', { timeout: 60_000 }, async () => {
  const stateDir = tempDir('du-9002-');
  const store = new FillableStore(new FileAgentStateStore(stateDir));
  const h = await startHarness({ agent: { stateStore: store } });
  const src = tempDir('du-src-');
  try {
    fs.writeFileSync(path.join(src, 'manifest.json'), JSON.stringify({ name: 'app', vendor: 'Example', version: '1.0' }));
    fs.writeFileSync(path.join(src, 'data.txt'), 'x');
    await makeDuPackage(src, path.join(src, 'app.tar.gz'));
    const url = h.acs.serveFile('app.tar.gz', fs.readFileSync(path.join(src, 'app.tar.gz')));
    h.agent.start();
    await sessionsCompleted(h, 1);
    store.full = true;
    const answer = await sendRpcs(h, {
      method: 'ChangeDUState',
      commandKey: 'unsaved',
      operations: [{ op: 'Install', url, uuid: '', username: '', password: '', executionEnvRef: '' }],
    });
    assert.equal(answer?.method, 'Fault');
    assert.equal(textAt(answer!.body, 'detail', 'Fault', 'FaultCode'), '9002');
    store.full = false;
    // Sessions go on; had the change stayed queued, it would run after this one and report.
    const values = await getValues(h, 'Device.SoftwareModules.DeploymentUnitNumberOfEntries');
    assert.equal(values['Device.SoftwareModules.DeploymentUnitNumberOfEntries'], '0');
    assert.deepEqual(h.agent.device.duChanges.list(), []);
    await h.agent.stop();
    assert.deepEqual(store.load().duChanges, [], 'nothing of it was saved later either');
    const reported = h.acs.sessions.flatMap((s) => s.messages.filter((m) => m.from === 'cpe').map((m) => readCpeMessage(m.body).method));
    assert.ok(!reported.includes('DUStateChangeComplete'), reported.join(', '));
  } finally {
    await h.close();
    fs.rmSync(src, { recursive: true, force: true });
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
});
