/**
 * The CWMP endpoint's pure helpers on their own: what an Inform carries and what its
 * acknowledgements remove, where each changed parameter is reported, which contacts a standby
 * lets through, and the state cell's nested saves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyAcknowledgement, composeInform } from '../../src/agent/session-inform.js';
import { StandbyState } from '../../src/agent/standby.js';
import { routeChanges } from '../../src/agent/value-change-levels.js';
import { DataModel } from '../../src/datamodel/data-model.js';
import { BUILT_IN_SCHEMA } from '../../src/models/built-in.js';
import { managementServerPaths } from '../../src/models/device-core.js';
import { identityValues } from '../../src/providers/device.js';
import { simulatedIdentity } from '../../src/providers/simulated-device.js';
import { emptyAgentState, type AgentState } from '../../src/storage/agent-state.js';
import { MemoryModelStore } from '../../src/storage/model-store.js';
import { PersistedState } from '../../src/storage/state-cell.js';

const ms = managementServerPaths(BUILT_IN_SCHEMA.root);
const identity = simulatedIdentity('helpers');
const model = (): DataModel => new DataModel(BUILT_IN_SCHEMA, new MemoryModelStore(), [], identityValues(identity, BUILT_IN_SCHEMA.root));

test('composeInform: pending events in TR-069 order, the changed values with them; an InformResponse removes what was sent and nothing queued meanwhile', () => {
  const m = model();
  const state: AgentState = {
    ...emptyAgentState(),
    events: [
      { code: '4 VALUE CHANGE', commandKey: '' },
      { code: '1 BOOT', commandKey: '' },
      { code: '0 BOOTSTRAP', commandKey: '' },
    ],
    changedParameters: ['Device.DeviceInfo.ProvisioningCode'],
    retryCount: 2,
  };
  const sent = composeInform(state, false, m, ms, identity, Date.UTC(2026, 0, 1));
  assert.deepEqual(
    sent.sentEvents.map((e) => e.code),
    ['0 BOOTSTRAP', '1 BOOT', '4 VALUE CHANGE'],
  );
  assert.equal(sent.inform.retryCount, 2);
  assert.ok(sent.inform.parameterList.some((p) => p.name === 'Device.DeviceInfo.ProvisioningCode'));
  // A connection request arrives while the session runs: it stays for the next Inform.
  state.events.push({ code: '6 CONNECTION REQUEST', commandKey: '' });
  applyAcknowledgement(state, { kind: 'inform' }, sent, 'http://acs.example/');
  assert.deepEqual(state.events, [{ code: '6 CONNECTION REQUEST', commandKey: '' }]);
  assert.deepEqual(state.changedParameters, []);
  assert.equal(state.bootstrappedUrl, 'http://acs.example/', 'BOOTSTRAP delivered records the URL it reached');
});

test('composeInform: a due heartbeat goes alone only when nothing else is pending', () => {
  const m = model();
  const quiet = composeInform(emptyAgentState(), true, m, ms, identity, 0);
  assert.deepEqual(
    quiet.sentEvents.map((e) => e.code),
    ['14 HEARTBEAT'],
  );
  const busy = composeInform({ ...emptyAgentState(), events: [{ code: '2 PERIODIC', commandKey: '' }] }, true, m, ms, identity, 0);
  assert.deepEqual(
    busy.sentEvents.map((e) => e.code),
    ['2 PERIODIC'],
  );
});

test('routeChanges: each notification level goes where TR-069 and Annex M say', () => {
  const m = model();
  const names = [
    'Device.ManagementServer.PeriodicInformEnable',
    'Device.ManagementServer.PeriodicInformInterval',
    'Device.ManagementServer.PeriodicInformTime',
    'Device.ManagementServer.Username',
    'Device.ManagementServer.URL',
    'Device.ManagementServer.DefaultActiveNotificationThrottle',
  ];
  const levels = [1, 2, 3, 4, 5, 6];
  m.setParameterAttributes(names.map((name, i) => ({ name, notificationChange: true, notification: levels[i]!, accessListChange: false, accessList: [] })));
  const routed = routeChanges(m, [...names, 'Device.DeviceInfo.UpTime']);
  assert.deepEqual(routed.inInform, [names[0], names[1], names[3], names[5]]);
  assert.deepEqual(routed.active, [names[1]]);
  assert.deepEqual(routed.lightweightPassive, [names[2], names[3]]);
  assert.deepEqual(routed.lightweightActive, [names[4], names[5]]);
});

test('StandbyState: a CR-aware standby hears connection requests and holds periodic contacts; waking says whether it is news and resumes what was held', () => {
  const m = model();
  m.provision({ [ms.standby.networkAwarenessCapable]: 'true', [ms.standby.selfTimerCapable]: 'false' });
  const standby = new StandbyState(m, ms);
  const mode = standby.enter({ crAware: true, timerAware: true }, 0, false);
  assert.deepEqual(mode, { crAware: true, timerAware: false, since: 0 }, 'timer awareness needs the capability');
  assert.equal(standby.hearsConnectionRequests(), true);
  assert.equal(standby.holdsSessions([{ code: '6 CONNECTION REQUEST', commandKey: '' }], false), false);
  assert.equal(standby.contact('periodic'), false, 'a periodic contact is missed');
  assert.equal(standby.holdsSessions([{ code: '2 PERIODIC', commandKey: '' }], false), true);
  const woke = standby.wake(1000);
  assert.equal(woke.resume, true, 'the held session goes after the wake-up');
  assert.equal(standby.mode, undefined);
  assert.equal(standby.holdsSessions([{ code: '2 PERIODIC', commandKey: '' }], false), false, 'awake, nothing is held');
});

test('PersistedState: nested changes are saved once, with the outermost; a quiet change that cannot be saved stays in memory', () => {
  const saves: string[] = [];
  let full = false;
  const cell = new PersistedState<AgentState>({
    load: emptyAgentState,
    save: (s) => {
      if (full) throw new Error('ENOSPC');
      saves.push(JSON.stringify(s.events));
    },
  });
  cell.change((s) => {
    s.events.push({ code: '1 BOOT', commandKey: '' });
    cell.change((inner) => void inner.events.push({ code: '7 TRANSFER COMPLETE', commandKey: '' }));
  });
  assert.equal(saves.length, 1, 'one write for both');
  assert.match(saves[0]!, /BOOT.*TRANSFER COMPLETE/);
  full = true;
  cell.change((s) => void s.events.push({ code: '2 PERIODIC', commandKey: '' }));
  assert.equal(cell.state.events.length, 3, 'kept in memory: the store retries');
});
