/**
 * How the agent changes its persisted state (events, transfers, schedules): a change from the
 * device's side is kept in memory when it cannot be saved (the store retries); a change an ACS
 * RPC asked for is undone and answered 9002, since the ACS must not believe in a change a power
 * cut would lose. Functions, not an object per agent: a fleet holds thousands of agents.
 */
import { CwmpFault } from '../cwmp/faults.js';
import type { AgentState, AgentStateStore } from '../storage/agent-state.js';

export function saveQuietly(store: AgentStateStore, state: AgentState): void {
  try {
    store.save(state);
  } catch {
    // The store logs and retries; the agent carries on with its state in memory.
  }
}

export function changeForAcs(store: AgentStateStore, state: AgentState, change: (s: AgentState) => void): void {
  // Every list is copied, so that an undo takes back whatever the change pushed (a ChangeDUState's
  // entry too); their entries are shared: a Kicked waiter knows its request by identity.
  const before = { ...state } as Record<string, unknown>;
  for (const [key, value] of Object.entries(before)) if (Array.isArray(value)) before[key] = [...value];
  change(state);
  try {
    store.save(state);
  } catch (err) {
    Object.assign(state, before);
    throw new CwmpFault(9002, `the request could not be saved: ${err instanceof Error ? err.message : String(err)}`);
  }
}
