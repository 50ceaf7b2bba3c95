/**
 * A fleet's persisted state: every device's protocol state and data model in one file, written
 * atomically every few seconds and at exit. Thousands of devices changing state many times a
 * second cannot each fsync a file; a restart loses at most the last interval, which a load
 * test can afford (a single agent persists every change, see storage/).
 */
import path from 'node:path';
import type { StoredModel } from '../datamodel/data-model.js';
import { emptyAgentState, reviveAgentState, type AgentState } from '../storage/agent-state.js';
import { AtomicJsonFile } from '../storage/atomic-json-file.js';
import type { Fleet } from './fleet.js';

interface SnapshotDocument {
  version: 1;
  devices: Record<string, { state: AgentState; model: StoredModel }>;
}

export class FleetSnapshot {
  private readonly file: AtomicJsonFile<SnapshotDocument>;

  /** One file per shard, so that shards can share a state directory. */
  constructor(stateDir: string, shardName: string) {
    this.file = new AtomicJsonFile(path.join(stateDir, `fleet-${shardName}.json`));
  }

  load(): Map<string, { state: AgentState; model: StoredModel }> {
    const doc = this.file.read();
    if (doc?.version !== 1) return new Map();
    return new Map(
      Object.entries(doc.devices).map(([serial, d]) => [serial, { state: reviveAgentState({ ...emptyAgentState(), ...d.state }), model: d.model }]),
    );
  }

  save(fleet: Fleet): void {
    const devices: SnapshotDocument['devices'] = {};
    for (const m of fleet.members) {
      const state = m.stateStore.peek();
      const model = m.modelStore.peek();
      if (state && model) devices[m.serial] = { state, model };
    }
    this.file.write({ version: 1, devices });
  }
}
